#!/usr/bin/env python3
"""Writes deploy/examples/jushuitan/<name>.json, one ferry job template per
endpoint of the catalogue (tests/sim/catalogue/endpoints.json, built from
../shared/jushuitan-endpoints.md), each a complete config for the quickstart
(jst-sim on 9400, MariaDB on 3307).

Run from the repository root after changing the catalogue:
    python3 tools/jushuitan-templates.py
With --check it writes nothing and fails when a template differs from what
the catalogue gives (a ctest runs that).
tests/unit/config/examples_test.cpp loads every template, and
tests/integration/engine/templates_test.cpp syncs each one against jst-sim.
"""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEC = os.path.join(ROOT, "tests/sim/catalogue/endpoints.json")
OUT = os.path.join(ROOT, "deploy/examples/jushuitan")

# Text fields whose names say they may be long get varchar(1024).
LONG_TEXT = ("remark", "address", "memo", "note", "message", "desc", "url", "pic", "img")


def column_type(field):
    kind, kind_json = field["kind"], field["json"]
    if kind_json in ("array", "object"):
        return "json"
    if kind == "ts":
        return "bigint"
    if kind == "id":
        return "bigint" if kind_json == "integer" else "varchar(64)"
    if kind == "datetime":
        return "datetime"
    if kind == "date":
        return "date"
    if kind == "money":
        return "decimal(18,4)"
    if kind == "number":
        return "decimal(20,6)"
    if kind == "quantity":
        return "bigint" if kind_json == "integer" else "decimal(18,4)"
    if kind == "int":
        return "bigint" if kind_json == "integer" else "varchar(32)"
    if kind == "bool":
        return "bool" if kind_json == "boolean" else "varchar(8)"
    name = field["name"].lower()
    if any(word in name for word in LONG_TEXT):
        return "varchar(1024)"
    return "varchar(255)"


def read_mode(e):
    cursor = e.get("cursor")
    if cursor and cursor.get("rows_have_ts"):
        return "cursor"
    if not e.get("time_filter"):
        return "full_refresh"
    return "window"


def page_size(e):
    cap = e.get("page_size_max")
    if cap:
        return min(cap, 1000)
    return e.get("page_size_default") or 30


def span_of(e):
    days = (e.get("time_filter") or {}).get("max_span_days")
    if not days:
        return "6d"
    if days >= 2:
        return "%dd" % (days - 1)
    return "%dh" % (days * 24 - 1)


def columns_of(fields, skip, prefix=""):
    out = {}
    for f in fields:
        if f["name"] in skip:
            continue
        out[f["name"]] = {"path": prefix + f["name"], "type": column_type(f)}
    return out


lists_by_key = {}


def job_of(e):
    mode = read_mode(e)
    children = [c for c in e.get("children", []) if c.get("key")]
    child_names = {c["name"] for c in children}
    main = {
        "table": "bi_jst_" + e["name"],
        "key": e["key"],
        "create_table": True,
        "columns": columns_of(e["fields"], child_names),
    }
    per_value = (e.get("per_value") or {}).get("request_field")
    if per_value and per_value not in main["columns"]:
        # The rows do not carry the value they were asked for: for_each adds it to each record.
        main["columns"] = dict([(per_value, {"path": per_value, "type": "bigint"})] + list(main["columns"].items()))
    version = None
    if mode == "cursor" and "ts" in main["columns"]:
        version = "ts"
    elif e.get("version_field") in main["columns"]:
        version = e["version_field"]
    if version:
        main["version"] = version
    targets = [main]
    for c in children:
        cols = {}
        for k in e["key"]:
            if k in main["columns"]:
                cols[k] = {"path": "$." + main["columns"][k]["path"], "type": main["columns"][k]["type"]}
        for name, col in columns_of(c["fields"], {x["name"] for x in c.get("children", [])}).items():
            cols.setdefault(name, col)
        child = {
            "table": "bi_jst_%s_%s" % (e["name"], c["name"]),
            "key": [k for k in e["key"] if k in cols] + [k for k in c["key"] if k not in e["key"]],
            "explode": c["name"],
            "create_table": True,
            "columns": cols,
        }
        if version:
            cols[version + "_parent" if version in cols else version] = {
                "path": "$." + version, "type": main["columns"][version]["type"]}
            child["version"] = version + "_parent" if version + "_parent" in cols else version
        targets.append(child)
    job = {"id": "jst_" + e["name"], "source": "jst", "api": e["path"]}
    if per_value:
        # Once per value of the master list that has it as its key (the warehouses for wms_co_id).
        master = lists_by_key.get(per_value)
        job["for_each"] = {"field": per_value,
                           "from": {"table": "bi_jst_" + master["name"], "column": per_value},
                           "after": "jst_" + master["name"]}
    if e.get("list_key") and e.get("envelope") != "bare":
        job["list_key"] = e["list_key"]
    job["page_size"] = page_size(e)
    if mode == "cursor":
        job["cursor"] = {}
    elif mode == "full_refresh":
        job["full_refresh"] = {"allow_empty": False, "min_ratio": 0.5}
    else:
        f = e["time_filter"]
        job["request"] = {f["begin"]: "{{LAST_SYNC_TIME|datetime}}", f["end"]: "{{CURRENT_TIME|datetime}}"}
        job["window"] = {"start": "2026-01-01 00:00:00", "max_span": span_of(e)}
    job["schedule"] = {"every": "1h" if mode == "full_refresh" else "5m"}
    job["targets"] = targets
    return job, mode


