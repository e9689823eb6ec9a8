#!/usr/bin/env python3
"""ferry's many-accounts bench (docs/performance.md, "Many accounts in one ferryd").

N Jushuitan accounts, each with its own flow job (pages of 1000) under the
real limits (5 calls a second, 100 a minute per app key), in one ferryd
daemon, against one jst-sim serving N accounts (each limited on its own) and
the private MariaDB. Every job re-reads its last day of rows without pause
(a lookback as long as the data, a run every second), so each account always
has a page to ask for: what is measured is whether ferry uses each account's
whole allowance, never goes over it, and what that costs ferryd in CPU.

After a warm-up, one steady interval (--minutes) is measured from outside:
- each account's accepted calls (jst-sim's own count, refreshes included)
  against the 100 a minute its limits allow, and its throttle answers;
- the CPU seconds of ferryd, jst-sim and the private mariadbd over the
  interval (from /proc), as a share of one core;
- the rows of the pages jst-sim served in the interval, ferryd's peak RSS,
  and the load average before and after with the CPU model.

Usage: tests/bench/accounts.sh [--accounts N] [--minutes M] [--warmup S] [--records R]
(accounts.sh builds and sets up what this script expects: the binaries' paths
and the database environment from deploy/mariadb-local.sh env).
"""
import argparse
import datetime
import json
import os
import subprocess
import sys
import time
import urllib.request
import zoneinfo

FLOW_API = "/open/webapi/wmsapi/skusn/queryinoutitemskusns"
COLUMNS = [("sku_sn", "varchar(64)"), ("io_id", "bigint"), ("o_id", "bigint"), ("inout_type", "tinyint"),
           ("sku_id", "varchar(64)"), ("cost_price", "decimal(18,4)"), ("cost_amount", "decimal(18,4)"),
           ("remark", "varchar(512)"), ("create_time", "datetime"), ("modified_time", "datetime"),
           ("supplier_id", "bigint"), ("supplier_name", "varchar(128)")]
DATABASE = "ferry_bench_accounts"


def load_average():
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown"


def cpu_seconds(pid):
    """utime + stime of a process, in seconds (/proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def peak_rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def mysqld_pid():
    """The private server's pid, from the pid file beside its socket (deploy/mariadb-local.sh)."""
    path = os.path.join(os.path.dirname(os.environ["FERRY_MYSQL_SOCKET"]), "mysqld.pid")
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def mysql(sql):
    env = os.environ
    subprocess.run(["mysql", "-S", env["FERRY_MYSQL_SOCKET"], "-uroot", "-p" + env["FERRY_MYSQL_ROOT_PASSWORD"],
                    "-e", sql], check=True)


