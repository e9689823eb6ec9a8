#!/usr/bin/env python3
"""Checks deploy/grafana and deploy/prometheus against lib/metrics.

Every ferry_* name in a dashboard panel, a dashboard variable or an alert
rule must be one lib/metrics exposes (asked of ferry_metrics_fixture); every
panel must query ferry's metrics through the $datasource variable; the job
variable must exist; the provisioning files must parse.
"""
import argparse
import pathlib
import re
import sys

import yaml

import expressions


def check_dashboard_shape(dashboard, job_series, problems):
    variables = {v["name"]: v for v in dashboard.get("templating", {}).get("list", [])}
    if variables.get("datasource", {}).get("type") != "datasource":
        problems.append("the dashboard has no datasource variable named datasource")
    for name in ("instance", "ferry_job"):
        if variables.get(name, {}).get("type") != "query":
            problems.append(f"the dashboard has no query variable named {name}")
    ids = [p.get("id") for p in expressions.dashboard_panels(dashboard)]
    if len(ids) != len(set(ids)):
        problems.append(f"panel ids repeat: {ids}")
    for panel in expressions.dashboard_panels(dashboard):
        if panel.get("type") == "row":
            continue
        uid = panel.get("datasource", {}).get("uid")
        if uid != "${datasource}":
            problems.append(f'panel "{panel.get("title")}" does not use ${{datasource}} (uid {uid!r})')
        if not panel.get("targets"):
            problems.append(f'panel "{panel.get("title")}" has no query')
        check_panel_units(panel, problems)
        for target in panel.get("targets", []):
            check_filters(panel, target.get("expr", ""), job_series, problems)


# Units a panel of per-second rates may use: Grafana's rate units, or a
# custom "suffix: <things>/s"; a share of time is percentunit.
RATE_UNITS = {"reqps", "rps", "wps", "ops", "percentunit"}


def check_panel_units(panel, problems):
    """Every panel has a unit; a panel of rate() or irate() has a per-second one."""
    unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit")
    title = panel.get("title")
    if not unit:
        problems.append(f'panel "{title}" has no unit')
        return
    exprs = [t.get("expr", "") for t in panel.get("targets", [])]
    per_second = all("rate(" in e and "histogram_quantile" not in e for e in exprs)
    if per_second and unit not in RATE_UNITS and not (unit.startswith("suffix:") and unit.endswith("/s")):
        problems.append(f'panel "{title}" shows per-second rates with unit {unit!r}')


def check_filters(panel, expr, job_series, problems):
    """Every selector of a ferry metric follows $instance, and those of job series $ferry_job."""
    for selector in re.finditer(r"\b(ferry_\w+)(\{[^}]*\})?", expr):
        name, labels = selector.group(1), selector.group(2) or ""
        if name == "ferry_job":  # the label, in by (...) and in selectors
            continue
        if 'instance=~"$instance"' not in labels:
            problems.append(f'panel "{panel.get("title")}": {name} does not follow $instance')
        if name in job_series and 'ferry_job=~"$ferry_job"' not in labels:
            problems.append(f'panel "{panel.get("title")}": {name} does not follow $ferry_job')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fixture", required=True)
    parser.add_argument("--dashboard", required=True)
    parser.add_argument("--rules", required=True)
    parser.add_argument("--provisioning", required=True)
    args = parser.parse_args()

    defined = expressions.defined_metric_names(args.fixture)
    dashboard, panel_exprs = expressions.dashboard_expressions(args.dashboard)
    rule_exprs = expressions.rule_expressions(args.rules)
    problems = []
    check_dashboard_shape(dashboard, expressions.job_metric_names(args.fixture), problems)
    for where, expr in panel_exprs + rule_exprs:
        used = expressions.metric_tokens(expr)
        if not used and "up{" not in expr:
            problems.append(f"{where}: queries none of ferry's metrics: {expr}")
        for name in sorted(used - defined):
            problems.append(f"{where}: {name} is not a metric lib/metrics defines")
    for path in sorted(pathlib.Path(args.provisioning).rglob("*.yml")):
        if yaml.safe_load(path.read_text(encoding="utf-8")).get("apiVersion") != 1:
            problems.append(f"{path}: not a Grafana provisioning file (apiVersion 1)")

    used_anywhere = set().union(*(expressions.metric_tokens(e) for _, e in panel_exprs + rule_exprs))
    unused = sorted(n for n in defined - used_anywhere
                    if not n.endswith(("_sum", "_count", "_bucket")) and n + "_bucket" not in used_anywhere)
    print(f"{len(panel_exprs)} dashboard and {len(rule_exprs)} alert expressions checked "
          f"against {len(defined)} names; not shown anywhere: {', '.join(unused) or 'none'}")
    for problem in problems:
        print("FAIL:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
