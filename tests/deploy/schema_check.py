#!/usr/bin/env python3
"""ferry's config schema (deploy/ferry.schema.json) against the configs ferry ships and its own loader.

- the schema is a valid JSON Schema (draft 2020-12), checked by Debian's python3-jsonschema;
- every shipped config (deploy/examples/ and its jushuitan/ templates, deploy/systemd/ferry.example.json) and every complete
  config of docs/configuration.md validates against it;
- each config made wrong in one way is refused by the schema and, as a second implementation of the
  same rules, by `ferryd --check-config`; the unchanged config passes both;
- every key docs/configuration.md's key tables document is in the schema, and every key the schema
  knows is named on docs/configuration.md or docs/qeasy.md (the QEasy blocks' keys).

Usage: schema_check.py --root REPO --ferryd PATH
"""
import argparse
import copy
import json
import os
import re
import subprocess
import sys
import tempfile

try:
    import jsonschema
except ImportError:
    sys.exit("schema_check: python3-jsonschema is missing (deploy/install-deps.sh installs it)")


def strip_comments(text):
    """The text without // and /* */ comments, outside strings (ferry's reader allows both)."""
    out = []
    i, n = 0, len(text)
    in_string = False
    while i < n:
        c = text[i]
        if in_string:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if c == '"':
                in_string = False
            i += 1
        elif c == '"':
            in_string = True
            out.append(c)
            i += 1
        elif text.startswith("//", i):
            while i < n and text[i] != "\n":
                i += 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            out.append(" ")
        else:
            out.append(c)
            i += 1
    return "".join(out)


def load_config(path):
    with open(path, encoding="utf-8") as f:
        return json.loads(strip_comments(f.read()))


def doc_configs(markdown):
    """The ```json blocks of a page that are whole configs (mysql, sources and jobs at the top)."""
    found = []
    for block in re.findall(r"^```json\n(.*?)^```", markdown, flags=re.S | re.M):
        try:
            value = json.loads(strip_comments(block))
        except ValueError:
            continue
        if isinstance(value, dict) and {"mysql", "sources", "jobs"} <= value.keys():
            found.append(value)
    return found


def schema_keys(node, out):
    """Every property name the schema declares, at any depth."""
    if isinstance(node, dict):
        for key, value in node.get("properties", {}).items():
            out.add(key)
            schema_keys(value, out)
        for key, value in node.items():
            if key != "properties":
                schema_keys(value, out)
    elif isinstance(node, list):
        for value in node:
            schema_keys(value, out)
    return out


def named_keys(markdown):
    """Every `name` or `a.b` the page quotes as code, split at the dots."""
    keys = set()
    for name in re.findall(r"`([^`\n]+)`", markdown):
        keys.update(part.strip('"') for part in re.split(r"[.\s:=,{}\[\]]+", name))
    return keys


def documented_keys(markdown):
    """The keys named in the first column of the page's key tables (| key | ...)."""
    keys = set()
    in_table = False
    for line in markdown.splitlines():
        if re.match(r"^\| key \|", line):
            in_table = True
            continue
        if in_table and not line.startswith("|"):
            in_table = False
        if in_table and not line.startswith("|---"):
            first = line.split("|")[1]
            for name in re.findall(r"`([^`]+)`", first):
                keys.update(part for part in name.split(".") if re.fullmatch(r"[a-z_$][a-z0-9_]*", part))
    return keys


