#!/usr/bin/env python3
"""An alert reaches a person: ferryd -> Prometheus -> Alertmanager -> webhook and WeCom.

Real servers all the way: jst-sim answering every call with HTTP 500 (so
every run of the job `flow` fails), a real ferryd syncing it into the private
MariaDB, Debian's Prometheus scraping ferryd with the shipped rules (copied
with their `for:` and range windows shortened to seconds, so the test runs in
a minute or two), and Debian's Alertmanager with the shipped routes
(deploy/alertmanager/alertmanager.yml, its timings shortened); its receiver
also delivers as wecom.example.yml does, to a stand-in for WeCom's API.

The test waits until FerryJobFailing for `flow` is delivered firing to the
webhook receiver (with its runbook_url) and, rendered by
templates/ferry.tmpl, to "WeCom"; then it clears the fault in jst-sim, the
job succeeds, and both receivers must be told the alert is resolved.

Needs jst-sim, ferryd, prometheus, prometheus-alertmanager, the mysql client
and FERRY_MYSQL_HOST, _PORT, _USER, _PASSWORD (deploy/test.sh sets them).
"""
import argparse
import http.server
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

import yaml

import prometheus_e2e
import prometheus_ferryd_e2e as ferryd_e2e

DATABASE = "ferry_t_alertmanager"
JOB = "flow"
ALERT = "FerryJobFailing"


class Inbox:
    """What the receivers were sent, safe to read while the servers run."""

    def __init__(self):
        self.lock = threading.Lock()
        self.webhook = []  # Alertmanager webhook payloads
        self.wecom = []    # WeCom message/send bodies
        self.tokens = 0    # WeCom gettoken calls

    def add(self, kind, item):
        with self.lock:
            getattr(self, kind).append(item)

    def snapshot(self):
        with self.lock:
            return list(self.webhook), list(self.wecom)


