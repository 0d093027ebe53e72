"""`runnerdeck call` for scripts (issue #18): `--input file://PATH` and `-` (stdin) besides inline JSON,
`--generate-skeleton` as `aws apprunner OP --generate-cli-skeleton`, and `--wait` on the operations that
start one (followed like `deploy --wait`)."""
import json
import re
import subprocess

import botocore.session
import pytest
from botocore import xform_name

from cli_fixtures import BIN, ENV, cli_endpoint  # noqa: F401  (fixture)


def normalized(text):
    """The AWS CLI picks an enum's placeholder at random; runnerdeck shows the first value. Every other
    string placeholder is empty, so a non-empty string value is an enum in both."""
    return [re.sub(r'(^\s*(?:"[^"]*": )?)"[^"]+"(,?)$', r'\1"ENUM"\2', line) for line in text.splitlines()]


# Every operation of the model.
OPERATIONS = botocore.session.get_session().get_service_model("apprunner").operation_names


@pytest.mark.parametrize("operation", OPERATIONS)
def test_skeleton_is_the_aws_clis(operation):
    ours = subprocess.run([str(BIN), "call", operation, "--generate-skeleton"], capture_output=True, text=True, timeout=60, env=ENV)
    assert ours.returncode == 0, ours.stderr
    theirs = subprocess.run(["aws", "apprunner", xform_name(operation, "-"), "--generate-cli-skeleton"], capture_output=True,
                            text=True, timeout=120, env=ENV)
    assert theirs.returncode == 0, theirs.stderr
    assert normalized(ours.stdout) == normalized(theirs.stdout)
    json.loads(ours.stdout)  # and it is a request `--input file://` takes back (after filling in)


def test_skeleton_needs_no_credentials_or_region():
    env = {k: v for k, v in ENV.items() if not k.startswith("AWS_")}
    p = subprocess.run([str(BIN), "call", "list-services", "--generate-cli-skeleton"], capture_output=True, text=True, timeout=60, env=env)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == {"NextToken": "", "MaxResults": 0}


@pytest.fixture(scope="module")
def service(cli_endpoint):  # noqa: F811
    created = cli_endpoint.create_service("call-wait")
    return cli_endpoint.wait_status(created["ServiceArn"], "RUNNING")


def test_input_from_a_file_and_from_stdin(cli_endpoint, service, tmp_path):  # noqa: F811
    request = json.dumps({"ServiceArn": service["ServiceArn"]})
    inline = cli_endpoint.rd("call", "DescribeService", "--input", request)
    assert inline.returncode == 0, inline.stderr
    path = tmp_path / "request.json"
    path.write_text(request)
    from_file = cli_endpoint.rd("call", "DescribeService", "--input", f"file://{path}")
    assert from_file.returncode == 0, from_file.stderr
    from_stdin = cli_endpoint.rd("call", "DescribeService", "--input", "-", input=request)
    assert from_stdin.returncode == 0, from_stdin.stderr
    assert json.loads(inline.stdout) == json.loads(from_file.stdout) == json.loads(from_stdin.stdout)
    # ~ is the home directory, as in the AWS CLI.
    from_home = cli_endpoint.rd("call", "DescribeService", "--input", "file://~/request.json", env=dict(ENV, HOME=str(tmp_path)))
    assert from_home.returncode == 0, from_home.stderr
    assert json.loads(from_home.stdout) == json.loads(inline.stdout)
    missing = cli_endpoint.rd("call", "DescribeService", "--input", f"file://{tmp_path}/nope.json")
    assert missing.returncode != 0 and "nope.json" in missing.stderr


def test_wait_follows_the_operation(cli_endpoint, service):  # noqa: F811
    arn = service["ServiceArn"]
    p = cli_endpoint.rd("call", "PauseService", "--input", json.dumps({"ServiceArn": arn}), "--wait", "--timeout", "60", "--output", "json")
    assert p.returncode == 0, p.stderr
    document = json.loads(p.stdout)  # one document: the response and the operation's last summary
    assert document["OperationId"] == document["Operation"]["Id"]
    assert document["Operation"]["Status"] == "SUCCEEDED"
    assert cli_endpoint.call("DescribeService", {"ServiceArn": arn})["Service"]["Status"] == "PAUSED"
    p = cli_endpoint.rd("call", "resume-service", "--input", json.dumps({"ServiceArn": arn}), "--wait", "--output", "text")
    assert p.returncode == 0, p.stderr
    assert p.stdout.rstrip().endswith("RESUME_SERVICE\tSUCCEEDED"), p.stdout
    assert cli_endpoint.call("DescribeService", {"ServiceArn": arn})["Service"]["Status"] == "RUNNING"


def test_wait_refused_for_an_operation_that_starts_none(cli_endpoint):  # noqa: F811
    p = cli_endpoint.rd("call", "ListServices", "--wait")
    assert p.returncode != 0
    assert "--wait applies to the operations that start one" in p.stderr and "StartDeployment" in p.stderr
