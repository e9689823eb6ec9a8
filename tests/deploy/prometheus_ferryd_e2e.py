#!/usr/bin/env python3
"""A real Prometheus scrapes a real, troubled ferryd; every shipped expression answers.

prometheus_e2e.py scrapes a fixture that fakes every trouble; this one runs
the real thing: jst-sim (data of the last ten minutes, 2 calls/s, rows that
drift while ferry pages), a scratch MariaDB database, and `ferryd --config`
with two jobs:

  flow   syncs that data every 2 s with a rate limit above the simulator's
         (throttles), a column too narrow for some supplier names (dead
         letters, again at every run, since each run's lookback fetches the
         last minutes again) and drifting rows (incomplete windows);
  stale  succeeded once (`ferryd --once` before the daemon starts) and now
         fails at once on a wrong app secret: failing runs, no recent
         success, a watermark two hours old.

Prometheus scrapes ferryd (and a dead port, for `up == 0`) every second
with the shipped scrape config and rules. The test polls until every
dashboard and alert expression returns data and every rule is healthy, and
fails after a deadline naming the expressions that never did.

Needs jst-sim, ferryd, prometheus, the mysql client and FERRY_MYSQL_HOST,
_PORT, _USER, _PASSWORD (deploy/test.sh sets them).
"""
import argparse
import datetime
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

import prometheus_e2e

FLOW_API = "/open/webapi/wmsapi/skusn/queryinoutitemskusns"
DATABASE = "ferry_t_prometheus_ferryd"
TOKEN = "prometheus-e2e-token"


