#!/usr/bin/env bash
# ferry's soak test (docs/reliability.md): ferryd runs as a daemon for N minutes
# (default 30) against jst-sim with the platform's real call limits, new rows
# arriving all the time, a steady rate of upstream faults with a fault storm
# every five minutes, and admin API traffic (reads, metrics, the status page,
# triggers, pause/resume). Every 15 s it samples ferryd's RSS, open file
# descriptors and threads. At the end ferryd gets SIGTERM (must exit 0), and
# both jobs' tables are compared with jst-sim's truth up to their watermarks.
#
#   tests/soak/run.sh [MINUTES]
#
# Fails when a row is missing or extra, when ferryd's RSS after the first five
# minutes grows by more than 20% (+4 MiB), or its descriptors by more than 5.
# Output: var/soak/{samples.csv,ferryd.log,jst-sim.log,summary.txt}.
# Uses the private MariaDB (deploy/mariadb-local.sh) and database ferry_soak.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
minutes=${1:-30}
out=$repo/var/soak
sim_port=${FERRY_SOAK_SIM_PORT:-9470}
admin_port=${FERRY_SOAK_ADMIN_PORT:-9471}
mkdir -p "$out"
rm -f "$out"/samples.csv "$out"/summary.txt "$out"/traffic.bad "$out"/traffic.count "$out"/stopping

say() { echo "soak: $*"; }

soak_setup ferry_soak

# Rows from an hour ago until five minutes after the end: ferry starts with a
# backlog, then new rows keep arriving as the clock reaches them. jst-sim's
# data and both jobs start at the same second, so the verdict's truth (every
# row up to the watermarks) is exactly what the jobs were asked to sync.
start=$(TZ=Asia/Shanghai date -d '-1 hour' '+%Y-%m-%d %H:%M:%S')
start_sim "$out/jst-sim.log" --port "$sim_port" --seed 41 --records 200000 --orders 40000 \
  --data-from "$start" --data-to "now+$((minutes + 5))m" \
  --http-500 0.02 --http-503 0.01 --reset 0.01 --timeout 0.005 --fault-delay 6s --malformed 0.005 \
  --code-150 0.01

cat >"$out/ferry.json" <<JSON
{
  "mysql": {"host": "127.0.0.1", "port": $FERRY_MYSQL_PORT, "user": "ferry",
            "password_env": "FERRY_MYSQL_PASSWORD", "database": "ferry_soak", "pool_size": 4},
  "sources": {"jst": {"type": "jushuitan", "base_url": "http://127.0.0.1:$sim_port", "app_key": "demo",
      "app_secret_env": "JST_APP_SECRET", "access_token_env": "JST_ACCESS_TOKEN",
      "refresh_token_env": "JST_REFRESH_TOKEN", "timeout": "3s"}},
  "admin": {"listen": "127.0.0.1:$admin_port", "token_env": "FERRY_ADMIN_TOKEN"},
  "log": {"level": "info"},
  "jobs": [
    {"id": "skusn_inout", "source": "jst", "api": "/open/webapi/wmsapi/skusn/queryinoutitemskusns",
     "list_key": "datas", "page_size": 1000,
     "request": [{"field": "create_time_start", "value": "{{LAST_SYNC_TIME|datetime}}"},
                 {"field": "create_time_end", "value": "{{CURRENT_TIME|datetime}}"}],
     "window": {"start": "$start", "max_span": "10m", "lag": "10s", "lookback": "1m"},
     "schedule": {"every": "15s"},
     "targets": [{"table": "bi_skusn_inout", "key": ["sku_sn", "io_id"], "version": "modified_time",
                  "create_table": true,
                  "columns": {"sku_sn": {"type": "varchar(64)"}, "io_id": {"type": "bigint"},
                              "o_id": {"type": "bigint"}, "inout_type": {"type": "tinyint"},
                              "sku_id": {"type": "varchar(64)"}, "cost_price": {"type": "decimal(18,4)"},
                              "cost_amount": {"type": "decimal(18,4)"}, "remark": {"type": "varchar(512)"},
                              "create_time": {"type": "datetime"}, "modified_time": {"type": "datetime"},
                              "supplier_id": {"type": "bigint"}, "supplier_name": {"type": "varchar(128)"}}}]},
    {"id": "orders", "source": "jst", "api": "/open/orders/single/query", "list_key": "orders", "page_size": 100,
     "request": {"modified_begin": "{{LAST_SYNC_TIME|datetime}}", "modified_end": "{{CURRENT_TIME|datetime}}"},
     "window": {"start": "$start", "max_span": "10m", "lag": "10s", "lookback": "1m"},
     "schedule": {"every": "30s"},
     "targets": [{"table": "bi_orders", "key": ["o_id"], "version": "modified", "create_table": true,
                  "columns": {"o_id": {"type": "bigint"}, "so_id": {"type": "varchar(64)"},
                              "status": {"type": "varchar(32)"}, "modified": {"type": "datetime"},
                              "pay_amount": {"type": "decimal(18,4)"}}},
                 {"table": "bi_order_items", "explode": "items", "key": ["o_id", "oi_id"], "version": "modified",
                  "create_table": true,
                  "columns": {"o_id": {"path": "\$.o_id", "type": "bigint"}, "oi_id": {"type": "bigint"},
                              "qty": {"type": "int"}, "amount": {"type": "decimal(18,4)"},
                              "modified": {"path": "\$.modified", "type": "datetime"}}}]}
  ]
}
JSON

