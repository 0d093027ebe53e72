"""`runnerdeck serve --faults`: every kind of injected fault reaches the CLI as words, and a short
soak (the CI version of Scripts/soak.sh) shows that actions survive 20 % faults and the state converges.
"""
import json
import os
import subprocess
import time

import pytest
from botocore.config import Config

from conftest import RUNNERDECK, aws_env, wait_for


def rd(endpoint, *args, timeout=90, attempts=None):
    env = aws_env()
    if attempts is not None:
        env["AWS_MAX_ATTEMPTS"] = str(attempts)
    return subprocess.run([str(RUNNERDECK), *args, "--endpoint-url", endpoint.url, "--region", "us-east-1"],
                          capture_output=True, text=True, timeout=timeout, env=env)


@pytest.mark.parametrize("kind,words,code", [
    # The service answered (254), or the network failed (255): the AWS CLI's classes.
    ("throttle", "ThrottlingException: Rate exceeded", 254),
    ("500", "InternalServiceErrorException", 254),
    ("503", "ServiceUnavailableException", 254),
    # A reset may reach the client as a reset or, when it lands before the request is read, as the
    # connection closing: either way it says what happened, never "could not connect".
    ("reset", ("was reset", "closed the connection before answering"), 255),
    ("truncate", "cut off after", 255),
])
def test_each_fault_kind_reads_as_what_happened(serve_factory, kind, words, code):
    endpoint = serve_factory("--faults", f"1:{kind}", "--fault-seed", "1", state=None)
    p = rd(endpoint, "services", "--output", "text", attempts=2)
    assert p.returncode == code, (p.returncode, p.stdout, p.stderr)
    assert any(w in p.stderr for w in ((words,) if isinstance(words, str) else words)), p.stderr
    assert "Dictionary<" not in p.stderr and "Swift." not in p.stderr
    assert "could not connect" not in p.stderr


def test_a_silent_server_is_cut_off_by_the_read_timeout(serve_factory):
    endpoint = serve_factory("--faults", "1:silent", state=None)
    started = time.monotonic()
    p = rd(endpoint, "services", "--cli-read-timeout", "1", attempts=2, timeout=60)
    assert p.returncode == 255
    assert "timed out" in p.stderr
    assert time.monotonic() - started < 20


def test_latency_delays_but_answers(serve_factory):
    endpoint = serve_factory("--faults", "1:latency", state=None)
    p = rd(endpoint, "services", "--output", "json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["ServiceSummaryList"] == []


def test_a_bad_faults_value_is_a_usage_error():
    p = subprocess.run([str(RUNNERDECK), "serve", "--faults", "0.2:teapot"], capture_output=True, text=True, timeout=30)
    assert p.returncode == 252
    assert "unknown fault kind 'teapot'" in p.stderr


def test_actions_survive_twenty_percent_faults_and_the_state_converges(serve_factory):
    """The short soak: create, then pause/resume/deploy with --wait against 20 % faults. With the
    standard retries (6 attempts here) every action lands once, and the final state is what was asked."""
    endpoint = serve_factory("--faults", "0.2:throttle,500,503,reset,truncate,latency", "--fault-seed", "7", state=None)
    import boto3
    boto = boto3.client("apprunner", endpoint_url=endpoint.url, region_name="us-east-1",
                        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
                        config=Config(retries={"max_attempts": 10, "mode": "standard"}))
    arn = boto.create_service(ServiceName="soak-web", SourceConfiguration={"ImageRepository": {
        "ImageIdentifier": "public.ecr.aws/nginx/nginx:latest", "ImageRepositoryType": "ECR_PUBLIC"}})["Service"]["ServiceArn"]
    wait_for(lambda: boto.describe_service(ServiceArn=arn)["Service"]["Status"], lambda s: s == "RUNNING", timeout=30)
    for action in ["pause", "resume", "deploy", "pause", "resume"]:
        p = rd(endpoint, action, arn, "--wait", "--timeout", "60", "--output", "json", attempts=6, timeout=120)
        assert p.returncode == 0, f"{action}: {p.stderr}"
        assert json.loads(p.stdout)["Operation"]["Status"] == "SUCCEEDED"
    ops = boto.list_operations(ServiceArn=arn)["OperationSummaryList"]
    kinds = [o["Type"] for o in ops]
    # Nothing lost and nothing doubled: exactly the five actions after the create, newest first.
    assert kinds == ["RESUME_SERVICE", "PAUSE_SERVICE", "START_DEPLOYMENT", "RESUME_SERVICE", "PAUSE_SERVICE", "CREATE_SERVICE"], kinds
    assert all(o["Status"] == "SUCCEEDED" for o in ops)
    assert boto.describe_service(ServiceArn=arn)["Service"]["Status"] == "RUNNING"


def test_sigterm_is_not_held_by_a_silent_fault(serve_factory):
    endpoint = serve_factory("--faults", "1:silent", state=None)
    client = subprocess.Popen([str(RUNNERDECK), "services", "--endpoint-url", endpoint.url, "--region", "us-east-1",
                               "--cli-read-timeout", "60"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=aws_env())
    try:
        time.sleep(1.5)  # the request is being held
        started = time.monotonic()
        assert endpoint.stop(timeout=15) == 0
        assert time.monotonic() - started < 10
    finally:
        client.kill()
        client.wait(timeout=10)


def test_a_failing_call_is_tried_as_many_times_as_configured(serve_factory, tmp_path):
    """The request rate under errors, from the CLI: a call that keeps failing is sent max-attempts
    times (3 by default, AWS_MAX_ATTEMPTS otherwise), never more, and the access log shows each."""
    log = tmp_path / "access.log"
    endpoint = serve_factory("--faults", "1:throttle", "--access-log", log, state=None)
    p = rd(endpoint, "services")
    assert p.returncode == 254 and "ThrottlingException" in p.stderr
    assert len(log.read_text().splitlines()) == 3
    p = rd(endpoint, "services", attempts=5)
    assert p.returncode == 254
    lines = log.read_text().splitlines()
    assert len(lines) == 8, lines
    time_, peer, target, status, took = lines[-1].split()
    assert time_.endswith("Z") and "T" in time_ and peer == "127.0.0.1"
    assert (target, status) == ("AppRunner.ListServices", "400"), lines[-1]  # AWS JSON throttling is a 400
    assert took.endswith("ms")


def test_an_access_log_that_cannot_be_written_is_a_clear_error(tmp_path):
    p = subprocess.run([str(RUNNERDECK), "serve", "--port", "0", "--access-log", str(tmp_path / "missing" / "access.log")],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 252
    assert "cannot write the access log" in p.stderr and "missing/access.log" in p.stderr
