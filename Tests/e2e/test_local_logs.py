"""CloudWatch Logs and CloudWatch on the `runnerdeck serve` port: boto3's `logs` and `cloudwatch` clients
and `aws logs tail` read a service's deployment log, a rollback's failing health check, application logs
and metrics that stop while the service is paused; signatures must be scoped to the target's service."""
import datetime
import json
import subprocess
import time
import urllib.error
import urllib.request

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from conftest import aws_env, wait_for

IMAGE = "public.ecr.aws/aws-containers/hello-app-runner:latest"


def client(served, name, key="AKIDEXAMPLE", secret="dummy-secret"):
    return boto3.client(name, endpoint_url=served.url, region_name="us-east-1", aws_access_key_id=key,
                        aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}))


def create_running(apprunner, name):
    service = apprunner.create_service(ServiceName=name, SourceConfiguration={
        "ImageRepository": {"ImageIdentifier": IMAGE, "ImageRepositoryType": "ECR_PUBLIC"}})["Service"]
    wait_for(lambda: apprunner.describe_service(ServiceArn=service["ServiceArn"])["Service"]["Status"], lambda s: s == "RUNNING")
    return service


def group(service, kind="service"):
    return f"/aws/apprunner/{service['ServiceName']}/{service['ServiceId']}/{kind}"


def messages(logs, name, **kw):
    events = []
    for page in logs.get_paginator("filter_log_events").paginate(logGroupName=name, **kw):
        events += page["events"]
    return [event["message"] for event in events]


def operation_status(apprunner, arn, operation_id):
    return next(op["Status"] for op in apprunner.list_operations(ServiceArn=arn)["OperationSummaryList"] if op["Id"] == operation_id)


def test_a_deployments_log_lines(serve):
    apprunner, logs = serve.client(), client(serve, "logs")
    service = create_running(apprunner, "logged-e2e")
    operation = apprunner.start_deployment(ServiceArn=service["ServiceArn"])["OperationId"]
    wait_for(lambda: operation_status(apprunner, service["ServiceArn"], operation), lambda s: s == "SUCCEEDED")
    lines = messages(logs, group(service), logStreamNames=[f"deployment/{operation}"])
    assert lines[0] == f"[AppRunner] Pulling image {IMAGE} from ECR Public repository."
    assert "[AppRunner] Performing health check on protocol `TCP` [Port: '8080']." in lines
    assert lines[-1] == "[AppRunner] Successfully routed incoming traffic to application."
    events = messages(logs, group(service), logStreamNames=["events"])
    assert events[-2:] == ["[AppRunner] Service update completed successfully.", "[AppRunner] Service status is set to RUNNING."]
    assert events[:2] == ["[AppRunner] Service creation started.", "[AppRunner] Service status is set to OPERATION_IN_PROGRESS."]
    groups = [g["logGroupName"] for g in logs.describe_log_groups(logGroupNamePrefix=f"/aws/apprunner/logged-e2e/")["logGroups"]]
    assert groups == [group(service, "application"), group(service)]
    streams = [s["logStreamName"] for s in logs.describe_log_streams(logGroupName=group(service))["logStreams"]]
    assert f"deployment/{operation}" in streams and "events" in streams
    # Reading one stream from the head, as `aws logs get-log-events` does.
    head = logs.get_log_events(logGroupName=group(service), logStreamName="events", startFromHead=True, limit=1)
    assert [e["message"] for e in head["events"]] == ["[AppRunner] Service creation started."]


