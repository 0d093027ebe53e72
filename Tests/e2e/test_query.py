"""`--query` (issue 18): JMESPath on the JSON a command prints, as `aws apprunner … --query` applies
it, compared side by side with the AWS CLI against the same `runnerdeck serve`."""
import json
import shutil
import subprocess

import pytest

from conftest import RUNNERDECK, aws_env, wait_for

IMAGE = {"ImageRepository": {"ImageIdentifier": "public.ecr.aws/aws-containers/hello-app-runner:latest",
                             "ImageRepositoryType": "ECR_PUBLIC"}}


@pytest.fixture(scope="module")
def fleet(serve_module_factory):
    served = serve_module_factory(operation_seconds="1")
    client = served.client()
    for name in ("query-a", "query-b", "query-c"):
        client.create_service(ServiceName=name, SourceConfiguration=IMAGE)
    wait_for(lambda: [s["Status"] for s in client.list_services()["ServiceSummaryList"]], lambda s: s == ["RUNNING"] * 3)
    arn = next(s["ServiceArn"] for s in client.list_services()["ServiceSummaryList"] if s["ServiceName"] == "query-b")
    client.pause_service(ServiceArn=arn)
    wait_for(lambda: client.describe_service(ServiceArn=arn)["Service"]["Status"], lambda s: s == "PAUSED")
    return served


def ours(served, *args):
    return subprocess.run([str(RUNNERDECK), *args, "--endpoint-url", served.url, "--region", "us-east-1"],
                          capture_output=True, text=True, timeout=60, env=aws_env())


def theirs(served, *args):
    return subprocess.run(["aws", "apprunner", *args, "--endpoint-url", served.url, "--region", "us-east-1"],
                          capture_output=True, text=True, timeout=120, env=aws_env())


EXPRESSIONS = [
    "ServiceSummaryList[].ServiceName",
    "ServiceSummaryList[?Status=='PAUSED'].ServiceName | [0]",
    "length(ServiceSummaryList)",
    "ServiceSummaryList[*].{name: ServiceName, status: Status} | sort_by(@, &name)",
    "max_by(ServiceSummaryList, &ServiceName).ServiceName",
    "ServiceSummaryList[?starts_with(ServiceName, 'query-')] | [].Status",
]


@pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")
@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_query_matches_the_aws_cli(fleet, expression):
    mine = ours(fleet, "services", "--output", "json", "--query", expression)
    aws = theirs(fleet, "list-services", "--output", "json", "--query", expression)
    assert mine.returncode == 0 and aws.returncode == 0, (mine.stderr, aws.stderr)
    assert json.loads(mine.stdout) == json.loads(aws.stdout)
    assert mine.stdout == aws.stdout  # byte for byte: indent, separators, order


@pytest.mark.skipif(shutil.which("aws") is None, reason="the AWS CLI is not installed")
def test_query_with_text_output_matches_the_aws_cli(fleet):
    expression = "sort(ServiceSummaryList[].ServiceName)"
    mine = ours(fleet, "services", "--output", "text", "--query", expression)
    aws = theirs(fleet, "list-services", "--output", "text", "--query", expression)
    assert mine.returncode == 0, mine.stderr
    assert mine.stdout == aws.stdout


def test_a_bad_query_is_a_usage_error_with_its_position(fleet):
    p = ours(fleet, "services", "--query", "ServiceSummaryList[?Status=='RUNNING'")
    assert p.returncode == 252
    assert "--query" in p.stderr and "position" in p.stderr
    p = ours(fleet, "services", "--output", "table", "--query", "ServiceSummaryList[].ServiceName")
    assert p.returncode == 252 and "--output table" in p.stderr