def serve_receivers(inbox):
    """One HTTP server standing in for the team's webhook endpoint and for WeCom's API."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def reply(self, body):
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):  # WeCom: gettoken?corpid=...&corpsecret=...
            url = urllib.parse.urlparse(self.path)
            query = urllib.parse.parse_qs(url.query)
            if url.path == "/wecom/gettoken" and query.get("corpsecret") == ["test-app-secret"]:
                with inbox.lock:
                    inbox.tokens += 1
                return self.reply({"errcode": 0, "errmsg": "ok", "access_token": "wecom-token", "expires_in": 7200})
            self.reply({"errcode": 40001, "errmsg": "invalid credential"})

        def do_POST(self):
            url = urllib.parse.urlparse(self.path)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"null")
            if url.path == "/ferry-alerts":
                inbox.add("webhook", body)
                return self.reply({})
            if url.path == "/wecom/message/send" and urllib.parse.parse_qs(url.query).get("access_token") == ["wecom-token"]:
                inbox.add("wecom", body)
                return self.reply({"errcode": 0, "errmsg": "ok"})
            self.reply({"errcode": 40014, "errmsg": "invalid access_token"})

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def short_rules(shipped, directory):
    """The shipped rules with `for:` at 1 s and every range window at 20 s."""
    with open(shipped, encoding="utf-8") as f:
        rules = yaml.safe_load(f)
    for group in rules["groups"]:
        for rule in group["rules"]:
            if "for" in rule:
                rule["for"] = "1s"
            rule["expr"] = re.sub(r"\[\d+[smhd]\]", "[20s]", rule["expr"])
    path = os.path.join(directory, "alerts.yml")
    with open(path, "w", encoding="utf-8") as f:
        yaml.safe_dump(rules, f)
    return path


def alertmanager_config(shipped, wecom_example, templates, receiver_port, directory):
    """The shipped routing tree as it is, with seconds for its timings; its webhook at the test's
    receiver, which also gets the WeCom delivery of the example config (its API at the test's
    stand-in), so one route delivers to both."""
    with open(shipped, encoding="utf-8") as f:
        config = yaml.safe_load(f)
    with open(wecom_example, encoding="utf-8") as f:
        wecom = yaml.safe_load(f)
    base = f"http://127.0.0.1:{receiver_port}"
    config["templates"] = [os.path.join(os.path.abspath(templates), "*.tmpl")]
    config["global"]["wechat_api_url"] = f"{base}/wecom/"
    (wechat,) = wecom["receivers"][0]["wechat_configs"]
    wechat["api_secret"] = "test-app-secret"
    for receiver in config["receivers"]:
        for hook in receiver.get("webhook_configs", []):
            hook["url"] = f"{base}/ferry-alerts"
        receiver["wechat_configs"] = [wechat]
    config["route"].update(group_wait="1s", group_interval="2s", repeat_interval="1h")
    for route in config["route"].get("routes", []):
        route.pop("repeat_interval", None)
    path = os.path.join(directory, "alertmanager.yml")
    with open(path, "w", encoding="utf-8") as f:
        yaml.safe_dump(config, f)
    return path


def delivered(inbox, status):
    """(webhook alert, WeCom text) of ALERT for JOB with `status`, when both receivers had it."""
    webhook, wecom = inbox.snapshot()
    alert = next((a for payload in webhook for a in payload.get("alerts", [])
                  if a.get("status") == status and a["labels"].get("alertname") == ALERT
                  and a["labels"].get("ferry_job") == JOB), None)
    marker = "[FIRING]" if status == "firing" else "[RESOLVED]"
    text = next((m["markdown"]["content"] for m in wecom
                 if m.get("msgtype") == "markdown" and ALERT in m["markdown"]["content"]
                 and marker in m["markdown"]["content"]), None)
    return (alert, text) if alert and text else None


def wait_for(what, check, deadline):
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def set_faults(sim_port, faults):
    request = urllib.request.Request(f"http://127.0.0.1:{sim_port}/__sim/faults", data=json.dumps(faults).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def run(args, directory, inbox, receiver_port):
    failures = []
    sim = subprocess.Popen([args.sim, "--port", "0", "--records", "200", "--data-from", "now-10m",
                            "--data-to", "now", "--limit-per-minute", "0", "--seed", "5", "--http-500", "1"],
                           stdout=subprocess.PIPE, text=True)
    children = [sim]
    try:
        sim_port = ferryd_e2e.read_port(sim, "listening on", "jst-sim")
        ferryd_e2e.drain(sim.stdout)
        window = {"start": ferryd_e2e.beijing(-15), "max_span": "1h", "lag": "1s", "lookback": "1m"}
        source = dict(ferryd_e2e.source(sim_port, "JST_APP_SECRET"),
                      retry={"max_attempts": 2, "base_delay": "50ms", "max_delay": "100ms"})
        config = {"mysql": {"host": os.environ["FERRY_MYSQL_HOST"], "port": int(os.environ["FERRY_MYSQL_PORT"]),
                            "user": os.environ["FERRY_MYSQL_USER"], "password_env": "FERRY_MYSQL_PASSWORD",
                            "database": DATABASE, "pool_size": 2},
                  "sources": {"jst": source},
                  "jobs": [ferryd_e2e.job(JOB, "jst", "flow_rows", "varchar(64)", window)],
                  "admin": {"listen": "127.0.0.1:0", "token_env": "FERRY_ADMIN_TOKEN", "shutdown_timeout": "10s"},
                  "log": {"level": "error"}}
        with open(os.path.join(directory, "ferry.json"), "w", encoding="utf-8") as f:
            json.dump(config, f)
        env = {**os.environ, "JST_APP_SECRET": "demo-secret", "JST_ACCESS_TOKEN": "demo-access-token",
               "JST_REFRESH_TOKEN": "demo-refresh-token", "FERRY_ADMIN_TOKEN": "alertmanager-e2e-token"}
        ferryd_e2e.mysql(f"DROP DATABASE IF EXISTS {DATABASE}; CREATE DATABASE {DATABASE}")
        ferryd = subprocess.Popen([args.ferryd, "--config", os.path.join(directory, "ferry.json")],
                                  stdout=subprocess.PIPE, text=True, env=env)
        children.append(ferryd)
        ferryd_port = ferryd_e2e.read_port(ferryd, "ferryd admin listening on", "ferryd")
        ferryd_e2e.drain(ferryd.stdout)

        am_port = prometheus_e2e.free_port()
        am_config = alertmanager_config(args.alertmanager_config, args.wecom_config, args.templates,
                                        receiver_port, directory)
        alertmanager = subprocess.Popen(
            [args.alertmanager, f"--config.file={am_config}", f"--storage.path={directory}/am",
             f"--web.listen-address=127.0.0.1:{am_port}", "--cluster.listen-address=", "--log.level=warn"])
        children.append(alertmanager)

        rules = short_rules(args.rules, directory)
        prom_config = prometheus_e2e.write_config(args.config, rules, ferryd_port, directory)
        with open(prom_config, encoding="utf-8") as f:
            prom = yaml.safe_load(f)
        (scrape,) = [c for c in prom["scrape_configs"] if c["job_name"] == "ferryd"]
        scrape["static_configs"] = [{"targets": [f"127.0.0.1:{ferryd_port}"]}]
        prom["alerting"] = {"alertmanagers": [{"static_configs": [{"targets": [f"127.0.0.1:{am_port}"]}]}]}
        with open(prom_config, "w", encoding="utf-8") as f:
            yaml.safe_dump(prom, f)
        prometheus, _ = prometheus_e2e.start_prometheus(prom_config, directory)
        children.append(prometheus)

        started = time.monotonic()
        alert, text = wait_for(f"{ALERT} firing at both receivers", lambda: delivered(inbox, "firing"),
                               started + args.deadline)
        print(f"{ALERT} delivered firing after {time.monotonic() - started:.0f} s")
        if alert["annotations"].get("runbook_url") != "file:///usr/share/doc/ferry/operations.md#ferryjobfailing":
            failures.append(f"the webhook's alert has runbook_url {alert['annotations'].get('runbook_url')!r}")
        if alert["labels"].get("job") != "ferryd" or alert["labels"].get("severity") != "warning":
            failures.append(f"the webhook's alert has labels {alert['labels']}")
        for expected in (f"job {JOB}", "Runbook: file:///usr/share/doc/ferry/operations.md#ferryjobfailing",
                         f"ferry job {JOB} keeps failing"):
            if expected not in text:
                failures.append(f"the WeCom message lacks {expected!r}: {text!r}")

        set_faults(sim_port, {"http_500": 0})
        recovered = time.monotonic()
        wait_for(f"{ALERT} resolved at both receivers", lambda: delivered(inbox, "resolved"),
                 recovered + args.deadline)
        print(f"{ALERT} delivered resolved {time.monotonic() - recovered:.0f} s after the fault was cleared")

        ferryd.send_signal(signal.SIGTERM)
        if ferryd.wait(timeout=30) != 0:
            failures.append(f"ferryd exited {ferryd.returncode} after SIGTERM")
    except AssertionError as e:
        webhook, wecom = inbox.snapshot()
        failures.append(f"{e}; the webhook got {json.dumps(webhook)[:2000]}; WeCom got {json.dumps(wecom)[:2000]}")
    finally:
        for child in reversed(children):
            if child.poll() is None:
                child.terminate()
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
        ferryd_e2e.mysql(f"DROP DATABASE IF EXISTS {DATABASE}")
    return failures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ferryd", required=True)
    parser.add_argument("--sim", required=True)
    parser.add_argument("--config", required=True, help="deploy/prometheus/prometheus.yml")
    parser.add_argument("--rules", required=True, help="deploy/prometheus/alerts.yml")
    parser.add_argument("--alertmanager-config", required=True, help="deploy/alertmanager/alertmanager.yml")
    parser.add_argument("--wecom-config", required=True, help="deploy/alertmanager/wecom.example.yml")
    parser.add_argument("--templates", required=True, help="deploy/alertmanager/templates")
    parser.add_argument("--alertmanager", default="prometheus-alertmanager")
    parser.add_argument("--deadline", type=int, default=120, help="seconds to wait for each delivery")
    args = parser.parse_args()
    inbox = Inbox()
    server = serve_receivers(inbox)
    try:
        with tempfile.TemporaryDirectory(prefix="ferry-alertmanager-") as directory:
            failures = run(args, directory, inbox, server.server_address[1])
    finally:
        server.shutdown()
    for failure in failures:
        print("FAIL:", failure)
    if not failures:
        print("an alert raised by a real ferryd reached the webhook and WeCom, firing and then resolved")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