def test_a_rollbacks_failing_health_check(serve_factory):
    served = serve_factory("--failure-probability", "1", operation_seconds="2")
    apprunner, logs = served.client(), client(served, "logs")
    service = create_running(apprunner, "rolled-back-e2e")
    operation = apprunner.start_deployment(ServiceArn=service["ServiceArn"])["OperationId"]
    wait_for(lambda: operation_status(apprunner, service["ServiceArn"], operation), lambda s: s == "ROLLBACK_SUCCEEDED")
    lines = messages(logs, group(service), logStreamNames=[f"deployment/{operation}"])
    assert any(line.startswith("[AppRunner] Health check failed on protocol `TCP` [Port: '8080'].") for line in lines)
    assert f"[AppRunner] Deployment with ID : {operation} failed. Failure reason : Health check failed." in lines
    assert lines[-1] == "[AppRunner] Rollback completed successfully. Incoming traffic is routed to the previous deployment."
    checks = messages(logs, group(service, "application"), filterPattern='"Health check failed"')
    assert checks and all("connection refused" in line for line in checks)


@pytest.mark.time_limit(120)
def test_metrics_stop_while_paused(serve_factory):
    served = serve_factory(operation_seconds="1")
    apprunner, cloudwatch, logs = served.client(), client(served, "cloudwatch"), client(served, "logs")
    service = create_running(apprunner, "paused-e2e")
    running = datetime.datetime.now(datetime.timezone.utc)
    time.sleep(11)
    apprunner.pause_service(ServiceArn=service["ServiceArn"])
    wait_for(lambda: apprunner.describe_service(ServiceArn=service["ServiceArn"])["Service"]["Status"], lambda s: s == "PAUSED")
    paused = datetime.datetime.now(datetime.timezone.utc)
    time.sleep(11)
    dimensions = [{"Name": "ServiceName", "Value": "paused-e2e"}, {"Name": "ServiceID", "Value": service["ServiceId"]}]

    def values(metric, stat, start, end):
        result = cloudwatch.get_metric_data(StartTime=start, EndTime=end, MetricDataQueries=[{
            "Id": "q", "MetricStat": {"Metric": {"Namespace": "AWS/AppRunner", "MetricName": metric, "Dimensions": dimensions},
                                      "Period": 10, "Stat": stat}}])["MetricDataResults"][0]
        return result["Values"]

    now = datetime.datetime.now(datetime.timezone.utc)
    assert sum(values("Requests", "Sum", running, paused)) > 0
    assert sum(values("Requests", "Sum", paused + datetime.timedelta(seconds=1), now)) == 0
    assert all(1 <= v <= 25 for v in values("ActiveInstances", "Maximum", running, now))
    names = {m["MetricName"] for m in cloudwatch.list_metrics(Namespace="AWS/AppRunner", Dimensions=[{"Name": "ServiceName", "Value": "paused-e2e"}])["Metrics"]}
    assert {"Requests", "5xxStatusResponses", "ActiveInstances", "CPUUtilization", "Concurrency"} <= names
    late = logs.filter_log_events(logGroupName=group(service, "application"), startTime=int(paused.timestamp() * 1000) + 1000)
    assert late["events"] == []
    # CloudWatch's errors come back as botocore reads them (x-amzn-query-error).
    with pytest.raises(ClientError) as error:
        values("Requests", "Median", running, now)
    assert error.value.response["Error"]["Code"] == "InvalidParameterValue"
    with pytest.raises(ClientError) as error:
        logs.filter_log_events(logGroupName="/aws/apprunner/none/0/service")
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_the_aws_cli_reads_the_logs(serve):
    apprunner = serve.client()
    service = create_running(apprunner, "cli-read-e2e")
    result = subprocess.run(["aws", "logs", "filter-log-events", "--log-group-name", group(service), "--endpoint-url", serve.url,
                             "--filter-pattern", '"status is set"', "--output", "json"],
                            env=aws_env(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = [event["message"] for event in json.loads(result.stdout)["events"]]
    assert lines == ["[AppRunner] Service status is set to OPERATION_IN_PROGRESS.", "[AppRunner] Service status is set to RUNNING."]


def aws_cli_has_logs_tail():
    probe = subprocess.run(["aws", "logs", "tail", "help"], env=aws_env(), capture_output=True, text=True, timeout=60)
    return probe.returncode == 0


def test_aws_logs_tail_prints_the_lines(serve):
    if not aws_cli_has_logs_tail():
        pytest.skip("this AWS CLI has no `logs tail` (AWS CLI v1); it comes with v2")
    apprunner = serve.client()
    service = create_running(apprunner, "tailed-e2e")
    result = subprocess.run(["aws", "logs", "tail", group(service), "--endpoint-url", serve.url, "--since", "10m"],
                            env=aws_env(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.endswith("events [AppRunner] Service creation completed successfully.") for line in lines), result.stdout
    assert any("deployment/" in line and "Successfully routed incoming traffic to application." in line for line in lines)


def test_signatures_are_scoped_to_the_targets_service(serve_factory):
    served = serve_factory("--access-key-id", "AKIDSIGNED", "--secret-access-key", "signed-secret")
    logs = client(served, "logs", key="AKIDSIGNED", secret="signed-secret")
    cloudwatch = client(served, "cloudwatch", key="AKIDSIGNED", secret="signed-secret")
    assert logs.describe_log_groups()["logGroups"] == []
    assert cloudwatch.list_metrics(Namespace="AWS/AppRunner")["Metrics"] == []
    with pytest.raises(ClientError):
        client(served, "logs", key="AKIDSIGNED", secret="wrong").describe_log_groups()
    # A request for App Runner signed for `logs` is refused.
    request = AWSRequest(method="POST", url=served.url + "/", data=b"{}", headers={
        "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AppRunner.ListServices"})
    SigV4Auth(Credentials("AKIDSIGNED", "signed-secret"), "logs", "us-east-1").add_auth(request)
    prepared = request.prepare()
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(prepared.url, data=prepared.body, headers=dict(prepared.headers), method="POST"), timeout=10)
    assert refused.value.code in (400, 403)
    assert b"apprunner" in refused.value.read()


def rd(served, *args, timeout=60):
    from conftest import RUNNERDECK
    return subprocess.run([str(RUNNERDECK), *args, "--endpoint-url", served.url, "--region", "us-east-1"],
                          capture_output=True, text=True, timeout=timeout, env=aws_env())


def test_the_cli_reads_a_deployments_log_and_metrics_from_serve(serve_factory):
    """`runnerdeck logs` and `metrics` against `runnerdeck serve`: the same endpoint answers App Runner,
    CloudWatch Logs and CloudWatch (--endpoint-url applies to all three)."""
    served = serve_factory(operation_seconds="2")
    apprunner = served.client()
    service = create_running(apprunner, "cli-logged")
    p = rd(served, "deploy", "cli-logged", "--wait", "--timeout", "60", "--output", "json")
    assert p.returncode == 0, p.stderr
    operation = json.loads(p.stdout)["Operation"]["Id"]
    p = rd(served, "logs", "cli-logged", "--operation", operation, "--since", "10m", "--output", "text")
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    # As `aws logs tail` prints them: timestamp with offset, stream, message.
    assert lines and all(line.split(" ", 2)[0].endswith("+00:00") for line in lines), lines
    assert any(f"deployment/{operation} [AppRunner] Performing health check on protocol `TCP` [Port: '8080']." in line for line in lines), lines
    p = rd(served, "logs", "cli-logged", "--since", "10m", "--filter", "\"Service status is set to\"", "--output", "json")
    assert p.returncode == 0, p.stderr
    events = json.loads(p.stdout)["events"]
    assert events and all("Service status is set to" in e["message"] for e in events)
    p = rd(served, "metrics", "cli-logged", "--since", "1h", "--output", "table")
    assert p.returncode == 0, p.stderr
    assert "Requests" in p.stdout and "ActiveInstances" in p.stdout and "5xx share" in p.stdout
    # Paused: no requests are served, so the newest metrics are absent, never made up.
    p = rd(served, "pause", "cli-logged", "--wait", "--timeout", "60")
    assert p.returncode == 0, p.stderr
    p = rd(served, "logs", "nothing-here", "--since", "10m")
    assert p.returncode != 0 and "Traceback" not in p.stderr
