#!/usr/bin/env bash
# A quick check of a built image with docker (CI: .github/workflows/image.yml), run the way the Deployment runs it:
# read-only root filesystem, uid 65532, /tmp and /var/cache/gitmoor as tmpfs. docker/check-image.sh is the fuller,
# daemon-less check that `make image` runs.
# Usage: docker/smoke-test.sh IMAGE
set -euo pipefail
image=$1
run=(docker run --rm --read-only --user 65532:65532 --tmpfs /tmp --tmpfs /var/cache/gitmoor:uid=65532,gid=65532)

[ "$(docker image inspect --format '{{.Config.User}}' "$image")" = "65532:65532" ] ||
  { echo "smoke-test: the image does not run as 65532:65532" >&2; exit 1; }
"${run[@]}" "$image" version
"${run[@]}" --entrypoint helm "$image" version
"${run[@]}" --entrypoint kubectl "$image" version --client
# helm template through gitmoor, as uid 65532 with only the tmpfs writable.
"${run[@]}" -v "$PWD/examples/tetris/helm/tetris:/chart:ro" "$image" render --dir /chart >/dev/null
echo "smoke-test: ok ($image)"
