#!/usr/bin/env python3
"""A real Prometheus scrapes lib/metrics and answers every shipped expression.

Starts ferry_metrics_fixture (lib/metrics served by ferry's admin server),
then `prometheus` with deploy/prometheus/prometheus.yml (its scrape job
kept; the target pointed at the fixture plus one dead port so
`up == 0` exists; 1 s intervals) and deploy/prometheus/alerts.yml. Once a few
scrapes are in, every expression of the dashboard and of the alert rules is
queried through the HTTP API and must return at least one series, and every
rule must be loaded healthy.
"""
import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import yaml

import expressions


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(port, path, **params):
    url = f"http://127.0.0.1:{port}{path}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def start_fixture(path):
    fixture = subprocess.Popen([path, "serve"], stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        line = fixture.stdout.readline()
        words = line.split()
        if len(words) == 2 and words[0] == "port" and words[1].isdigit():
            return fixture, int(words[1])
        if not line:
            break
    fixture.kill()
    raise SystemExit("ferry_metrics_fixture did not say its port")


def write_config(shipped_config, rules, fixture_port, directory):
    """The shipped scrape config pointed at `fixture_port` plus one dead port."""
    with open(shipped_config, encoding="utf-8") as f:
        config = yaml.safe_load(f)
    config["global"] = {"scrape_interval": "1s", "evaluation_interval": "1s", "scrape_timeout": "1s"}
    config["rule_files"] = [os.path.abspath(rules)]
    (scrape,) = [c for c in config["scrape_configs"] if c["job_name"] == "ferryd"]
    scrape["static_configs"] = [{"targets": [f"127.0.0.1:{fixture_port}", f"127.0.0.1:{free_port()}"]}]
    path = os.path.join(directory, "prometheus.yml")
    with open(path, "w", encoding="utf-8") as f:
        yaml.safe_dump(config, f)
    return path


def wait_for_scrapes(port, deadline):
    """Until Prometheus is up and holds at least 4 scrapes of the fixture."""
    while time.monotonic() < deadline:
        try:
            result = api(port, "/api/v1/query", query="count_over_time(ferry_build_info[1m])")["data"]["result"]
            if result and float(result[0]["value"][1]) >= 4:
                return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def check_expressions(port, dashboard, rules, quiet_rules=()):
    """Failures of the expressions to answer; rules in quiet_rules need only be healthy."""
    _, panel_exprs = expressions.dashboard_expressions(dashboard)
    failures = []
    for where, expr in panel_exprs + expressions.rule_expressions(rules):
        if where in quiet_rules:
            continue
        # Grafana's label_values(selector, label): the selector must give series with that label.
        label_values = re.fullmatch(r"\s*label_values\((.+),\s*(\w+)\s*\)\s*", expr)
        # absent(selector) answers only when the selector does not: the selector must give series.
        absent = re.fullmatch(r"\s*absent\((.+)\)\s*", expr)
        inner = label_values.group(1) if label_values else absent.group(1) if absent else expr
        query = expressions.instantiate(inner)
        try:
            reply = api(port, "/api/v1/query", query=query)
        except OSError as e:
            failures.append(f"{where}: query failed: {e}: {query}")
            continue
        series = reply["data"]["result"] if reply.get("status") == "success" else []
        if label_values:
            series = [s for s in series if label_values.group(2) in s["metric"]]
        if not series:
            failures.append(f"{where}: no data: {expr}")
    rule_groups = api(port, "/api/v1/rules")["data"]["groups"]
    loaded = [r for g in rule_groups for r in g["rules"]]
    for rule in loaded:
        if rule.get("health") != "ok":
            failures.append(f'rule {rule["name"]}: health {rule.get("health")}: {rule.get("lastError")}')
    if len(loaded) != len(expressions.rule_expressions(rules)):
        failures.append(f"Prometheus loaded {len(loaded)} rules")
    return len(panel_exprs), failures


def start_prometheus(config, directory):
    """A Prometheus on a free port with its data in `directory`: (process, port)."""
    port = free_port()
    process = subprocess.Popen(
        ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={directory}/data",
         f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"])
    return process, port


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fixture", required=True)
    parser.add_argument("--dashboard", required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("--rules", required=True)
    args = parser.parse_args()

    fixture, fixture_port = start_fixture(args.fixture)
    prometheus = None
    try:
        with tempfile.TemporaryDirectory(prefix="ferry-prometheus-") as directory:
            config = write_config(args.config, args.rules, fixture_port, directory)
            prometheus, port = start_prometheus(config, directory)
            if not wait_for_scrapes(port, time.monotonic() + 60):
                print("FAIL: Prometheus did not scrape the fixture within 60 s")
                return 1
            time.sleep(2)  # one more rule evaluation over the scrapes
            panels, failures = check_expressions(port, args.dashboard, args.rules)
            prometheus.terminate()
            prometheus.wait(timeout=30)
    finally:
        if prometheus and prometheus.poll() is None:
            prometheus.kill()
        fixture.terminate()
        fixture.wait(timeout=10)
    print(f"{panels} dashboard expressions and the alert rules queried through a real Prometheus")
    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