# One change each to deploy/examples/orders.json; both the schema and ferryd must refuse the result.
def wrong_configs(base):
    def job(d):
        return d["jobs"][0]

    def source(d):
        return next(iter(d["sources"].values()))

    changes = [
        ("an unknown top-level key", lambda d: d.update(daemon={})),
        ("an unknown mysql key", lambda d: d["mysql"].update(pool_sze=4)),
        ("mysql.pool_size 0", lambda d: d["mysql"].update(pool_size=0)),
        ("mysql.port as a string", lambda d: d["mysql"].update(port="3307")),
        ("mysql.write_mode not a mode", lambda d: d["mysql"].update(write_mode="fast")),
        ("mysql.user missing", lambda d: d["mysql"].pop("user")),
        ("both password_env and password_file", lambda d: d["mysql"].update(password_env="P", password_file="/p")),
        ("an inline password", lambda d: d["mysql"].update(password="secret")),
        ("a source of another type", lambda d: source(d).update(type="taobao")),
        ("a timeout that is not a duration", lambda d: source(d).update(timeout="30 seconds")),
        ("a rate limit without calls", lambda d: source(d).update(rate_limits=[{"per": "1s"}])),
        ("a job id with a capital", lambda d: job(d).update(id="Orders")),
        ("a job without targets", lambda d: job(d).pop("targets")),
        ("page_size 0", lambda d: job(d).update(page_size=0)),
        ("a table name with a space", lambda d: job(d)["targets"][0].update(table="bi orders")),
        ("a target key that is not a list", lambda d: job(d)["targets"][0].update(key="o_id")),
        ("$schema a number", lambda d: d.update({"$schema": 1})),
        ("admin without a token", lambda d: d.update(admin={"listen": "127.0.0.1:0"})),
    ]
    for name, change in changes:
        doc = copy.deepcopy(base)
        change(doc)
        yield name, doc


def check_config(ferryd, doc, env):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(doc, f)
        path = f.name
    try:
        r = subprocess.run([ferryd, "--check-config", path], env=env, capture_output=True, text=True, timeout=60)
        return r.returncode, (r.stdout + r.stderr).strip()
    finally:
        os.unlink(path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--ferryd", required=True)
    args = ap.parse_args()
    failures = []

    with open(os.path.join(args.root, "deploy/ferry.schema.json"), encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)

    def errors_of(doc):
        return sorted(f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
                      for e in validator.iter_errors(doc))

    shipped = sorted(os.path.join(folder, n) for folder, _, names in os.walk(os.path.join(args.root, "deploy/examples"))
                     for n in names if n.endswith(".json"))
    shipped.append(os.path.join(args.root, "deploy/systemd/ferry.example.json"))
    for path in shipped:
        for e in errors_of(load_config(path)):
            failures.append(f"{os.path.relpath(path, args.root)}: {e}")
    with open(os.path.join(args.root, "docs/configuration.md"), encoding="utf-8") as f:
        page = f.read()
    complete = doc_configs(page)
    if not complete:
        failures.append("docs/configuration.md: no complete config found to validate")
    for i, doc in enumerate(complete):
        for e in errors_of(doc):
            failures.append(f"docs/configuration.md, complete config {i + 1}: {e}")
    print(f"schema_check: {len(shipped)} shipped configs and {len(complete)} of docs/configuration.md validated")

    env = dict(os.environ, FERRY_MYSQL_PASSWORD="p", JST_APP_SECRET="s", JST_ACCESS_TOKEN="a",
               JST_REFRESH_TOKEN="r")
    base = load_config(os.path.join(args.root, "deploy/examples/orders.json"))
    code, out = check_config(args.ferryd, base, env)
    if code != 0:
        failures.append(f"ferryd --check-config refuses deploy/examples/orders.json itself ({code}): {out}")
    refused = 0
    for name, doc in wrong_configs(base):
        schema_says = errors_of(doc)
        code, out = check_config(args.ferryd, doc, env)
        if not schema_says:
            failures.append(f"{name}: the schema takes it (ferryd --check-config: {out.splitlines()[0] if out else code})")
        if code != 2:
            failures.append(f"{name}: ferryd --check-config exits {code}, not 2: {out}")
        if schema_says and code == 2:
            refused += 1
    print(f"schema_check: {refused} wrong configs refused by both the schema and ferryd --check-config")

    in_schema = schema_keys(schema, set()) - {"$schema"}
    in_tables = documented_keys(page)
    with open(os.path.join(args.root, "docs/qeasy.md"), encoding="utf-8") as f:
        named = named_keys(page) | named_keys(f.read())
    for key in sorted(in_schema - named):
        failures.append(f"schema key {key!r} is named on neither docs/configuration.md nor docs/qeasy.md")
    for key in sorted(in_tables - in_schema):
        failures.append(f"docs/configuration.md documents key {key!r}, which the schema does not have")
    print(f"schema_check: {len(in_schema)} keys in the schema, all named in the docs; "
          f"{len(in_tables)} in docs/configuration.md's key tables, all in the schema")

    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