def sim_stats(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/__sim/stats", timeout=30) as r:
        return json.load(r)


def app_key(k):
    return "demo" if k == 1 else f"demo-{k}"


def config(args, port):
    env = os.environ
    columns = {name: {"path": name, "type": kind} for name, kind in COLUMNS}
    sources, jobs = {}, []
    for k in range(1, args.accounts + 1):
        suffix = "" if k == 1 else f"_{k}"
        name = f"shop{k}"
        sources[name] = {
            "type": "jushuitan", "base_url": f"http://127.0.0.1:{port}", "app_key": app_key(k),
            "app_secret_env": "JST_APP_SECRET" + suffix, "access_token_env": "JST_ACCESS_TOKEN" + suffix,
            "refresh_token_env": "JST_REFRESH_TOKEN" + suffix,
            "rate_limits": [{"calls": 5, "per": "1s"}, {"calls": 100, "per": "1m"}],
            "timeout": "30s", "max_in_flight": args.in_flight}
        jobs.append({
            "id": f"flow_{name}", "source": name, "api": FLOW_API, "list_key": "datas", "page_size": 1000,
            "request": [{"field": "create_time_start", "value": "{{LAST_SYNC_TIME|datetime}}"},
                        {"field": "create_time_end", "value": "{{CURRENT_TIME|datetime}}"}],
            # The whole day of data again at every run, one run after another.
            "window": {"start": args.data_from, "max_span": "29d", "lag": "0s", "lookback": "2d"},
            "schedule": {"every": "1s"}, "verify": False,
            "targets": [{"table": f"bi_flow_{name}", "key": ["sku_sn", "io_id"], "version": "modified_time",
                         "create_table": True, "columns": columns}]})
    return {"mysql": {"host": env["FERRY_MYSQL_HOST"], "port": int(env["FERRY_MYSQL_PORT"]),
                      "user": env["FERRY_MYSQL_USER"], "password_env": "FERRY_MYSQL_PASSWORD",
                      "database": DATABASE, "pool_size": 2},
            "sources": sources, "jobs": jobs,
            "admin": {"listen": "127.0.0.1:0", "token_env": "FERRY_BENCH_ADMIN_TOKEN"},
            "log": {"level": os.environ.get("FERRY_BENCH_LOG", "warn")}}


def main():
    p = argparse.ArgumentParser(description="ferry's many-accounts bench")
    p.add_argument("--accounts", type=int, default=50)
    # Whole minutes: the minute limit bounds the calls of whole minutes only.
    p.add_argument("--minutes", type=int, default=5)
    p.add_argument("--warmup", type=float, default=75.0, help="seconds before the measured interval")
    p.add_argument("--records", type=int, default=20000, help="rows of the day every job re-reads")
    p.add_argument("--in-flight", type=int, default=4, help="each source's max_in_flight (pages asked at once)")
    p.add_argument("--ferryd", required=True)
    p.add_argument("--sim", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--out", required=True)
    args = p.parse_args()
    os.makedirs(args.work, exist_ok=True)

    load_before = load_average()
    if load_before[0] >= 1.0:
        print(f"accounts bench: WARNING: load average {load_before[0]} before the run: the figures will "
              "say more about the machine than about ferry", file=sys.stderr)
    # deploy/mariadb-local.sh grants the ferry user every ferry_* database.
    mysql(f"DROP DATABASE IF EXISTS {DATABASE}; CREATE DATABASE {DATABASE}")

    for k in range(1, args.accounts + 1):
        suffix, dash = ("", "") if k == 1 else (f"_{k}", f"-{k}")
        os.environ["JST_APP_SECRET" + suffix] = "demo-secret" + dash
        os.environ["JST_ACCESS_TOKEN" + suffix] = "demo-access-token" + dash
        os.environ["JST_REFRESH_TOKEN" + suffix] = "demo-refresh-token" + dash
    os.environ["FERRY_BENCH_ADMIN_TOKEN"] = "bench"

    sim_log = open(os.path.join(args.work, "jst-sim.log"), "w")
    sim = subprocess.Popen([args.sim, "--accounts", str(args.accounts), "--records", str(args.records),
                            "--data-from", "now-1d", "--data-to", "now", "--seed", "7"],
                           stdout=subprocess.PIPE, stderr=sim_log, text=True)
    port = int(sim.stdout.readline().strip().rsplit(":", 1)[1])
    # The jobs start an hour before the data, in Beijing time as ferry's windows are.
    args.data_from = (datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")) -
                      datetime.timedelta(days=1, hours=1)).strftime("%Y-%m-%d %H:%M:%S")
    cfg_path = os.path.join(args.work, "accounts.json")
    with open(cfg_path, "w") as f:
        json.dump(config(args, port), f, indent=1)
    ferryd_log = open(os.path.join(args.work, "ferryd.log"), "w")
    ferryd = subprocess.Popen([args.ferryd, "--config", cfg_path], stdout=ferryd_log, stderr=subprocess.STDOUT)
    db_pid = mysqld_pid()
    try:
        time.sleep(args.warmup)
        if ferryd.poll() is not None:
            raise SystemExit(f"ferryd exited with {ferryd.returncode}; see {args.work}/ferryd.log")
        t1 = time.monotonic()
        s1 = sim_stats(port)
        cpu1 = {"ferryd": cpu_seconds(ferryd.pid), "jst_sim": cpu_seconds(sim.pid),
                "mysqld": cpu_seconds(db_pid) if db_pid else 0.0}
        time.sleep(args.minutes * 60)
        t2 = time.monotonic()
        s2 = sim_stats(port)
        cpu2 = {"ferryd": cpu_seconds(ferryd.pid), "jst_sim": cpu_seconds(sim.pid),
                "mysqld": cpu_seconds(db_pid) if db_pid else 0.0}
        rss = peak_rss_mib(ferryd.pid)
    finally:
        ferryd.terminate()
        try:
            ferryd.wait(timeout=60)
        except subprocess.TimeoutExpired:
            ferryd.kill()
        sim.terminate()
        sim.wait(timeout=30)

    seconds = t2 - t1
    # Rows of the pages jst-sim served in the interval (every one reached ferry: no faults).
    rows1, rows2 = s1["endpoints"].get(FLOW_API, {}).get("rows", 0), s2["endpoints"].get(FLOW_API, {}).get("rows", 0)
    allowed = 100 * seconds / 60  # the minute limit binds: 100 calls in any 60 s
    accounts = []
    for k in range(1, args.accounts + 1):
        a1, a2 = s1["accounts"][app_key(k)], s2["accounts"][app_key(k)]
        calls = a2["accepted"] - a1["accepted"]
        accounts.append({"app_key": app_key(k), "calls": calls, "share_of_allowed": calls / allowed,
                         "throttled": a2["refused_limit"] - a1["refused_limit"],
                         "throttled_since_start": a2["refused_limit"],
                         "peak_calls_per_second": a2["peak_calls_per_second"],
                         "peak_calls_per_minute": a2["peak_calls_per_minute"]})
    shares = sorted(a["share_of_allowed"] for a in accounts)
    cpu = {name: (cpu2[name] - cpu1[name]) / seconds for name in cpu1}
    result = {
        "machine": {"cpu_model": cpu_model(), "cores": os.cpu_count(), "load_average_before": load_before,
                    "load_average_after": load_average()},
        "accounts": args.accounts, "measured_seconds": round(seconds, 1), "warmup_seconds": args.warmup,
        "records_per_pass": args.records, "max_in_flight": args.in_flight,
        "allowed_calls_per_account": round(allowed, 1),
        "share_of_allowed": {"min": shares[0], "median": shares[len(shares) // 2], "max": shares[-1]},
        "accounts_below_97_percent": sum(1 for s in shares if s < 0.97),
        "throttles": sum(a["throttled"] for a in accounts),
        "throttles_since_start": sum(a["throttled_since_start"] for a in accounts),
        "cpu_share_of_one_core": cpu,
        "rows_fetched": rows2 - rows1,
        "rows_per_second": (rows2 - rows1) / seconds,
        "ferryd_cpu_seconds_per_100k_rows": (cpu2["ferryd"] - cpu1["ferryd"]) / max(rows2 - rows1, 1) * 1e5,
        "ferryd_peak_rss_mib": rss,
        "per_account": accounts}
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps({k: v for k, v in result.items() if k != "per_account"}, indent=1))


if __name__ == "__main__":
    main()
