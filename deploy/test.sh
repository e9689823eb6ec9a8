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
# (tests/fuzz/run.sh --smoke, clang build in build-fuzz/). Under a sanitizer
# every report lands in <build>/sanitizer-reports/ and any report fails the
# run, even one from a child process whose test passed.
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
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
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
if [[ $sanitize == thread && $(( 0x$(cat /proc/self/personality) & 0x0040000 )) -eq 0 ]]; then
  # g++ 12's TSan cannot map its shadow memory when the kernel randomises
  # mmap with more than 28 bits ("unexpected memory mapping"): rerun this
  # script, and so every test process, with address randomisation off.
  if (( $(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 28) > 28 )); then
    exec setarch "$(uname -m)" -R "$0" "$@"
  fi
fi
if [[ -n $sanitize ]]; then
  # Every report goes to a file in $reports, named after the binary and pid,
  # from the test binaries and from the ferryd and jst-sim children they start
  # (a test may drop a child's stderr, ignore its exit code or SIGKILL it).
  # The run fails when any report file exists, even if every test passed.
  # ASan and UBSan end the process at the first finding; TSan lets it run on
  # and exits 66 at the end, so one run shows every race. Suppressions, each
  # with its reason, live in tests/sanitizers/. Your own *SAN_OPTIONS come last
  # and so win.
  reports=$build/sanitizer-reports
  supp=$repo/tests/sanitizers
  sanitizer_options() { # prefix, common options, suppression file
    local options="log_path=$reports/$1:log_exe_name=1:$2"
    if [[ -f $supp/$3 ]]; then options+=":suppressions=$supp/$3"; fi
    echo "$options"
  }
  # LSan prints the suppressions it used into the log file: keep that quiet,
  # or a clean run would leave a file behind.
  asan=$(sanitizer_options asan detect_leaks=1:halt_on_error=1:abort_on_error=0:detect_stack_use_after_return=0 asan.supp)
  lsan=$(sanitizer_options asan print_suppressions=0:report_objects=1 lsan.supp)
  ubsan=$(sanitizer_options ubsan print_stacktrace=1:halt_on_error=1 ubsan.supp)
  tsan=$(sanitizer_options tsan halt_on_error=0:second_deadlock_stack=1 tsan.supp)
  export ASAN_OPTIONS=$asan${ASAN_OPTIONS:+:$ASAN_OPTIONS}
  export LSAN_OPTIONS=$lsan${LSAN_OPTIONS:+:$LSAN_OPTIONS}
  export UBSAN_OPTIONS=$ubsan${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}
  export TSAN_OPTIONS=$tsan${TSAN_OPTIONS:+:$TSAN_OPTIONS}
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
if [[ -n $sanitize ]]; then
  rm -rf "$reports"
  mkdir -p "$reports"
fi
status=0
# shellcheck disable=SC2086 # FERRY_TEST_ARGS is a list of ctest arguments
ctest --test-dir "$build" --output-on-failure --timeout "$timeout" -j"$jobs" ${FERRY_TEST_ARGS:-} || status=$?

if [[ -n $sanitize ]]; then
  step "sanitizer reports ($reports)"
  found=("$reports"/*)
  if [[ -e ${found[0]} ]]; then
    for report in "${found[@]}"; do
      printf '\n-- %s\n' "$report"
      head -n 150 "$report"
    done
    echo "test.sh: ${#found[@]} sanitizer report(s): the run fails" >&2
    status=1
  else
    echo "none"
  fi
  # A report that reached a test's output instead of a file (a finding before
  # the log file was set up) fails the run as well.
  if grep -lE '==ERROR: (Address|Leak)Sanitizer|WARNING: ThreadSanitizer|: runtime error: ' \
      "$build"/Testing/Temporary/LastTest*.log 2>/dev/null; then
    echo "test.sh: sanitizer output in the ctest log above: the run fails" >&2
    status=1
  fi
fi
if [[ -z $sanitize ]]; then
  [[ $status -eq 0 ]] || exit "$status"
  step "fuzz smoke"
  tests/fuzz/run.sh --smoke
fi
exit "$status"
