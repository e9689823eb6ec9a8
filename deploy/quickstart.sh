#!/usr/bin/env bash
# ferry's quickstart: installs what is missing, builds, starts the private
# MariaDB and jst-sim (the Jushuitan simulator), shows the simulator answering
# a signed request, then syncs the example jobs into MariaDB with
# `ferryd --once` (deploy/examples/skusn_inout.json and orders.json) and shows
# what landed. Run it again: the second sync finds nothing new to write.
#
#   deploy/quickstart.sh          set up and run
#   deploy/quickstart.sh stop     stop jst-sim and the private MariaDB
#
# jst-sim listens on 127.0.0.1:${JST_SIM_PORT:-9400}; its log and pid file are
# in var/quickstart/. MariaDB's data and log are in var/mariadb/.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
build=${FERRY_BUILD_DIR:-$repo/build}
state=$repo/var/quickstart
sim_port=${JST_SIM_PORT:-9400}
sim_pidfile=$state/jst-sim.pid
sim_log=$state/jst-sim.log
# jst-sim's documented default credentials (docs/simulator.md).
app_key=demo app_secret=demo-secret access_token=demo-access-token

step() { printf '\n== %s\n' "$*"; }

sim_running() { [[ -f $sim_pidfile ]] && kill -0 "$(cat "$sim_pidfile")" 2>/dev/null; }

stop_all() {
  if sim_running; then
    kill -TERM "$(cat "$sim_pidfile")" && echo "quickstart: stopped jst-sim"
  fi
  rm -f "$sim_pidfile"
  deploy/mariadb-local.sh stop
}

start_sim() {
  mkdir -p "$state"
  if sim_running; then echo "quickstart: jst-sim already running (pid $(cat "$sim_pidfile"))"; return; fi
  "$build/tests/sim/jst-sim" --port "$sim_port" --records 20000 --orders 2000 --seed 7 >"$sim_log" 2>&1 &
  echo $! >"$sim_pidfile"
  for _ in $(seq 1 50); do
    grep -q "listening" "$sim_log" 2>/dev/null && break
    kill -0 "$(cat "$sim_pidfile")" 2>/dev/null || { cat "$sim_log" >&2; exit 1; }
    sleep 0.2
  done
  echo "quickstart: jst-sim listening on 127.0.0.1:$sim_port (log: $sim_log)"
}

# POSTs one signed call to jst-sim, the way the real platform wants it.
signed_call() {
  local path=$1 biz=$2 ts sign
  ts=$(date +%s)
  sign=$(printf '%s' "${app_secret}access_token${access_token}app_key${app_key}biz${biz}charsetutf-8timestamp${ts}version2" \
    | md5sum | cut -d' ' -f1)
  curl -sS --fail-with-body "http://127.0.0.1:$sim_port$path" \
    --data-urlencode "access_token=$access_token" --data-urlencode "app_key=$app_key" \
    --data-urlencode "biz=$biz" --data-urlencode "charset=utf-8" \
    --data-urlencode "timestamp=$ts" --data-urlencode "version=2" --data-urlencode "sign=$sign"
}

if [[ "${1:-}" == "stop" ]]; then stop_all; exit 0; fi

step "dependencies"
deploy/install-deps.sh
step "build ($build)"
cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C "$build" -j2 ferryd jst-sim
step "private MariaDB"
deploy/mariadb-local.sh start
step "jst-sim"
start_sim
step "one page of unique-code flow rows from jst-sim"
signed_call /open/webapi/wmsapi/skusn/queryinoutitemskusns \
  '{"page_index":1,"page_size":3,"create_time_start":"2026-01-01 00:00:00","create_time_end":"2026-01-02 00:00:00"}'
echo
step "ferryd --once: unique-code flow -> bi_skusn_inout, orders -> bi_orders + bi_order_items"
eval "$(deploy/mariadb-local.sh env)"
export JST_APP_SECRET=$app_secret JST_ACCESS_TOKEN=$access_token JST_REFRESH_TOKEN=demo-refresh-token
# The examples expect MariaDB on 3307 and jst-sim on 9400; follow the ports in use.
for example in skusn_inout orders; do
  sed -e "s/\"port\": 3307/\"port\": $FERRY_MYSQL_PORT/" -e "s#127.0.0.1:9400#127.0.0.1:$sim_port#" \
    "deploy/examples/$example.json" >"$state/$example.json"
done
"$build/daemon/ferryd" --check-config "$state/skusn_inout.json"
"$build/daemon/ferryd" --config "$state/skusn_inout.json" --once skusn_inout 2>"$state/ferryd.log"
"$build/daemon/ferryd" --config "$state/orders.json" --once orders 2>>"$state/ferryd.log"
echo "(ferryd's log: $state/ferryd.log)"

step "what is in MariaDB now"
mariadb --no-defaults -h127.0.0.1 -P"$FERRY_MYSQL_PORT" -uferry -p"$FERRY_MYSQL_PASSWORD" ferry --table -e "
  SELECT COUNT(*) AS flow_rows, SUM(cost_amount) AS cost_amount FROM bi_skusn_inout;
  SELECT sku_sn, io_id, inout_type, cost_price, create_time, supplier_name FROM bi_skusn_inout
    ORDER BY create_time LIMIT 3;
  SELECT (SELECT COUNT(*) FROM bi_orders) AS orders, (SELECT COUNT(*) FROM bi_order_items) AS order_items;
  SELECT job_id, watermark FROM ferry_jobs;"

step "done"
echo "jst-sim and MariaDB keep running; stop them with: deploy/quickstart.sh stop"
