"""Local App Runner driven as any AWS user would drive it: boto3 and the AWS CLI against `runnerdeck serve`."""
import json
import signal
import socket
import subprocess

import pytest
from botocore.exceptions import ClientError

from conftest import RUNNERDECK, aws_env, wait_for

IMAGE = {"ImageRepository": {"ImageIdentifier": "public.ecr.aws/aws-containers/hello-app-runner:latest",
                             "ImageRepositoryType": "ECR_PUBLIC"}}


@pytest.fixture(scope="module")
def server(serve_module_factory):
    srv = serve_module_factory("--domain-seconds", "2", operation_seconds="1")
    yield srv
    assert srv.stop() == 0


@pytest.fixture(scope="module")
def ar(server):
    return server.client()


def status(ar, arn):
    return ar.describe_service(ServiceArn=arn)["Service"]["Status"]


def running(ar, name):
    arn = ar.create_service(ServiceName=name, SourceConfiguration=IMAGE)["Service"]["ServiceArn"]
    wait_for(lambda: status(ar, arn), lambda s: s == "RUNNING")
    return arn


def test_service_lifecycle(ar):
    created = ar.create_service(ServiceName="life-cycle", SourceConfiguration=IMAGE,
                                InstanceConfiguration={"Cpu": "1 vCPU", "Memory": "2 GB"},
                                Tags=[{"Key": "team", "Value": "ops"}])
    arn = created["Service"]["ServiceArn"]
    assert created["Service"]["Status"] == "OPERATION_IN_PROGRESS"
    assert created["Service"]["InstanceConfiguration"] == {"Cpu": "1024", "Memory": "2048"}
    assert len(created["OperationId"]) == 36
    wait_for(lambda: status(ar, arn), lambda s: s == "RUNNING")

    with pytest.raises(ar.exceptions.InvalidStateException):
        ar.start_deployment(ServiceArn=arn) and ar.pause_service(ServiceArn=arn)
    wait_for(lambda: status(ar, arn), lambda s: s == "RUNNING")
    pause = ar.pause_service(ServiceArn=arn)
    assert pause["OperationId"]
    with pytest.raises(ar.exceptions.InvalidStateException) as error:
        ar.resume_service(ServiceArn=arn)
    assert error.value.response["Error"]["Message"] == "Service cannot be resumed in the current state: OPERATION_IN_PROGRESS."
    wait_for(lambda: status(ar, arn), lambda s: s == "PAUSED")
    assert "OperationId" not in ar.pause_service(ServiceArn=arn)
    with pytest.raises(ar.exceptions.InvalidStateException):
        ar.start_deployment(ServiceArn=arn)
    ar.resume_service(ServiceArn=arn)
    wait_for(lambda: status(ar, arn), lambda s: s == "RUNNING")

    ar.update_service(ServiceArn=arn, InstanceConfiguration={"Cpu": "2048", "Memory": "4096"})
    wait_for(lambda: status(ar, arn), lambda s: s == "RUNNING")
    assert ar.describe_service(ServiceArn=arn)["Service"]["InstanceConfiguration"]["Cpu"] == "2048"

    ops = ar.list_operations(ServiceArn=arn)["OperationSummaryList"]
    assert [o["Type"] for o in ops] == ["UPDATE_SERVICE", "RESUME_SERVICE", "PAUSE_SERVICE", "START_DEPLOYMENT", "CREATE_SERVICE"]
    assert all(o["Status"] == "SUCCEEDED" and o["EndedAt"] >= o["StartedAt"] for o in ops)
    assert ar.list_operations(ServiceArn=arn, MaxResults=1)["OperationSummaryList"][0]["Type"] == "UPDATE_SERVICE"

    ar.delete_service(ServiceArn=arn)
    service = wait_for(lambda: ar.describe_service(ServiceArn=arn)["Service"], lambda s: s["Status"] == "DELETED")
    assert "DeletedAt" in service
    assert arn not in [s["ServiceArn"] for s in ar.list_services()["ServiceSummaryList"]]


def test_failed_deployment_rolls_back(ar):
    arn = running(ar, "rolls-back")
    ar.tag_resource(ResourceArn=arn, Tags=[{"Key": "runnerdeck:fail-deployments", "Value": "true"}])
    op = ar.start_deployment(ServiceArn=arn)["OperationId"]
    seen = set()
    def latest():
        o = ar.list_operations(ServiceArn=arn)["OperationSummaryList"][0]
        seen.add(o["Status"])
        return o
    final = wait_for(latest, lambda o: o["Status"] == "ROLLBACK_SUCCEEDED")
    assert final["Id"] == op
    assert "ROLLBACK_IN_PROGRESS" in seen
    assert status(ar, arn) == "RUNNING"


