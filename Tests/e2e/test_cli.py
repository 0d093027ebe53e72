"""End-to-end tests of the runnerdeck scripting CLI against `runnerdeck serve` (Local App Runner),
compared where it matters with `aws apprunner … --output json` on the same endpoint."""
import json
import re
import signal
import subprocess
import time

import pytest

from cli_fixtures import BIN, ENV, cli_endpoint, slow_endpoint  # noqa: F401  (fixtures)

COMMANDS = ["services", "describe", "operations", "domains", "pause", "resume", "deploy", "delete", "call", "dashboard"]


PROGRESS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \S.*: \S")


def progress_lines(p):
    """A wait's timestamped status lines on stderr (off a terminal: one per change)."""
    return [line for line in p.stderr.splitlines() if PROGRESS.match(line)]


def one_error_line(p):
    lines = [line for line in p.stderr.splitlines() if line.strip() and not PROGRESS.match(line)]
    assert len(lines) == 1, p.stderr
    return lines[0]


@pytest.fixture(scope="module")
def web(cli_endpoint):
    service = cli_endpoint.create_service("cli-web")
    return cli_endpoint.wait_status(service["ServiceArn"], "RUNNING")


# ---- read commands in each format -------------------------------------------------------------

def test_services_in_each_format(cli_endpoint, web):
    data = cli_endpoint.rd_json("services")
    names = [s["ServiceName"] for s in data["ServiceSummaryList"]]
    assert "cli-web" in names
    assert "NextToken" not in data
    summary = next(s for s in data["ServiceSummaryList"] if s["ServiceName"] == "cli-web")
    assert summary["ServiceArn"] == web["ServiceArn"] and summary["Status"] == "RUNNING"
    assert summary["CreatedAt"].endswith("+00:00") and "T" in summary["CreatedAt"]

    table = cli_endpoint.rd("services", "--output", "table")
    assert table.returncode == 0
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["NAME", "STATUS", "UPDATED", "URL", "ARN"]
    row = next(line for line in lines if line.startswith("cli-web "))
    assert "RUNNING" in row and web["ServiceArn"] in row
    assert "\x1b[" not in table.stdout  # not a terminal: no colour

    text = cli_endpoint.rd("services", "--output", "text")
    rows = [line.split("\t") for line in text.stdout.splitlines()]
    assert len(rows) == len(names)
    row = next(r for r in rows if r[0] == "cli-web")
    assert row[1] == "RUNNING" and row[4] == web["ServiceArn"]


def test_default_output_is_json_when_piped(cli_endpoint, web):
    p = cli_endpoint.rd("services")
    assert p.returncode == 0
    assert "ServiceSummaryList" in json.loads(p.stdout)


def test_describe_in_each_format(cli_endpoint, web):
    by_name = cli_endpoint.rd_json("describe", "cli-web")
    by_arn = cli_endpoint.rd_json("describe", web["ServiceArn"])
    assert by_name == by_arn
    service = by_name["Service"]
    assert service["ServiceName"] == "cli-web"
    assert service["SourceConfiguration"]["ImageRepository"]["ImageRepositoryType"] == "ECR_PUBLIC"

    table = cli_endpoint.rd("describe", "cli-web", "--output", "table").stdout
    assert "Name" in table and "cli-web" in table and web["ServiceArn"] in table
    assert "MODE" in table and "test" not in table.split("Environment")[1].splitlines()[0]  # names, not values

    text = dict(line.split("\t", 1) for line in cli_endpoint.rd("describe", "cli-web", "--output", "text").stdout.splitlines())
    assert text["Name"] == "cli-web" and text["ARN"] == web["ServiceArn"] and text["Status"] == "RUNNING"


