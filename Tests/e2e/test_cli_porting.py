"""Issue 18: scripts port from `aws apprunner` by replacing the command (the AWS CLI's names and
`--service-arn`), and `--read-only` refuses every change before any call."""
import json

import pytest

from cli_fixtures import cli_endpoint  # noqa: F401  (fixture)


@pytest.fixture(scope="module")
def service(cli_endpoint):
    created = cli_endpoint.create_service("porting-web")
    cli_endpoint.wait_status(created["ServiceArn"], "RUNNING")
    return created["ServiceArn"]


def test_the_aws_cli_names_and_service_arn_work(cli_endpoint, service):
    listed = json.loads(cli_endpoint.rd("list-services", "--output", "json").stdout)
    assert any(s["ServiceArn"] == service for s in listed["ServiceSummaryList"])
    # Output identical with the AWS CLI for the same command line, but for the program's name.
    ours = json.loads(cli_endpoint.rd("describe-service", "--service-arn", service, "--output", "json").stdout)
    assert ours == cli_endpoint.aws("describe-service", "--service-arn", service)
    ops = cli_endpoint.rd("list-operations", "--service-arn=" + service, "--output", "json")
    assert ops.returncode == 0 and json.loads(ops.stdout)["OperationSummaryList"], ops.stderr
    domains = cli_endpoint.rd("describe-custom-domains", "--service-arn", service, "--output", "json")
    assert domains.returncode == 0 and "DNSTarget" in json.loads(domains.stdout), domains.stderr
    paused = cli_endpoint.rd("pause-service", "--service-arn", service, "--output", "json")
    assert paused.returncode == 0 and json.loads(paused.stdout)["OperationId"], paused.stderr
    cli_endpoint.wait_status(service, "PAUSED")
    resumed = cli_endpoint.rd("resume-service", "--service-arn", service, "--wait")
    assert resumed.returncode == 0, resumed.stderr


@pytest.mark.parametrize("args", [["pause", "porting-web"], ["deploy", "porting-web"], ["delete", "porting-web", "--yes"],
                                  ["start-deployment", "--service-arn", "porting-web"],
                                  ["call", "PauseService", "--input", "{}"], ["call", "tag-resource", "--input", "{}"]])
def test_read_only_refuses_every_change_before_any_call(cli_endpoint, service, args):
    p = cli_endpoint.rd(*args, "--read-only")
    assert p.returncode == 252 and "--read-only" in p.stderr, p.stderr
    assert cli_endpoint.rd_json("describe", service)["Service"]["Status"] == "RUNNING"


def test_read_only_lets_reads_run(cli_endpoint, service):
    for args in (["services"], ["describe", "porting-web"], ["call", "ListServices"], ["call", "describe-service", "--input",
                                                                                      json.dumps({"ServiceArn": service})]):
        p = cli_endpoint.rd(*args, "--read-only", "--output", "json")
        assert p.returncode == 0, (args, p.stderr)


# ---- signals and output errors (issue 18 item 7) -----------------------------------------------

def test_an_inherited_ignored_sigint_stays_ignored_while_waiting(cli_endpoint, service):
    """A background job of a script has SIGINT ignored: Ctrl-C in the terminal must not end its wait."""
    import signal
    import subprocess
    import time
    from cli_fixtures import BIN, ENV
    process = subprocess.Popen(["sh", "-c", 'trap "" INT; exec "$0" "$@"', str(BIN), "deploy", service, "--wait",
                                "--endpoint-url", cli_endpoint.url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    time.sleep(0.4)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "interrupted" not in err


def test_a_full_disk_is_an_error_and_a_closed_pipe_ends_quietly(cli_endpoint, service):
    import subprocess
    from cli_fixtures import BIN, ENV
    with open("/dev/full", "w") as full:
        p = subprocess.run([str(BIN), "services", "--output", "json", "--endpoint-url", cli_endpoint.url], stdout=full,
                           stderr=subprocess.PIPE, text=True, env=ENV, timeout=60)
    assert p.returncode == 255 and "could not write the output: No space left on device" in p.stderr, p.stderr
    follow = subprocess.Popen([str(BIN), "logs", service, "--application", "--follow", "--since", "1h", "--endpoint-url", cli_endpoint.url],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    first = [follow.stdout.readline() for _ in range(2)]
    assert all(first), first
    follow.stdout.close()  # what `| head -2` does once it has its lines
    assert follow.wait(timeout=30) == 0
    assert follow.stderr.read() == b""
