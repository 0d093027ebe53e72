"""Fixtures for the runnerdeck CLI end-to-end tests: a `runnerdeck serve` of our own and helpers
that run `runnerdeck` and `aws apprunner` against it."""
import json
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("RUNNERDECK_BIN", ROOT / ".build" / "debug" / "runnerdeck"))

# Dummy credentials and a fixed region: Local App Runner accepts any signed request.
ENV = dict(os.environ)
ENV.update({
    "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_CONFIG_FILE": "/nonexistent/runnerdeck-e2e/config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/runnerdeck-e2e/credentials",
    "NO_COLOR": "",
    "RUNNERDECK_POLL_INTERVAL_MS": "100",
    "TZ": "UTC",
})
ENV.pop("AWS_PROFILE", None)
ENV.pop("AWS_ENDPOINT_URL", None)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Endpoint:
    def __init__(self, url):
        self.url = url

    def rd(self, *args, input=None, timeout=120, env=None):
        """Runs runnerdeck with --endpoint-url; returns the CompletedProcess (text)."""
        return subprocess.run([str(BIN), *args, "--endpoint-url", self.url], capture_output=True, text=True,
                              input=input, timeout=timeout, env=env or ENV)

    def rd_json(self, *args):
        p = self.rd(*args, "--output", "json")
        assert p.returncode == 0, p.stderr
        return json.loads(p.stdout)

    def call(self, operation, body=None):
        p = self.rd("call", operation, "--input", json.dumps(body or {}))
        assert p.returncode == 0, f"{operation}: {p.stderr}"
        return json.loads(p.stdout)

    def aws(self, *args):
        # AWS CLI v2 prints ISO 8601 timestamps by default; v1 (installed here) needs this setting.
        config = Path(__file__).resolve().parent / "cli_aws_config"
        env = dict(ENV, AWS_CONFIG_FILE=str(config))
        p = subprocess.run(["aws", "apprunner", *args, "--endpoint-url", self.url, "--output", "json",
                            "--region", "us-east-1"], capture_output=True, text=True, timeout=120, env=env)
        assert p.returncode == 0, p.stderr
        return json.loads(p.stdout) if p.stdout.strip() else {}

    def create_service(self, name, **extra):
        body = {
            "ServiceName": name,
            "SourceConfiguration": {
                "ImageRepository": {
                    "ImageIdentifier": "public.ecr.aws/aws-containers/hello-app-runner:latest",
                    "ImageRepositoryType": "ECR_PUBLIC",
                    "ImageConfiguration": {"Port": "8000", "RuntimeEnvironmentVariables": {"MODE": "test"}},
                },
                "AutoDeploymentsEnabled": False,
            },
        }
        body.update(extra)
        return self.call("CreateService", body)["Service"]

    def wait_status(self, arn, status, limit=60):
        deadline = time.time() + limit
        while time.time() < deadline:
            service = self.call("DescribeService", {"ServiceArn": arn})["Service"]
            if service["Status"] == status:
                return service
            time.sleep(0.1)
        raise AssertionError(f"{arn} never reached {status}")


def start_serve(tmp_path, operation_seconds=1, seed="none", extra_args=()):
    usage = subprocess.run([str(BIN), "serve", "--help"], capture_output=True, text=True, env=ENV).stdout
    if "--port" not in usage:
        pytest.skip("runnerdeck serve (Local App Runner) is not in this build yet")
    port = free_port()
    state = tmp_path / "apprunner.sqlite"
    process = subprocess.Popen([str(BIN), "serve", "--port", str(port), "--state", str(state), "--seed", seed,
                                "--operation-seconds", str(operation_seconds), *extra_args],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=ENV)
    deadline = time.time() + 30
    while time.time() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            if "not available in this build" in output:
                pytest.skip("runnerdeck serve is not in this build yet")
            raise RuntimeError("runnerdeck serve exited: " + output)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("runnerdeck serve did not start listening")


@pytest.fixture(scope="module")
def cli_endpoint(tmp_path_factory):
    process, url = start_serve(tmp_path_factory.mktemp("cli"))
    try:
        yield Endpoint(url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def slow_endpoint(tmp_path_factory):
    """A second server, seeded with the demo fleet, whose operations take a minute: for --timeout and SIGINT."""
    process, url = start_serve(tmp_path_factory.mktemp("slow"), operation_seconds=60, seed="demo")
    try:
        yield Endpoint(url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
