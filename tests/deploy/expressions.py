"""Reads the PromQL that deploy/ ships and the metric names lib/metrics defines.

Shared by check_names.py and prometheus_e2e.py; nothing here is copied from
the files it reads.
"""
import json
import re
import subprocess

import yaml

METRIC_TOKEN = re.compile(r"\bferry_[A-Za-z0-9_:]*")
STRING_LITERAL = re.compile(r'"(?:[^"\\]|\\.)*"')


def dashboard_panels(dashboard):
    """Every panel, rows' nested panels included."""
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def dashboard_expressions(path):
    """[(where, expr)] for every panel target and the variables' queries."""
    with open(path, encoding="utf-8") as f:
        dashboard = json.load(f)
    found = []
    for panel in dashboard_panels(dashboard):
        for target in panel.get("targets", []):
            found.append((f'panel "{panel.get("title")}" {target.get("refId")}', target["expr"]))
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") == "query":
            query = variable["query"]
            found.append((f'variable ${variable["name"]}', query["query"] if isinstance(query, dict) else query))
    return dashboard, found


def rule_expressions(path):
    """[(alert or record name, expr)] for every rule of an alerting rules file."""
    with open(path, encoding="utf-8") as f:
        rules = yaml.safe_load(f)
    return [(rule.get("alert") or rule.get("record"), rule["expr"])
            for group in rules["groups"] for rule in group["rules"]]


def metric_tokens(expr):
    """The ferry_* metric names an expression mentions (outside label values and
    apart from the label ferry_job)."""
    return set(METRIC_TOKEN.findall(STRING_LITERAL.sub('""', expr))) - {"ferry_job"}


def defined_metric_names(fixture):
    """Sample names lib/metrics exposes, from `ferry_metrics_fixture print`."""
    text = subprocess.run([fixture, "print"], check=True, capture_output=True, text=True).stdout
    names = set()
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[:2] == ["#", "TYPE"]:
            name, kind = parts[2], parts[3]
            names.add(name)
            if kind == "histogram":
                names.update({name + "_bucket", name + "_sum", name + "_count"})
    if not names:
        raise SystemExit("ferry_metrics_fixture print exposed no metric families")
    return names


def job_metric_names(fixture):
    """Sample names whose series carry the ferry_job label, from `ferry_metrics_fixture print`."""
    text = subprocess.run([fixture, "print"], check=True, capture_output=True, text=True).stdout
    return {line.split("{", 1)[0] for line in text.splitlines()
            if not line.startswith("#") and 'ferry_job="' in line.split(" ", 1)[0]}


def instantiate(expr):
    """A dashboard expression with Grafana's variables replaced for a direct query."""
    return (expr.replace("$__rate_interval", "1m").replace("$__interval", "15s")
            .replace("$__range", "1h").replace("${instance}", ".+").replace("$instance", ".+")
            .replace("${ferry_job}", ".+").replace("$ferry_job", ".+"))