def test_operations_in_each_format(cli_endpoint, web):
    ops = cli_endpoint.rd_json("operations", "cli-web")["OperationSummaryList"]
    assert ops and ops[-1]["Type"] == "CREATE_SERVICE"
    started = [o["StartedAt"] for o in ops]
    assert started == sorted(started, reverse=True)  # newest first
    one = cli_endpoint.rd_json("operations", "cli-web", "--max-results", "1")["OperationSummaryList"]
    assert one == ops[:1]

    table = cli_endpoint.rd("operations", "cli-web", "--output", "table").stdout.splitlines()
    assert table[0].split() == ["ID", "TYPE", "STATUS", "STARTED", "ENDED", "DURATION"]
    assert any("CREATE_SERVICE" in line and "SUCCEEDED" in line for line in table[1:])

    text = [line.split("\t") for line in cli_endpoint.rd("operations", "cli-web", "--output", "text").stdout.splitlines()]
    assert [r[0] for r in text] == [o["Id"] for o in ops]


def test_domains_with_every_validation_record(cli_endpoint, web):
    arn = web["ServiceArn"]
    cli_endpoint.call("AssociateCustomDomain", {"ServiceArn": arn, "DomainName": "cli.example.com", "EnableWWWSubdomain": True})
    cli_endpoint.call("AssociateCustomDomain", {"ServiceArn": arn, "DomainName": "api.example.org", "EnableWWWSubdomain": False})
    deadline = time.time() + 60
    while True:
        data = cli_endpoint.rd_json("domains", "cli-web")
        records = {d["DomainName"]: d.get("CertificateValidationRecords", []) for d in data["CustomDomains"]}
        if len(records.get("cli.example.com", [])) == 3 and len(records.get("api.example.org", [])) == 2:
            break
        assert time.time() < deadline, data
        time.sleep(0.2)
    assert data["ServiceArn"] == arn and data["DNSTarget"] and data["VpcDNSTargets"] == []

    table = cli_endpoint.rd("domains", "cli-web", "--output", "table").stdout
    assert f"DNS target: {data['DNSTarget']}" in table
    for domain in data["CustomDomains"]:
        for record in domain["CertificateValidationRecords"]:
            assert record["Name"] in table and record["Value"] in table  # never cut

    text = [line.split("\t") for line in cli_endpoint.rd("domains", "cli-web", "--output", "text").stdout.splitlines()]
    assert len(text) == 5
    for row in text:
        domain = next(d for d in data["CustomDomains"] if d["DomainName"] == row[0])
        assert {"Name": row[3], "Type": row[4], "Value": row[5], "Status": row[6]} in domain["CertificateValidationRecords"]


# ---- the same fields as the AWS CLI -----------------------------------------------------------

def test_same_json_as_aws_cli(cli_endpoint, web):
    arn = web["ServiceArn"]
    assert cli_endpoint.rd_json("describe", arn) == cli_endpoint.aws("describe-service", "--service-arn", arn)
    assert cli_endpoint.rd_json("operations", arn) == cli_endpoint.aws("list-operations", "--service-arn", arn)
    # Domain statuses move on with time (validation, binding): compare once they hold still.
    for _ in range(60):
        ours, theirs = cli_endpoint.rd_json("domains", arn), cli_endpoint.aws("describe-custom-domains", "--service-arn", arn)
        if ours == theirs:
            break
        time.sleep(0.5)
    assert ours == theirs
    ours = cli_endpoint.rd_json("services")
    theirs = cli_endpoint.aws("list-services", "--max-results", "20")
    theirs.pop("NextToken", None)
    assert len(ours["ServiceSummaryList"]) <= 20
    assert ours == theirs
    assert cli_endpoint.call("ListAutoScalingConfigurations") == cli_endpoint.aws("list-auto-scaling-configurations")


# ---- names ------------------------------------------------------------------------------------

