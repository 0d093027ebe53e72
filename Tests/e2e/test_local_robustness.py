"""Local App Runner as a hostile or careless client meets it: odd bytes, odd sizes, odd requests,
wrong signatures, and the error codes and pagination boto3 users rely on. Uses conftest's `serve`."""
import datetime
import json
import random
import re
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest

from conftest import apprunner_client, wait_for

IMAGE = {"ImageRepository": {"ImageIdentifier": "public.ecr.aws/aws-containers/hello-app-runner:latest",
                             "ImageRepositoryType": "ECR_PUBLIC"}}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def post(url, body, target="AppRunner.ListServices", headers=None, method="POST"):
    request = urllib.request.Request(url + "/", data=body, method=method,
                                     headers={"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.0", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def raw_exchange(port, payload, timeout=3):
    """Sends raw bytes on a fresh connection and returns whatever comes back (b'' if the server just closes)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(payload)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            return b""
        chunks = []
        deadline = time.monotonic() + 5 * timeout  # a server that drips bytes cannot hold the test
        try:
            while time.monotonic() < deadline:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except OSError:
            pass
        return b"".join(chunks)


def test_ready_line_names_the_real_port_and_warns_about_unsigned_requests(serve):
    assert serve.port != 0
    assert serve.url == f"http://127.0.0.1:{serve.port}"
    assert "unsigned" in serve.stderr_first_line
    assert serve.client().list_services()["ServiceSummaryList"] == []


def test_every_answer_carries_a_request_id_and_the_json_content_type(serve):
    answers = [
        post(serve.url, b"{}"),                                   # 200
        post(serve.url, b"{}", target="AppRunner.Nope"),         # unknown operation
        post(serve.url, b"{oops"),                                # serialization
        post(serve.url, b"{}", method="GET"),                     # not POST
        post(serve.url, b"{" + b" " * (1 << 20) + b"}"),          # too large
        post(serve.url, json.dumps({"ServiceArn": "arn:aws:apprunner:us-east-1:123456789012:service/x/0"}).encode(),
             target="AppRunner.DescribeService"),                 # not found
    ]
    assert [code for code, _, _ in answers] == [200, 400, 400, 404, 413, 400]
    for code, headers, body in answers:
        assert UUID.match(headers["x-amzn-RequestId"]), headers
        assert headers["Content-Type"] == "application/x-amz-json-1.0"
        document = json.loads(body)
        if code != 200:
            assert headers["x-amzn-ErrorType"] == document["__type"]
            assert document["Message"]
    assert json.loads(answers[-1][2])["__type"] == "ResourceNotFoundException"
    ids = {headers["x-amzn-RequestId"] for _, headers, _ in answers}
    assert len(ids) == len(answers)


def test_bodies_at_and_over_the_limit(serve):
    limit = 1 << 20
    assert post(serve.url, b"{" + b" " * (limit - 2) + b"}")[0] == 200
    assert post(serve.url, b"{" + b" " * (limit - 1) + b"}")[0] == 413
    # Chunked bodies are counted as they arrive.
    head = (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: AppRunner.ListServices\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b"10000\r\n" + b" " * 0x10000 + b"\r\n"
    answer = raw_exchange(serve.port, head + chunk * 17 + b"0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 413"), answer[:100]
    # A badly framed chunk is a bad request, not a large one.
    answer = raw_exchange(serve.port, head + b"zz\r\nhello\r\n0\r\n\r\n")
    assert answer == b"" or answer.startswith(b"HTTP/1.1 400"), answer[:100]
    assert post(serve.url, b"{}")[0] == 200


def test_random_bytes_never_take_the_server_down(serve):
    generator = random.Random(20261122)
    payloads = [bytes(generator.getrandbits(8) for _ in range(generator.randint(1, 4096))) for _ in range(60)]
    payloads += [
        b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        b"POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AppRunner.CreateService\r\nContent-Length: 7\r\n\r\n\xff\xfe\xfd\x00{}[",
        b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: AppRunner.\xff\xfe\r\nContent-Length: 2\r\n\r\n{}",
        b"POST / HTTP/1.1\r\n" + b"X-Long: " + b"a" * 200_000 + b"\r\n\r\n",
        b"\r\n" * 10_000,
    ]
    for payload in payloads:
        raw_exchange(serve.port, payload, timeout=2)
    assert serve.process.poll() is None
    for body in [b"\x00", b"\xff\xfe\xfd", b"[]", b"\"text\"", b"123", b"{\"MaxResults\": 1e400}",
                 b"{\"MaxResults\": \"5\"}", b"{\"NextToken\": {\"nested\": [1, 2]}}", b"[" * 50_000 + b"]" * 50_000]:
        code, headers, answer = post(serve.url, body)
        assert code == 400, (body[:20], code, answer)
        assert json.loads(answer)["__type"] in ("SerializationException", "InvalidRequestException")
    code, _, answer = post(serve.url, json.dumps({"ServiceName": "ünïcödé-svc", "SourceConfiguration": IMAGE}).encode(),
                           target="AppRunner.CreateService")
    assert (code, json.loads(answer)["__type"]) == (400, "InvalidRequestException")
    assert serve.client().list_services()["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_error_codes_surface_as_boto3_exceptions(serve):
    ar = serve.client()
    arn = ar.create_service(ServiceName="errors-svc", SourceConfiguration=IMAGE)["Service"]["ServiceArn"]
    with pytest.raises(ar.exceptions.InvalidStateException) as busy:
        ar.pause_service(ServiceArn=arn)
    assert busy.value.response["Error"]["Message"] == "Service cannot be paused in the current state: OPERATION_IN_PROGRESS."
    with pytest.raises(ar.exceptions.ResourceNotFoundException):
        ar.describe_service(ServiceArn=arn[:-1] + ("0" if arn[-1] != "0" else "1"))
    with pytest.raises(ar.exceptions.InvalidRequestException) as tagged:
        ar.tag_resource(ResourceArn=arn, Tags=[{"Key": "aws:reserved", "Value": "x"}])
    assert "Tags[0].Key" in tagged.value.response["Error"]["Message"]
    for call in [lambda: ar.list_services(MaxResults=21),
                 lambda: ar.list_operations(ServiceArn=arn, MaxResults=21),
                 lambda: ar.describe_custom_domains(ServiceArn=arn, MaxResults=6),
                 lambda: ar.create_service(ServiceName="sized-svc", SourceConfiguration=IMAGE,
                                           InstanceConfiguration={"Cpu": "0.5 vCPU", "Memory": "4 GB"}),
                 lambda: ar.create_service(ServiceName="errors-svc", SourceConfiguration=IMAGE)]:
        with pytest.raises(ar.exceptions.InvalidRequestException):
            call()
    for revision in range(5):
        ar.create_auto_scaling_configuration(AutoScalingConfigurationName="quota-asc")
    with pytest.raises(ar.exceptions.ServiceQuotaExceededException) as quota:
        ar.create_auto_scaling_configuration(AutoScalingConfigurationName="quota-asc")
    assert quota.value.response["Error"]["Message"] == "you exceeded your account's revision quota: 5"


def test_operations_page_newest_first(serve):
    ar = serve.client()
    arn = ar.create_service(ServiceName="paged-ops", SourceConfiguration=IMAGE)["Service"]["ServiceArn"]
    expected = []
    for action in ["start_deployment", "pause_service", "resume_service", "start_deployment"]:
        wait_for(lambda: ar.describe_service(ServiceArn=arn)["Service"]["Status"], lambda s: s in ("RUNNING", "PAUSED"))
        expected.append(getattr(ar, action)(ServiceArn=arn)["OperationId"])
    ids, token = [], None
    while len(ids) < 100:  # bounded: `len(ids) == 5` below fails on a token that never ends
        page = ar.list_operations(ServiceArn=arn, MaxResults=1, **({"NextToken": token} if token else {}))
        assert len(page["OperationSummaryList"]) == 1
        ids.append(page["OperationSummaryList"][0]["Id"])
        token = page.get("NextToken")
        if not token:
            break
    assert ids[:4] == list(reversed(expected))
    assert len(ids) == 5
    whole = ar.list_operations(ServiceArn=arn)["OperationSummaryList"]
    assert [op["Type"] for op in whole] == ["START_DEPLOYMENT", "RESUME_SERVICE", "PAUSE_SERVICE", "START_DEPLOYMENT", "CREATE_SERVICE"]
    starts = [op["StartedAt"] for op in whole]
    assert starts == sorted(starts, reverse=True)
    with pytest.raises(ar.exceptions.InvalidRequestException):
        ar.list_operations(ServiceArn=arn, NextToken="bm90LWEtdG9rZW4=")


def test_demo_seed_over_http_shows_every_state(serve_factory):
    served = serve_factory(seed="demo", operation_seconds="30")
    ar = served.client()
    services = ar.list_services()["ServiceSummaryList"]
    assert len(services) >= 11
    assert {"RUNNING", "PAUSED", "OPERATION_IN_PROGRESS", "CREATE_FAILED"} <= {s["Status"] for s in services}
    assert ar.list_connections()["ConnectionSummaryList"]
    assert ar.list_vpc_connectors()["VpcConnectors"]
    assert ar.list_observability_configurations()["ObservabilityConfigurationSummaryList"]
    assert ar.list_vpc_ingress_connections()["VpcIngressConnectionSummaryList"]
    names = {c["AutoScalingConfigurationName"] for c in ar.list_auto_scaling_configurations()["AutoScalingConfigurationSummaryList"]}
    assert "DefaultConfiguration" in names and len(names) >= 2
    assert served.stop(signal.SIGINT) == 0


def signed_request(url, key, secret, region="us-east-1", service="apprunner", body=b"{}", date=None, tamper=None):
    request = botocore.awsrequest.AWSRequest(method="POST", url=url + "/", data=body,
                                             headers={"X-Amz-Target": "AppRunner.ListServices",
                                                      "Content-Type": "application/x-amz-json-1.0"})
    auth = botocore.auth.SigV4Auth(botocore.credentials.Credentials(key, secret), service, region)
    if date is None:
        auth.add_auth(request)
    else:
        # A correct signature made by a client whose clock reads `date`.
        original = botocore.auth.get_current_datetime
        botocore.auth.get_current_datetime = lambda: date.replace(tzinfo=None)
        try:
            auth.add_auth(request)
        finally:
            botocore.auth.get_current_datetime = original
    headers = dict(request.headers.items())
    sent = tamper(body) if tamper else body
    return post(url, sent, headers=headers)


def test_signature_checks(serve_factory):
    served = serve_factory("--access-key-id", "AKIDSIGNED", "--secret-access-key", "signed-secret")
    good = signed_request(served.url, "AKIDSIGNED", "signed-secret")
    assert good[0] == 200, good
    cases = {
        # Every region is served (issue 13), but the scope must name one.
        "no region": (signed_request(served.url, "AKIDSIGNED", "signed-secret", region="Not_A_Region"), "InvalidSignatureException"),
        "wrong service": (signed_request(served.url, "AKIDSIGNED", "signed-secret", service="ecs"), "InvalidSignatureException"),
        "tampered body": (signed_request(served.url, "AKIDSIGNED", "signed-secret", tamper=lambda b: b'{"MaxResults": 1}'), "InvalidSignatureException"),
        "future date": (signed_request(served.url, "AKIDSIGNED", "signed-secret",
                                       date=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=20)), "InvalidSignatureException"),
        "past date": (signed_request(served.url, "AKIDSIGNED", "signed-secret",
                                     date=datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=20)), "InvalidSignatureException"),
        "unknown key": (signed_request(served.url, "AKIDUNKNOWN", "signed-secret"), "UnrecognizedClientException"),
        "garbage authorization": (post(served.url, b"{}", headers={"Authorization": "AWS4-HMAC-SHA256 nonsense"}), None),
        "no authorization": (post(served.url, b"{}"), "MissingAuthenticationTokenException"),
    }
    for name, ((code, headers, body), expected) in cases.items():
        document = json.loads(body)
        assert (code == 403) if expected is not None else (code in (400, 403)), (name, code, document)
        if expected:
            assert document["__type"] == expected, (name, document)
        assert headers["x-amzn-ErrorType"] == document["__type"]
    past = cases["past date"][0]
    assert "Signature expired" in json.loads(past[2])["Message"]
    assert json.loads(cases["unknown key"][0][2])["Message"] == "The security token included in the request is invalid."
    # boto3 and the AWS CLI sign correctly with the configured pair.
    assert apprunner_client(served.url, key="AKIDSIGNED", secret="signed-secret").list_services()["ServiceSummaryList"] == []
    env = {"PATH": __import__("os").environ["PATH"], "AWS_ACCESS_KEY_ID": "AKIDSIGNED", "AWS_SECRET_ACCESS_KEY": "signed-secret",
           "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null", "AWS_EC2_METADATA_DISABLED": "true",
           "HOME": __import__("os").environ.get("HOME", "/tmp")}
    out = subprocess.run(["aws", "apprunner", "create-auto-scaling-configuration", "--auto-scaling-configuration-name", "cli-made",
                          "--max-size", "4", "--endpoint-url", served.url, "--region", "us-east-1", "--output", "json"],
                         capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    made = json.loads(out.stdout)["AutoScalingConfiguration"]
    assert (made["AutoScalingConfigurationRevision"], made["MaxSize"], made["Latest"]) == (1, 4, True)
    env["AWS_SECRET_ACCESS_KEY"] = "not-the-secret"
    out = subprocess.run(["aws", "apprunner", "list-services", "--endpoint-url", served.url, "--region", "us-east-1"],
                         capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode != 0 and "InvalidSignatureException" in out.stderr


def test_sigterm_during_traffic_exits_cleanly_and_keeps_state(serve_factory, tmp_path):
    state = tmp_path / "kept.sqlite"
    served = serve_factory(state=state, operation_seconds="2")
    ar = served.client()
    arns = [ar.create_service(ServiceName=f"kept-{index}", SourceConfiguration=IMAGE)["Service"]["ServiceArn"] for index in range(4)]
    assert served.stop(signal.SIGTERM) == 0
    again = serve_factory(state=state, operation_seconds="2")
    ar = again.client()
    assert {s["ServiceArn"] for s in ar.list_services()["ServiceSummaryList"]} == set(arns)
    for arn in arns:
        wait_for(lambda: ar.describe_service(ServiceArn=arn)["Service"]["Status"], lambda s: s == "RUNNING")
        assert [op["Status"] for op in ar.list_operations(ServiceArn=arn)["OperationSummaryList"]] == ["SUCCEEDED"]


def test_startup_failures_are_clear_and_exit_non_zero(tmp_path):
    from conftest import RUNNERDECK
    if not RUNNERDECK.exists():
        pytest.skip("runnerdeck is not built")
    corrupt = tmp_path / "corrupt.sqlite"
    corrupt.write_bytes(b"this is not an SQLite database" * 100)
    for args, words in [(["--state", str(tmp_path / "missing-dir" / "x.sqlite")], "cannot use the state file"),
                        (["--state", str(corrupt)], "file is not a database"),
                        (["--seed", "everything"], "--seed must be demo or none"),
                        (["--access-key-id", "AKIDONLY"], "go together")]:
        out = subprocess.run([str(RUNNERDECK), "serve", "--port", "0", *args], capture_output=True, text=True, timeout=30)
        assert out.returncode != 0, args
        assert words in out.stderr, (args, out.stderr)
        assert "listening on" not in out.stdout
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out = subprocess.run([str(RUNNERDECK), "serve", "--port", str(port)], capture_output=True, text=True, timeout=30)
        assert out.returncode != 0
        assert f"cannot listen on 127.0.0.1:{port}" in out.stderr
        # Issue 9 bug 10: in words, not NIO's function name with an unbalanced parenthesis.
        assert "already in use" in out.stderr
        assert "bind(" not in out.stderr and "descriptor" not in out.stderr
        assert out.stderr.count("(") == out.stderr.count(")")


def test_a_second_server_on_the_same_state_file_is_refused(serve_factory, tmp_path):
    from conftest import RUNNERDECK
    state = tmp_path / "shared.sqlite"
    first = serve_factory(state=state)
    arn = first.client().create_service(ServiceName="only-once", SourceConfiguration=IMAGE)["Service"]["ServiceArn"]
    out = subprocess.run([str(RUNNERDECK), "serve", "--port", "0", "--state", str(state)], capture_output=True, text=True, timeout=30)
    assert out.returncode != 0
    assert "already running" in out.stderr
    # Issue 16 item 4: another name for the same file (a symlink, a hard link) is the same file.
    (tmp_path / "symlink.sqlite").symlink_to(state)
    os.link(state, tmp_path / "hardlink.sqlite")
    for other in ("symlink.sqlite", "hardlink.sqlite"):
        out = subprocess.run([str(RUNNERDECK), "serve", "--port", "0", "--state", str(tmp_path / other)],
                             capture_output=True, text=True, timeout=30)
        assert out.returncode != 0, other
        assert "already running" in out.stderr
        assert "pid %d" % first.process.pid in out.stderr and "serving %s" % state in out.stderr, out.stderr
    assert not (tmp_path / "shared.sqlite-shm").exists()  # item 9: no shared-memory file to fault on
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(timeout=10)
    # The lock dies with the process.
    second = serve_factory(state=state)
    assert second.client().describe_service(ServiceArn=arn)["Service"]["ServiceName"] == "only-once"
