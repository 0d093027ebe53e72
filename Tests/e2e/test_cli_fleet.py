"""`runnerdeck services --profiles … --regions …` against several `runnerdeck serve`s: one per region and
account (each profile of a temporary AWS config points at its own with `endpoint_url`), plus one that
refuses the credentials it is sent."""
import json
import subprocess
import time

import pytest

from cli_fixtures import BIN, ENV
from conftest import apprunner_client

EAST_ACCOUNT = "111111111111"
WEST_ACCOUNT = "222222222222"


@pytest.fixture(scope="module")
def fleet(serve_module_factory, tmp_path_factory):
    east = serve_module_factory("--region", "us-east-1", "--account-id", EAST_ACCOUNT, state=None)
    west = serve_module_factory("--region", "eu-west-1", "--account-id", WEST_ACCOUNT, state=None)
    locked = serve_module_factory("--access-key-id", "AKIDLOCKED", "--secret-access-key", "locked-secret", state=None)
    for served, region, names in [(east, "us-east-1", ["east-web", "east-api"]), (west, "eu-west-1", ["west-web", "west-jobs", "west-api"])]:
        client = apprunner_client(served.url, region=region)
        for name in names:
            client.create_service(ServiceName=name, SourceConfiguration={
                "ImageRepository": {"ImageIdentifier": "public.ecr.aws/aws-containers/hello-app-runner:latest",
                                    "ImageRepositoryType": "ECR_PUBLIC"},
                "AutoDeploymentsEnabled": False})
        # Every service RUNNING before the tests compare listings taken a moment apart (a create still in
        # progress for the first listing and done for the second made them differ).
        deadline = time.time() + 60
        while any(s["Status"] != "RUNNING" for s in client.list_services()["ServiceSummaryList"]):
            assert time.time() < deadline, "the fleet's services did not reach RUNNING within 60 s"
            time.sleep(0.2)
    directory = tmp_path_factory.mktemp("fleet-config")
    config = directory / "config"
    config.write_text(f"[profile east]\nregion = us-east-1\nendpoint_url = {east.url}\n"
                      f"[profile west]\nregion = eu-west-1\nendpoint_url = {west.url}\n"
                      f"[profile locked]\nregion = us-east-1\nendpoint_url = {locked.url}\n")
    credentials = directory / "credentials"
    credentials.write_text("".join(f"[{name}]\naws_access_key_id = AKIDEXAMPLE\naws_secret_access_key = secret\n"
                                   for name in ["east", "west", "locked"]))
    env = dict(ENV, AWS_CONFIG_FILE=str(config), AWS_SHARED_CREDENTIALS_FILE=str(credentials))
    for name in ["AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]:
        env.pop(name, None)
    return env


def rd(env, *args):
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=120, env=env)


def test_two_profiles_two_regions_in_one_table(fleet):
    p = rd(fleet, "services", "--profiles", "east,west", "--output", "table")
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0].split() == ["ACCOUNT", "REGION", "NAME", "STATUS", "UPDATED", "URL", "ARN"]
    rows = [line.split()[:3] for line in lines[1:]]
    assert rows == [[EAST_ACCOUNT, "us-east-1", "east-web"], [EAST_ACCOUNT, "us-east-1", "east-api"],
                    [WEST_ACCOUNT, "eu-west-1", "west-web"], [WEST_ACCOUNT, "eu-west-1", "west-jobs"],
                    [WEST_ACCOUNT, "eu-west-1", "west-api"]]
    text = rd(fleet, "--profiles", "east,west", "services", "--output", "text")
    assert text.returncode == 0, text.stderr
    assert [line.split("\t")[:3] for line in text.stdout.splitlines()] == rows


def test_json_carries_account_and_region_for_jq(fleet):
    p = rd(fleet, "services", "--profiles", "east,west", "--output", "json")
    assert p.returncode == 0, p.stderr
    document = json.loads(p.stdout)
    summaries = document["ServiceSummaryList"]
    assert [(s["Account"], s["Region"], s["ServiceName"]) for s in summaries][:3] == [
        (EAST_ACCOUNT, "us-east-1", "east-web"), (EAST_ACCOUNT, "us-east-1", "east-api"), (WEST_ACCOUNT, "eu-west-1", "west-web")]
    assert all(s["ServiceArn"].split(":")[3:5] == [s["Region"], s["Account"]] for s in summaries)
    assert list(summaries[0])[-2:] == ["Account", "Region"]
    assert document["Targets"] == [
        {"Profile": "east", "Region": "us-east-1", "Account": EAST_ACCOUNT, "ServiceCount": 2},
        {"Profile": "west", "Region": "eu-west-1", "Account": WEST_ACCOUNT, "ServiceCount": 3}]
    query = rd(fleet, "services", "--profiles", "east,west", "--output", "text",
               "--query", "ServiceSummaryList[?Region=='eu-west-1'].ServiceName")
    assert query.stdout == "west-web\twest-jobs\twest-api\n"


