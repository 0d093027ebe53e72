"""Issue 12 in the dashboard (tmux, 80x24): the Domains view shows the DNS verdict beside each of a
domain's 3 records and the one line on what to fix first; `e` writes the zone file and says where;
`v` checks again. The records come from a loopback DNS server given with --nameserver."""
import os
import shutil

import pytest

from dns_loopback import LoopbackDNS
from test_dashboard import create_service, dashboard_command, pane_factory, wait_status, wait_until  # noqa: F401


@pytest.fixture
def dns():
    server = LoopbackDNS()
    yield server
    server.stop()


def test_domains_view_shows_verdicts_advice_and_exports_at_80x24(serve_factory, pane_factory, dns, tmp_path):
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    # Validated by the same DNS: the domain stays pending while the test looks at it.
    served = serve_factory("--domain-validation", "dns", "--nameserver", dns.address, "--domain-seconds", "5", operation_seconds="1")
    client = served.client()
    arn = create_service(client, "dns-view")
    wait_status(client, arn, "RUNNING")
    client.associate_custom_domain(ServiceArn=arn, DomainName="shop.example.com", EnableWWWSubdomain=False)
    described = wait_until(lambda: (lambda d: d if d["CustomDomains"][0]["Status"] == "pending_certificate_dns_validation" else None)(
        client.describe_custom_domains(ServiceArn=arn)), 30, 0.5, what="the validation records")
    target, records = described["DNSTarget"], described["CustomDomains"][0]["CertificateValidationRecords"]
    # One record of each verdict: the target right, the first validation record wrong, the second
    # shadowed by the domain's CNAME.
    dns.add_cname("shop.example.com", target)
    dns.add_cname(records[0]["Name"], "stale.example.net")

    pane = pane_factory(80, 24, {"LANG": "C.UTF-8"})
    pane.run("env -C %s TERM=xterm-256color %s" % (tmp_path, dashboard_command(served.url, "--nameserver " + dns.address)))
    pane.wait_for("dns-view")
    pane.keys("Enter")
    pane.wait_for("Operations (newest first)")
    pane.keys("3")
    pane.wait_for("Fix first:")
    screen = pane.text()
    assert "✓  target  CNAME shop.example.com → DNS target" in screen, screen
    assert "✗  record 1  CNAME  PENDING_VALIDATION" in screen and "wrong: CNAME stale.example.net." in screen, screen
    assert "!  record 2  CNAME  PENDING_VALIDATION" in screen and "shadowed by shop.example.com." in screen, screen
    # The advice wraps at 80 columns rather than lose its end.
    flat = " ".join(screen.split())
    assert "Fix first: _" in flat and "is hidden by the CNAME at shop.example.com.; serve it from the zone that holds shop.example.com." in flat, screen
    assert "v check DNS" in screen and "e export" in screen

    pane.keys("e")
    path = os.path.join(str(tmp_path), "shop.example.com.zone")
    pane.wait_for("wrote 3 records of shop.example.com to")
    lines = open(path).read().splitlines()[1:]
    assert lines == ["shop.example.com. 300 IN CNAME %s." % target] + ["%s 300 IN CNAME %s" % (r["Name"], r["Value"]) for r in records]

    dns.clear()
    dns.add_cname("shop.example.com", target)
    for record in records:
        dns.add_cname(record["Name"], record["Value"])
    pane.keys("v")
    pane.wait_for("All 3 records resolve as App Runner expects.")
    assert "✗" not in pane.text() and "!  record" not in pane.text()
    pane.keys("q")
    pane.wait_gone("RunnerDeck", 15)
