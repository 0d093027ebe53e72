"""Issue 12: custom domains checked in DNS and exported ready to paste, end to end: boto3 associates a
domain on `runnerdeck serve --domain-validation dns --nameserver …`, a loopback DNS server serves the
records one at a time, `runnerdeck domains --check` gives its verdicts and the status follows; each
export format is parsed back and compared with DescribeCustomDomains."""
import json
import re
import subprocess
import time

import botocore.session
import pytest
from botocore.validate import ParamValidator

from cli_fixtures import BIN, ENV
from conftest import wait_for
from dns_loopback import LoopbackDNS

IMAGE = {"ImageRepository": {"ImageIdentifier": "public.ecr.aws/aws-containers/hello-app-runner:latest",
                             "ImageRepositoryType": "ECR_PUBLIC"}}


@pytest.fixture
def dns():
    server = LoopbackDNS()
    yield server
    server.stop()


def rd(url, *args):
    return subprocess.run([str(BIN), *args, "--endpoint-url", url], capture_output=True, text=True, env=ENV, timeout=120)


def running_service(ar, name):
    arn = ar.create_service(ServiceName=name, SourceConfiguration=IMAGE)["Service"]["ServiceArn"]
    wait_for(lambda: ar.describe_service(ServiceArn=arn)["Service"]["Status"], lambda s: s == "RUNNING")
    return arn


def domain_status(ar, arn):
    return ar.describe_custom_domains(ServiceArn=arn)["CustomDomains"][0]["Status"]


def test_a_domain_leaves_pending_only_once_its_records_resolve(serve_factory, dns):
    srv = serve_factory("--domain-validation", "dns", "--nameserver", dns.address, "--domain-seconds", "2", operation_seconds="1")
    ar = srv.client()
    arn = running_service(ar, "dns-web")
    ar.associate_custom_domain(ServiceArn=arn, DomainName="shop.example.com", EnableWWWSubdomain=False)
    described = wait_for(lambda: ar.describe_custom_domains(ServiceArn=arn),
                         lambda d: d["CustomDomains"][0]["Status"] == "pending_certificate_dns_validation")
    target, records = described["DNSTarget"], described["CustomDomains"][0]["CertificateValidationRecords"]
    assert len(records) == 2

    def check(expected_status):
        p = rd(srv.url, "domains", "dns-web", "--check", "--nameserver", dns.address, "--output", "json")
        assert p.returncode == expected_status, p.stderr
        domain = json.loads(p.stdout)["Domains"][0]
        assert [r["Name"] for r in domain["Records"]] == ["shop.example.com"] + [r["Name"] for r in records]
        return [r["Verdict"] for r in domain["Records"]], domain["Advice"]

    verdicts, advice = check(1)
    assert verdicts == ["missing", "missing", "missing"]
    assert advice.startswith(f"Fix first: add {records[0]['Name']} CNAME {records[0]['Value']}")

    dns.add_cname("shop.example.com", target)
    verdicts, advice = check(1)
    assert verdicts == ["correct", "shadowed", "shadowed"]
    assert "hidden by the CNAME at shop.example.com." in advice
    time.sleep(3)  # past --domain-seconds: a fixed-time validation would be over by now
    assert domain_status(ar, arn) == "pending_certificate_dns_validation"

    dns.add_cname(records[0]["Name"], records[0]["Value"])
    verdicts, _ = check(1)
    assert verdicts == ["correct", "correct", "shadowed"]
    time.sleep(1.5)  # the server asks once a second
    assert domain_status(ar, arn) == "pending_certificate_dns_validation"

    dns.add_cname(records[1]["Name"], records[1]["Value"])
    verdicts, advice = check(0)
    assert verdicts == ["correct", "correct", "correct"]
    assert advice == "All 3 records resolve as App Runner expects."
    wait_for(lambda: domain_status(ar, arn), lambda s: s in ("binding_certificate", "active"), timeout=15)
    wait_for(lambda: domain_status(ar, arn), lambda s: s == "active", timeout=15)
    final = ar.describe_custom_domains(ServiceArn=arn)["CustomDomains"][0]["CertificateValidationRecords"]
    assert [r["Status"] for r in final] == ["SUCCESS", "SUCCESS"]

    table = rd(srv.url, "domains", "dns-web", "--check", "--nameserver", dns.address, "--output", "table")
    assert table.returncode == 0 and table.stdout.count(" correct") == 3, table.stdout