def test_custom_domains(ar):
    arn = running(ar, "with-domain")
    first = ar.associate_custom_domain(ServiceArn=arn, DomainName="example.com")
    assert first["CustomDomain"]["Status"] == "creating"
    assert first["DNSTarget"] == ar.describe_service(ServiceArn=arn)["Service"]["ServiceUrl"]
    domain = wait_for(lambda: ar.describe_custom_domains(ServiceArn=arn)["CustomDomains"][0],
                      lambda d: d["Status"] == "pending_certificate_dns_validation", interval=0.05)
    records = domain["CertificateValidationRecords"]
    assert len(records) == 3 and all(r["Type"] == "CNAME" and r["Name"].endswith(".") for r in records)
    assert all(r["Value"].endswith(".acm-validations.aws.") for r in records)
    wait_for(lambda: ar.describe_custom_domains(ServiceArn=arn)["CustomDomains"][0], lambda d: d["Status"] == "active")
    with pytest.raises(ar.exceptions.InvalidRequestException) as error:
        ar.associate_custom_domain(ServiceArn=arn, DomainName="example.com")
    assert "example.com is already associated with" in error.value.response["Error"]["Message"]
    with pytest.raises(ar.exceptions.ResourceNotFoundException):
        ar.disassociate_custom_domain(ServiceArn=arn, DomainName="nope.example.com")
    assert ar.disassociate_custom_domain(ServiceArn=arn, DomainName="example.com")["CustomDomain"]["Status"] == "deleting"
    wait_for(lambda: ar.describe_custom_domains(ServiceArn=arn)["CustomDomains"], lambda d: d == [])


def test_auto_scaling_connections_connectors_ingress_observability_and_tags(ar):
    a1 = ar.create_auto_scaling_configuration(AutoScalingConfigurationName="scale-x", MaxSize=5)["AutoScalingConfiguration"]
    a2 = ar.create_auto_scaling_configuration(AutoScalingConfigurationName="scale-x", MaxSize=6)["AutoScalingConfiguration"]
    assert (a1["AutoScalingConfigurationRevision"], a2["AutoScalingConfigurationRevision"]) == (1, 2)
    assert a2["Latest"] and a2["Status"] == "active"
    listed = ar.list_auto_scaling_configurations(AutoScalingConfigurationName="scale-x", LatestOnly=True)
    assert [s["AutoScalingConfigurationRevision"] for s in listed["AutoScalingConfigurationSummaryList"]] == [2]
    ar.update_default_auto_scaling_configuration(AutoScalingConfigurationArn=a2["AutoScalingConfigurationArn"])
    assert ar.describe_auto_scaling_configuration(AutoScalingConfigurationArn=a2["AutoScalingConfigurationArn"])["AutoScalingConfiguration"]["IsDefault"]
    assert ar.delete_auto_scaling_configuration(AutoScalingConfigurationArn=a1["AutoScalingConfigurationArn"])["AutoScalingConfiguration"]["Status"] == "inactive"

    connection = ar.create_connection(ConnectionName="gh-conn", ProviderType="GITHUB")["Connection"]
    assert connection["Status"] == "PENDING_HANDSHAKE"
    assert [c["ConnectionName"] for c in ar.list_connections()["ConnectionSummaryList"]] == ["gh-conn"]
    ar.tag_resource(ResourceArn=connection["ConnectionArn"], Tags=[{"Key": "k", "Value": "v"}])
    assert ar.list_tags_for_resource(ResourceArn=connection["ConnectionArn"])["Tags"] == [{"Key": "k", "Value": "v"}]
    ar.untag_resource(ResourceArn=connection["ConnectionArn"], TagKeys=["k"])
    assert ar.list_tags_for_resource(ResourceArn=connection["ConnectionArn"])["Tags"] == []
    with pytest.raises(ar.exceptions.InvalidRequestException):
        ar.tag_resource(ResourceArn=connection["ConnectionArn"], Tags=[{"Key": "aws:reserved", "Value": "v"}])
    ar.delete_connection(ConnectionArn=connection["ConnectionArn"])

    connector = ar.create_vpc_connector(VpcConnectorName="vpc-conn", Subnets=["subnet-1"])["VpcConnector"]
    assert connector["Status"] == "ACTIVE" and connector["VpcConnectorRevision"] == 1
    assert ar.describe_vpc_connector(VpcConnectorArn=connector["VpcConnectorArn"])["VpcConnector"]["Subnets"] == ["subnet-1"]
    assert ar.delete_vpc_connector(VpcConnectorArn=connector["VpcConnectorArn"])["VpcConnector"]["Status"] == "INACTIVE"

    obs = ar.create_observability_configuration(ObservabilityConfigurationName="obs-x", TraceConfiguration={"Vendor": "AWSXRAY"})
    obs_arn = obs["ObservabilityConfiguration"]["ObservabilityConfigurationArn"]
    assert ar.describe_observability_configuration(ObservabilityConfigurationArn=obs_arn)["ObservabilityConfiguration"]["Latest"]
    assert [o["ObservabilityConfigurationName"] for o in ar.list_observability_configurations()["ObservabilityConfigurationSummaryList"]] == ["obs-x"]
    ar.delete_observability_configuration(ObservabilityConfigurationArn=obs_arn)

    arn = ar.create_service(ServiceName="private-one", SourceConfiguration=IMAGE,
                            NetworkConfiguration={"IngressConfiguration": {"IsPubliclyAccessible": False}})["Service"]["ServiceArn"]
    wait_for(lambda: status(ar, arn), lambda s: s == "RUNNING")
    ingress = ar.create_vpc_ingress_connection(ServiceArn=arn, VpcIngressConnectionName="ing-one",
                                               IngressVpcConfiguration={"VpcId": "vpc-1", "VpcEndpointId": "vpce-1"})["VpcIngressConnection"]
    assert ingress["Status"] == "PENDING_CREATION"
    iarn = ingress["VpcIngressConnectionArn"]
    wait_for(lambda: ar.describe_vpc_ingress_connection(VpcIngressConnectionArn=iarn)["VpcIngressConnection"]["Status"], lambda s: s == "AVAILABLE")
    assert ar.list_vpc_ingress_connections(Filter={"ServiceArn": arn})["VpcIngressConnectionSummaryList"][0]["VpcIngressConnectionArn"] == iarn
    ar.delete_vpc_ingress_connection(VpcIngressConnectionArn=iarn)


