"""Issue 18 items 3 and 4: the profile's `cli_timestamp_format` and `output` (and AWS_DEFAULT_OUTPUT),
checked side by side with the AWS CLI on the same `runnerdeck serve`."""
import json
import re
import subprocess

import pytest

from cli_fixtures import BIN, ENV, cli_endpoint  # noqa: F401  (fixtures)


@pytest.fixture(scope="module")
def served(cli_endpoint):
    service = cli_endpoint.create_service("settings-web")
    cli_endpoint.wait_status(service["ServiceArn"], "RUNNING")
    return cli_endpoint, service["ServiceArn"]


def with_config(tmp_path, text, **extra):
    path = tmp_path / "config"
    path.write_text(text)
    return dict(ENV, AWS_CONFIG_FILE=str(path), **extra)


def both(endpoint, env, ours, theirs):
    mine = subprocess.run([str(BIN), *ours, "--endpoint-url", endpoint.url], capture_output=True, text=True, env=env, timeout=120)
    aws = subprocess.run(["aws", "apprunner", *theirs, "--endpoint-url", endpoint.url, "--region", "us-east-1"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert mine.returncode == 0, mine.stderr
    assert aws.returncode == 0, aws.stderr
    return mine.stdout, aws.stdout


@pytest.mark.parametrize("setting,tz", [("none", "UTC"), ("iso8601", "UTC"), ("iso8601", "America/New_York")])
def test_timestamps_follow_cli_timestamp_format_as_the_aws_cli_does(served, tmp_path, setting, tz):
    endpoint, arn = served
    env = with_config(tmp_path, "[default]\ncli_timestamp_format = %s\n" % setting, TZ=tz)
    mine, aws = both(endpoint, env, ["describe", arn, "--output", "json"], ["describe-service", "--service-arn", arn, "--output", "json"])
    assert mine == aws
    created = json.loads(mine)["Service"]["CreatedAt"]
    assert isinstance(created, float if setting == "none" else str)
    query = "ServiceSummaryList[?ServiceName=='settings-web'].[ServiceName,CreatedAt,UpdatedAt]"
    mine, aws = both(endpoint, env, ["services", "--output", "text", "--query", query],
                     ["list-services", "--output", "text", "--query", query])
    assert mine == aws


def test_text_and_table_records_print_iso_8601_with_the_offset(served, tmp_path):
    endpoint, arn = served
    env = with_config(tmp_path, "[default]\n", TZ="America/New_York")
    p = subprocess.run([str(BIN), "describe", arn, "--output", "text", "--endpoint-url", endpoint.url], capture_output=True, text=True,
                       env=env, timeout=120)
    created = [line.split("\t")[1] for line in p.stdout.splitlines() if line.startswith("Created\t")]
    assert created and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-05:00", created[0]), p.stdout
    env = with_config(tmp_path, "[default]\ncli_timestamp_format = none\n")
    p = subprocess.run([str(BIN), "describe", arn, "--output", "text", "--endpoint-url", endpoint.url], capture_output=True, text=True,
                       env=env, timeout=120)
    created = [line.split("\t")[1] for line in p.stdout.splitlines() if line.startswith("Created\t")]
    assert created and re.fullmatch(r"\d{10}(\.\d+)?", created[0]), p.stdout


def test_the_profiles_output_and_aws_default_output_are_honoured(served, tmp_path):
    endpoint, _ = served
    query = "ServiceSummaryList[].ServiceName"
    env = with_config(tmp_path, "[default]\noutput = text\n")
    mine, aws = both(endpoint, env, ["services", "--query", query], ["list-services", "--query", query])
    assert mine == aws and "settings-web" in mine and not mine.lstrip().startswith("[")
    # AWS_DEFAULT_OUTPUT wins over the profile, --output over both.
    env = with_config(tmp_path, "[default]\noutput = text\n", AWS_DEFAULT_OUTPUT="json")
    mine, aws = both(endpoint, env, ["services", "--query", query], ["list-services", "--query", query])
    assert mine == aws and json.loads(mine)
    mine, aws = both(endpoint, env, ["services", "--query", query, "--output", "text"], ["list-services", "--query", query, "--output", "text"])
    assert mine == aws
    # Without --query the profile's format picks the command's own rendering.
    p = subprocess.run([str(BIN), "services", "--endpoint-url", endpoint.url], capture_output=True, text=True,
                       env=with_config(tmp_path, "[default]\noutput = text\n"), timeout=120)
    assert p.returncode == 0 and "\t" in p.stdout and not p.stdout.startswith("{"), p.stdout


@pytest.mark.parametrize("config,words", [("[default]\ncli_timestamp_format = epoch\n", "cli_timestamp_format"),
                                          ("[default]\noutput = yaml\n", "yaml")])
def test_a_setting_runnerdeck_does_not_know_is_a_configuration_error(served, tmp_path, config, words):
    endpoint, _ = served
    p = subprocess.run([str(BIN), "services", "--endpoint-url", endpoint.url], capture_output=True, text=True,
                       env=with_config(tmp_path, config), timeout=120)
    assert p.returncode == 253 and words in p.stderr, p.stderr
