#!/usr/bin/env bash
# Acceptance checks of the built image (docker/build-image.sh runs them after `make image`):
#   - the config: user 65532:65532, entrypoint gitmoor, OCI labels source/revision/version;
#   - in the image's root filesystem, mounted READ-ONLY, as uid/gid 65532, with only /tmp and /var/cache/gitmoor
#     writable (tmpfs, as the Deployment's emptyDirs): `gitmoor version`, `helm version`, `kubectl version
#     --client`, `gitmoor render` of the example Helm chart, and the Deployment's own command line
#     (`gitmoor --log-format=json serve ... --cache-dir=/var/cache/gitmoor`) against a sandbox cluster (also the
#     image's gitmoor), until /healthz and /readyz answer 200;
#   - afterwards the root filesystem is unchanged (a listing of every file with size, mode, owner and mtime, taken
#     before and after, is equal).
# No container runtime: `buildah mount` gives the root filesystem; a private mount namespace (unshare -m) holds the
# read-only bind and the tmpfs mounts; chroot --userspec runs the commands. Run as root.
# Usage: docker/check-image.sh [IMAGE]   (default ghcr.io/gitmoor/gitmoor:<version of CMakeLists.txt>)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
uid=65532

fail() { echo "check-image: FAILED: $*" >&2; exit 1; }
ok() { echo "check-image: ok: $*"; }

# ---- inside the private mount namespace: $0 --inside ROOTFS ENV_FILE MOUNTPOINT ----
inside() {
  local rootfs=$1 env_file=$2 new=$3
  mount --bind "$rootfs" "$new"
  mount -o remount,bind,ro "$new"
  mount -t proc proc "$new/proc"
  mount --rbind /dev "$new/dev"
  mount -t tmpfs -o mode=1777 tmpfs "$new/tmp"
  mount -t tmpfs -o "uid=$uid,gid=$uid,mode=0750" tmpfs "$new/var/cache/gitmoor"
  # The inputs, put into the tmpfs by root: the example chart (read-only) and the Application CRD.
  mkdir "$new/tmp/chart"
  mount --bind "$root/examples/tetris/helm/tetris" "$new/tmp/chart"
  mount -o remount,bind,ro "$new/tmp/chart"
  cp "$root/docker/install/applications.gitmoor.dev.yaml" "$new/tmp/crd.yaml"
  chmod 0644 "$new/tmp/crd.yaml"

  local -a image_env
  mapfile -t image_env <"$env_file"
  # in_image CMD...: runs CMD in the image as the Pod would: its ENV only, uid/gid 65532, working folder /tmp.
  # exec: every call runs in a subshell ($(...) or &), so the pid of a background call is the command itself.
  in_image() { exec env -i "${image_env[@]}" chroot --userspec="$uid:$uid" "$new" /usr/bin/env -C /tmp "$@"; }

  local out
  out=$(in_image id -u) && [ "$out" = "$uid" ] || fail "the image's commands run as uid '$out', not $uid"
  ok "runs as uid $out (not root)"
  out=$(in_image gitmoor version 2>&1) || fail "gitmoor version: $out"
  ok "gitmoor version: $(echo "$out" | head -n 1)"
  out=$(in_image helm version 2>&1) || fail "helm version: $out"
  ok "helm version: $out"
  out=$(in_image kubectl version --client 2>&1) || fail "kubectl version --client: $out"
  ok "kubectl version --client: $(echo "$out" | head -n 1)"
  out=$(in_image gitmoor render --dir /tmp/chart 2>&1) || fail "gitmoor render of examples/tetris/helm/tetris: $out"
  echo "$out" | grep -q '^kind: Deployment' || fail "gitmoor render printed no Deployment: $out"
  ok "gitmoor render --dir (helm template) of examples/tetris/helm/tetris: $(echo "$out" | grep -c '^kind:') objects"

  # A sandbox cluster for serve, then the Deployment's command line (--kubeconfig instead of the in-cluster
  # ServiceAccount, and a free loopback port instead of :8080).
  in_image gitmoor sandbox --listen 127.0.0.1:0 --kubeconfig-out /tmp/kubeconfig >"$new/tmp/sandbox.log" 2>&1 &
  sandbox=$!  # global: the EXIT trap runs after this function has returned
  serve=""
  # shellcheck disable=SC2317  # called by the trap
  stop() { [ -n "${serve:-}" ] && kill "$serve" 2>/dev/null; [ -n "${sandbox:-}" ] && kill "$sandbox" 2>/dev/null; wait 2>/dev/null || true; }
  trap stop EXIT
  for _ in $(seq 1 100); do [ -s "$new/tmp/kubeconfig" ] && break; sleep 0.1; done
  [ -s "$new/tmp/kubeconfig" ] || fail "the sandbox wrote no kubeconfig: $(cat "$new/tmp/sandbox.log")"
  out=$(in_image kubectl --kubeconfig /tmp/kubeconfig create namespace gitmoor 2>&1) || fail "kubectl create namespace: $out"
  out=$(in_image kubectl --kubeconfig /tmp/kubeconfig apply --server-side -f /tmp/crd.yaml 2>&1) ||
    fail "kubectl apply of the CRD: $out"
  in_image gitmoor --log-format=json serve --listen=127.0.0.1:0 --apps-namespace=gitmoor \
    --cache-dir=/var/cache/gitmoor --kubeconfig=/tmp/kubeconfig >"$new/tmp/serve.log" 2>&1 &
  serve=$!
  local url=""
  for _ in $(seq 1 300); do
    url=$(sed -n 's/^gitmoor serving on \(http[^ ]*\).*/\1/p' "$new/tmp/serve.log" | head -n 1)
    [ -n "$url" ] && break
    kill -0 "$serve" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$url" ] || fail "gitmoor serve did not start: $(cat "$new/tmp/serve.log")"
  local path code
  for path in /healthz /readyz; do
    code=000
    for _ in $(seq 1 300); do
      code=$(curl -s -o /dev/null -w '%{http_code}' "$url$path" || true)
      [ "$code" = 200 ] && break
      sleep 0.1
    done
    [ "$code" = 200 ] || fail "serve's $path answered $code: $(tail -n 20 "$new/tmp/serve.log")"
  done
  ok "the Deployment's serve command answers 200 on /healthz and /readyz ($url)"
  kill -TERM "$serve"
  wait "$serve" || fail "gitmoor serve did not stop cleanly on SIGTERM: $(tail -n 20 "$new/tmp/serve.log")"
  serve=""
  ok "gitmoor serve stopped on SIGTERM with status 0"
}

