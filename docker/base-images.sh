#!/usr/bin/env bash
# Creates the debian:12 and debian:12-slim base images of docker/Dockerfile in buildah's local storage, built
# with debootstrap from deb.debian.org (the mirror apt uses here), for machines that reach no container registry.
# On GitHub the real images from Docker Hub are used instead (.github/workflows/image.yml); this script only
# stands in for them, made the way the official ones are (debuerreotype):
#   debian:12       bookworm, debootstrap --variant=minbase, apt tuned for containers, no package lists;
#   debian:12-slim  the same, plus dpkg excludes for docs, man pages and locales, and those files removed.
# Idempotent: images already in storage are kept (pass --force to rebuild them).
# Usage: docker/base-images.sh [--force]   (as root; buildah's storage driver is vfs, as `make image` uses)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
suite=bookworm
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
work="$root/build/image-bases"
buildah=(buildah --storage-driver vfs)
force=0
[ "${1:-}" = "--force" ] && force=1

have_image() { "${buildah[@]}" inspect --type image "$1" >/dev/null 2>&1; }

if [ $force -eq 0 ] && have_image docker.io/library/debian:12 && have_image docker.io/library/debian:12-slim; then
  echo "base-images: debian:12 and debian:12-slim already in buildah storage"
  exit 0
fi

rm -rf "$work"
mkdir -p "$work"
full="$work/debian-12"

echo "base-images: debootstrap $suite (minbase) from $mirror"
debootstrap --variant=minbase "$suite" "$full" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -n 20 "$work/debootstrap.log" >&2; echo "base-images: debootstrap failed (log: $work/debootstrap.log)" >&2; exit 1; }

# apt settings of the official images: no caches kept after installs, no translations, no suggests autoremove.
cat >"$full/etc/apt/apt.conf.d/docker-clean" <<'CONF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CONF
echo 'Acquire::Languages "none";' >"$full/etc/apt/apt.conf.d/docker-no-languages"
echo 'Acquire::GzipIndexes "true";' >"$full/etc/apt/apt.conf.d/docker-gzip-indexes"
echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$full/etc/apt/apt.conf.d/docker-autoremove-suggests"
cat >"$full/etc/apt/sources.list.d/debian.sources" <<CONF
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
CONF
rm -f "$full/etc/apt/sources.list"
# What an image must not carry: package lists, logs, the host's resolver and hostname, machine id.
rm -rf "$full"/var/lib/apt/lists/* "$full"/var/cache/apt/*.bin "$full"/var/cache/apt/archives/*.deb "$full"/var/log/*.log "$full"/var/log/apt/* \
  "$full"/tmp/* "$full"/var/tmp/*
: >"$full/etc/resolv.conf"
: >"$full/etc/hostname"
: >"$full/etc/machine-id"

slim="$work/debian-12-slim"
cp -a "$full" "$slim"
# The slim variant's dpkg excludes (as debuerreotype-slimify writes them), applied to what is installed already.
cat >"$slim/etc/dpkg/dpkg.cfg.d/docker" <<'CONF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/man/*
CONF
find "$slim/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
find "$slim/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$slim"/usr/share/groff/* "$slim"/usr/share/info/* "$slim"/usr/share/linda/* "$slim"/usr/share/lintian/* \
  "$slim"/usr/share/man/*
find "$slim/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +

# import DIR NAME: a one-layer image NAME holding DIR, configured like the official image (bash, PATH).
import() {
  local dir=$1 name=$2 ctr mnt
  "${buildah[@]}" rmi -f "$name" >/dev/null 2>&1 || true
  ctr=$("${buildah[@]}" from scratch)
  # cp -a, not `buildah add`: owners, modes, setuid bits and device nodes must stay as debootstrap made them.
  mnt=$("${buildah[@]}" mount "$ctr")
  cp -a "$dir"/. "$mnt"/
  "${buildah[@]}" umount "$ctr" >/dev/null
  "${buildah[@]}" config --cmd bash --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --os linux --arch amd64 "$ctr"
  "${buildah[@]}" commit --quiet --rm "$ctr" "$name" >/dev/null
  echo "base-images: $name ($(du -sh --apparent-size "$dir" | cut -f1) on disk)"
}
import "$full" docker.io/library/debian:12
import "$slim" docker.io/library/debian:12-slim
rm -rf "$work"
