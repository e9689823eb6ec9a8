#!/usr/bin/env python3
"""ferry installed as users install it: `cmake --install`, and the .deb.

  install   `cmake --install` into a scratch prefix places every file where
            GNUInstallDirs says (binary, unit, rules, Alertmanager example,
            dashboard, docs, example configs); the unit runs the installed
            ferryd; every alert's runbook_url is the installed operations.md
            with an anchor that is one of its headings; the installed rules
            and Alertmanager configs pass promtool and amtool.
  deb       cpack builds the .deb from the same rules; lintian reports no
            error; dpkg installs it into a scratch root (its own dpkg
            database), the installed ferryd runs and checks the installed
            example config, and dpkg removes it leaving none of its files.
"""
import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile


def heading_anchors(markdown):
    """GitHub's anchors of a page's headings: lower case, punctuation dropped, spaces to '-'."""
    anchors = set()
    for line in markdown.splitlines():
        match = re.match(r"#+\s+(.*)", line)
        if match:
            text = re.sub(r"[^\w\- ]", "", match.group(1).strip().lower())
            anchors.add(text.replace(" ", "-"))
    return anchors


def check_tree(root, prefix, failures):
    """The installed files under root + prefix, for a ferry installed to `prefix`."""
    base = root + prefix
    expected = ["bin/ferryd", "share/ferry/prometheus/alerts.yml", "share/ferry/prometheus/prometheus.yml",
                "share/ferry/alertmanager/alertmanager.yml", "share/ferry/alertmanager/wecom.example.yml",
                "share/ferry/alertmanager/templates/ferry.tmpl", "share/ferry/ferry.schema.json", "share/ferry/grafana/dashboards/ferry.json",
                "share/doc/ferry/README.md", "share/doc/ferry/operations.md", "share/doc/ferry/copyright",
                "share/doc/ferry/changelog.gz", "share/man/man1/ferryd.1.gz", "share/doc/ferry/examples/ferry.example.json",
                "share/doc/ferry/examples/skusn_inout.json"]
    for path in expected:
        if not os.path.isfile(os.path.join(base, path)):
            failures.append(f"{prefix}/{path} was not installed")
    units = glob.glob(os.path.join(base, "lib/systemd/system/ferryd.service"))
    if len(units) != 1:
        failures.append(f"no ferryd.service under {prefix}/lib/systemd/system")
        return
    unit = open(units[0], encoding="utf-8").read()
    for key in ("ExecStart", "ExecStartPre"):
        line = next((l for l in unit.splitlines() if l.startswith(key + "=")), "")
        if not line.split("=", 1)[-1].startswith(f"{prefix}/bin/ferryd "):
            failures.append(f"the installed unit's {key} does not run {prefix}/bin/ferryd: {line}")
    if prefix != "/usr/local" and any(l.startswith("Exec") and "/usr/local/bin" in l for l in unit.splitlines()):
        failures.append("the installed unit still runs /usr/local/bin/ferryd")
    rules_path = os.path.join(base, "share/ferry/prometheus/alerts.yml")
    if not os.path.isfile(rules_path):
        return
    rules = open(rules_path, encoding="utf-8").read()
    operations = os.path.join(base, "share/doc/ferry/operations.md")
    anchors = heading_anchors(open(operations, encoding="utf-8").read()) if os.path.isfile(operations) else set()
    urls = re.findall(r'runbook_url: "([^"]+)"', rules)
    alerts = re.findall(r"- alert: (\w+)", rules)
    if len(urls) != len(alerts):
        failures.append(f"{len(alerts)} alerts but {len(urls)} runbook_url")
    for url in urls:
        page, _, anchor = url.partition("#")
        if page != f"file://{prefix}/share/doc/ferry/operations.md":
            failures.append(f"runbook_url {url} is not the installed operations.md")
        if anchor not in anchors:
            failures.append(f"runbook_url {url}: no heading of operations.md has the anchor #{anchor}")
    run = subprocess.run(["promtool", "check", "rules", rules_path], capture_output=True, text=True)
    if run.returncode != 0:
        failures.append(f"promtool check rules on the installed rules: {run.stdout}{run.stderr}")
    am = os.path.join(base, "share/ferry/alertmanager")
    run = subprocess.run(["amtool", "check-config", f"{am}/alertmanager.yml", f"{am}/wecom.example.yml"],
                         capture_output=True, text=True)
    if run.returncode != 0:
        failures.append(f"amtool check-config on the installed Alertmanager configs: {run.stdout}{run.stderr}")
    json.load(open(os.path.join(base, "share/ferry/grafana/dashboards/ferry.json"), encoding="utf-8"))


