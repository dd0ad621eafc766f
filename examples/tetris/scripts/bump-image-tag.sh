#!/usr/bin/env bash
# Points the chart at freshly built images and pushes that commit: the last step of .github/workflows/deploy.yml,
# runnable by hand from the repository root. gitmoor then sees the commit and rolls the new tag out.
#
#   scripts/bump-image-tag.sh TAG [KEY...]
#
# Sets each KEY (default: image.tag) of helm/tetris/values.yaml to TAG with `gitmoor image set`, which keeps
# comments and formatting (one changed line per key), commits it as github-actions[bot] and pushes it to the current
# branch. When the push loses a race (non-fast-forward: someone pushed meanwhile), it fetches, rebases the bump onto
# the new tip and pushes again, at most PUSH_ATTEMPTS times. Any failure (bad key, a file that is not YAML, a rebase
# conflict, a push rejected for another reason) exits non-zero with a message; a bad key or file commits nothing.
#
# Environment (all optional):
#   VALUES_FILE    the values file (helm/tetris/values.yaml)
#   GITMOOR        the gitmoor binary (gitmoor, from PATH)
#   REMOTE         where to push (origin)
#   BRANCH         the branch to push (the current branch)
#   PUSH_ATTEMPTS  pushes before giving up (5)
#   BOT_NAME, BOT_EMAIL  the commit's author and committer (github-actions[bot] and its noreply address)
set -euo pipefail

usage="usage: bump-image-tag.sh TAG [KEY...]"
tag=${1:?$usage}
shift
keys=("$@")
[[ ${#keys[@]} -gt 0 ]] || keys=(image.tag)
values=${VALUES_FILE:-helm/tetris/values.yaml}
gitmoor=${GITMOOR:-gitmoor}
remote=${REMOTE:-origin}
attempts=${PUSH_ATTEMPTS:-5}
bot_name=${BOT_NAME:-github-actions[bot]}
bot_email=${BOT_EMAIL:-41898282+github-actions[bot]@users.noreply.github.com}

say() { echo "bump-image-tag: $*" >&2; }

if [[ -n ${BRANCH:-} ]]; then
  branch=$BRANCH
elif ! branch=$(git symbolic-ref --quiet --short HEAD); then
  say "HEAD is detached; set BRANCH to the branch to push"
  exit 2
fi
[[ $attempts =~ ^[1-9][0-9]*$ ]] || { say "PUSH_ATTEMPTS must be a positive number, not '$attempts'"; exit 2; }

# A dirty tree would be committed by accident or stop the rebase half-way.
if ! git diff --quiet HEAD --; then
  say "the working tree has uncommitted changes; commit or stash them first"
  exit 1
fi

# Commits and rebases are the bot's, whatever identity the machine has.
as_bot() {
  GIT_AUTHOR_NAME=$bot_name GIT_AUTHOR_EMAIL=$bot_email GIT_COMMITTER_NAME=$bot_name GIT_COMMITTER_EMAIL=$bot_email \
    "$@"
}

key_args=()
for key in "${keys[@]}"; do key_args+=(--key "$key"); done
# gitmoor leaves the file untouched on any error (missing key, not YAML), so there is nothing to undo.
"$gitmoor" image set --file "$values" "${key_args[@]}" --value "$tag"

if git diff --quiet -- "$values"; then
  say "$values already sets ${keys[*]} to $tag; nothing to commit"
  exit 0
fi
git add -- "$values"
as_bot git commit --quiet -m "deploy: set ${keys[*]} to $tag" -- "$values"

for ((attempt = 1; ; attempt++)); do
  # LC_ALL=C: the rejection reason is matched below.
  if output=$(LC_ALL=C git push "$remote" "HEAD:refs/heads/$branch" 2>&1); then
    [[ -z $output ]] || echo "$output" >&2
    say "pushed $(git rev-parse --short HEAD) to $remote/$branch (attempt $attempt)"
    exit 0
  fi
  echo "$output" >&2
  if ! grep -qE 'non-fast-forward|fetch first' <<<"$output"; then
    say "push to $remote/$branch failed (not a race with another push); giving up"
    exit 1
  fi
  if ((attempt >= attempts)); then
    say "push to $remote/$branch still rejected after $attempts attempt(s); giving up"
    exit 1
  fi
  say "push rejected: $remote/$branch moved (attempt $attempt of $attempts); fetching and rebasing"
  git fetch --quiet "$remote" "$branch"
  if ! as_bot git rebase --quiet FETCH_HEAD; then
    as_bot git rebase --abort || true
    say "rebasing onto $remote/$branch conflicts ($values changed there too); nothing pushed"
    exit 1
  fi
done
