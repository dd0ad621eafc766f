#!/usr/bin/env bash
# `make image`: builds docker/Dockerfile with buildah (no daemon: --isolation chroot, vfs storage), tags it
# ghcr.io/gitmoor/gitmoor:<version of CMakeLists.txt>, prints its size and runs docker/check-image.sh on it.
#   - buildah and debootstrap come from scripts/setup-image.sh;
#   - the debian:12 / debian:12-slim bases are pulled when a registry answers, else made by docker/base-images.sh;
#   - helm and kubectl: downloaded and sha256-checked when get.helm.sh and dl.k8s.io answer, else the ones
#     scripts/setup.sh fetched into tools/bin (TOOLS_FROM=download|context overrides the guess);
#   - the machine's ccache is mounted into the builder when there is one (GITMOOR_IMAGE_CCACHE=0 turns it off), so
#     a rebuild recompiles only what changed; the image is the same either way.
# Run as root.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
buildah=(buildah --storage-driver vfs)

version=$(sed -n 's/^project(gitmoor VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
[ -n "$version" ] || { echo "build-image: no project VERSION in CMakeLists.txt" >&2; exit 1; }
image="ghcr.io/gitmoor/gitmoor:$version"
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
if [ "$revision" != unknown ] && [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
  revision="$revision-dirty"
fi

scripts/setup-image.sh

# reachable URL: true when the host answers HTTPS at all (any status) within a few seconds.
reachable() { curl -sS --max-time 5 -o /dev/null "$1" >/dev/null 2>&1; }

for base in debian:12 debian:12-slim; do
  if ! "${buildah[@]}" inspect --type image "docker.io/library/$base" >/dev/null 2>&1; then
    if timeout 120 "${buildah[@]}" pull --quiet "docker.io/library/$base" >/dev/null 2>&1; then
      echo "build-image: pulled $base"
    else
      echo "build-image: no registry answers for $base; making the bases with debootstrap"
      docker/base-images.sh
      break
    fi
  fi
done

tools_from=${TOOLS_FROM:-}
if [ -z "$tools_from" ]; then
  if reachable https://get.helm.sh/ && reachable https://dl.k8s.io/release/stable.txt; then tools_from=download
  else tools_from=context
  fi
fi
build_args=(--build-arg "TOOLS_FROM=$tools_from" --build-arg "VERSION=$version" --build-arg "REVISION=$revision")
if [ "$tools_from" = context ]; then
  # tools/ may be a symlink out of the tree (worktrees); the build context gets the real folder.
  tools_dir=$(readlink -f tools/bin)
  [ -x "$tools_dir/helm" ] && [ -x "$tools_dir/kubectl" ] ||
    { echo "build-image: $tools_dir has no helm or kubectl; run scripts/setup.sh" >&2; exit 1; }
  build_args+=(--build-context "tools-bin=$tools_dir")
fi
volumes=()
if [ "${GITMOOR_IMAGE_CCACHE:-1}" != 0 ] && command -v ccache >/dev/null 2>&1; then
  ccache_dir=$(ccache -k cache_dir)
  mkdir -p "$ccache_dir"
  volumes=(--volume "$ccache_dir:/root/.cache/ccache")
fi

echo "build-image: building $image (helm and kubectl: $tools_from; revision $revision)"
start=$(date +%s)
"${buildah[@]}" build --isolation chroot --pull=false --layers=false \
  "${build_args[@]}" "${volumes[@]}" -f docker/Dockerfile -t "$image" .
elapsed=$(( $(date +%s) - start ))

# Two sizes: unpacked (what a node stores) and gzip-compressed layers (what a registry holds and a node pulls).
unpacked=$("${buildah[@]}" images --noheading --format '{{.Size}}' "$image")
archive=$(mktemp -u /tmp/gitmoor-image.XXXXXX.tar)
"${buildah[@]}" push --quiet "$image" "oci-archive:$archive" >/dev/null
compressed=$(( $(stat -c %s "$archive") / 1000000 ))
rm -f "$archive"
echo "build-image: $image built in ${elapsed}s; size $unpacked unpacked, ${compressed} MB compressed"
docker/check-image.sh "$image"
