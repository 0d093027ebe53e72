"""The one place the end-to-end tests start `runnerdeck serve`, plus a time limit for every test.

Nothing is built here: the tests use `.build/debug/runnerdeck` as `swift build` left it (or $RUNNERDECK_BIN).

Fixtures:
- `serve` (module scope): `runnerdeck serve --port 0 --seed none --operation-seconds 1 --state <tmp file>`.
- `serve_factory` (function scope) and `serve_module_factory` (module scope): `factory(*args, state=…,
  seed="none", operation_seconds="1", port=0)` starts another server; every server a factory started
  is stopped when the factory's scope ends. `state="default"` is a fresh file in a temporary directory,
  `state=None` keeps state in memory; `operation_seconds=None` leaves the server's default.
Each returns a `Served` with `.url`, `.port`, `.state`, `.process`, `.stderr_first_line`, `.stderr_text()`,
`.client(key, secret, **config)` (boto3, no retries) and `.stop(sig=SIGTERM)` (returns the exit status).

A server that does not print `listening on http://HOST:PORT` within SERVE_START_TIMEOUT seconds fails
the test. Every test (setup, call and teardown each) fails after TEST_TIME_LIMIT seconds, or after
`@pytest.mark.time_limit(seconds)`.
"""
import contextlib
import os
import pathlib
import queue
import signal
import subprocess
import threading
import time

import boto3
import pytest
from botocore.config import Config

ROOT = pathlib.Path(__file__).resolve().parents[2]
RUNNERDECK = pathlib.Path(os.environ.get("RUNNERDECK_BIN") or ROOT / ".build" / "debug" / "runnerdeck")
SERVE_START_TIMEOUT = float(os.environ.get("RUNNERDECK_E2E_START_TIMEOUT", "20"))
TEST_TIME_LIMIT = float(os.environ.get("RUNNERDECK_E2E_TEST_TIMEOUT", "300"))


# ---- helpers the test modules import ---------------------------------------------------------

def apprunner_client(url, key="AKIDEXAMPLE", secret="dummy-secret", region="us-east-1", **config):
    """A boto3 App Runner client for a local endpoint: dummy credentials unless given, no retries."""
    return boto3.client("apprunner", endpoint_url=url, region_name=region,
                        aws_access_key_id=key, aws_secret_access_key=secret,
                        config=Config(retries={"max_attempts": 1}, **config))


def wait_for(fn, predicate, timeout=20, interval=0.1):
    """Calls `fn` until `predicate(value)` holds and returns that value; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    value = fn()
    while not predicate(value):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s; last value {value!r}")
        time.sleep(interval)
        value = fn()
    return value


def aws_env():
    """The environment for the AWS CLI against a local endpoint: dummy credentials, no profile, no IMDS."""
    env = dict(os.environ)
    env.update(AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY="secret", AWS_DEFAULT_REGION="us-east-1",
               AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")
    env.pop("AWS_PROFILE", None)
    return env


# ---- starting `runnerdeck serve` -------------------------------------------------------------

class _Lines:
    """Reads a text pipe on a daemon thread: a reader waits for a line with a deadline, and the pipe
    never fills up and blocks the server."""

    def __init__(self, stream):
        self._queue = queue.Queue()
        self.seen = []
        self.thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self.thread.start()

    def _pump(self, stream):
        try:
            for line in stream:
                self.seen.append(line)
                self._queue.put(line)
        except (OSError, ValueError):
            pass
        self._queue.put(None)

    def next(self, deadline):
        """The next line; None at end of file; raises TimeoutError at `deadline` (time.monotonic())."""
        try:
            return self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise TimeoutError from None


class Served:
    """A running `runnerdeck serve`."""

    def __init__(self, process, url, state, stdout, stderr, stderr_first_line):
        self.process = process
        self.url = url
        self.port = int(url.rsplit(":", 1)[1])
        self.state = state
        self._stdout = stdout
        self._stderr = stderr
        self.stderr_first_line = stderr_first_line

    def client(self, key="AKIDEXAMPLE", secret="dummy-secret", **config):
        return apprunner_client(self.url, key=key, secret=secret, **config)

    def stderr_text(self):
        """Everything the server wrote to stderr so far."""
        return "".join(self._stderr.seen)

    def stop(self, sig=signal.SIGTERM, timeout=15):
        """Sends `sig` (if still running), waits up to `timeout` s (then kills) and returns the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        return self.process.returncode


