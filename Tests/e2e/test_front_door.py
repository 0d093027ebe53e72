"""Local App Runner's front door as an attacker or a careless client meets it: which SigV4 requests the
endpoint refuses (AWS's signed-header policy, session tokens, ambiguous Authorization), that a refused
request is answered before its body is read, and that the usual clients (boto3, the AWS CLI, curl
--aws-sigv4) still get through. Drives a real `runnerdeck serve` over loopback sockets; every wait is bounded."""
import datetime
import hashlib
import hmac
import json
import os
import shutil
import socket
import subprocess
import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from conftest import RUNNERDECK, apprunner_client

KEY = "AKIDFRONTDOOR"
SECRET = "front-door-secret"
IMAGE = {"ImageRepository": {"ImageIdentifier": "public.ecr.aws/aws-containers/hello-app-runner:latest",
                             "ImageRepositoryType": "ECR_PUBLIC"}}


def sigv4_headers(host, body, headers, signed, key=KEY, secret=SECRET, region="us-east-1", service="apprunner", when=None):
    """A SigV4 Authorization over exactly the header names in `signed` (lower case; `host` comes from `host`).
    Returns the headers to send, `Authorization` and `X-Amz-Date` included (the date is sent whether signed or not)."""
    when = when or datetime.datetime.now(datetime.timezone.utc)
    amz_date = when.strftime("%Y%m%dT%H%M%SZ")
    day = amz_date[:8]
    sent = dict(headers)
    sent["X-Amz-Date"] = amz_date
    values = {"host": host}
    for name, value in sent.items():
        values.setdefault(name.lower(), value.strip())
    names = sorted(signed)
    canonical_headers = "".join(f"{name}:{values[name]}\n" for name in names)
    canonical = "\n".join(["POST", "/", "", canonical_headers, ";".join(names), hashlib.sha256(body).hexdigest()])
    scope = f"{day}/{region}/{service}/aws4_request"
    string_to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    signing_key = ("AWS4" + secret).encode()
    for part in (day, region, service, "aws4_request"):
        signing_key = hmac.new(signing_key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(signing_key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    sent["Authorization"] = f"AWS4-HMAC-SHA256 Credential={key}/{scope}, SignedHeaders={';'.join(names)}, Signature={signature}"
    return sent


def exchange(port, head_lines, body=b"", timeout=5.0, shut_write=False):
    """Sends a raw request (head lines plus body) and returns (status, headers, body, seconds until the answer).
    Reads until the answer's Content-Length is complete; never waits longer than `timeout`."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(("\r\n".join(head_lines) + "\r\n\r\n").encode() + body)
        if shut_write:
            sock.shutdown(socket.SHUT_WR)
        data = b""
        deadline = started + timeout
        while True:
            if b"\r\n\r\n" in data:
                head, _, rest = data.partition(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0"))
                if len(rest) >= length:
                    return int(lines[0].split()[1]), headers, rest[:length], time.monotonic() - started
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no complete answer within {timeout} s; got {data!r}")
            sock.settimeout(remaining)
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                raise AssertionError(f"no complete answer within {timeout} s; got {data!r}")
            if not chunk:
                raise AssertionError(f"connection closed; got {data!r}")
            data += chunk


def post(served, target, body, headers):
    lines = ["POST / HTTP/1.1", f"Host: 127.0.0.1:{served.port}", f"Content-Length: {len(body)}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    status, response_headers, response_body, _ = exchange(served.port, lines, body)
    return status, json.loads(response_body or b"{}"), response_headers


def json_headers(target):
    return {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": target}


@pytest.fixture
def signed(serve_factory):
    return serve_factory("--access-key-id", KEY, "--secret-access-key", SECRET)


def test_a_captured_request_cannot_be_turned_into_another_operation(signed):
    client = apprunner_client(signed.url, key=KEY, secret=SECRET)
    arn = client.create_service(ServiceName="front-door", SourceConfiguration=IMAGE)["Service"]["ServiceArn"]
    deadline = time.monotonic() + 30
    while client.describe_service(ServiceArn=arn)["Service"]["Status"] != "RUNNING":
        assert time.monotonic() < deadline, "the service never became RUNNING"
        time.sleep(0.2)
    host = f"127.0.0.1:{signed.port}"
    body = json.dumps({"ServiceArn": arn}).encode()
    # A DescribeService signed over content-type, host and x-amz-date only; X-Amz-Target is not signed.
    captured = sigv4_headers(host, body, json_headers("AppRunner.DescribeService"), ["content-type", "host", "x-amz-date"])
    status, document, _ = post(signed, "", body, captured)
    assert (status, document["__type"]) == (403, "InvalidSignatureException"), document
    assert "x-amz-target" in document["Message"].lower()
    swapped = dict(captured, **{"X-Amz-Target": "AppRunner.PauseService"})
    status, document, _ = post(signed, "", body, swapped)
    assert (status, document["__type"]) == (403, "InvalidSignatureException"), document
    assert client.describe_service(ServiceArn=arn)["Service"]["Status"] == "RUNNING"
    # Signed over X-Amz-Target but not over the Content-Type that is sent.
    no_type = sigv4_headers(host, body, json_headers("AppRunner.DescribeService"), ["host", "x-amz-date", "x-amz-target"])
    status, document, _ = post(signed, "", body, no_type)
    assert (status, document["__type"]) == (403, "InvalidSignatureException"), document
    assert "content-type" in document["Message"].lower()
    # The same request signed over everything it carries is answered.
    full = sigv4_headers(host, body, json_headers("AppRunner.DescribeService"), ["content-type", "host", "x-amz-date", "x-amz-target"])
    status, document, _ = post(signed, "", body, full)
    assert status == 200 and document["Service"]["ServiceArn"] == arn, document


def test_host_and_x_amz_date_must_be_signed(signed):
    host = f"127.0.0.1:{signed.port}"
    body = b"{}"
    for names, missing in [(["content-type", "x-amz-date", "x-amz-target"], "host"),
                           (["content-type", "host", "x-amz-target"], "x-amz-date")]:
        headers = sigv4_headers(host, body, json_headers("AppRunner.ListServices"), names)
        status, document, _ = post(signed, "", body, headers)
        assert (status, document["__type"]) == (403, "InvalidSignatureException"), (missing, document)
        assert missing in document["Message"].lower(), document


def test_two_authorization_headers_are_refused(signed):
    host = f"127.0.0.1:{signed.port}"
    body = b"{}"
    good = sigv4_headers(host, body, json_headers("AppRunner.ListServices"), ["content-type", "host", "x-amz-date", "x-amz-target"])
    lines = ["POST / HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in good.items()]
    status, _, _, _ = exchange(signed.port, lines, body)
    assert status == 200
    for second in [good["Authorization"], "AWS4-HMAC-SHA256 Credential=AKIDOTHER/20200101/us-east-1/apprunner/aws4_request, SignedHeaders=host, Signature=00"]:
        status, headers, answer, _ = exchange(signed.port, lines + [f"Authorization: {second}"], body)
        document = json.loads(answer)
        assert status == 403, document
        assert headers["x-amzn-errortype"] == document["__type"]
        assert "authorization" in document["Message"].lower(), document


def token_client(url, token):
    return boto3.client("apprunner", endpoint_url=url, region_name="us-east-1", aws_access_key_id=KEY,
                        aws_secret_access_key=SECRET, aws_session_token=token, config=Config(retries={"max_attempts": 1}))


def test_a_session_token_the_server_did_not_issue_is_refused(signed):
    with pytest.raises(ClientError) as refused:
        token_client(signed.url, "not-issued-here").list_services()
    error = refused.value.response
    assert (error["ResponseMetadata"]["HTTPStatusCode"], error["Error"]["Code"]) == (403, "UnrecognizedClientException")
    assert error["Error"]["Message"] == "The security token included in the request is invalid."


def test_a_configured_session_token_is_required_and_accepted(serve_factory):
    served = serve_factory("--access-key-id", KEY, "--secret-access-key", SECRET, "--session-token", "issued-token")
    assert token_client(served.url, "issued-token").list_services()["ServiceSummaryList"] == []
    for token in [None, "another-token"]:
        with pytest.raises(ClientError) as refused:
            token_client(served.url, token).list_services()
        assert refused.value.response["Error"]["Code"] == "UnrecognizedClientException", token


def test_a_refused_request_is_answered_before_its_body(signed):
    # Headers announcing 1 MiB, and no body at all: the answer must not wait for it.
    for authorization in [None, "AWS4-HMAC-SHA256 Credential=AKIDUNKNOWN/20200101/us-east-1/apprunner/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"]:
        lines = ["POST / HTTP/1.1", f"Host: 127.0.0.1:{signed.port}", "Content-Length: 1048576",
                 "Content-Type: application/x-amz-json-1.0", "X-Amz-Target: AppRunner.ListServices",
                 "X-Amz-Date: " + datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")]
        if authorization:
            lines.append("Authorization: " + authorization)
        status, headers, body, seconds = exchange(signed.port, lines, timeout=5)
        assert status == 403, body
        assert json.loads(body)["__type"] in ("MissingAuthenticationTokenException", "UnrecognizedClientException", "InvalidSignatureException")
        assert seconds < 5
    # The server still answers signed requests.
    assert apprunner_client(signed.url, key=KEY, secret=SECRET).list_services()["ServiceSummaryList"] == []


@pytest.mark.parametrize("args", [["--access-key-id", "", "--secret-access-key", SECRET],
                                  ["--access-key-id", KEY, "--secret-access-key", ""],
                                  ["--access-key-id", KEY, "--secret-access-key", SECRET, "--session-token", ""]])
def test_empty_credentials_are_a_usage_error(args):
    if not RUNNERDECK.exists():
        pytest.skip("runnerdeck is not built")
    out = subprocess.run([str(RUNNERDECK), "serve", "--port", "0", *args], capture_output=True, text=True, timeout=30)
    assert out.returncode == 252, (out.returncode, out.stdout, out.stderr)
    assert "must not be empty" in out.stderr


def test_boto3_the_aws_cli_and_curl_still_get_through(signed):
    assert apprunner_client(signed.url, key=KEY, secret=SECRET).list_services()["ServiceSummaryList"] == []
    env = {"PATH": os.environ["PATH"], "AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET,
           "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true",
           "HOME": os.environ.get("HOME", "/tmp")}
    if shutil.which("aws"):
        out = subprocess.run(["aws", "apprunner", "list-services", "--endpoint-url", signed.url, "--region", "us-east-1",
                              "--output", "json"], capture_output=True, text=True, env=env, timeout=60)
        assert out.returncode == 0, out.stderr
    if shutil.which("curl"):
        out = subprocess.run(["curl", "-sS", "--max-time", "20", "--aws-sigv4", "aws:amz:us-east-1:apprunner", "--user", f"{KEY}:{SECRET}",
                              "-H", "Content-Type: application/x-amz-json-1.0", "-H", "X-Amz-Target: AppRunner.ListServices",
                              "-d", "{}", "-w", "\n%{http_code}", signed.url + "/"], capture_output=True, text=True, timeout=30)
        body, _, code = out.stdout.rpartition("\n")
        assert code == "200", (out.stdout, out.stderr)
        assert json.loads(body) == {"ServiceSummaryList": []}


class MisbehavingServer:
    """A loopback TCP server that reads a request and then stays silent or dribbles a byte every 0.2 s.
    Every connection thread ends by itself within 30 s."""

    def __init__(self, mode):
        import threading
        self.mode = mode
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        import threading
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self.serve, args=(connection,), daemon=True).start()

    def serve(self, connection):
        connection.settimeout(30)
        try:
            with connection:
                connection.recv(65536)
                if self.mode == "dribble":
                    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 100000\r\n\r\n")
                    for _ in range(150):
                        connection.sendall(b" ")
                        time.sleep(0.2)
                else:
                    while connection.recv(65536):
                        pass
        except OSError:
            pass

    def close(self):
        self.listener.close()


@pytest.mark.parametrize("mode", ["silent", "dribble"])
def test_the_cli_gives_up_at_its_read_timeout(mode):
    if not RUNNERDECK.exists():
        pytest.skip("runnerdeck is not built")
    server = MisbehavingServer(mode)
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET,
           "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true",
           "AWS_MAX_ATTEMPTS": "2"}
    try:
        started = time.monotonic()
        out = subprocess.run([str(RUNNERDECK), "services", "--endpoint-url", f"http://127.0.0.1:{server.port}", "--region", "us-east-1",
                              "--cli-read-timeout", "1", "--cli-connect-timeout", "2", "--output", "json"],
                             capture_output=True, text=True, env=env, timeout=60)
        seconds = time.monotonic() - started
    finally:
        server.close()
    assert out.returncode != 0
    assert "read timeout of 1 s" in out.stderr, out.stderr
    # Two attempts of 1 s and one backoff (at most 2 s): far from the 30 s the server would hold a call.
    assert seconds < 20, seconds
    assert server.connections == 2


@pytest.mark.parametrize("value", ["-1", "soon", "nan"])
def test_timeouts_must_be_seconds(value):
    if not RUNNERDECK.exists():
        pytest.skip("runnerdeck is not built")
    out = subprocess.run([str(RUNNERDECK), "services", "--endpoint-url", "http://127.0.0.1:9", "--region", "us-east-1",
                          "--cli-read-timeout", value], capture_output=True, text=True, timeout=30)
    assert out.returncode == 252, out.stderr