def beijing(minutes):
    """Asia/Shanghai wall time `minutes` from now, as ferry's config writes it."""
    now = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8)))
    return (now + datetime.timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M:%S")


def mysql(sql):
    env = {**os.environ, "MYSQL_PWD": os.environ["FERRY_MYSQL_PASSWORD"]}
    subprocess.run(["mysql", "-h", os.environ["FERRY_MYSQL_HOST"], "-P", os.environ["FERRY_MYSQL_PORT"],
                    "-u", os.environ["FERRY_MYSQL_USER"], "-e", sql], check=True, env=env)


def read_port(process, marker, what):
    """The port in the first stdout line holding `marker`."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        if marker in line:
            return int(line.rsplit(":", 1)[1])
    process.kill()
    raise SystemExit(f"{what} did not say its port")


def drain(stream):
    """Reads a child's stdout to its end, so a full pipe never blocks it."""
    threading.Thread(target=lambda: [None for _ in stream], daemon=True).start()


def source(sim_port, secret_env):
    return {"type": "jushuitan", "base_url": f"http://127.0.0.1:{sim_port}", "app_key": "demo",
            "app_secret_env": secret_env, "access_token_env": "JST_ACCESS_TOKEN",
            "refresh_token_env": "JST_REFRESH_TOKEN", "rate_limits": [{"calls": 20, "per": "1s"}],
            "timeout": "5s", "max_in_flight": 4,
            "retry": {"max_attempts": 3, "base_delay": "50ms", "max_delay": "200ms"}}


def job(job_id, source_name, table, supplier_type, window):
    columns = {"sku_sn": {"path": "sku_sn", "type": "varchar(64)"},
               "io_id": {"path": "io_id", "type": "bigint"},
               "supplier_name": {"path": "supplier_name", "type": supplier_type},
               "create_time": {"path": "create_time", "type": "datetime"},
               "modified_time": {"path": "modified_time", "type": "datetime"}}
    return {"id": job_id, "source": source_name, "api": FLOW_API, "list_key": "datas", "page_size": 50,
            "request": {"create_time_start": "{{LAST_SYNC_TIME|datetime}}",
                        "create_time_end": "{{CURRENT_TIME|datetime}}"},
            "window": window, "schedule": {"every": "2s"}, "dead_letter_max_ratio": 1.0,
            "targets": [{"table": table, "key": ["sku_sn", "io_id"], "version": "modified_time",
                         "create_table": True, "columns": columns}]}


def configs(sim_port):
    """(the config of the one good run of `stale`, the daemon's config)."""
    mysql_section = {"host": os.environ["FERRY_MYSQL_HOST"], "port": int(os.environ["FERRY_MYSQL_PORT"]),
                     "user": os.environ["FERRY_MYSQL_USER"], "password_env": "FERRY_MYSQL_PASSWORD",
                     "database": DATABASE, "pool_size": 2}
    stale_window = {"start": beijing(-180), "max_span": "1h", "lag": "2h", "lookback": "5m"}
    flow_window = {"start": beijing(-15), "max_span": "1h", "lag": "1s", "lookback": "5m"}
    once = {"mysql": mysql_section, "sources": {"jst": source(sim_port, "JST_APP_SECRET")},
            "jobs": [job("stale", "jst", "stale_rows", "varchar(64)", stale_window)]}
    # jst_bad's token expired two hours ago and cannot be renewed with its
    # wrong secret (FerrySourceTokenNotRenewed); jst_isv is a service-provider
    # app whose token expires within a day (FerrySourceTokenExpiring).
    bad = dict(source(sim_port, "JST_WRONG_SECRET"), token_expires_at=beijing(-120))
    isv = dict(source(sim_port, "JST_APP_SECRET"), app_kind="isv", token_expires_at=beijing(60 * 20))
    daemon = {"mysql": mysql_section,
              "sources": {"jst": source(sim_port, "JST_APP_SECRET"), "jst_bad": bad, "jst_isv": isv},
              "jobs": [job("flow", "jst", "flow_rows", "varchar(6)", flow_window),
                       job("stale", "jst_bad", "stale_rows", "varchar(64)", stale_window)],
              "admin": {"listen": "127.0.0.1:0", "token_env": "FERRY_ADMIN_TOKEN", "shutdown_timeout": "10s"},
              "log": {"level": "warn"}}
    return once, daemon


# Rules this scenario cannot make answer in its few minutes; the fixture's
# test (prometheus_e2e.py) and promtool's (alerts_test.yml) cover them.
QUIET_RULES = {"FerryRunStuck"}  # needs a run going on for over a quarter of an hour


def poll(port, dashboard, rules, deadline):
    """Queries every expression until all answer; the last failures (none when they did)."""
    while True:
        try:
            panels, failures = prometheus_e2e.check_expressions(port, dashboard, rules, QUIET_RULES)
        except OSError as e:
            panels, failures = 0, [f"Prometheus not answering: {e}"]
        if not failures or time.monotonic() > deadline:
            return panels, failures
        time.sleep(2)


def run(args, directory):
    sim = subprocess.Popen([args.sim, "--port", "0", "--records", "300", "--data-from", "now-10m",
                            "--data-to", "now", "--limit-per-second", "2", "--limit-per-minute", "0",
                            "--drift-rows-per-call", "5", "--seed", "3",
                            # incomplete windows need a count to miss: the standard envelope
                            "--flow-envelope", "standard"], stdout=subprocess.PIPE, text=True)
    children = [sim]
    try:
        once, daemon = configs(read_port(sim, "listening on", "jst-sim"))
        drain(sim.stdout)
        for name, config in (("once.json", once), ("ferry.json", daemon)):
            with open(os.path.join(directory, name), "w", encoding="utf-8") as f:
                json.dump(config, f)
        env = {**os.environ, "JST_APP_SECRET": "demo-secret", "JST_WRONG_SECRET": "not-the-secret",
               "JST_ACCESS_TOKEN": "demo-access-token", "JST_REFRESH_TOKEN": "demo-refresh-token",
               "FERRY_ADMIN_TOKEN": TOKEN}
        mysql(f"DROP DATABASE IF EXISTS {DATABASE}; CREATE DATABASE {DATABASE}")
        subprocess.run([args.ferryd, "--config", os.path.join(directory, "once.json"), "--once", "stale"],
                       check=True, env=env, stdout=subprocess.DEVNULL)
        ferryd = subprocess.Popen([args.ferryd, "--config", os.path.join(directory, "ferry.json")],
                                  stdout=subprocess.PIPE, text=True, env=env)
        children.append(ferryd)
        ferryd_port = read_port(ferryd, "ferryd admin listening on", "ferryd")
        drain(ferryd.stdout)
        config = prometheus_e2e.write_config(args.config, args.rules, ferryd_port, directory)
        prometheus, port = prometheus_e2e.start_prometheus(config, directory)
        children.append(prometheus)
        panels, failures = poll(port, args.dashboard, args.rules, time.monotonic() + args.deadline)
        prometheus.terminate()
        prometheus.wait(timeout=30)
        ferryd.send_signal(signal.SIGTERM)
        if ferryd.wait(timeout=30) != 0:
            failures.append(f"ferryd exited {ferryd.returncode} after SIGTERM")
        return panels, failures
    finally:
        for child in reversed(children):
            if child.poll() is None:
                child.kill()
                child.wait()
        mysql(f"DROP DATABASE IF EXISTS {DATABASE}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ferryd", required=True)
    parser.add_argument("--sim", required=True)
    parser.add_argument("--dashboard", required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("--rules", required=True)
    parser.add_argument("--deadline", type=int, default=180, help="seconds to wait for every expression")
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ferry-prometheus-ferryd-") as directory:
        panels, failures = run(args, directory)
    print(f"{panels} dashboard expressions and the alert rules answered by a real Prometheus scraping a real "
          f"ferryd after {time.monotonic() - started:.0f} s")
    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
