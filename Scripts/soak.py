#!/usr/bin/env python3
"""Soak: the dashboard in tmux and `deploy --wait` in a loop against `runnerdeck serve --faults`.

Not part of CI (Tests/e2e/test_faults.py runs a short version). Usage:

    swift build && python3 Scripts/soak.py [--minutes 10] [--faults 0.2] [--seed 7]

What it checks and prints:
- every `deploy --wait` either succeeds or fails with a one-line reason (no hang, no crash);
- no action is lost or doubled: each successful deploy is exactly one START_DEPLOYMENT operation;
- the dashboard stays up, its resident memory is sampled (start, peak, end);
- after the faults stop (serve restarted on the same state without --faults) the dashboard shows
  every service with the status App Runner reports.
"""
import argparse
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

import boto3
from botocore.config import Config

ROOT = pathlib.Path(__file__).resolve().parents[1]
BIN = pathlib.Path(os.environ.get("RUNNERDECK_BIN") or ROOT / ".build" / "debug" / "runnerdeck")
SOCKET = "rd-soak-%d" % os.getpid()


def env():
    e = dict(os.environ)
    e.update(AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="secret", AWS_EC2_METADATA_DISABLED="true",
             AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_MAX_ATTEMPTS="6")
    e.pop("AWS_PROFILE", None)
    return e


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(state, port, faults=None, seed=None, access_log=None):
    argv = [str(BIN), "serve", "--port", str(port), "--state", str(state), "--seed", "demo", "--operation-seconds", "3",
            "--failure-probability", "0"]
    if access_log:
        argv += ["--access-log", str(access_log)]
    if faults:
        argv += ["--faults", faults, "--fault-seed", str(seed)]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline()
    if not line.startswith("listening on"):
        sys.exit("serve did not start: %r" % line)
    return process


def tmux(*args, check=True):
    return subprocess.run(["tmux", "-L", SOCKET, *args], capture_output=True, text=True, check=check, timeout=30)


def rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def count_deploys(boto, arn):
    count, token = 0, None
    for _ in range(1000):  # bounded: a listing that never ends is a bug, not a wait
        page = boto.list_operations(ServiceArn=arn, **({"NextToken": token} if token else {}))
        count += sum(1 for o in page.get("OperationSummaryList", []) if o["Type"] == "START_DEPLOYMENT")
        token = page.get("NextToken")
        if not token:
            break
    return count


