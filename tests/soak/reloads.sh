#!/usr/bin/env bash
# ferry's reload soak (docs/reliability.md, "Reloads"): ferryd syncs a big
# backlog under the platform's real limits (jst-sim: 5 calls/s, 100 calls/min
# per app key) while it is sent SIGHUP N times (default 300), the file
# alternating between two configs that differ in the source (its rate limits,
# so each reload builds a new client that must take over the account's one
# limiter) and in the job (its page size, so each reload builds a new plan
# while the run under way keeps its own). After every reload it samples
# ferryd's open descriptors, threads and RSS.
#
#   tests/soak/reloads.sh [RELOADS]
#
# Fails when a reload is refused, ferryd dies or does not exit 0 on SIGTERM,
# a row up to the watermark is missing, extra or stale, descriptors move by
# more than 5 or threads change from the first reload to the last, RSS grows
# by more than 10%, or jst-sim saw more calls in a second than its limit.
# Output: var/soak-reload/{samples.csv,ferryd.log,jst-sim.log,summary.txt}.
# Uses the private MariaDB (deploy/mariadb-local.sh) and database ferry_reload_soak.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
reloads=${1:-300}
out=$repo/var/soak-reload
sim_port=${FERRY_SOAK_SIM_PORT:-9472}
admin_port=${FERRY_SOAK_ADMIN_PORT:-9473}
mkdir -p "$out"
rm -f "$out"/samples.csv "$out"/summary.txt

say() { echo "reload soak: $*"; }

soak_setup ferry_reload_soak

# January 2026, 400,000 rows: at 100 calls a minute and 500 rows a page the
# backlog takes longer than the reloads, so every reload meets a run under way.
start_sim "$out/jst-sim.log" --port "$sim_port" --seed 43 --records 400000 \
  --data-from "2026-01-01 00:00:00" --data-to "2026-02-01 00:00:00"

# config NAME CALLS_PER_SECOND CALLS_PER_MINUTE PAGE_SIZE
config() {
  cat >"$out/$1.json" <<JSON
{
  "mysql": {"host": "127.0.0.1", "port": $FERRY_MYSQL_PORT, "user": "ferry",
            "password_env": "FERRY_MYSQL_PASSWORD", "database": "ferry_reload_soak", "pool_size": 4},
  "sources": {"jst": {"type": "jushuitan", "base_url": "http://127.0.0.1:$sim_port", "app_key": "demo",
      "app_secret_env": "JST_APP_SECRET", "access_token_env": "JST_ACCESS_TOKEN",
      "refresh_token_env": "JST_REFRESH_TOKEN", "timeout": "5s",
      "rate_limits": [{"calls": $2, "per": "1s"}, {"calls": $3, "per": "1m"}]}},
  "admin": {"listen": "127.0.0.1:$admin_port", "token_env": "FERRY_ADMIN_TOKEN"},
  "log": {"level": "info"},
  "jobs": [
    {"id": "skusn_inout", "source": "jst", "api": "/open/webapi/wmsapi/skusn/queryinoutitemskusns",
     "page_size": $4,
     "request": {"create_time_start": "{{LAST_SYNC_TIME|datetime}}", "create_time_end": "{{CURRENT_TIME|datetime}}"},
     "window": {"start": "2026-01-01 00:00:00", "max_span": "6h", "lag": "10s", "lookback": "0s"},
     "schedule": {"every": "1m"},
     "targets": [{"table": "bi_skusn_inout", "key": ["sku_sn", "io_id"], "version": "modified_time",
                  "create_table": true,
                  "columns": {"sku_sn": {"type": "varchar(64)"}, "io_id": {"type": "bigint"},
                              "cost_price": {"type": "decimal(18,4)"}, "create_time": {"type": "datetime"},
                              "modified_time": {"type": "datetime"}}}]}
  ]
}
JSON
}
config a 5 100 500
config b 4 90 400
cp "$out/a.json" "$out/ferry.json"

start_ferryd "$out/ferry.json" "$out/ferryd.log" "$admin_port"
sleep 5  # the first run is under way
say "ferryd pid $ferryd_pid, $reloads reloads"

sample() { echo "$1,$(proc_sample "$ferryd_pid")" >>"$out/samples.csv"; }
echo "reload,rss_kib,fds,threads" >"$out/samples.csv"
applied() { grep -c 'SIGHUP: reloaded' "$out/ferryd.log" || true; }
for i in $(seq 1 "$reloads"); do
  if (( i % 2 )); then cp "$out/b.json" "$out/ferry.json"; else cp "$out/a.json" "$out/ferry.json"; fi
  kill -HUP "$ferryd_pid"
  for _ in $(seq 200); do (( $(applied) >= i )) && break; sleep 0.05; done
  if grep -q 'reload refused' "$out/ferryd.log"; then say "a reload was refused"; grep 'reload refused' "$out/ferryd.log" | head -3; exit 1; fi
  (( $(applied) >= i )) || { say "reload $i not applied within 10 s"; exit 1; }
  kill -0 "$ferryd_pid" 2>/dev/null || { say "ferryd died; see $out/ferryd.log"; exit 1; }
  sample "$i"
  sleep 0.5