def header(e, mode, job):
    each = job.get("for_each")
    lines = [
        "// ferry template: %s (%s, %s) into %s." % (e["title"], e["path"], e.get("doc", ""), job["targets"][0]["table"]),
        "// Read by %s; key %s; pages of %d%s." % (
            {"cursor": "its row-version cursor (%s)" % (e.get("cursor") or {}).get("request_field", ""),
             "full_refresh": "a full refresh (no time filter: the table ends equal to the list)",
             "window": "time windows over %s" % (e.get("time_filter") or {}).get("row_field", "its time filter")}[mode],
            ", ".join(e["key"]), job["page_size"],
            " (the documented cap)" if e.get("page_size_max") else " (no cap documented: the default)"),
    ]
    if each:
        lines.append("// Once per %s of %s (filled by job %s, the first job here), each value with its own cursor;"
                     % (each["field"], each["from"]["table"], each["after"]))
        lines.append("// the rows do not carry %s: ferry adds the value each was asked for." % each["field"])
    lines += [
        "// Made by tools/jushuitan-templates.py from tests/sim/catalogue/endpoints.json (every documented",
        "// row field); docs/connectors.md lists all templates. Runs against deploy/quickstart.sh;",
        "// secrets from FERRY_MYSQL_PASSWORD, JST_APP_SECRET, JST_ACCESS_TOKEN, JST_REFRESH_TOKEN.",
    ]
    return "\n".join(lines) + "\n"


def main():
    check = "--check" in sys.argv[1:]
    spec = json.load(open(SPEC, encoding="utf-8"))
    os.makedirs(OUT, exist_ok=True)
    stale = []
    for e in spec["endpoints"]:
        if not e.get("time_filter") and len(e["key"]) == 1:
            lists_by_key[e["key"][0]] = e
    for e in spec["endpoints"]:
        job, mode = job_of(e)
        jobs = [job]
        if "for_each" in job:
            # The job filling its values comes first, in the same file.
            master = [x for x in spec["endpoints"] if "jst_" + x["name"] == job["for_each"]["after"]][0]
            jobs = [job_of(master)[0], job]
        config = {
            "mysql": {"host": "127.0.0.1", "port": 3307, "user": "ferry", "password_env": "FERRY_MYSQL_PASSWORD",
                      "database": "ferry"},
            "sources": {"jst": {"type": "jushuitan", "base_url": "http://127.0.0.1:9400", "app_key": "demo",
                                "app_secret_env": "JST_APP_SECRET", "access_token_env": "JST_ACCESS_TOKEN",
                                "refresh_token_env": "JST_REFRESH_TOKEN"}},
            "jobs": jobs,
        }
        path = os.path.join(OUT, e["name"] + ".json")
        text = header(e, mode, job) + json.dumps(config, ensure_ascii=False, indent=2) + "\n"
        if check:
            current = open(path, encoding="utf-8").read() if os.path.exists(path) else None
            if current != text:
                stale.append(path)
            continue
        with open(path, "w", encoding="utf-8") as out:
            out.write(text)
        print(path, mode)
    if stale:
        print("templates differ from tests/sim/catalogue/endpoints.json (run tools/jushuitan-templates.py):")
        for path in stale:
            print("  " + os.path.relpath(path, ROOT))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
