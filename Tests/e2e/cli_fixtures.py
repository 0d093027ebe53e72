"""Fixtures for the runnerdeck CLI end-to-end tests: a `runnerdeck serve` of our own (started by
conftest's `serve_module_factory`) and helpers that run `runnerdeck` and `aws apprunner` against it."""
import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from conftest import RUNNERDECK as BIN

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

    def call(self, operation, body=None, env=None):
        p = self.rd("call", operation, "--input", json.dumps(body or {}), env=env)
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

    def create_service(self, name, env=None, **extra):
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
        return self.call("CreateService", body, env=env)["Service"]

    def wait_status(self, arn, status, limit=60):
        deadline = time.time() + limit
        while time.time() < deadline:
            service = self.call("DescribeService", {"ServiceArn": arn})["Service"]
            if service["Status"] == status:
                return service
            time.sleep(0.1)
        raise AssertionError(f"{arn} never reached {status}")


@pytest.fixture(scope="module")
def cli_endpoint(serve_module_factory):
    return Endpoint(serve_module_factory(operation_seconds=1).url)


@pytest.fixture(scope="module")
def slow_endpoint(serve_module_factory):
    """A second server, seeded with the demo fleet, whose operations take a minute: for --timeout and SIGINT."""
    return Endpoint(serve_module_factory(operation_seconds=60, seed="demo").url)