start_ferryd "$out/ferry.json" "$out/ferryd.log" "$admin_port"
api() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$@" || true; }
say "ferryd pid $ferryd_pid, admin 127.0.0.1:$admin_port, jst-sim 127.0.0.1:$sim_port, $minutes minutes"

# Admin traffic: reads twice a second, a trigger a minute, pause/resume of
# orders every five minutes. Anything but the expected status is counted.
# Stops when $out/stopping appears (just before SIGTERM: a draining ferryd
# answers /readyz 503 on purpose). Each miss is logged in traffic.bad.
traffic() {
  local n=0 bad=0 code
  while [[ ! -e $out/stopping ]] && kill -0 "$ferryd_pid" 2>/dev/null; do
    for path in /api/v1/jobs /api/v1/jobs/skusn_inout /api/v1/jobs/orders/runs /metrics /readyz /; do
      code=$(api "http://127.0.0.1:$admin_port$path"); n=$((n + 1))
      if [[ $code != 200 ]]; then
        bad=$((bad + 1))
        echo "$(date '+%F %T') $path $code" >>"$out/traffic.bad"
      fi
    done
    if (( n % 720 == 0 )); then api -X POST "http://127.0.0.1:$admin_port/api/v1/jobs/skusn_inout/runs" >/dev/null; fi
    if (( n % 3600 == 0 )); then
      api -X PATCH -H 'Content-Type: application/json' -d '{"paused":true}' \
        "http://127.0.0.1:$admin_port/api/v1/jobs/orders" >/dev/null; sleep 5
      api -X PATCH -H 'Content-Type: application/json' -d '{"paused":false}' \
        "http://127.0.0.1:$admin_port/api/v1/jobs/orders" >/dev/null
    fi
    echo "$n $bad" >"$out/traffic.count"
    sleep 0.5
  done
}
traffic & pids+=("$!")

# A fault storm for 20 s every five minutes.
storms() {
  while kill -0 "$ferryd_pid" 2>/dev/null; do
    sleep 280
    curl -s -o /dev/null -X POST "http://127.0.0.1:$sim_port/__sim/faults" \
      -d '{"http_500":0.2,"http_503":0.1,"reset":0.05,"malformed":0.05}' || true
    sleep 20
    curl -s -o /dev/null -X POST "http://127.0.0.1:$sim_port/__sim/faults" \
      -d '{"http_500":0.02,"http_503":0.01,"reset":0.01,"malformed":0.005}' || true
  done
}
storms & pids+=("$!")

echo "elapsed_s,rss_kib,fds,threads,cpu_s" >"$out/samples.csv"
ticks=$(getconf CLK_TCK)
began=$(date +%s)
while (( $(date +%s) - began < minutes * 60 )); do
  kill -0 "$ferryd_pid" 2>/dev/null || { say "ferryd died; see $out/ferryd.log"; tail -20 "$out/ferryd.log"; exit 1; }
  cpu=$(awk -v t="$ticks" '{sub(/^.*\) /, ""); printf "%.1f", ($12 + $13) / t}' "/proc/$ferryd_pid/stat")
  echo "$(( $(date +%s) - began )),$(proc_sample "$ferryd_pid"),$cpu" >>"$out/samples.csv"
  sleep 15
done

say "stopping ferryd (SIGTERM)"
touch "$out/stopping"
sleep 2  # the traffic loop's last round ends
kill -TERM "$ferryd_pid"
code=0; wait "$ferryd_pid" || code=$?
say "ferryd exited with $code"
python3 "$repo/tests/soak/check.py" --out "$out" --sim "http://127.0.0.1:$sim_port" --exit-code "$code" \
  --mysql-port "$FERRY_MYSQL_PORT" --database ferry_soak
