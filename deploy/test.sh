#!/usr/bin/env bash
# ferry's whole test suite, as CI runs it (.ci/run) and as README.md gives it:
# installs what is missing, builds with warnings as errors, starts the private
# MariaDB, runs every test through ctest, and stops MariaDB again even when a
# test fails. Exits non-zero if anything failed.
#
# Environment: FERRY_BUILD_DIR (default build/), FERRY_TEST_ARGS (extra ctest
# arguments, e.g. "-L unit" or "-R sim"), FERRY_JOBS (default 2).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
build=${FERRY_BUILD_DIR:-$repo/build}
jobs=${FERRY_JOBS:-2}

step() { printf '\n== %s\n' "$*"; }

step "dependencies"
deploy/install-deps.sh

step "configure and build ($build)"
cmake -S "$repo" -B "$build" -G Ninja -DFERRY_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$build" -j"$jobs"

step "private MariaDB"
started_mariadb=0
if ! deploy/mariadb-local.sh status >/dev/null; then
  started_mariadb=1
fi
stop_mariadb() {
  if [[ $started_mariadb -eq 1 ]]; then deploy/mariadb-local.sh stop || true; fi
}
trap stop_mariadb EXIT
deploy/mariadb-local.sh start
eval "$(deploy/mariadb-local.sh env)"

step "tests"
# shellcheck disable=SC2086 # FERRY_TEST_ARGS is a list of ctest arguments
ctest --test-dir "$build" --output-on-failure --timeout 600 -j"$jobs" ${FERRY_TEST_ARGS:-}
