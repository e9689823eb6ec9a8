#!/usr/bin/env bash
# ferry's whole test suite, as CI runs it (.ci/run) and as README.md gives it:
# installs what is missing, builds with warnings as errors, starts the private
# MariaDB, runs every test through ctest, and stops MariaDB again even when a
# test fails. Exits non-zero if anything failed.
#
#   deploy/test.sh                    the suite, g++ build with -Werror (build/)
#   deploy/test.sh --sanitize=asan    the same suite built with ASan + UBSan (build-asan/)
#   deploy/test.sh --sanitize=tsan    the same suite built with TSan (build-tsan/)
#
# The default mode ends with a short libFuzzer run of each fuzz target
# (tests/fuzz/run.sh --smoke, clang build in build-fuzz/).
#
# Environment: FERRY_BUILD_DIR (default as above), FERRY_TEST_ARGS (extra ctest
# arguments, e.g. "-L unit" or "-R sim"), FERRY_JOBS (default 2).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
sanitize=
for arg in "$@"; do
  case $arg in
    --sanitize=asan) sanitize=address,undefined ;;
    --sanitize=tsan) sanitize=thread ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "test.sh: unknown argument '$arg' (use --sanitize=asan or --sanitize=tsan)" >&2; exit 2 ;;
  esac
done
case $sanitize in
  address,undefined) default_build=$repo/build-asan ;;
  thread) default_build=$repo/build-tsan ;;
  *) default_build=$repo/build ;;
esac
build=${FERRY_BUILD_DIR:-$default_build}
jobs=${FERRY_JOBS:-2}
timeout=600
if [[ -n $sanitize ]]; then
  # A finding fails the process that made it (and so its test); ferryd's own
  # children inherit these.
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1:detect_stack_use_after_return=0}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
  export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
  timeout=1800
fi

step() { printf '\n== %s\n' "$*"; }

step "dependencies"
deploy/install-deps.sh

step "configure and build ($build)"
cmake -S "$repo" -B "$build" -G Ninja -DFERRY_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DFERRY_SANITIZE="$sanitize" >/dev/null
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
ctest --test-dir "$build" --output-on-failure --timeout "$timeout" -j"$jobs" ${FERRY_TEST_ARGS:-}

if [[ -z $sanitize ]]; then
  step "fuzz smoke"
  tests/fuzz/run.sh --smoke
fi
