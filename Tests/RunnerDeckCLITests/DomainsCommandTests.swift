import AppRunner
import AppRunnerLocal
import Foundation
import Testing

/// `runnerdeck domains --check` against the loopback DNS server, and `--export`.
@Suite(.timeLimit(.minutes(2))) struct DomainsCommandTests {
    /// A service with one domain awaiting validation (two records, no www) and its DNS target.
    static func pendingDomain() async throws -> (RecordingAppRunner, DescribeCustomDomainsResponse) {
        let (double, clock) = try await makeDouble(secondsPerCall: 0)
        let arn = try await double.addService("web-api")
        _ = try await double.local.associateCustomDomain(AssociateCustomDomainRequest(serviceArn: arn, domainName: "shop.example.com", enableWWWSubdomain: false))
        clock.advance(by: 5)
        return (double, try await double.local.describeCustomDomains(DescribeCustomDomainsRequest(serviceArn: arn)))
    }

    @Test func checkPrintsVerdictsAndExitsNonZeroUntilEveryRecordResolves() async throws {
        let (double, shown) = try await Self.pendingDomain()
        let records = try #require(shown.customDomains.first?.certificateValidationRecords)
        #expect(records.count == 2)
        var rules = DNSTestServer.Rules()
        rules.entries = [.cname("shop.example.com", shown.dnsTarget)]
        let dns = try await DNSTestServer.start(rules)
        let check = ["domains", "web-api", "--check", "--nameserver", dns.address]
        var run = await runCLI(check + ["--output", "json"], api: double.client)
        #expect(run.status == 1)
        var domain = try #require((try run.json()["Domains"] as? [[String: Any]])?.first)
        var rows = domain["Records"] as? [[String: String]] ?? []
        #expect(rows.map { $0["Verdict"] } == ["correct", "shadowed", "shadowed"])
        #expect(rows.map { $0["Name"] } == ["shop.example.com"] + records.map(\.name))
        #expect((domain["Advice"] as? String)?.hasPrefix("Fix first: \(records[0].name ?? "?") is hidden by the CNAME at shop.example.com.") == true)

        dns.update { $0.entries.append(.cname(records[0].name ?? "", "somewhere.else.example")) }
        run = await runCLI(check + ["--output", "table"], api: double.client, variables: ["LANG": "C.UTF-8"])
        #expect(run.status == 1)
        #expect(run.out.contains("✓") && run.out.contains("✗") && run.out.contains("wrong: CNAME somewhere.else.example."))
        #expect(run.out.contains("shop.example.com (pending_certificate_dns_validation): Fix first: \(records[1].name ?? "?") is hidden by the CNAME at shop.example.com."))
        #expect(run.out.contains("(1 more to fix)"))

        dns.update { $0.entries = [.cname("shop.example.com", shown.dnsTarget)] + records.map { .cname($0.name ?? "", $0.value ?? "") } }
        run = await runCLI(check + ["--output", "table"], api: double.client, variables: ["LANG": "C"])
        #expect(run.status == 0)
        #expect(run.out.contains(" ok ") && !run.out.contains("✓"))
        #expect(run.out.contains("All 3 records resolve as App Runner expects."))
        run = await runCLI(check + ["--output", "json"], api: double.client)
        domain = try #require((try run.json()["Domains"] as? [[String: Any]])?.first)
        rows = domain["Records"] as? [[String: String]] ?? []
        let allCorrect = try run.json()["AllCorrect"] as? Bool
        #expect(rows.allSatisfy { $0["Verdict"] == "correct" } && allCorrect == true)
        await dns.stop()
    }

    @Test func exportWritesEachFormatAndRefusesBadUsage() async throws {
        let (double, shown) = try await Self.pendingDomain()
        let records = try #require(shown.customDomains.first?.certificateValidationRecords)
        let zone = await runCLI(["domains", "web-api", "--export", "zone", "--domain", "SHOP.example.com"], api: double.client)
        #expect(zone.status == 0)
        let expected = ["shop.example.com. 300 IN CNAME \(shown.dnsTarget)."] + records.map { "\($0.name ?? "") 300 IN CNAME \($0.value ?? "")" }
        #expect(Array(zone.out.split(separator: "\n").dropFirst().map(String.init)) == expected)
        let batch = await runCLI(["domains", "web-api", "--export", "route53"], api: double.client)
        let changes = try batch.json()["Changes"] as? [[String: Any]] ?? []
        #expect(changes.count == 3)
        let terraform = await runCLI(["domains", "web-api", "--export", "terraform"], api: double.client)
        #expect(terraform.out.components(separatedBy: "resource \"aws_route53_record\"").count == 4)
        let missing = await runCLI(["domains", "web-api", "--export", "json", "--domain", "other.example.com"], api: double.client)
        #expect(missing.status == 254 && missing.err.contains("No custom domain other.example.com"))
        for bad in [["--export", "bind"], ["--nameserver", "127.0.0.1"], ["--check", "--export", "zone"], ["--check", "--nameserver", "ns.example.com"]] {
            let run = await runCLI(["domains", "web-api"] + bad, api: double.client)
            #expect(run.status == 252, "\(bad)")
        }
    }
}