def request_rates(access_log):
    """What the clients (dashboard, CLI) asked while faults were injected, from serve's access log:
    the request rate under errors stays what the retries and backoff allow."""
    try:
        lines = [l.split() for l in access_log.read_text().splitlines() if l.strip()]
    except OSError:
        return None
    if not lines:
        return None
    minutes = {}
    for fields in lines:
        minutes[fields[0][:16]] = minutes.get(fields[0][:16], 0) + 1
    failed = sum(1 for f in lines if len(f) == 5 and (f[3] == "cut" or not f[3].startswith("2")))
    return {"total": len(lines), "failed": failed, "per_minute": len(lines) / max(1, len(minutes)), "busiest": max(minutes.values())}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--faults", default="0.2")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    work = pathlib.Path(tempfile.mkdtemp(prefix="runnerdeck-soak-"))
    state, port = work / "state.sqlite", free_port()
    url = "http://127.0.0.1:%d" % port
    access_log = work / "access.log"
    server = serve(state, port, args.faults, args.seed, access_log)
    boto = boto3.client("apprunner", endpoint_url=url, region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE",
                        aws_secret_access_key="secret", config=Config(retries={"max_attempts": 10, "mode": "standard"}))

    pidfile = work / "dashboard.pid"
    log = work / "dashboard.log"
    command = "echo $$ > %s; exec env RUNNERDECK_LOG_FILE=%s %s --endpoint-url %s --region us-east-1 --refresh 2" % (pidfile, log, BIN, url)
    tmux("-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "40", "-s", "soak", "sh")
    tmux("send-keys", "-t", "soak", "-l", "sh -c '%s'" % command)
    tmux("send-keys", "-t", "soak", "Enter")
    deadline = time.time() + 30
    while not pidfile.exists() and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(3)
    pid = int(pidfile.read_text().strip())

    names = [s["ServiceName"] for s in boto.list_services()["ServiceSummaryList"] if s["Status"] == "RUNNING"]
    outcomes = {"succeeded": 0, "failed": 0}
    reasons = {}
    deployed = {}
    attempted = {}
    before = {s["ServiceName"]: count_deploys(boto, s["ServiceArn"]) for s in boto.list_services()["ServiceSummaryList"]}
    rss = [rss_kib(pid)]
    end = time.time() + args.minutes * 60
    round_ = 0
    while time.time() < end:
        name = names[round_ % len(names)]
        round_ += 1
        attempted[name] = attempted.get(name, 0) + 1
        p = subprocess.run([str(BIN), "deploy", name, "--wait", "--timeout", "120", "--endpoint-url", url, "--region", "us-east-1",
                            "--cli-read-timeout", "5", "--output", "json"], capture_output=True, text=True, timeout=300, env=env())
        if p.returncode == 0:
            outcomes["succeeded"] += 1
            deployed[name] = deployed.get(name, 0) + 1
        else:
            outcomes["failed"] += 1
            reason = re.sub(r"[0-9a-f-]{36}|\d+", "N", p.stderr.strip().splitlines()[-1] if p.stderr.strip() else "exit %d" % p.returncode)
            reasons[reason] = reasons.get(reason, 0) + 1
        rss.append(rss_kib(pid))
        if rss[-1] is None:
            print("the dashboard is gone")
            break

    # The faults stop: the same state, served without them.
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)
    server = serve(state, port)
    time.sleep(15)
    screen = tmux("capture-pane", "-p", "-t", "soak").stdout
    mismatches = []
    for s in boto.list_services()["ServiceSummaryList"]:
        line = next((l for l in screen.splitlines() if s["ServiceName"] in l), None)
        shown = s["Status"].replace("_", " ").replace("OPERATION IN PROGRESS", "IN PROGRESS")
        if line is not None and shown not in line:
            mismatches.append((s["ServiceName"], s["Status"], line.strip()))
    alive = rss_kib(pid) is not None
    # No action lost (each successful deploy is an operation) and none doubled (no more operations than tries).
    accounting = []
    for s in boto.list_services()["ServiceSummaryList"]:
        name = s["ServiceName"]
        started = count_deploys(boto, s["ServiceArn"]) - before.get(name, 0)
        if started < deployed.get(name, 0) or started > attempted.get(name, 0):
            accounting.append((name, "operations %d, succeeded %d, tried %d" % (started, deployed.get(name, 0), attempted.get(name, 0))))
    tmux("send-keys", "-t", "soak", "q")
    time.sleep(1)
    tmux("kill-server", check=False)
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)

    print("soak: %.1f min at faults %s (seed %d)" % (args.minutes, args.faults, args.seed))
    print("deploys: %(succeeded)d succeeded, %(failed)d failed" % outcomes)
    for reason, count in sorted(reasons.items(), key=lambda r: -r[1]):
        print("  %4d x %s" % (count, reason))
    samples = [r for r in rss if r]
    if samples:
        print("dashboard RSS: start %d KiB, peak %d KiB, end %d KiB" % (samples[0], max(samples), samples[-1]))
    print("dashboard alive at the end: %s" % alive)
    print("rows that disagree with App Runner after the faults stopped: %s" % (mismatches or "none"))
    print("deploys lost or doubled: %s" % (accounting or "none"))
    rates = request_rates(access_log)
    if rates:
        print("requests during the faults: %(total)d (%(failed)d answered with an error or cut), %(per_minute).0f/min on average, "
              "busiest minute %(busiest)d" % rates)
    return 0 if alive and not mismatches and not accounting else 1


if __name__ == "__main__":
    sys.exit(main())
