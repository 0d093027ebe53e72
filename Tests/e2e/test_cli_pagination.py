"""Issue 18: pagination flags on the list commands. botocore ships no paginators for App Runner (its
paginators-1.json is empty), so `aws apprunner list-services` has no --max-items; the expected
behaviour is botocore's own Paginator given App Runner's token and result keys (what the AWS CLI does
for every service that has one): the same items, the same NextToken, tokens usable by either."""
import json
import subprocess
from pathlib import Path

import pytest

from cli_fixtures import BIN, ENV, cli_endpoint  # noqa: F401  (fixture)

AWS_ENV = dict(ENV, AWS_CONFIG_FILE=str(Path(__file__).resolve().parent / "cli_aws_config"))


@pytest.fixture(scope="module")
def five(cli_endpoint):
    for index in range(5):
        cli_endpoint.create_service("page-%d" % index)
    return cli_endpoint


def ours(endpoint, *args):
    p = subprocess.run([str(BIN), *args, "--endpoint-url", endpoint.url, "--output", "json"], capture_output=True, text=True,
                       env=AWS_ENV, timeout=120)
    assert p.returncode == 0, p.stderr
    return p.stdout


def theirs(endpoint, operation, result_key, flags, **params):
    """botocore's Paginator over the operation, with the AWS CLI's flags as its PaginationConfig."""
    import boto3
    from botocore.paginate import Paginator
    client = boto3.client("apprunner", endpoint_url=endpoint.url, region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE",
                          aws_secret_access_key="secret")
    config = {}
    for name, key in (("--max-items", "MaxItems"), ("--page-size", "PageSize"), ("--starting-token", "StartingToken")):
        if name in flags:
            value = flags[flags.index(name) + 1]
            config[key] = value if key == "StartingToken" else int(value)
    method = getattr(client, operation)
    model = client.meta.service_model.operation_model({"list_services": "ListServices", "list_operations": "ListOperations"}[operation])
    paginator = Paginator(method, {"input_token": "NextToken", "output_token": "NextToken", "limit_key": "MaxResults",
                                   "result_key": result_key}, model)
    return paginator.paginate(PaginationConfig=config, **params).build_full_result()


def same(mine_text, aws, key, ident):
    mine = json.loads(mine_text)
    assert [item[ident] for item in mine[key]] == [item[ident] for item in aws[key]]
    assert mine.get("NextToken") == aws.get("NextToken")


@pytest.mark.parametrize("flags", [["--max-items", "2"], ["--max-items", "3", "--page-size", "2"], ["--max-items", "4", "--page-size", "2"],
                                   ["--page-size", "2"], ["--max-items", "5"], ["--max-items", "1", "--page-size", "1"]])
def test_list_services_pages_as_the_aws_cli(five, flags):
    mine = ours(five, "services", *flags)
    same(mine, theirs(five, "list_services", "ServiceSummaryList", flags), "ServiceSummaryList", "ServiceArn")
    first = json.loads(mine)
    if "NextToken" in first:
        more = flags + ["--starting-token", first["NextToken"]]
        rest = ours(five, "services", *more)
        same(rest, theirs(five, "list_services", "ServiceSummaryList", more), "ServiceSummaryList", "ServiceArn")
        names = [s["ServiceName"] for s in first["ServiceSummaryList"] + json.loads(rest)["ServiceSummaryList"]]
        assert len(names) == len(set(names))


def test_resuming_walks_the_whole_list_once(five):
    everything = [s["ServiceName"] for s in json.loads(ours(five, "services"))["ServiceSummaryList"]]
    seen, token = [], None
    for _ in range(20):
        page = json.loads(ours(five, "services", "--max-items", "2", "--page-size", "3", *(["--starting-token", token] if token else [])))
        seen += [s["ServiceName"] for s in page["ServiceSummaryList"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == everything


def test_no_paginate_makes_one_call_and_shows_the_services_token(five):
    mine = ours(five, "services", "--no-paginate", "--page-size", "2")
    p = subprocess.run(["aws", "apprunner", "list-services", "--max-results", "2", "--endpoint-url", five.url, "--output", "json",
                        "--region", "us-east-1"], capture_output=True, text=True, env=AWS_ENV, timeout=120)
    assert mine == p.stdout  # the AWS CLI's one call, byte for byte
    assert len(json.loads(mine)["ServiceSummaryList"]) == 2 and json.loads(mine)["NextToken"]


def test_text_output_ends_with_the_next_token(five):
    p = subprocess.run([str(BIN), "services", "--max-items", "2", "--output", "text", "--endpoint-url", five.url], capture_output=True,
                       text=True, env=AWS_ENV, timeout=120)
    assert p.returncode == 0 and p.stdout.splitlines()[-1].startswith("NEXTTOKEN\t"), p.stdout
    bad = subprocess.run([str(BIN), "services", "--starting-token", "not a token", "--endpoint-url", five.url], capture_output=True,
                         text=True, env=AWS_ENV, timeout=120)
    assert bad.returncode == 252 and "--starting-token" in bad.stderr


def test_list_operations_pages_too(five):
    arn = json.loads(ours(five, "services", "--max-items", "1"))["ServiceSummaryList"][0]["ServiceArn"]
    mine = ours(five, "operations", arn, "--max-items", "1")
    same(mine, theirs(five, "list_operations", "OperationSummaryList", ["--max-items", "1"], ServiceArn=arn), "OperationSummaryList", "Id")
