# What ferry's soak scripts share (sourced by run.sh and reloads.sh): the
# build, the private MariaDB and a fresh database, child processes killed on
# exit, jst-sim and ferryd started and waited for, and one sample of a
# process's RSS, descriptors and threads.
# shellcheck shell=bash

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
build=${FERRY_BUILD_DIR:-$repo/build}
token=soak-admin-token

pids=()
soak_cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap soak_cleanup EXIT

mysql_cli() {
  mariadb --no-defaults -h127.0.0.1 -P"$FERRY_MYSQL_PORT" -uferry -p"$FERRY_MYSQL_PASSWORD" --batch --skip-column-names "$@"
}

# soak_setup DATABASE: builds ferryd and jst-sim, starts the private MariaDB
# and creates DATABASE afresh.
soak_setup() {
  ninja -C "$build" -j"${FERRY_JOBS:-2}" ferryd jst-sim >/dev/null
  deploy/mariadb-local.sh start >/dev/null
  eval "$(deploy/mariadb-local.sh env)"
  mysql_cli -e "DROP DATABASE IF EXISTS $1; CREATE DATABASE $1 CHARACTER SET utf8mb4"
}

# start_sim LOG ARGS...: jst-sim in the background; sets sim_pid once it listens.
start_sim() {
  local log=$1; shift
  "$build/tests/sim/jst-sim" "$@" >"$log" 2>&1 &
  sim_pid=$!; pids+=("$sim_pid")
  for _ in $(seq 50); do grep -q listening "$log" && return 0; sleep 0.2; done
  echo "soak: jst-sim did not start; see $log" >&2
  exit 1
}

# start_ferryd CONFIG LOG ADMIN_PORT: ferryd with jst-sim's credentials and
# the soak's admin token; sets ferryd_pid once /healthz answers.
start_ferryd() {
  export JST_APP_SECRET=demo-secret JST_ACCESS_TOKEN=demo-access-token JST_REFRESH_TOKEN=demo-refresh-token
  export FERRY_ADMIN_TOKEN=$token
  "$build/daemon/ferryd" --config "$1" >"$2" 2>&1 &
  ferryd_pid=$!; pids+=("$ferryd_pid")
  for _ in $(seq 100); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$3/healthz" || true) == 200 ]] && return 0
    sleep 0.2
  done
  echo "soak: ferryd did not answer /healthz; see $2" >&2
  exit 1
}

# proc_sample PID: "rss_kib,fds,threads".
proc_sample() {
  local rss threads fds
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$1/status")
  threads=$(awk '/^Threads/ {print $2}' "/proc/$1/status")
  fds=$(ls "/proc/$1/fd" | wc -l)
  echo "$rss,$fds,$threads"
}