def test_validation_errors_name_the_member(ar):
    with pytest.raises(ar.exceptions.InvalidRequestException) as error:
        ar.create_service(ServiceName="bad name!", SourceConfiguration=IMAGE)
    assert "ServiceName" in error.value.response["Error"]["Message"]
    with pytest.raises(ar.exceptions.InvalidRequestException) as error:
        ar.list_services(MaxResults=21)
    assert "MaxResults" in error.value.response["Error"]["Message"]
    with pytest.raises(ar.exceptions.InvalidRequestException):
        ar.create_service(ServiceName="bad-sizes", SourceConfiguration=IMAGE, InstanceConfiguration={"Cpu": "4 vCPU", "Memory": "2 GB"})
    with pytest.raises(ar.exceptions.ResourceNotFoundException):
        ar.describe_service(ServiceArn="arn:aws:apprunner:us-east-1:123456789012:service/none/0123456789abcdef0123456789abcdef")


def test_pagination(ar):
    for i in range(5):
        ar.create_service(ServiceName=f"paged-{i}", SourceConfiguration=IMAGE)
    names, token, pages = [], None, 0
    while pages < 100:  # bounded: a token that never ends fails below instead of looping
        page = ar.list_services(MaxResults=2, **({"NextToken": token} if token else {}))
        pages += 1
        names += [s["ServiceName"] for s in page["ServiceSummaryList"]]
        token = page.get("NextToken")
        if not token:
            break
    assert not token
    assert {f"paged-{i}" for i in range(5)} <= set(names)
    assert pages >= 3


