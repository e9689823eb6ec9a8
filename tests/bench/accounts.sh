#!/usr/bin/env bash
# ferry's many-accounts bench in one command (docs/performance.md):
#
#   tests/bench/accounts.sh [flags]
#     --accounts N   accounts, each with its own flow job (default 50)
#     --minutes M    the measured interval (default 5)
#     --warmup S     seconds before it (default 75: past the first minute's burst)
#     --records R    rows each job re-reads at every run (default 20000)
#     --in-flight N  each source's max_in_flight (default 4; 1 asks for one page at a time)
#
# N accounts (default 50), each with its own flow job at the real limits, in
# one ferryd daemon against one jst-sim --accounts N and the private MariaDB,
# measured over M minutes (default 5) after a warm-up. Builds as run.sh does
# (build-bench/ unless FERRY_BENCH_BUILD says otherwise) and writes
# $build/bench-out/accounts.json (FERRY_BENCH_OUT overrides the folder).
# Database used: ferry_bench_accounts.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
bench_setup ferryd jst-sim
python3 "$repo/tests/bench/accounts.py" --ferryd "$build/daemon/ferryd" --sim "$build/tests/sim/jst-sim" \
  --work "$out/accounts-work" --out "$out/accounts.json" "$@"
echo "accounts bench: wrote $out/accounts.json"
