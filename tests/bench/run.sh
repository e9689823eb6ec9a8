#!/usr/bin/env bash
# ferry's benchmark in one command (docs/performance.md):
#
#   tests/bench/run.sh [--limits] [ferry-bench flags...]
#
# Builds ferryd, jst-sim and ferry-bench (Release-with-debug-info, in
# build-bench/ unless FERRY_BENCH_BUILD says otherwise), starts the private
# MariaDB (deploy/mariadb-local.sh; left running), runs ferry-bench, which
# starts jst-sim itself, and writes $build/bench-out/result.json and
# chart.png (FERRY_BENCH_OUT overrides the folder). --limits adds the run under the real call limits
# (several minutes). Databases used: ferry_bench_*.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
bench_setup ferry-bench ferryd jst-sim
# jst-sim's default credentials; ferry's bench config reads them from here.
export JST_APP_SECRET=demo-secret JST_ACCESS_TOKEN=demo-access-token JST_REFRESH_TOKEN=demo-refresh-token

"$build/tests/bench/ferry-bench" --work "$out/work" --out "$out/result.json" "$@"
python3 "$repo/tests/bench/chart.py" "$out/result.json" "$out/chart.png"
echo "ferry-bench: wrote $out/result.json and $out/chart.png"
