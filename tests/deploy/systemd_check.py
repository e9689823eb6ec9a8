#!/usr/bin/env python3
"""Checks of deploy/systemd/: the unit file and the config it runs.

  verify        systemd-analyze verify prints nothing on ferryd.service.
                verify needs ExecStart's binary to exist, so the unit is
                copied to a temp folder with its one placeholder path,
                /usr/local/bin/ferryd, replaced by the built ferryd.
  check-config  ferryd --check-config accepts ferry.example.json with
                CREDENTIALS_DIRECTORY pointing at a folder holding one file
                per LoadCredential= of the unit (exit 0), refuses it without
                the variable (exit 2, naming it); the unit's credentials and
                the config's ${CREDENTIALS_DIRECTORY}/... paths are the same
                set; TimeoutStopSec is above admin.shutdown_timeout;
                ExecStartPre checks the file ExecStart runs, and a broken
                file exits 2 from both, the status RestartPreventExitStatus
                names, so a bad config is not restarted forever.
  journal       what ferryd writes when journald holds its output ($JOURNAL_STREAM
                names the stream's device and inode): each line starts with its
                syslog priority (<3> error, <4> warning, <6> info, <7> debug),
                for ferryd's log lines and for what it writes to stderr itself
                (a refused config); without the variable, or when it names
                another stream, no line has a prefix. Needs the private MariaDB
                (FERRY_MYSQL_*) for the daemon's part.
"""
import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

INSTALLED_PATH = "/usr/local/bin/ferryd"


def unit_settings(unit_text):
    """[(key, value)] of the unit's assignments, in order, comments left out."""
    settings = []
    for line in unit_text.splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";", "[")) and "=" in line:
            key, value = line.split("=", 1)
            settings.append((key.strip(), value.strip()))
    return settings


def seconds(text):
    match = re.fullmatch(r"(\d+)\s*(s|sec|m|min)?", text)
    if not match:
        raise SystemExit(f"cannot read the duration {text!r}")
    return int(match.group(1)) * (60 if match.group(2) in ("m", "min") else 1)


def verify(unit, ferryd):
    with open(unit, encoding="utf-8") as f:
        text = f.read()
    exec_start = [v for k, v in unit_settings(text) if k == "ExecStart"]
    exec_start += [v for k, v in unit_settings(text) if k == "ExecStartPre"]
    if len(exec_start) != 2 or not all(v.startswith(INSTALLED_PATH + " ") for v in exec_start):
        print(f"FAIL: ExecStart must start with {INSTALLED_PATH}, the path this test replaces: {exec_start}")
        return 1
    with tempfile.TemporaryDirectory(prefix="ferry-systemd-") as directory:
        copy = os.path.join(directory, os.path.basename(unit))
        with open(copy, "w", encoding="utf-8") as f:
            f.write(text.replace(INSTALLED_PATH, os.path.abspath(ferryd)))
        result = subprocess.run(["systemd-analyze", "verify", copy], capture_output=True, text=True,
                                cwd=directory)
    output = (result.stdout + result.stderr).strip()
    if result.returncode != 0 or output:
        print(f"FAIL: systemd-analyze verify exited {result.returncode} and said:\n{output}")
        return 1
    print(f"systemd-analyze verify: {os.path.basename(unit)} is clean")
    return 0


