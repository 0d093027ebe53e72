"""Starts `runnerdeck serve` for the Local App Runner end-to-end tests and builds boto3 clients for it."""
import os
import pathlib
import socket
import subprocess
import time

import boto3
from botocore.config import Config

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = ROOT / ".build" / "debug" / "runnerdeck"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, tmp_path, *args, state=None, port=None):
        self.port = port or free_port()
        self.state = state or (tmp_path / "apprunner.sqlite")
        self.args = args
        self.process = None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self):
        self.process = subprocess.Popen(
            [str(BIN), "serve", "--port", str(self.port), "--state", str(self.state), *self.args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        assert line.strip() == f"listening on {self.url}", line + (self.process.stderr.read() if self.process.poll() is not None else "")
        return self

    def stop(self, sig=None):
        if self.process and self.process.poll() is None:
            if sig is None:
                self.process.terminate()
            else:
                self.process.send_signal(sig)
            self.process.wait(timeout=10)
        return self.process.returncode if self.process else None

    def client(self, key="AKIDEXAMPLE", secret="secret", **kw):
        return boto3.client("apprunner", endpoint_url=self.url, region_name="us-east-1",
                            aws_access_key_id=key, aws_secret_access_key=secret,
                            config=Config(retries={"max_attempts": 1}, **kw))


def wait_for(fn, predicate, timeout=20, interval=0.1):
    deadline = time.time() + timeout
    value = fn()
    while not predicate(value):
        if time.time() > deadline:
            raise AssertionError(f"timed out; last value {value!r}")
        time.sleep(interval)
        value = fn()
    return value


def aws_env():
    env = dict(os.environ)
    env.update(AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="secret", AWS_DEFAULT_REGION="us-east-1",
               AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    env.pop("AWS_PROFILE", None)
    return env