def start_serve(state, *args, seed="none", operation_seconds="1", port=0, timeout=None, command=None):
    """Starts `runnerdeck serve` (`command` replaces the binary, for the fixtures' own tests) and waits
    up to `timeout` seconds for its `listening on` line; fails the test if it never comes."""
    if command is None:
        if not RUNNERDECK.exists():
            pytest.skip(f"{RUNNERDECK} is not built (run swift build)")
        command = [str(RUNNERDECK)]
    timeout = SERVE_START_TIMEOUT if timeout is None else timeout
    argv = [*command, "serve", "--port", str(port), "--seed", seed]
    if operation_seconds is not None:
        argv += ["--operation-seconds", str(operation_seconds)]
    if state is not None:
        argv += ["--state", str(state)]
    argv += [str(arg) for arg in args]
    process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout, stderr = _Lines(process.stdout), _Lines(process.stderr)
    deadline = time.monotonic() + timeout

    def fail(why):
        process.kill()
        process.wait(timeout=5)
        stdout.thread.join(timeout=2)  # the pipes end with the process: collect its last words
        stderr.thread.join(timeout=2)
        pytest.fail(f"runnerdeck serve {why}\ncommand: {' '.join(argv)}\nstdout: {''.join(stdout.seen)!r}\n"
                    f"stderr: {''.join(stderr.seen)!r}", pytrace=False)

    try:
        line = stdout.next(deadline)
    except TimeoutError:
        fail(f"printed no `listening on` line within {timeout:g} s")
    if line is None or not line.startswith("listening on http://"):
        fail(f"did not start (exit status {process.poll()})")
    first_error_line = ""
    if "--access-key-id" not in args:  # unsigned: the server warns on stderr at once
        try:
            first_error_line = (stderr.next(deadline) or "").strip()
        except TimeoutError:
            fail(f"printed no warning about unsigned requests within {timeout:g} s")
    return Served(process, line.strip().split(" ", 2)[2], state, stdout, stderr, first_error_line)


class _Factory:
    def __init__(self, directory):
        self.directory = directory
        self.started = []

    def __call__(self, *args, state="default", **kw):
        if state == "default":
            state = self.directory / f"state-{len(self.started)}.sqlite"
        served = start_serve(state, *args, **kw)
        self.started.append(served)
        return served

    def stop_all(self):
        for served in self.started:
            served.stop()


@pytest.fixture(scope="module")
def serve(tmp_path_factory):
    served = start_serve(tmp_path_factory.mktemp("serve") / "state.sqlite")
    yield served
    served.stop()


@pytest.fixture
def serve_factory(tmp_path):
    factory = _Factory(tmp_path)
    yield factory
    factory.stop_all()


@pytest.fixture(scope="module")
def serve_module_factory(tmp_path_factory):
    factory = _Factory(tmp_path_factory.mktemp("serve"))
    yield factory
    factory.stop_all()


# ---- a time limit for every test -------------------------------------------------------------

class TestTimeLimitExceeded(Exception):
    __test__ = False  # not a test class


def pytest_configure(config):
    config.addinivalue_line("markers", "time_limit(seconds): fail the test's setup, call or teardown after this many seconds")


@contextlib.contextmanager
def _time_limit(item, when):
    """Arms SIGALRM around one phase of a test; an overrun raises in the test's own thread (pytest
    reports it as that phase's failure) instead of hanging the run."""
    marker = item.get_closest_marker("time_limit")
    seconds = float(marker.args[0]) if marker else TEST_TIME_LIMIT
    if seconds <= 0 or not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum, frame):
        raise TestTimeLimitExceeded(f"{item.nodeid}: {when} exceeded the time limit of {seconds:g} s "
                                    f"(RUNNERDECK_E2E_TEST_TIMEOUT or @pytest.mark.time_limit)")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL if previous is None else previous)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    with _time_limit(item, "setup"):
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    with _time_limit(item, "call"):
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item):
    with _time_limit(item, "teardown"):
        yield