def check_config(unit, config, ferryd):
    with open(unit, encoding="utf-8") as f:
        settings = unit_settings(f.read())
    with open(config, encoding="utf-8") as f:
        config_text = f.read()
    failures = []
    credentials = {v.split(":", 1)[0] for k, v in settings if k == "LoadCredential"}
    referenced = set(re.findall(r"\$\{CREDENTIALS_DIRECTORY\}/([A-Za-z0-9_.-]+)", config_text))
    if credentials != referenced:
        failures.append(f"LoadCredential= names {sorted(credentials)} but the config reads {sorted(referenced)}")
    timeout = re.search(r'"shutdown_timeout"\s*:\s*"(\d+)s"', config_text)
    stop = [v for k, v in settings if k == "TimeoutStopSec"]
    if not timeout or len(stop) != 1:
        failures.append("need admin.shutdown_timeout in the config and one TimeoutStopSec= in the unit")
    elif seconds(stop[0]) <= int(timeout.group(1)):
        failures.append(f"TimeoutStopSec={stop[0]} is not above shutdown_timeout {timeout.group(1)}s")
    start = [v.split() for k, v in settings if k == "ExecStart"]
    pre = [v.split() for k, v in settings if k == "ExecStartPre"]
    if len(start) != 1 or len(pre) != 1 or start[0][1:] != ["--config", pre[0][-1]] or pre[0][1:-1] != ["--check-config"]:
        failures.append(f"ExecStartPre must be ferryd --check-config on ExecStart's --config file: {pre} / {start}")
    memory = {k: v for k, v in settings if k in ("MemoryHigh", "MemoryMax")}
    if set(memory) != {"MemoryHigh", "MemoryMax"}:
        failures.append(f"the unit must bound memory with MemoryHigh= and MemoryMax=: {memory}")
    prevent = [v.split() for k, v in settings if k == "RestartPreventExitStatus"]
    if not any("2" in p for p in prevent):
        failures.append("RestartPreventExitStatus= must name 2 (a bad config): a restart cannot mend it")
    with tempfile.TemporaryDirectory(prefix="ferry-broken-") as directory:
        broken = os.path.join(directory, "ferry.json")
        with open(broken, "w", encoding="utf-8") as f:
            f.write('{"jobs": [{"id": "x", "schedule": {"cron": "61 * * * *"}}]}')
        for args in (["--check-config", broken], ["--config", broken]):
            run = subprocess.run([ferryd, *args], capture_output=True, text=True, timeout=60)
            if run.returncode != 2:
                failures.append(f"ferryd {' '.join(args)} on a broken file exited {run.returncode}, not 2:\n{run.stderr}")

    with tempfile.TemporaryDirectory(prefix="ferry-credentials-") as directory:
        for name in credentials:
            with open(os.path.join(directory, name), "w", encoding="utf-8") as f:
                f.write(f"value-of-{name}\n")
        env = {k: v for k, v in os.environ.items() if k != "CREDENTIALS_DIRECTORY"}
        ok = subprocess.run([ferryd, "--check-config", config], capture_output=True, text=True,
                            env={**env, "CREDENTIALS_DIRECTORY": directory})
        if ok.returncode != 0:
            failures.append(f"--check-config with the credentials exited {ok.returncode}:\n{ok.stderr}")
        else:
            print(ok.stdout.strip())
        unset = subprocess.run([ferryd, "--check-config", config], capture_output=True, text=True, env=env)
        if unset.returncode != 2 or "environment variable CREDENTIALS_DIRECTORY is not set" not in unset.stderr:
            failures.append(f"--check-config without CREDENTIALS_DIRECTORY exited {unset.returncode}:\n{unset.stderr}")
        if any(f"value-of-{name}" in ok.stdout + ok.stderr + unset.stderr for name in credentials):
            failures.append("a secret's value was printed")
    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


PRIORITY_OF_LEVEL = {"trace": "7", "debug": "7", "info": "6", "warning": "4", "error": "3", "critical": "2"}


def stream_id(path):
    st = os.stat(path)
    return f"{st.st_dev}:{st.st_ino}"


