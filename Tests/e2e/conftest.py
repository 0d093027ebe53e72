"""Shared fixtures for the Local App Runner end-to-end tests (`test_local_*.py`).

Nothing is built here: the tests use `.build/debug/runnerdeck` as `swift build` left it.
`serve` starts `runnerdeck serve --port 0 --seed none --operation-seconds 1 --state <tmp file>`, reads the
`listening on http://HOST:PORT` line (the real port) and yields a handle with `.url`, `.port`, `.process`
and `.client()`; `serve_factory` starts more servers with other arguments.
"""
import pathlib
import signal
import subprocess

import boto3
import pytest
from botocore.config import Config

ROOT = pathlib.Path(__file__).resolve().parents[2]
RUNNERDECK = ROOT / ".build" / "debug" / "runnerdeck"


def apprunner_client(url, key="AKIDEXAMPLE", secret="dummy-secret", region="us-east-1", **config):
    """A boto3 App Runner client for a local endpoint: dummy credentials unless given, no retries."""
    return boto3.client("apprunner", endpoint_url=url, region_name=region,
                        aws_access_key_id=key, aws_secret_access_key=secret,
                        config=Config(retries={"max_attempts": 1}, **config))


class Served:
    def __init__(self, process, url, stderr_first_line):
        self.process = process
        self.url = url
        self.port = int(url.rsplit(":", 1)[1])
        self.stderr_first_line = stderr_first_line

    def client(self, **kw):
        return apprunner_client(self.url, **kw)

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        return self.process.returncode


def start_serve(state, *args, seed="none", operation_seconds="1"):
    """Starts `runnerdeck serve` on a free port and waits for its `listening on` line."""
    if not RUNNERDECK.exists():
        pytest.skip(f"{RUNNERDECK} is not built (run swift build)")
    command = [str(RUNNERDECK), "serve", "--port", "0", "--seed", seed, "--operation-seconds", str(operation_seconds)]
    if state is not None:
        command += ["--state", str(state)]
    process = subprocess.Popen(command + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline().strip()
    if not line.startswith("listening on http://"):
        process.kill()
        raise RuntimeError(f"runnerdeck serve did not start: {line!r} {process.stderr.read()}")
    signed = "--access-key-id" in args
    first_error_line = "" if signed else process.stderr.readline().strip()
    return Served(process, line.split(" ", 2)[2], first_error_line)


@pytest.fixture(scope="module")
def serve(tmp_path_factory):
    served = start_serve(tmp_path_factory.mktemp("serve") / "state.sqlite")
    yield served
    served.stop()


@pytest.fixture
def serve_factory(tmp_path):
    started = []

    def factory(*args, state="default", **kw):
        path = tmp_path / f"state-{len(started)}.sqlite" if state == "default" else state
        served = start_serve(path, *args, **kw)
        started.append(served)
        return served

    yield factory
    for served in started:
        served.stop()
