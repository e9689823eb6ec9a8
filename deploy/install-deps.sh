#!/usr/bin/env bash
# Installs the Debian 12 packages ferry needs to build, test and run its quickstart.
# Skips what is installed; runs apt-get update only when something is missing.
# Usage: deploy/install-deps.sh [--dry-run]
set -euo pipefail

packages=(
  # build
  cmake ninja-build g++ ccache pkg-config git
  libboost-dev libboost-program-options-dev nlohmann-json3-dev libssl-dev
  libmariadb-dev libspdlog-dev libfmt-dev prometheus-cpp-dev catch2
  libhowardhinnant-date-dev tzdata ca-certificates
  # pages are parsed with simdjson On-Demand (lib/json/src/tape.cpp)
  libsimdjson-dev
  # tests and quickstart
  mariadb-server mariadb-client curl procps prometheus prometheus-alertmanager systemd python3 python3-yaml
  # the config schema test (tests/deploy/schema_check.py)
  python3-jsonschema
  # the proxy test: an HTTP proxy on loopback that tunnels with CONNECT
  tinyproxy
  # the package test: cpack builds a .deb (dpkg-shlibdeps), lintian checks it
  dpkg-dev lintian
  # the status page's browser test
  chromium
  # tests/fuzz/run.sh: clang and its runtimes (libFuzzer, ASan, UBSan); -fsanitize=fuzzer
  # links libclang-rt-14-dev's libclang_rt.fuzzer, so libfuzzer-14-dev is not needed
  clang-14 libclang-rt-14-dev
)

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

# Node.js and npm may come from Debian or from another vendor's package;
# only a missing command asks for Debian's.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages, node and npm are installed"
  exit 0
fi
echo "install-deps: missing: ${missing[*]}"
if [[ "${1:-}" == "--dry-run" ]]; then
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    echo "install-deps: not root and no sudo; as root, run:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
else
  as_root=()
fi

apt_opts=(-o DPkg::Lock::Timeout=300 -y -q --no-install-recommends)
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get -o DPkg::Lock::Timeout=300 update -q
"${as_root[@]}" apt-get install "${apt_opts[@]}" "${missing[@]}"
echo "install-deps: installed ${missing[*]}"