def journal(ferryd):
    """The priority prefixes ferryd writes for journald."""
    import prometheus_e2e
    import prometheus_ferryd_e2e as e2e

    failures = []
    with tempfile.TemporaryDirectory(prefix="ferry-journal-") as directory:
        broken = os.path.join(directory, "broken.json")
        with open(broken, "w", encoding="utf-8") as f:
            f.write('{"mysql": {"host": 5}, "jobs": "none"}')
        err = os.path.join(directory, "stderr")
        for named in (True, False):
            with open(err, "w", encoding="utf-8") as out:
                env = {k: v for k, v in os.environ.items() if k != "JOURNAL_STREAM"}
                if named:
                    env["JOURNAL_STREAM"] = stream_id(err)
                code = subprocess.run([ferryd, "--config", broken], stderr=out, stdout=subprocess.DEVNULL,
                                      env=env).returncode
            lines = [l for l in open(err, encoding="utf-8").read().splitlines() if l]
            if code != 2 or len(lines) < 2:
                failures.append(f"ferryd on a broken config exited {code} with {lines}")
            elif named and not all(l.startswith("<3>") for l in lines):
                failures.append(f"under journald, stderr lines without <3>: {lines}")
            elif not named and any(l.startswith("<") for l in lines):
                failures.append(f"without journald, stderr lines with a prefix: {lines}")

        # The daemon: one job against a closed port fails every run (errors), between info lines.
        database = "ferry_t_journal"
        source = dict(e2e.source(prometheus_e2e.free_port(), "JST_APP_SECRET"), retry={"max_attempts": 1})
        config = {"mysql": {"host": os.environ["FERRY_MYSQL_HOST"], "port": int(os.environ["FERRY_MYSQL_PORT"]),
                            "user": os.environ["FERRY_MYSQL_USER"], "password_env": "FERRY_MYSQL_PASSWORD",
                            "database": database, "pool_size": 2},
                  "sources": {"jst": source},
                  "jobs": [e2e.job("down", "jst", "down_rows", "varchar(64)",
                                   {"start": e2e.beijing(-15), "max_span": "1h", "lag": "1s"})],
                  "admin": {"listen": "127.0.0.1:0", "token_env": "FERRY_ADMIN_TOKEN"}}
        path = os.path.join(directory, "ferry.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(config, f)
        e2e.mysql(f"DROP DATABASE IF EXISTS {database}; CREATE DATABASE {database}")
        log = os.path.join(directory, "stdout")
        try:
            with open(log, "w", encoding="utf-8") as out:
                env = {**os.environ, "JOURNAL_STREAM": stream_id(log), "JST_APP_SECRET": "s",
                       "JST_ACCESS_TOKEN": "a", "JST_REFRESH_TOKEN": "r", "FERRY_ADMIN_TOKEN": "t"}
                daemon = subprocess.Popen([ferryd, "--config", path], stdout=out, stderr=subprocess.STDOUT, env=env)
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline and "<3>" not in open(log, encoding="utf-8").read():
                    time.sleep(0.2)
                daemon.send_signal(signal.SIGTERM)
                daemon.wait(timeout=30)
        finally:
            e2e.mysql(f"DROP DATABASE IF EXISTS {database}")
        lines = [l for l in open(log, encoding="utf-8").read().splitlines() if l]
        priorities = set()
        for line in lines:
            if line.startswith("ferryd admin listening on "):
                continue  # the address, on stdout for scripts: journald files it at its default, info
            match = re.match(r"<(\d)>ts=\S+ level=(\w+) ", line)
            if not match or PRIORITY_OF_LEVEL.get(match.group(2)) != match.group(1):
                failures.append(f"a daemon line without its priority: {line}")
            else:
                priorities.add(match.group(1))
        if not {"3", "6"} <= priorities:
            failures.append(f"the daemon's lines had priorities {sorted(priorities)}, not both error and info")
        print(f"{len(lines)} daemon lines, priorities {sorted(priorities)}")
    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["verify", "check-config", "journal"])
    parser.add_argument("--unit")
    parser.add_argument("--config")
    parser.add_argument("--ferryd", required=True)
    args = parser.parse_args()
    if args.what == "verify":
        return verify(args.unit, args.ferryd)
    if args.what == "journal":
        return journal(args.ferryd)
    return check_config(args.unit, args.config, args.ferryd)


if __name__ == "__main__":
    sys.exit(main())
