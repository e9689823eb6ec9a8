#!/usr/bin/env python3
"""The soak test's verdict (tests/soak/run.sh): tables against jst-sim's truth
up to each job's watermark, and ferryd's RSS and descriptors over time.

Rows are compared by key and by the columns the soak config writes; only rows
whose time is before the job's watermark count (later ones may not have been
synced yet, by design). Writes summary.txt next to samples.csv; exits 1 when a
row is missing, extra or stale, ferryd did not exit 0, or RSS / descriptors
grew after the warm-up."""
import argparse
import csv
import json
import os
import subprocess
import sys
import urllib.parse
import urllib.request

WARMUP_S = 300


def mysql(args, sql):
    env = dict(os.environ)
    out = subprocess.run(
        ["mariadb", "--no-defaults", "-h127.0.0.1", f"-P{args.mysql_port}", "-uferry",
         f"-p{env['FERRY_MYSQL_PASSWORD']}", "--batch", "--skip-column-names", args.database, "-e", sql],
        check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines()]


def truth(args, endpoint, start, end):
    query = urllib.parse.urlencode({"endpoint": endpoint, "from": start, "to": end})
    with urllib.request.urlopen(f"{args.sim}/__sim/truth?{query}", timeout=120) as r:
        return [json.loads(line) for line in r.read().decode().splitlines() if line]


def text(v):
    if v is None:
        return "NULL"
    return str(v)


def money(v):
    return "NULL" if v in (None, "NULL") else f"{float(v):.4f}"


def compare(name, expected, actual):
    missing = [k for k in expected if k not in actual]
    extra = [k for k in actual if k not in expected]
    stale = [k for k in expected if k in actual and expected[k] != actual[k]]
    line = (f"{name}: {len(expected)} rows in the truth, {len(actual)} in MySQL: "
            f"{len(missing)} missing, {len(extra)} extra, {len(stale)} stale")
    for k in (missing + extra + stale)[:5]:
        line += f"\n    e.g. {k}: truth {expected.get(k)} mysql {actual.get(k)}"
    return line, len(missing) + len(extra) + len(stale)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--sim", required=True)
    p.add_argument("--exit-code", type=int, required=True)
    p.add_argument("--mysql-port", required=True)
    p.add_argument("--database", required=True)
    args = p.parse_args()

    lines, failures = [], 0
    marks = dict((r[0], r[1]) for r in mysql(args, "SELECT job_id, watermark FROM ferry_jobs"))
    start = "2000-01-01 00:00:00"

    w = marks["skusn_inout"]
    exp = {(r["sku_sn"], str(r["io_id"])): (money(r["cost_price"]), r["modified_time"])
           for r in truth(args, "/open/webapi/wmsapi/skusn/queryinoutitemskusns", start, w)
           if r["create_time"] < w}
    act = {(r[0], r[1]): (money(r[2]), r[3]) for r in mysql(
        args, f"SELECT sku_sn, io_id, cost_price, modified_time FROM bi_skusn_inout WHERE create_time < '{w}'")}
    line, bad = compare(f"bi_skusn_inout up to {w}", exp, act)
    lines.append(line); failures += bad

    w = marks["orders"]
    orders = [r for r in truth(args, "/open/orders/single/query", start, w) if r["modified"] < w]
    exp = {str(r["o_id"]): (r["modified"], money(r["pay_amount"])) for r in orders}
    act = {r[0]: (r[1], money(r[2])) for r in mysql(
        args, f"SELECT o_id, modified, pay_amount FROM bi_orders WHERE modified < '{w}'")}
    line, bad = compare(f"bi_orders up to {w}", exp, act)
    lines.append(line); failures += bad
    exp = {(str(r["o_id"]), str(i["oi_id"])): (str(i["qty"]), money(i["amount"]))
           for r in orders for i in r.get("items", [])}
    act = {(r[0], r[1]): (r[2], money(r[3])) for r in mysql(
        args, f"SELECT o_id, oi_id, qty, amount FROM bi_order_items WHERE modified < '{w}'")}
    line, bad = compare(f"bi_order_items up to {w}", exp, act)
    lines.append(line); failures += bad

    runs = mysql(args, "SELECT job_id, state, COUNT(*), SUM(retries), SUM(throttles), SUM(fetched) "
                       "FROM ferry_runs GROUP BY job_id, state")
    for r in runs:
        lines.append(f"runs of {r[0]} {r[1]}: {r[2]} (retries {r[3]}, throttles {r[4]}, records {r[5]})")
    failed = sum(int(r[2]) for r in runs if r[1] == "failed")

    with open(os.path.join(args.out, "samples.csv")) as f:
        samples = [{k: float(v) for k, v in row.items()} for row in csv.DictReader(f)]
    settled = [s for s in samples if s["elapsed_s"] >= WARMUP_S] or samples
    base = settled[0]
    rss_max = max(s["rss_kib"] for s in settled)
    fds_max = max(s["fds"] for s in settled)
    last = samples[-1]
    lines.append(f"samples: {len(samples)} over {last['elapsed_s']:.0f} s; after the {WARMUP_S} s warm-up RSS "
                 f"{base['rss_kib'] / 1024:.1f} -> {last['rss_kib'] / 1024:.1f} MiB (max {rss_max / 1024:.1f}), "
                 f"fds {base['fds']:.0f} -> {last['fds']:.0f} (max {fds_max:.0f}), threads {last['threads']:.0f}, "
                 f"CPU {last['cpu_s']:.0f} s")
    if rss_max > base["rss_kib"] * 1.2 + 4096:
        lines.append("FAIL: RSS grew after the warm-up"); failures += 1
    if fds_max > base["fds"] + 5:
        lines.append("FAIL: descriptors grew after the warm-up"); failures += 1
    try:
        with open(os.path.join(args.out, "traffic.count")) as f:
            n, bad = f.read().split()
        lines.append(f"admin API: {n} requests, {bad} not answered 200")
        if int(bad) > 0:
            failures += 1
    except OSError:
        pass
    with urllib.request.urlopen(f"{args.sim}/__sim/stats", timeout=30) as r:
        stats = json.load(r)
    lines.append(f"jst-sim: {stats['business_calls']} calls, faults {json.dumps(stats['totals']['faults'])}, "
                 f"refused by the limits {stats['totals']['refused_limit']}, "
                 f"peak {stats['peak_calls_per_second']}/s and {stats['peak_calls_per_minute']}/min")
    lines.append(f"ferryd exit code after SIGTERM: {args.exit_code}; failed runs: {failed}")
    if args.exit_code != 0:
        failures += 1
    lines.append("PASS" if failures == 0 else f"FAIL ({failures})")
    summary = "\n".join(lines)
    print(summary)
    with open(os.path.join(args.out, "summary.txt"), "w") as f:
        f.write(summary + "\n")
    sys.exit(0 if failures == 0 else 1)


if __name__ == "__main__":
    main()
