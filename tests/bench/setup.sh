# Sourced by tests/bench/run.sh and accounts.sh: sets repo, build and out,
# configures the bench build (Release-with-debug-info, build-bench/ unless
# FERRY_BENCH_BUILD says otherwise; FERRY_BENCH_OUT sets the output folder),
# builds the targets given to bench_setup and starts the private MariaDB
# (deploy/mariadb-local.sh; left running) with its environment exported.
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${FERRY_BENCH_BUILD:-$repo/build-bench}
out=${FERRY_BENCH_OUT:-$build/bench-out}

bench_setup() {
  if [[ ! -f $build/build.ninja ]]; then
    cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  fi
  ninja -C "$build" -j"${FERRY_BENCH_JOBS:-2}" "$@"
  "$repo/deploy/mariadb-local.sh" start
  eval "$("$repo/deploy/mariadb-local.sh" env)"
  mkdir -p "$out"
}