def test_unknown_name_lists_candidates(cli_endpoint, web):
    p = cli_endpoint.rd("describe", "cli-wbe")
    assert p.returncode == 254
    line = one_error_line(p)
    assert "ResourceNotFoundException" in line and "cli-wbe" in line and "cli-web" in line
    p = cli_endpoint.rd("describe", "web")
    assert p.returncode == 254 and "did you mean" in one_error_line(p) and "cli-web" in p.stderr


def test_deleted_and_recreated_name_prefers_the_live_one_then_is_ambiguous(cli_endpoint):
    first = cli_endpoint.create_service("cli-twice")
    cli_endpoint.wait_status(first["ServiceArn"], "RUNNING")
    assert cli_endpoint.rd("delete", "cli-twice", "--yes", "--wait").returncode == 0
    second = cli_endpoint.create_service("cli-twice")
    cli_endpoint.wait_status(second["ServiceArn"], "RUNNING")
    listed = [s for s in cli_endpoint.rd_json("services")["ServiceSummaryList"] if s["ServiceName"] == "cli-twice"]
    if len(listed) < 2:
        pytest.skip("Local App Runner does not list deleted services")
    assert cli_endpoint.rd_json("describe", "cli-twice")["Service"]["ServiceArn"] == second["ServiceArn"]
    assert cli_endpoint.rd("delete", "cli-twice", "--yes", "--wait").returncode == 0
    p = cli_endpoint.rd("describe", "cli-twice")
    assert p.returncode == 252
    line = one_error_line(p)
    assert "AmbiguousServiceName" in line and first["ServiceArn"] in line and second["ServiceArn"] in line


# ---- actions and --wait -----------------------------------------------------------------------

def test_delete_refuses_without_yes(cli_endpoint, web):
    p = cli_endpoint.rd("delete", "cli-web")
    assert p.returncode == 252 and "--yes" in one_error_line(p)
    assert cli_endpoint.rd_json("describe", "cli-web")["Service"]["Status"] == "RUNNING"