def check_ferryd_runs(ferryd, example, failures):
    """The installed ferryd answers --version, its manual page names every option
    --help gives, and it accepts the installed example config."""
    run = subprocess.run([ferryd, "--version"], capture_output=True, text=True)
    if run.returncode != 0 or not run.stdout.startswith("ferryd "):
        failures.append(f"{ferryd} --version: exit {run.returncode}: {run.stdout}{run.stderr}")
    options = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", subprocess.run([ferryd, "--help"], capture_output=True,
                                                                         text=True).stdout))
    if len(options) < 8:
        failures.append(f"ferryd --help names only {sorted(options)}")
    man = os.path.join(os.path.dirname(os.path.dirname(ferryd)), "share/man/man1/ferryd.1.gz")
    if os.path.isfile(man):
        import gzip
        page = gzip.open(man, "rt", encoding="utf-8").read().replace("\\-", "-")
        described = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", page))
        missing = sorted(options - described)
        if missing:
            failures.append(f"the manual page does not describe {missing}")
    text = open(example, encoding="utf-8").read()
    with tempfile.TemporaryDirectory(prefix="ferry-credentials-") as credentials:
        for name in set(re.findall(r"\$\{CREDENTIALS_DIRECTORY\}/(\w+)", text)):
            with open(os.path.join(credentials, name), "w", encoding="utf-8") as f:
                f.write("secret\n")
        run = subprocess.run([ferryd, "--check-config", example], capture_output=True, text=True,
                             env={**os.environ, "CREDENTIALS_DIRECTORY": credentials})
        if run.returncode != 0:
            failures.append(f"the installed ferryd refuses the installed example config: {run.stdout}{run.stderr}")


def install(build, failures):
    with tempfile.TemporaryDirectory(prefix="ferry-install-") as prefix:
        run = subprocess.run(["cmake", "--install", build, "--prefix", prefix], capture_output=True, text=True)
        if run.returncode != 0:
            failures.append(f"cmake --install failed: {run.stdout}{run.stderr}")
            return
        check_tree("", prefix, failures)
        check_ferryd_runs(os.path.join(prefix, "bin/ferryd"),
                          os.path.join(prefix, "share/doc/ferry/examples/ferry.example.json"), failures)
        print(f"cmake --install placed {sum(len(f) for _, _, f in os.walk(prefix))} files")


def deb(build, failures):
    with tempfile.TemporaryDirectory(prefix="ferry-deb-") as directory:
        run = subprocess.run(["cpack", "-G", "DEB", "--config", os.path.join(build, "CPackConfig.cmake"),
                              "-B", directory], capture_output=True, text=True)
        packages = glob.glob(os.path.join(directory, "ferry_*.deb"))
        if run.returncode != 0 or len(packages) != 1:
            failures.append(f"cpack -G DEB failed: {run.stdout}{run.stderr}")
            return
        package = packages[0]
        info = subprocess.run(["dpkg-deb", "--field", package, "Package", "Version", "Architecture", "Depends"],
                              capture_output=True, text=True, check=True).stdout
        print(info.strip())
        if "libmariadb3" not in info:
            failures.append("the package does not depend on libmariadb3 (dpkg-shlibdeps did not run?)")
        # Errors and warnings fail; info and pedantic tags are not shown by default.
        lint = subprocess.run(["lintian", "--fail-on", "error,warning", "--tag-display-limit", "0", package],
                              capture_output=True, text=True)
        print("lintian:", lint.stdout.strip() or "no tags")
        if lint.returncode != 0 or re.search(r"^[EW]: ", lint.stdout, re.M):
            failures.append(f"lintian reports errors or warnings (exit {lint.returncode}):\n{lint.stdout}{lint.stderr}")

        root = os.path.join(directory, "root")
        admin = os.path.join(root, "var/lib/dpkg")
        for sub in ("info", "updates", "triggers"):
            os.makedirs(os.path.join(admin, sub))
        for name in ("status", "available"):
            open(os.path.join(admin, name), "w").close()
        dpkg = ["dpkg", f"--root={root}", "--force-depends", "--force-not-root", "--force-script-chrootless",
                "--log=/dev/null"]
        run = subprocess.run(dpkg + ["-i", package], capture_output=True, text=True)
        if run.returncode != 0:
            failures.append(f"dpkg -i into a scratch root failed: {run.stdout}{run.stderr}")
            return
        status = subprocess.run(dpkg + ["-s", "ferry"], capture_output=True, text=True).stdout
        if "Status: install ok installed" not in status:
            failures.append(f"dpkg does not see ferry installed in the scratch root: {status}")
        check_tree(root, "/usr", failures)
        check_ferryd_runs(os.path.join(root, "usr/bin/ferryd"),
                          os.path.join(root, "usr/share/doc/ferry/examples/ferry.example.json"), failures)
        listed = subprocess.run(dpkg + ["-L", "ferry"], capture_output=True, text=True).stdout.split()
        files = [p for p in listed if os.path.isfile(root + p)]
        run = subprocess.run(dpkg + ["--purge", "ferry"], capture_output=True, text=True)
        left = [p for p in files if os.path.exists(root + p)]
        if run.returncode != 0 or left:
            failures.append(f"dpkg --purge failed or left files: {run.stdout}{run.stderr} {left[:5]}")
        print(f"the .deb installed {len(files)} files into a scratch root and removed them")
        if os.environ.get("FERRY_KEEP_DEB"):
            shutil.copy(package, os.environ["FERRY_KEEP_DEB"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["install", "deb"])
    parser.add_argument("--build", required=True)
    args = parser.parse_args()
    failures = []
    (install if args.what == "install" else deb)(args.build, failures)
    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
