"""Issue 13, Local App Runner as a fleet: one `runnerdeck serve --accounts 2 --throttle N` answers every region
(the one the SigV4 scope names) and two accounts (told apart by the access key that signed), each pair with
resources of its own that survive a restart; beyond N requests per second it answers ThrottlingException, as
App Runner does, and botocore sees throttling."""
import json
import subprocess
import time
from pathlib import Path

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config

from conftest import RUNNERDECK, aws_env

KEY, SECRET = "AKIDFLEET", "fleet-secret"
IMAGE = {"ImageRepository": {"ImageIdentifier": "public.ecr.aws/aws-containers/hello-app-runner:latest",
                             "ImageRepositoryType": "ECR_PUBLIC"}}
THROTTLE = 3


def client(served, region, key=KEY, secret=SECRET, service="apprunner"):
    return boto3.client(service, endpoint_url=served.url, region_name=region, aws_access_key_id=key,
                        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}))


def accounts(served):
    """The `account ID key KEY secret SECRET` lines serve prints after `listening on`."""
    lines = []
    deadline = time.monotonic() + 10
    while len(lines) < 2:
        line = served._stdout.next(deadline)
        assert line is not None, "serve ended before printing its accounts"
        words = line.split()
        assert words[0::2][:3] == ["account", "key", "secret"], line
        lines.append(dict(zip(words[0::2], words[1::2])))
    return lines


def names(ar):
    return sorted(s["ServiceName"] for s in ar.list_services()["ServiceSummaryList"])


def start(serve_factory, state):
    return serve_factory("--access-key-id", KEY, "--secret-access-key", SECRET, "--accounts", "2",
                         "--throttle", str(THROTTLE), state=state)


def calm(fn):
    """Calls `fn` once the partition's bucket has refilled (the checks below are not about the throttle)."""
    time.sleep(1.1)
    return fn()


def test_regions_and_accounts_are_apart_and_survive_a_restart(serve_factory, tmp_path):
    state = tmp_path / "fleet.sqlite"
    served = start(serve_factory, state)
    first, second = accounts(served)
    assert first == {"account": "123456789012", "key": KEY, "secret": SECRET}
    assert second == {"account": "123456789013", "key": KEY + "2", "secret": SECRET + "2"}

    east = client(served, "us-east-1")
    west = client(served, "eu-west-1")
    other = client(served, "us-east-1", second["key"], second["secret"])
    arn_east = east.create_service(ServiceName="web-us", SourceConfiguration=IMAGE)["Service"]["ServiceArn"]
    arn_west = west.create_service(ServiceName="web-eu", SourceConfiguration=IMAGE)["Service"]["ServiceArn"]
    arn_other = other.create_service(ServiceName="web-us", SourceConfiguration=IMAGE)["Service"]["ServiceArn"]
    assert arn_east.startswith("arn:aws:apprunner:us-east-1:123456789012:service/web-us/")
    assert arn_west.startswith("arn:aws:apprunner:eu-west-1:123456789012:service/web-eu/")
    assert arn_other.startswith("arn:aws:apprunner:us-east-1:123456789013:service/web-us/")
    assert calm(lambda: names(east)) == ["web-us"]
    assert names(west) == ["web-eu"]
    assert [s["ServiceArn"] for s in other.list_services()["ServiceSummaryList"]] == [arn_other]
    assert names(client(served, "eu-west-1", second["key"], second["secret"])) == []
    with pytest.raises(east.exceptions.ResourceNotFoundException):
        calm(lambda: east.describe_service(ServiceArn=arn_west))
    logs = client(served, "eu-west-1", service="logs")
    groups = [g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePrefix="/aws/apprunner/")["logGroups"]]
    assert groups and all(g.startswith("/aws/apprunner/web-eu/") for g in groups)

    # The AWS CLI, pointed at the same port, sees the region it names.
    env = dict(aws_env(), AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET, AWS_MAX_ATTEMPTS="1")
    time.sleep(1.1)
    p = subprocess.run(["aws", "apprunner", "list-services", "--region", "eu-west-1", "--endpoint-url", served.url,
                        "--output", "json"], capture_output=True, text=True, timeout=60, env=env)
    assert p.returncode == 0, p.stderr
    assert [s["ServiceArn"] for s in json.loads(p.stdout)["ServiceSummaryList"]] == [arn_west]

    assert served.stop() == 0
    again = start(serve_factory, state)
    accounts(again)
    assert names(client(again, "us-east-1")) == ["web-us"]
    assert names(client(again, "eu-west-1")) == ["web-eu"]
    assert [s["ServiceArn"] for s in client(again, "us-east-1", second["key"], second["secret"])
            .list_services()["ServiceSummaryList"]] == [arn_other]


def test_beyond_the_rate_botocore_sees_throttling_and_then_succeeds(serve_factory):
    served = start(serve_factory, None)
    accounts(served)
    east = client(served, "us-east-1")
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        for _ in range(THROTTLE * 10):
            east.list_services()
    error = raised.value.response
    assert error["Error"]["Code"] == "ThrottlingException"
    assert error["Error"]["Message"] == "Rate exceeded"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["ResponseMetadata"]["MaxAttemptsReached"] is True
    # botocore's standard retry mode classifies it as throttling, and a client that retries gets through.
    from botocore.retries.standard import RetryContext, ThrottledRetryableChecker
    assert ThrottledRetryableChecker().is_retryable(RetryContext(attempt_number=1, parsed_response=error))
    patient = boto3.client("apprunner", endpoint_url=served.url, region_name="us-east-1", aws_access_key_id=KEY,
                           aws_secret_access_key=SECRET, config=Config(retries={"mode": "standard", "max_attempts": 8}))
    retried = 0
    for _ in range(THROTTLE * 3):
        answer = patient.list_services()["ResponseMetadata"]
        assert answer["HTTPStatusCode"] == 200
        retried = max(retried, answer["RetryAttempts"])
    assert retried >= 1
    # Other accounts and regions have buckets of their own.
    client(served, "eu-west-1").list_services()
    # After a second the bucket has refilled.
    time.sleep(1.1)
    assert east.list_services()["ServiceSummaryList"] == []


def test_accounts_need_credentials_and_throttle_rules_are_checked():
    for args, words in [(["--accounts", "2"], "--accounts 2 needs --access-key-id and --secret-access-key"),
                        (["--accounts", "0"], "--accounts: the number of accounts must be at least 1"),
                        (["--access-key-id", "K", "--secret-access-key", "S", "--account-id", "999999999999", "--accounts", "2"],
                         "--accounts: 2 account ids from 999999999999 do not fit in 12 digits"),
                        (["--throttle", "fast"], "--throttle: 'fast': expected RPS or TARGET=RPS"),
                        (["--throttle", "3", "--throttle", "eu-west-1=-1"], "--throttle: 'eu-west-1=-1': expected RPS or TARGET=RPS"),
                        (["--throttle", "Mars=1"], "--throttle: 'Mars=1': 'Mars' is not a region, a 12-digit account id or ACCOUNT/REGION")]:
        p = subprocess.run([str(RUNNERDECK), "serve", "--port", "0", *args], capture_output=True, text=True, timeout=30)
        assert p.returncode != 0, args
        assert words in p.stderr, (args, p.stderr)
