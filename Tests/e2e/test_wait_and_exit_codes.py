"""Issue 18: `runnerdeck wait`, and one test per exit code class (the AWS CLI's return codes plus
RunnerDeck's two for waits), against `runnerdeck serve`."""
import json
import re
import subprocess

from cli_fixtures import BIN, ENV, cli_endpoint, slow_endpoint  # noqa: F401  (fixtures)
from test_cli import one_error_line, progress_lines


def test_0_success(cli_endpoint):
    assert cli_endpoint.rd("services", "--output", "json").returncode == 0


def test_252_invalid_syntax_or_parameter(cli_endpoint):
    for args in (["services", "--no-such-option"], ["describe"], ["call", "DescribeService", "--input", "{}"]):
        p = cli_endpoint.rd(*args)
        assert p.returncode == 252, (args, p.stderr)


def test_253_configuration_or_credentials(cli_endpoint):
    env = dict(ENV)
    env.pop("AWS_ACCESS_KEY_ID")
    env.pop("AWS_SECRET_ACCESS_KEY")
    p = cli_endpoint.rd("services", env=env)
    assert p.returncode == 253, p.stderr
    p = cli_endpoint.rd("services", "--profile", "no-such-profile")
    assert p.returncode == 253 and "no-such-profile" in one_error_line(p), p.stderr


def test_254_the_service_answered_an_error(cli_endpoint):
    p = cli_endpoint.rd("describe", "arn:aws:apprunner:us-east-1:123456789012:service/nope/0123456789abcdef0123456789abcdef")
    assert p.returncode == 254
    assert one_error_line(p).startswith("runnerdeck: ResourceNotFoundException: ")
    # A name that matches no service is the same error, with the same code.
    p = cli_endpoint.rd("describe", "no-such-service-at-all")
    assert p.returncode == 254 and one_error_line(p).startswith("runnerdeck: ResourceNotFoundException: ")


def test_255_anything_else():
    # Nothing listens on port 9: the network failed, no service answered.
    p = subprocess.run([str(BIN), "services", "--endpoint-url", "http://127.0.0.1:9"], capture_output=True, text=True,
                       env=ENV, timeout=120)
    assert p.returncode == 255, p.stderr
    assert "127.0.0.1:9" in one_error_line(p)


def test_wait_operation_resumes_a_wait_that_timed_out(slow_endpoint):
    """Exit 3 names the command that resumes; that command waits and (here, timing out again) says so."""
    arns = [s["ServiceArn"] for s in slow_endpoint.call("ListServices")["ServiceSummaryList"] if s["Status"] == "RUNNING"]
    p = slow_endpoint.rd("deploy", arns[1], "--wait", "--timeout", "1", "--output", "json")
    assert p.returncode == 3
    resume = re.search(r"runnerdeck (wait operation \S+ \S+)$", one_error_line(p)).group(1).split()
    again = slow_endpoint.rd(*resume, "--timeout", "1")
    assert again.returncode == 3, again.stderr
    assert progress_lines(again) and "IN_PROGRESS" in progress_lines(again)[-1]


def test_wait_operation_and_service_states(cli_endpoint):
    service = cli_endpoint.create_service("wait-web")
    arn = service["ServiceArn"]
    p = cli_endpoint.rd("wait", "service-running", "wait-web", "--output", "json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["Service"]["Status"] == "RUNNING"
    assert progress_lines(p)[-1].endswith(": RUNNING"), p.stderr
    started = json.loads(cli_endpoint.rd("pause", "wait-web", "--output", "json").stdout)["OperationId"]
    p = cli_endpoint.rd("wait", "operation", "wait-web", started, "--output", "json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["Operation"]["Status"] == "SUCCEEDED"
    p = cli_endpoint.rd("wait", "service-paused", arn, "--output", "text")
    assert p.returncode == 0 and p.stdout == "wait-web\tPAUSED\n", (p.stdout, p.stderr)
    # Global options may come first, as with aws.
    p = cli_endpoint.rd("--output", "text", "wait", "service-paused", "wait-web")
    assert p.returncode == 0, p.stderr
    cli_endpoint.rd("delete", "wait-web", "--yes")
    p = cli_endpoint.rd("wait", "service-deleted", arn)
    assert p.returncode == 0, p.stderr
    p = cli_endpoint.rd("wait", "operation", "wait-web", "0" * 32)
    assert p.returncode == 254


def test_waiting_for_running_on_a_failed_creation_is_255(cli_endpoint):
    service = cli_endpoint.create_service("wait-broken", Tags=[{"Key": "runnerdeck:fail-create", "Value": "true"}])
    p = cli_endpoint.rd("wait", "service-running", service["ServiceArn"])
    assert p.returncode == 255, p.stderr
    assert "CREATE_FAILED" in one_error_line(p)


def test_wait_domain_active(cli_endpoint):
    service = cli_endpoint.create_service("wait-domain")
    cli_endpoint.wait_status(service["ServiceArn"], "RUNNING")
    cli_endpoint.call("AssociateCustomDomain", {"ServiceArn": service["ServiceArn"], "DomainName": "shop.example.com"})
    p = cli_endpoint.rd("wait", "domain-active", "wait-domain", "shop.example.com", "--output", "json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["Status"] == "active"
    assert any("pending_certificate_dns_validation" in line.lower() for line in progress_lines(p)), p.stderr
    p = cli_endpoint.rd("wait", "domain-active", "wait-domain", "other.example.com")
    assert p.returncode == 254 and "not associated" in one_error_line(p)
