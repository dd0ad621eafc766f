#!/usr/bin/env bash
# Sets up a Debian 12 machine (as root) to build the container image with `make image`:
#   buildah (builds without a daemon: --isolation chroot, vfs storage) and debootstrap (docker/base-images.sh makes
#   the debian:12 bases where no registry is reachable). scripts/setup.sh's packages are a separate set-up: the
#   image builds inside its own builder stage and does not need them.
# Idempotent: a second run checks and returns in a second.
set -euo pipefail

packages=(buildah debootstrap)

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-image: ${packages[*]} present"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "setup-image: needs root to install ${missing[*]}" >&2
  exit 1
fi
echo "setup-image: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || { echo "setup-image: apt-get update could not read the package lists" >&2; exit 1; }
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
  { echo "setup-image: apt-get install ${missing[*]} failed" >&2; exit 1; }
echo "setup-image: done"