def test_pause_and_resume_wait_for_success(cli_endpoint):
    service = cli_endpoint.create_service("cli-pause")
    cli_endpoint.wait_status(service["ServiceArn"], "RUNNING")
    p = cli_endpoint.rd("pause", "cli-pause", "--wait", "--output", "json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["OperationId"]
    # Off a terminal: one timestamped line per status change, no carriage returns or escapes.
    assert progress_lines(p) and len(progress_lines(p)) == len(p.stderr.splitlines()), p.stderr
    assert "\r" not in p.stderr and "\x1b" not in p.stderr
    assert progress_lines(p)[-1].endswith("PAUSE_SERVICE SUCCEEDED"), p.stderr
    assert cli_endpoint.rd_json("describe", "cli-pause")["Service"]["Status"] == "PAUSED"
    p = cli_endpoint.rd("resume", "cli-pause", "--wait", "--output", "table")
    assert p.returncode == 0, p.stderr
    assert "RESUME_SERVICE SUCCEEDED" in p.stdout
    assert cli_endpoint.rd_json("describe", "cli-pause")["Service"]["Status"] == "RUNNING"
    p = cli_endpoint.rd("deploy", "cli-pause", "--wait", "--output", "text")
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines()[-1].endswith("\tSTART_DEPLOYMENT\tSUCCEEDED")
    ops = cli_endpoint.rd_json("operations", "cli-pause")["OperationSummaryList"]
    assert [o["Type"] for o in ops[:3]] == ["START_DEPLOYMENT", "RESUME_SERVICE", "PAUSE_SERVICE"]
    assert all(o["Status"] == "SUCCEEDED" for o in ops[:3])


def test_deploy_wait_on_a_rollback_exits_4_with_the_reason(cli_endpoint):
    service = cli_endpoint.create_service("cli-rollback")
    arn = service["ServiceArn"]
    cli_endpoint.wait_status(arn, "RUNNING")
    cli_endpoint.call("TagResource", {"ResourceArn": arn, "Tags": [{"Key": "runnerdeck:fail-deployments", "Value": "true"}]})
    p = cli_endpoint.rd("deploy", "cli-rollback", "--wait", "--output", "json")
    assert p.returncode == 4
    line = one_error_line(p)
    assert "OperationRolledBack" in line and "ROLLBACK_SUCCEEDED" in line and "rolled back" in line
    assert json.loads(p.stdout)["OperationId"]
    assert cli_endpoint.rd_json("operations", arn)["OperationSummaryList"][0]["Status"] == "ROLLBACK_SUCCEEDED"
    assert cli_endpoint.rd_json("describe", arn)["Service"]["Status"] == "RUNNING"


def test_pause_on_an_operation_in_progress_is_an_api_error(cli_endpoint):
    service = cli_endpoint.create_service("cli-busy")
    p = cli_endpoint.rd("pause", service["ServiceArn"])
    if p.returncode == 0:
        pytest.skip("the create finished before the pause")
    assert p.returncode == 254
    line = one_error_line(p)
    assert "InvalidStateException" in line and "request id" in line


def test_delete_with_wait(cli_endpoint):
    service = cli_endpoint.create_service("cli-gone")
    cli_endpoint.wait_status(service["ServiceArn"], "RUNNING")
    p = cli_endpoint.rd("delete", "cli-gone", "--yes", "--wait", "--output", "json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["Service"]["Status"] == "OPERATION_IN_PROGRESS"
    assert cli_endpoint.call("DescribeService", {"ServiceArn": service["ServiceArn"]})["Service"]["Status"] == "DELETED"


def running_services(endpoint):
    return [s["ServiceArn"] for s in endpoint.call("ListServices")["ServiceSummaryList"] if s["Status"] == "RUNNING"]


def test_wait_timeout_exits_3_with_the_last_status_and_how_to_resume(slow_endpoint):
    arns = running_services(slow_endpoint)
    assert arns, "the demo fleet has RUNNING services"
    p = slow_endpoint.rd("deploy", arns[0], "--wait", "--timeout", "1", "--output", "json")
    assert p.returncode == 3
    line = one_error_line(p)
    assert "WaitTimeout" in line and "last status" in line
    operation = json.loads(p.stdout)["OperationId"]
    assert ("runnerdeck wait operation %s %s" % (arns[0].split("/")[1], operation)) in line, line
    assert slow_endpoint.call("DescribeService", {"ServiceArn": arns[0]})["Service"]["Status"] == "OPERATION_IN_PROGRESS"


def test_wait_timeout_waits_the_whole_timeout(slow_endpoint):
    """Issue 18 item 1: --timeout N gave up about 2 s early (at once for N <= 2); it waits N."""
    arns = running_services(slow_endpoint)
    started = time.monotonic()
    p = slow_endpoint.rd("deploy", arns[-1], "--wait", "--timeout", "3")
    waited = time.monotonic() - started
    assert p.returncode == 3 and "timed out after 3s" in p.stderr, p.stderr
    assert waited >= 3, waited


def test_demo_and_endpoint_url_are_refused_together(cli_endpoint):
    """Issue 18 item 8: --demo silently won over --endpoint-url."""
    p = cli_endpoint.rd("services", "--demo")
    assert p.returncode == 252 and "--demo and --endpoint-url cannot be combined" in p.stderr, p.stderr


def test_sigint_during_wait_exits_130(slow_endpoint):
    arns = running_services(slow_endpoint)
    assert arns, "the demo fleet has RUNNING services"
    process = subprocess.Popen([str(BIN), "pause", arns[-1], "--wait", "--endpoint-url", slow_endpoint.url],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    time.sleep(1.5)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert "interrupted" in err
    assert json.loads(out)["OperationId"]  # the response had been printed


# ---- call -------------------------------------------------------------------------------------

def test_call_errors_are_one_line_with_exit_codes(cli_endpoint):
    p = cli_endpoint.rd("call", "NoSuchOperation")
    assert p.returncode == 252 and "ListServices" in p.stderr
    p = cli_endpoint.rd("call", "DescribeService", "--input", "{not json")
    assert p.returncode == 252 and "not valid JSON" in one_error_line(p)
    p = cli_endpoint.rd("call", "DescribeService", "--input", "{}")
    assert p.returncode == 252 and "ServiceArn" in one_error_line(p)
    p = cli_endpoint.rd("call", "DescribeService", "--input",
                        json.dumps({"ServiceArn": "arn:aws:apprunner:us-east-1:123456789012:service/nope/0123456789abcdef0123456789abcdef"}))
    assert p.returncode == 254
    line = one_error_line(p)
    assert line.startswith("runnerdeck: ResourceNotFoundException: ") and "(request id: " in line


def test_call_input_from_file_and_kebab_name(cli_endpoint, tmp_path):
    path = tmp_path / "input.json"
    path.write_text(json.dumps({"MaxResults": 5}))
    p = cli_endpoint.rd("call", "list-services", "--input", f"@{path}")
    assert p.returncode == 0, p.stderr
    assert "ServiceSummaryList" in json.loads(p.stdout)
    p = cli_endpoint.rd("call", "ListServices", "--input", "@-", input='{"MaxResults": 1}')
    assert p.returncode == 0 and len(json.loads(p.stdout)["ServiceSummaryList"]) <= 1


def test_call_every_operation_family(cli_endpoint, web):
    c = cli_endpoint.call
    arn = web["ServiceArn"]
    # services and operations
    assert any(s["ServiceArn"] == arn for s in c("ListServices")["ServiceSummaryList"])
    assert c("DescribeService", {"ServiceArn": arn})["Service"]["ServiceName"] == "cli-web"
    assert c("ListOperations", {"ServiceArn": arn, "MaxResults": 1})["OperationSummaryList"]
    # auto scaling configurations
    asc = c("CreateAutoScalingConfiguration", {"AutoScalingConfigurationName": "cli-asc", "MaxConcurrency": 50, "MinSize": 1, "MaxSize": 3})["AutoScalingConfiguration"]
    assert asc["AutoScalingConfigurationRevision"] == 1
    assert c("DescribeAutoScalingConfiguration", {"AutoScalingConfigurationArn": asc["AutoScalingConfigurationArn"]})["AutoScalingConfiguration"]["MaxSize"] == 3
    assert any(a["AutoScalingConfigurationName"] == "cli-asc" for a in c("ListAutoScalingConfigurations")["AutoScalingConfigurationSummaryList"])
    assert "ServiceArnList" in c("ListServicesForAutoScalingConfiguration", {"AutoScalingConfigurationArn": asc["AutoScalingConfigurationArn"]})
    assert c("UpdateDefaultAutoScalingConfiguration", {"AutoScalingConfigurationArn": asc["AutoScalingConfigurationArn"]})["AutoScalingConfiguration"]["IsDefault"] is True
    # connections
    conn = c("CreateConnection", {"ConnectionName": "cli-conn", "ProviderType": "GITHUB"})["Connection"]
    assert any(x["ConnectionArn"] == conn["ConnectionArn"] for x in c("ListConnections")["ConnectionSummaryList"])
    assert c("DeleteConnection", {"ConnectionArn": conn["ConnectionArn"]})["Connection"]["ConnectionArn"] == conn["ConnectionArn"]
    # observability configurations
    obs = c("CreateObservabilityConfiguration", {"ObservabilityConfigurationName": "cli-obs", "TraceConfiguration": {"Vendor": "AWSXRAY"}})["ObservabilityConfiguration"]
    assert c("DescribeObservabilityConfiguration", {"ObservabilityConfigurationArn": obs["ObservabilityConfigurationArn"]})["ObservabilityConfiguration"]["ObservabilityConfigurationName"] == "cli-obs"
    assert c("ListObservabilityConfigurations")["ObservabilityConfigurationSummaryList"]
    c("DeleteObservabilityConfiguration", {"ObservabilityConfigurationArn": obs["ObservabilityConfigurationArn"]})
    # VPC connectors
    vpc = c("CreateVpcConnector", {"VpcConnectorName": "cli-vpc", "Subnets": ["subnet-0123456789abcdef0"]})["VpcConnector"]
    assert c("DescribeVpcConnector", {"VpcConnectorArn": vpc["VpcConnectorArn"]})["VpcConnector"]["VpcConnectorName"] == "cli-vpc"
    assert c("ListVpcConnectors")["VpcConnectors"]
    c("DeleteVpcConnector", {"VpcConnectorArn": vpc["VpcConnectorArn"]})
    # VPC ingress connections
    private = cli_endpoint.create_service("cli-private", NetworkConfiguration={"IngressConfiguration": {"IsPubliclyAccessible": False}})
    cli_endpoint.wait_status(private["ServiceArn"], "RUNNING")
    ingress = c("CreateVpcIngressConnection", {"ServiceArn": private["ServiceArn"], "VpcIngressConnectionName": "cli-ingress",
                                               "IngressVpcConfiguration": {"VpcId": "vpc-0123456789abcdef0", "VpcEndpointId": "vpce-0123456789abcdef0"}})["VpcIngressConnection"]
    assert c("DescribeVpcIngressConnection", {"VpcIngressConnectionArn": ingress["VpcIngressConnectionArn"]})["VpcIngressConnection"]["VpcIngressConnectionName"] == "cli-ingress"
    assert "VpcIngressConnectionSummaryList" in c("ListVpcIngressConnections")
    # tags
    c("TagResource", {"ResourceArn": arn, "Tags": [{"Key": "team", "Value": "cli"}]})
    assert {"Key": "team", "Value": "cli"} in c("ListTagsForResource", {"ResourceArn": arn})["Tags"]
    c("UntagResource", {"ResourceArn": arn, "TagKeys": ["team"]})
    assert {"Key": "team", "Value": "cli"} not in c("ListTagsForResource", {"ResourceArn": arn}).get("Tags", [])
    # custom domains
    assert c("DescribeCustomDomains", {"ServiceArn": arn})["ServiceArn"] == arn
    assert c("AssociateCustomDomain", {"ServiceArn": arn, "DomainName": "call.example.net"})["CustomDomain"]["Status"] == "creating"
    assert c("DisassociateCustomDomain", {"ServiceArn": arn, "DomainName": "call.example.net"})["CustomDomain"]["DomainName"] == "call.example.net"


# ---- conventions ------------------------------------------------------------------------------

@pytest.mark.parametrize("command", COMMANDS)
def test_help_has_examples(command):
    p = subprocess.run([str(BIN), command, "--help"], capture_output=True, text=True, env=ENV, timeout=60)
    assert p.returncode == 0 and "Examples:" in p.stdout and "USAGE:" in p.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts(shell):
    p = subprocess.run([str(BIN), "--generate-completion-script", shell], capture_output=True, text=True, env=ENV, timeout=60)
    assert p.returncode == 0 and "runnerdeck" in p.stdout and "describe" in p.stdout


def test_usage_errors_exit_2(cli_endpoint):
    assert cli_endpoint.rd("services", "--output", "yaml").returncode == 252
    assert cli_endpoint.rd("describe").returncode == 252
    assert cli_endpoint.rd("deploy", "x", "--timeout", "5").returncode == 252  # --timeout needs --wait


def test_global_options_before_the_command(cli_endpoint, web):
    p = subprocess.run([str(BIN), "--endpoint-url", cli_endpoint.url, "--output", "text", "services"],
                       capture_output=True, text=True, env=ENV, timeout=120)
    assert p.returncode == 0 and "cli-web\tRUNNING" in p.stdout
