#!/usr/bin/env bash
# Builds ferry's libFuzzer targets with clang 14, ASan and UBSan (build-fuzz/)
# and runs each with its seed corpus and dictionary.
#
#   tests/fuzz/run.sh [--smoke] [--minutes N] [target...]
#
# Targets: config envelope template admin (default: all). --minutes N runs
# each for N minutes (default 5); --smoke for about 20 seconds each.
# New inputs go to build-fuzz/fuzz-scratch/<target>/ (the committed corpus
# stays as it is); crashes, leaks and timeouts to var/fuzz/<target>/.
# Prints executions, exec/s and coverage per target; exits non-zero and
# names the crash file when a target fails.
# Environment: FERRY_FUZZ_BUILD_DIR (default build-fuzz), FERRY_JOBS (default 2).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
all_targets=(config envelope template admin)
seconds=300
targets=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --smoke) seconds=20 ;;
    --minutes)
      [[ ${2:-} =~ ^[0-9]+$ && $2 -gt 0 ]] || { echo "run.sh: --minutes needs a whole number > 0" >&2; exit 2; }
      seconds=$(($2 * 60)); shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    config|envelope|template|admin) targets+=("$1") ;;
    *) echo "run.sh: unknown argument '$1' (targets: ${all_targets[*]})" >&2; exit 2 ;;
  esac
  shift
done
[[ ${#targets[@]} -gt 0 ]] || targets=("${all_targets[@]}")
build=${FERRY_FUZZ_BUILD_DIR:-$repo/build-fuzz}
jobs=${FERRY_JOBS:-2}

command -v clang++-14 >/dev/null || { echo "run.sh: clang++-14 missing; run deploy/install-deps.sh" >&2; exit 1; }
echo "fuzz: building ${targets[*]} in $build (clang 14, ASan + UBSan + libFuzzer)"
cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DFERRY_SANITIZE=address,undefined -DFERRY_FUZZ=ON -DFERRY_WERROR=ON >/dev/null
nice -n 5 ninja -C "$build" -j"$jobs" fuzz >/dev/null

# Leaks and any undefined behaviour end the run as a crash.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# "executions exec/s cov ft" from libFuzzer's final lines.
figures() {
  local log=$1 runs rate done_line cov ft
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  done_line=$(grep -E '^#[0-9]+.*(DONE|cov:)' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$done_line")
  printf '%s executions, %s exec/s, cov: %s ft: %s' "${runs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}"
}

failed=()
for target in "${targets[@]}"; do
  scratch=$build/fuzz-scratch/$target
  crashes=$repo/var/fuzz/$target
  log=$build/fuzz-logs/$target.log
  mkdir -p "$scratch" "$crashes" "$(dirname "$log")"
  before=$(ls -A "$crashes")
  status=0
  nice -n 5 "$build/tests/fuzz/ferry_fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=16384 -print_final_stats=1 -dict="tests/fuzz/$target.dict" -artifact_prefix="$crashes/" \
    "$scratch" "tests/fuzz/corpus/$target" "tests/fuzz/regressions/$target" >"$log" 2>&1 || status=$?
  found=$(comm -13 <(echo "$before") <(ls -A "$crashes") | sed "s|^|$crashes/|" | tr '\n' ' ')
  if [[ $status -ne 0 || -n $found ]]; then
    echo "fuzz: $target FAILED (exit $status) after $(figures "$log"); input: ${found:-none written}; log: $log"
    grep -m1 -E 'ERROR: |runtime error|invariant broken' "$log" || true
    failed+=("$target")
  else
    echo "fuzz: $target ok, ${seconds}s: $(figures "$log")"
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz: failed: ${failed[*]}" >&2
  exit 1
fi