if [ "${1:-}" = --inside ]; then
  shift
  inside "$@"
  exit 0
fi

# ---- outside: config checks, the root filesystem, the before/after listing ----
version=$(sed -n 's/^project(gitmoor VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
image=${1:-ghcr.io/gitmoor/gitmoor:$version}
buildah=(buildah --storage-driver vfs)

inspect() { "${buildah[@]}" inspect --type image --format "$1" "$image"; }
user=$(inspect '{{.OCIv1.Config.User}}')
[ "$user" = "$uid:$uid" ] || fail "the image's user is '$user', not $uid:$uid"
ok "image user $user"
entrypoint=$(inspect '{{range .OCIv1.Config.Entrypoint}}{{.}} {{end}}')
[ "$entrypoint" = "/usr/local/bin/gitmoor " ] || fail "the entrypoint is '$entrypoint'"
for label in source revision version; do
  value=$(inspect "{{index .OCIv1.Config.Labels \"org.opencontainers.image.$label\"}}")
  [ -n "$value" ] || fail "label org.opencontainers.image.$label is empty"
  ok "label org.opencontainers.image.$label=$value"
done

work=$(mktemp -d)
ctr=$("${buildah[@]}" from --pull=false --quiet "$image")
cleanup() { "${buildah[@]}" rm "$ctr" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
rootfs=$("${buildah[@]}" mount "$ctr")
inspect '{{range .OCIv1.Config.Env}}{{println .}}{{end}}' | sed '/^$/d' >"$work/env"

listing() { (cd "$rootfs" && find . -xdev -printf '%p %s %m %U:%G %T@ %l\n' | LC_ALL=C sort); }
listing >"$work/before"
mkdir "$work/root"
unshare -m --propagation private -- "$0" --inside "$rootfs" "$work/env" "$work/root"
listing >"$work/after"
if ! diff -u "$work/before" "$work/after" >"$work/diff"; then
  fail "the root filesystem changed at run time:$(echo; head -n 40 "$work/diff")"
fi
ok "the root filesystem is unchanged ($(wc -l <"$work/before") entries compared); it was mounted read-only throughout"
echo "check-image: all checks passed for $image"