def test_a_target_that_refuses_credentials_is_one_line_and_the_others_print(fleet):
    p = rd(fleet, "services", "--profiles", "east,locked,west", "--output", "text")
    assert p.returncode == 254, p.stderr
    errors = p.stderr.splitlines()
    assert len(errors) == 1 and errors[0].startswith("runnerdeck: locked/us-east-1: "), p.stderr
    assert [line.split("\t")[2] for line in p.stdout.splitlines()] == ["east-web", "east-api", "west-web", "west-jobs", "west-api"]
    document = json.loads(rd(fleet, "services", "--profiles", "east,locked,west", "--output", "json").stdout)
    assert [t.get("ServiceCount") for t in document["Targets"]] == [2, None, 3]
    assert document["Targets"][1]["Error"]["Code"] in ("UnrecognizedClientException", "InvalidSignatureException", "IncompleteSignatureException")


def test_an_unknown_profile_is_a_configuration_error_of_its_own(fleet):
    p = rd(fleet, "services", "--profiles", "ghost,west", "--output", "text")
    assert p.returncode == 253
    assert p.stderr.startswith("runnerdeck: ghost: ConfigurationError: ") and "ghost" in p.stderr
    assert len(p.stdout.splitlines()) == 3


def test_one_target_prints_what_services_prints(fleet):
    for output in ["table", "text"]:
        plain = rd(fleet, "services", "--profile", "west", "--output", output)
        one = rd(fleet, "services", "--profiles", "west", "--output", output)
        assert plain.returncode == one.returncode == 0
        assert plain.stdout == one.stdout
    plain = rd(fleet, "services", "--profile", "west", "--output", "json")
    assert "Account" not in plain.stdout and list(json.loads(plain.stdout)) == ["ServiceSummaryList"]


def test_fleet_options_that_contradict_are_usage_errors(fleet):
    for args in [["--profiles", "east", "--profile", "west"], ["--regions", "all,us-east-1"],
                 ["--profiles", "east,west", "--max-items", "1"], ["--regions", "us-east-1", "--demo"]]:
        p = rd(fleet, "services", *args)
        assert p.returncode == 252, (args, p.stderr)
        assert p.stdout == ""


def test_a_profile_fetches_its_credentials_once_for_all_its_regions(fleet, tmp_path):
    # credential_process counts its runs; two regions of one profile share the profile's provider.
    count = tmp_path / "runs"
    script = tmp_path / "creds.sh"
    script.write_text(f"#!/bin/sh\necho run >> {count}\n"
                      'echo \'{"Version": 1, "AccessKeyId": "AKIDEXAMPLE", "SecretAccessKey": "secret"}\'\n')
    script.chmod(0o755)
    config = tmp_path / "config"
    config.write_text(open(fleet["AWS_CONFIG_FILE"]).read().replace("[profile east]\n", f"[profile east]\ncredential_process = {script}\n"))
    credentials = tmp_path / "credentials"
    credentials.write_text(open(fleet["AWS_SHARED_CREDENTIALS_FILE"]).read().replace("[east]\n", "[unused]\n"))
    env = dict(fleet, AWS_CONFIG_FILE=str(config), AWS_SHARED_CREDENTIALS_FILE=str(credentials))
    # Both regions go to east's serve (its endpoint_url); eu-west-1 may be refused there, which does not matter here.
    p = rd(env, "services", "--profiles", "east", "--regions", "us-east-1,eu-west-1", "--output", "text")
    assert [line.split("\t")[:3] for line in p.stdout.splitlines()][:2] == [
        [EAST_ACCOUNT, "us-east-1", "east-web"], [EAST_ACCOUNT, "us-east-1", "east-api"]], p.stderr
    assert count.read_text() == "run\n"