done

stats=$(curl -s "http://127.0.0.1:$sim_port/__sim/stats")
kill -TERM "$ferryd_pid"
code=0; wait "$ferryd_pid" || code=$?
say "ferryd exited with $code"

python3 - "$out" "$code" "$stats" <<'PY'
import csv, json, os, subprocess, sys, urllib.parse, urllib.request
out, code, stats = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])
sim = f"http://127.0.0.1:{os.environ.get('FERRY_SOAK_SIM_PORT', '9472')}"
def mysql(sql):
    r = subprocess.run(["mariadb", "--no-defaults", "-h127.0.0.1", f"-P{os.environ['FERRY_MYSQL_PORT']}", "-uferry",
                        f"-p{os.environ['FERRY_MYSQL_PASSWORD']}", "--batch", "--skip-column-names",
                        "ferry_reload_soak", "-e", sql], check=True, capture_output=True, text=True)
    return [l.split("\t") for l in r.stdout.splitlines()]
lines, failures = [], 0
w = mysql("SELECT watermark FROM ferry_jobs WHERE job_id = 'skusn_inout'")[0][0]
q = urllib.parse.urlencode({"endpoint": "/open/webapi/wmsapi/skusn/queryinoutitemskusns",
                            "from": "2000-01-01 00:00:00", "to": w})
with urllib.request.urlopen(f"{sim}/__sim/truth?{q}", timeout=120) as r:
    truth = [json.loads(l) for l in r.read().decode().splitlines() if l]
money = lambda v: "NULL" if v in (None, "NULL") else f"{float(v):.4f}"
exp = {(t["sku_sn"], str(t["io_id"])): (money(t["cost_price"]), t["modified_time"]) for t in truth if t["create_time"] < w}
act = {(r[0], r[1]): (money(r[2]), r[3]) for r in mysql(
    f"SELECT sku_sn, io_id, cost_price, modified_time FROM bi_skusn_inout WHERE create_time < '{w}'")}
missing = sum(1 for k in exp if k not in act); extra = sum(1 for k in act if k not in exp)
stale = sum(1 for k in exp if k in act and exp[k] != act[k])
lines.append(f"bi_skusn_inout up to {w}: {len(exp)} rows in the truth, {len(act)} in MySQL: "
             f"{missing} missing, {extra} extra, {stale} stale")
failures += missing + extra + stale
runs = mysql("SELECT state, COUNT(*) FROM ferry_runs GROUP BY state")
lines.append("runs: " + ", ".join(f"{r[0]} {r[1]}" for r in runs))
with open(os.path.join(out, "samples.csv")) as f:
    s = [{k: float(v) for k, v in row.items()} for row in csv.DictReader(f)]
first, last = s[0], s[-1]
lines.append(f"reloads: {len(s)}; from the first to the last: fds {first['fds']:.0f} -> {last['fds']:.0f} "
             f"(max {max(x['fds'] for x in s):.0f}), threads {first['threads']:.0f} -> {last['threads']:.0f}, "
             f"RSS {first['rss_kib'] / 1024:.1f} -> {last['rss_kib'] / 1024:.1f} MiB "
             f"(max {max(x['rss_kib'] for x in s) / 1024:.1f})")
if abs(last["fds"] - first["fds"]) > 5: lines.append("FAIL: descriptors moved by more than 5"); failures += 1
if last["threads"] != first["threads"]: lines.append("FAIL: threads changed"); failures += 1
if last["rss_kib"] > first["rss_kib"] * 1.10: lines.append("FAIL: RSS grew by more than 10%"); failures += 1
total = stats.get("totals", {})
lines.append(f"jst-sim: peak {stats['peak_calls_per_second']} calls/s (limit 5), peak {stats['peak_calls_per_minute']} "
             f"calls/min (limit 100); totals {json.dumps(total, sort_keys=True)}")
if stats["peak_calls_per_second"] > 5: lines.append("FAIL: above 5 calls/s"); failures += 1
if stats["peak_calls_per_minute"] > 100: lines.append("FAIL: above 100 calls/min"); failures += 1
if code != 0: lines.append(f"FAIL: ferryd exited with {code}"); failures += 1
with open("/proc/loadavg") as f: lines.append("load average at the end: " + " ".join(f.read().split()[:3]))
lines.append("PASS" if failures == 0 else f"FAIL ({failures})")
open(os.path.join(out, "summary.txt"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
sys.exit(0 if failures == 0 else 1)
PY