def parse_zone_lines(text):
    """A strict reader of the zone lines we write: `NAME TTL IN TYPE RDATA`, names absolute."""
    rows = []
    for line in text.splitlines():
        if not line.strip() or line.startswith(";"):
            continue
        name, ttl, klass, rtype, rdata = line.split()
        assert name.endswith(".") and rdata.endswith(".") and ttl.isdigit() and klass == "IN", line
        rows.append((name, rtype, rdata))
    return rows


def expected_records(described, absolute=False):
    dot = (lambda s: s if s.endswith(".") else s + ".") if absolute else (lambda s: s)
    rows = []
    for domain in described["CustomDomains"]:
        names = [domain["DomainName"]] + (["www." + domain["DomainName"]] if domain["EnableWWWSubdomain"] else [])
        rows += [(dot(n), "CNAME", dot(described["DNSTarget"])) for n in names]
        rows += [(r["Name"], r["Type"], r["Value"]) for r in domain.get("CertificateValidationRecords", [])]
    return rows


def test_each_export_format_parses_back_to_what_app_runner_gave(serve_factory):
    srv = serve_factory("--domain-seconds", "30", operation_seconds="1")
    ar = srv.client()
    arn = running_service(ar, "export-web")
    ar.associate_custom_domain(ServiceArn=arn, DomainName="shop.example.com", EnableWWWSubdomain=False)
    ar.associate_custom_domain(ServiceArn=arn, DomainName="api.example.org")
    described = wait_for(lambda: ar.describe_custom_domains(ServiceArn=arn),
                         lambda d: all(c["Status"] == "pending_certificate_dns_validation" for c in d["CustomDomains"]), timeout=60)
    expected = expected_records(described)
    assert len(expected) == 1 + 2 + 2 + 3

    zone = rd(srv.url, "domains", "export-web", "--export", "zone")
    assert zone.returncode == 0, zone.stderr
    assert parse_zone_lines(zone.stdout) == expected_records(described, absolute=True)

    batch_run = rd(srv.url, "domains", "export-web", "--export", "route53")
    batch = json.loads(batch_run.stdout)
    shape = botocore.session.get_session().get_service_model("route53").operation_model("ChangeResourceRecordSets") \
        .input_shape.members["ChangeBatch"]
    report = ParamValidator().validate(batch, shape)
    assert not report.has_errors(), report.generate_report()
    assert {c["Action"] for c in batch["Changes"]} == {"UPSERT"}
    assert [(c["ResourceRecordSet"]["Name"], c["ResourceRecordSet"]["Type"], c["ResourceRecordSet"]["ResourceRecords"][0]["Value"])
            for c in batch["Changes"]] == expected

    terraform = rd(srv.url, "domains", "export-web", "--export", "terraform").stdout
    blocks = re.findall(r'resource "aws_route53_record" "([A-Za-z_][A-Za-z0-9_-]*)" \{\n(.*?)\n\}', terraform, re.S)
    labels = [label for label, _ in blocks]
    assert len(set(labels)) == len(labels) == len(expected)
    parsed = [(re.search(r'name\s+= "([^"]*)"', body).group(1), re.search(r'type\s+= "([^"]*)"', body).group(1),
               re.search(r'records = \["([^"]*)"\]', body).group(1)) for _, body in blocks]
    assert parsed == expected and all("zone_id = var.zone_id" in body for _, body in blocks)
    assert 'variable "zone_id"' in terraform

    plain = json.loads(rd(srv.url, "domains", "export-web", "--export", "json").stdout)["Records"]
    assert [(r["Name"], r["Type"], r["Value"]) for r in plain] == expected
    assert [r["Role"] for r in plain].count("target") == 3

    one = rd(srv.url, "domains", "export-web", "--export", "zone", "--domain", "api.example.org")
    assert parse_zone_lines(one.stdout) == [r for r in expected_records(described, absolute=True) if r[0].endswith("api.example.org.")]
    missing = rd(srv.url, "domains", "export-web", "--export", "zone", "--domain", "nope.example.net")
    assert missing.returncode == 254 and "No custom domain nope.example.net" in missing.stderr