def test_protocol_errors(server):
    import urllib.request
    def post(body, target="AppRunner.ListServices"):
        request = urllib.request.Request(server.url + "/", data=body, method="POST",
                                         headers={"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.0"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), json.loads(error.read() or b"{}")
    code, headers, body = post(b"{}", target="AppRunner.Nope")
    assert (code, body["__type"]) == (400, "UnknownOperationException")
    code, headers, body = post(b"{not json")
    assert (code, body["__type"]) == (400, "SerializationException")
    assert headers["Content-Type"] == "application/x-amz-json-1.0" and headers["x-amzn-RequestId"]
    code, _, _ = post(b"x" * (1024 * 1024 + 10))
    assert code == 413
    # Garbage on the socket does not take the server down.
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        raw.sendall(b"\x00\xff\x13garbage\r\n\r\n" * 10)
        raw.settimeout(2)
        try:
            raw.recv(100)
        except OSError:
            pass
    assert post(b"{}")[0] == 200


def test_aws_cli_smoke(server, ar):
    ar.create_service(ServiceName="cli-visible", SourceConfiguration=IMAGE)
    out = subprocess.run(["aws", "apprunner", "list-services", "--endpoint-url", server.url, "--region", "us-east-1", "--output", "json"],
                         capture_output=True, text=True, env=aws_env(), timeout=60)
    assert out.returncode == 0, out.stderr
    assert "cli-visible" in [s["ServiceName"] for s in json.loads(out.stdout)["ServiceSummaryList"]]


def test_sigv4_is_enforced_with_credentials(serve_factory):
    srv = serve_factory("--access-key-id", "AKIDLOCAL", "--secret-access-key", "local-secret")
    try:
        assert srv.client("AKIDLOCAL", "local-secret").list_services()["ServiceSummaryList"] == []
        for key, secret, code in [("AKIDOTHER", "local-secret", "UnrecognizedClientException"),
                                  ("AKIDLOCAL", "wrong-secret", "InvalidSignatureException")]:
            with pytest.raises(ClientError) as error:
                srv.client(key, secret).list_services()
            assert error.value.response["Error"]["Code"] == code
            assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
        import urllib.request
        request = urllib.request.Request(srv.url + "/", data=b"{}", method="POST", headers={"X-Amz-Target": "AppRunner.ListServices"})
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(request, timeout=10)
        assert missing.value.code == 403
        assert json.loads(missing.value.read())["__type"] == "MissingAuthenticationTokenException"
        # A request whose X-Amz-Date is 10 minutes old: refused as expired before the signature is checked.
        import botocore.auth, botocore.awsrequest, botocore.credentials, datetime
        req = botocore.awsrequest.AWSRequest(method="POST", url=srv.url + "/", data=b"{}",
                                             headers={"X-Amz-Target": "AppRunner.ListServices", "Content-Type": "application/x-amz-json-1.0"})
        botocore.auth.SigV4Auth(botocore.credentials.Credentials("AKIDLOCAL", "local-secret"), "apprunner", "us-east-1").add_auth(req)
        past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=10)
        req.headers.replace_header("X-Amz-Date", past.strftime("%Y%m%dT%H%M%SZ"))
        prepared = urllib.request.Request(srv.url + "/", data=b"{}", method="POST", headers=dict(req.headers.items()))
        with pytest.raises(urllib.error.HTTPError) as expired:
            urllib.request.urlopen(prepared, timeout=10)
        body = json.loads(expired.value.read())
        assert (expired.value.code, body["__type"]) == (403, "InvalidSignatureException")
        assert "Signature expired" in body["Message"]
    finally:
        srv.stop()


def test_non_loopback_without_credentials_is_refused(tmp_path):
    out = subprocess.run([str(RUNNERDECK), "serve", "--host", "0.0.0.0", "--port", "0"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode != 0
    assert "without credentials" in out.stderr


def test_kill_9_loses_nothing_and_in_flight_operations_finish(serve_factory, tmp_path):
    state = tmp_path / "durable.sqlite"
    srv = serve_factory(state=state, operation_seconds="3")
    ar = srv.client()
    arns = [ar.create_service(ServiceName=f"durable-{i}", SourceConfiguration=IMAGE)["Service"]["ServiceArn"] for i in range(3)]
    ops = {arn: ar.list_operations(ServiceArn=arn)["OperationSummaryList"][0]["Id"] for arn in arns}
    srv.process.send_signal(signal.SIGKILL)
    srv.process.wait(timeout=10)
    again = serve_factory(state=state, operation_seconds="3", port=srv.port)
    try:
        ar = again.client()
        listed = {s["ServiceArn"] for s in ar.list_services()["ServiceSummaryList"]}
        assert set(arns) <= listed
        for arn in arns:
            op = wait_for(lambda: ar.list_operations(ServiceArn=arn)["OperationSummaryList"][0], lambda o: o["Status"] == "SUCCEEDED")
            assert op["Id"] == ops[arn]
            assert status(ar, arn) == "RUNNING"
    finally:
        assert again.stop(signal.SIGINT) == 0
