"""Endpoint resolution from botocore's endpoint rule sets (issue #18, item 5): for App Runner, CloudWatch
Logs, CloudWatch and STS, over regions x FIPS x dual-stack, the endpoint runnerdeck uses (its --debug
line, or the STS URL a failed assume-role names) equals the one botocore sends requests to with the same
settings.

No request reaches AWS: the AWS hosts do not resolve here, or if they do, the dummy credentials are
refused; either way the endpoint has been chosen and printed before that."""
import itertools
import os
import re
import subprocess
import tempfile

import botocore.session
import pytest
from botocore.config import Config

from cli_fixtures import BIN, ENV, cli_endpoint  # noqa: F401  (fixture)

REGIONS = ["us-east-1", "eu-west-1", "us-gov-west-1", "cn-north-1", "ap-southeast-3"]
MATRIX = list(itertools.product(REGIONS, [False, True], [False, True]))


# An operation of each service, to see where botocore sends it.
PROBES = {"apprunner": "list_services", "logs": "describe_log_groups", "cloudwatch": "list_metrics", "sts": "get_caller_identity"}


class _Sent(Exception):
    pass


def botocore_endpoint(service, region, fips, dualstack):
    """The URL botocore sends a request to (its endpoint rule set's answer). Not `client.meta.endpoint_url`:
    that comes from the older endpoints.json and differs where the rule set decides otherwise (CloudWatch
    in us-gov-west-1 with FIPS and dual-stack: meta says monitoring-fips..., requests go to monitoring...)."""
    session = botocore.session.get_session()
    client = session.create_client(service, region_name=region, aws_access_key_id="a", aws_secret_access_key="b",
                                   config=Config(use_fips_endpoint=fips, use_dualstack_endpoint=dualstack))
    sent = []

    def capture(request, **kwargs):
        sent.append(request.url)
        raise _Sent()

    client.meta.events.register("before-send", capture)
    with pytest.raises(_Sent):
        getattr(client, PROBES[service])()
    return sent[0].rstrip("/")


def env_for(region, fips, dualstack, **extra):
    env = dict(ENV, AWS_REGION=region, AWS_MAX_ATTEMPTS="1",
               AWS_USE_FIPS_ENDPOINT=str(fips).lower(), AWS_USE_DUALSTACK_ENDPOINT=str(dualstack).lower())
    env.update(extra)
    return env


def run(args, env):
    return subprocess.run([str(BIN), *args, "--debug", "--cli-connect-timeout", "2", "--cli-read-timeout", "5"],
                          capture_output=True, text=True, timeout=60, env=env)


def debug_endpoint(stderr, signing_name):
    found = re.findall(r"^\[debug\] %s: .* endpoint (\S+) " % re.escape(signing_name), stderr, re.M)
    assert found, stderr
    return found[0]


@pytest.mark.parametrize("region,fips,dualstack", MATRIX)
def test_apprunner_endpoint_is_botocores(region, fips, dualstack):
    p = run(["services"], env_for(region, fips, dualstack))
    assert p.returncode != 0  # no AWS here
    assert debug_endpoint(p.stderr, "apprunner") == botocore_endpoint("apprunner", region, fips, dualstack)


@pytest.fixture(scope="module")
def local_service(cli_endpoint):  # noqa: F811
    # Local App Runner keeps each region's services apart (issue 13): one in every region the matrix signs for.
    for region in REGIONS:
        cli_endpoint.create_service("endpoints-web", env=dict(ENV, AWS_REGION=region))
    return cli_endpoint


@pytest.mark.parametrize("region,fips,dualstack", MATRIX)
def test_logs_and_monitoring_endpoints_are_botocores(local_service, region, fips, dualstack):
    # App Runner is Local App Runner (its own configured endpoint); CloudWatch Logs and CloudWatch resolve
    # from their rule sets.
    env = env_for(region, fips, dualstack, AWS_ENDPOINT_URL_APPRUNNER=local_service.url)
    logs = run(["logs", "endpoints-web"], env)
    assert debug_endpoint(logs.stderr, "apprunner") == local_service.url
    assert debug_endpoint(logs.stderr, "logs") == botocore_endpoint("logs", region, fips, dualstack)
    metrics = run(["metrics", "endpoints-web"], env)
    assert debug_endpoint(metrics.stderr, "monitoring") == botocore_endpoint("cloudwatch", region, fips, dualstack)


@pytest.mark.parametrize("region,fips,dualstack", MATRIX)
def test_sts_endpoint_is_botocores(region, fips, dualstack):
    # A profile that assumes a role with the environment's keys: the STS call fails and names its URL.
    with tempfile.TemporaryDirectory() as home:
        config = os.path.join(home, "config")
        with open(config, "w") as f:
            f.write("[profile role]\nrole_arn = arn:aws:iam::123456789012:role/ci\ncredential_source = Environment\n")
        p = run(["services", "--profile", "role"], env_for(region, fips, dualstack, AWS_CONFIG_FILE=config))
    assert p.returncode != 0
    expected = botocore_endpoint("sts", region, fips, dualstack)
    assert expected in p.stderr, p.stderr
    assert "assume-role" in p.stderr


def test_profile_settings_and_environment_precedence():
    with tempfile.TemporaryDirectory() as home:
        config = os.path.join(home, "config")
        with open(config, "w") as f:
            f.write("[default]\nuse_fips_endpoint = true\nuse_dualstack_endpoint = true\n")
        env = env_for("eu-west-1", False, False, AWS_CONFIG_FILE=config)
        del env["AWS_USE_FIPS_ENDPOINT"], env["AWS_USE_DUALSTACK_ENDPOINT"]
        assert debug_endpoint(run(["services"], env).stderr, "apprunner") == botocore_endpoint("apprunner", "eu-west-1", True, True)
        env["AWS_USE_FIPS_ENDPOINT"] = "false"
        assert debug_endpoint(run(["services"], env).stderr, "apprunner") == botocore_endpoint("apprunner", "eu-west-1", False, True)
        # A configured endpoint still wins.
        env["AWS_ENDPOINT_URL_APPRUNNER"] = "http://127.0.0.1:9"
        assert debug_endpoint(run(["services"], env).stderr, "apprunner") == "http://127.0.0.1:9"
        # A value that is neither true nor false is a configuration error (exit 253 class), not silently false.
        env["AWS_USE_FIPS_ENDPOINT"] = "yes"
        del env["AWS_ENDPOINT_URL_APPRUNNER"]
        p = run(["services"], env)
        assert p.returncode != 0 and "use_fips_endpoint" in p.stderr, p.stderr
