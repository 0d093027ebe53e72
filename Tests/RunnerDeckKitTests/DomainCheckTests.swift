import AppRunner
import DNSClient
import Foundation
import RunnerDeckKit
import Testing

/// The domain checker: records a domain needs, verdicts (pure, then over loopback DNS), advice, exports.
@Suite(.timeLimit(.minutes(2))) struct DomainCheckTests {
    static let target = "abcdefghij.us-east-1.awsapprunner.com"
    static let v1 = CertificateValidationRecord(name: "_aaa.shop.example.com.", type: "CNAME", value: "_bbb.xyz.acm-validations.aws.", status: .pendingValidation)
    static let v2 = CertificateValidationRecord(name: "_ccc.2a57j7abc.shop.example.com.", type: "CNAME", value: "_ddd.xyz.acm-validations.aws.", status: .pendingValidation)
    static let domain = CustomDomain(domainName: "shop.example.com", enableWWWSubdomain: false, certificateValidationRecords: [v1, v2],
                                     status: .pendingCertificateDnsValidation)
    static var records: [RequiredRecord] { RequiredRecord.records(for: domain, dnsTarget: target) }

    static func resolution(_ name: String, _ outcome: DNSResolution.Outcome, answers: [DNSRecord] = []) -> DNSResolution {
        DNSResolution(name: DNSName.normalize(name), type: .cname, chain: [], outcome: outcome, answers: answers)
    }

    @Test func aDomainNeedsItsTargetItsWWWAndEachValidationRecord() {
        #expect(Self.records.map(\.name) == ["shop.example.com", "_aaa.shop.example.com.", "_ccc.2a57j7abc.shop.example.com."])
        #expect(Self.records.map(\.role) == [.target, .validation, .validation])
        var www = Self.domain
        www.enableWWWSubdomain = true
        www.certificateValidationRecords = nil
        let vpc = [VpcDNSTarget(vpcIngressConnectionArn: "arn:x", vpcId: "vpc-1", domainName: "private.awsapprunner.com")]
        let needed = RequiredRecord.records(for: www, dnsTarget: Self.target, vpcDNSTargets: vpc)
        #expect(needed.map(\.name) == ["shop.example.com", "www.shop.example.com"])
        #expect(needed[0].accepts("PRIVATE.awsapprunner.com.") && needed[0].accepts(Self.target + "."))
        www.domainName = "*.example.com"
        #expect(RequiredRecord.records(for: www, dnsTarget: Self.target).map(\.name) == ["*.example.com"])
        #expect(RequiredRecord.base(of: "*.example.com") == "example.com")
    }

    @Test func classifiesEachKindOfAnswer() {
        let validation = Self.records[1], target = Self.records[0]
        let right = RecordObservation(cname: Self.resolution(validation.name, .records(["_BBB.xyz.acm-validations.aws"])))
        #expect(DomainVerdicts.classify(validation, right) == .correct)
        let wrong = RecordObservation(cname: Self.resolution(validation.name, .records(["old.example.net."])))
        #expect(DomainVerdicts.classify(validation, wrong) == .wrong(actual: "CNAME old.example.net."))
        #expect(DomainVerdicts.classify(validation, RecordObservation(cname: Self.resolution(validation.name, .nameError))) == .missing(noSuchName: true))
        #expect(DomainVerdicts.classify(validation, RecordObservation(cname: Self.resolution(validation.name, .noData))) == .missing(noSuchName: false))
        let shadow = DNSRecord(name: "shop.example.com.", type: .cname, value: "elsewhere.example.net.")
        let hidden = RecordObservation(cname: Self.resolution(validation.name, .nameError), ancestorCNAMEs: [shadow])
        #expect(DomainVerdicts.classify(validation, hidden) == .shadowed(by: "shop.example.com.", target: "elsewhere.example.net."))
        let shown = RecordObservation(cname: Self.resolution(validation.name, .noData, answers: [shadow]))
        #expect(DomainVerdicts.classify(validation, shown) == .shadowed(by: "shop.example.com.", target: "elsewhere.example.net."))
        let alias = RecordObservation(cname: Self.resolution(target.name, .noData), addresses: ["192.0.2.1"], targetAddresses: ["192.0.2.1", "192.0.2.2"])
        #expect(DomainVerdicts.classify(target, alias) == .correct)
        let elsewhere = RecordObservation(cname: Self.resolution(target.name, .noData), addresses: ["203.0.113.9"], targetAddresses: ["192.0.2.1"])
        #expect(DomainVerdicts.classify(target, elsewhere) == .wrong(actual: "A 203.0.113.9"))
    }

    @Test func adviceNamesTheOneThingToFixFirst() {
        let r = Self.records
        #expect(DomainVerdicts.advice([]) .hasPrefix("No records to check yet"))
        #expect(DomainVerdicts.advice(r.map { RecordCheck(record: $0, verdict: .correct) }) == "All 3 records resolve as App Runner expects.")
        let missingAll = r.map { RecordCheck(record: $0, verdict: .missing(noSuchName: true)) }
        #expect(DomainVerdicts.advice(missingAll) == "Fix first: add _aaa.shop.example.com. CNAME _bbb.xyz.acm-validations.aws. (2 more to fix)")
        var shadowed = missingAll
        shadowed[2].verdict = .shadowed(by: "2a57j7abc.shop.example.com.", target: "x.example.net.")
        #expect(DomainVerdicts.advice(shadowed).hasPrefix("Fix first: _ccc.2a57j7abc.shop.example.com. is hidden by the CNAME at 2a57j7abc.shop.example.com."))
        let targetWrong = [RecordCheck(record: r[0], verdict: .wrong(actual: "CNAME old.example.net.")), RecordCheck(record: r[1], verdict: .correct)]
        #expect(DomainVerdicts.advice(targetWrong) == "Fix first: shop.example.com. answers CNAME old.example.net.; make it CNAME \(Self.target)")
    }

    @Test func checksOverLoopbackDNSRecordByRecord() async throws {
        var rules = DNSTestServer.Rules()
        rules.entries = [.cname("shop.example.com", Self.target)]
        let server = try await DNSTestServer.start(rules)
        let checker = DomainChecker(resolver: DNSResolver(servers: [try DNSServer(parsing: server.address)]))
        var result = await checker.check(Self.domain, dnsTarget: Self.target)
        #expect(result.checks.map(\.verdict) == [.correct, .shadowed(by: "shop.example.com.", target: Self.target + "."),
                                                  .shadowed(by: "shop.example.com.", target: Self.target + ".")])
        server.update { $0.entries += [.cname("_aaa.shop.example.com", "_bbb.xyz.acm-validations.aws"), .cname("_ccc.2a57j7abc.shop.example.com", "wrong.example.")] }
        result = await checker.check(Self.domain, dnsTarget: Self.target)
        #expect(result.checks.map(\.verdict) == [.correct, .correct, .wrong(actual: "CNAME wrong.example.")])
        #expect(!result.allCorrect)
        server.update { $0.entries = [.a("shop.example.com", "192.0.2.1"), .a(Self.target, "192.0.2.1")] }
        result = await checker.check(Self.domain, dnsTarget: Self.target)
        #expect(result.checks.map(\.verdict) == [.correct, .missing(noSuchName: true), .missing(noSuchName: true)])
        server.update { $0.silent = true }
        let impatient = DomainChecker(resolver: DNSResolver(servers: [try DNSServer(parsing: server.address)],
                                                            options: DNSResolverOptions(timeout: .milliseconds(100), attempts: 1)))
        result = await impatient.check(Self.domain, dnsTarget: Self.target)
        #expect(result.checks.allSatisfy { if case .unknown = $0.verdict { return true } else { return false } })
        await server.stop()
    }

    @Test func exportsEveryFormatWithValuesAsGiven() throws {
        let zone = try DomainExport.render(Self.records, as: .zone)
        #expect(zone.split(separator: "\n").dropFirst() == [
            "shop.example.com. 300 IN CNAME \(Self.target).",
            "_aaa.shop.example.com. 300 IN CNAME _bbb.xyz.acm-validations.aws.",
            "_ccc.2a57j7abc.shop.example.com. 300 IN CNAME _ddd.xyz.acm-validations.aws.",
        ])
        let batch = try JSONSerialization.jsonObject(with: Data(try DomainExport.render(Self.records, as: .route53).utf8)) as? [String: Any]
        let changes = batch?["Changes"] as? [[String: Any]] ?? []
        #expect(changes.count == 3 && changes.allSatisfy { $0["Action"] as? String == "UPSERT" })
        let sets = changes.compactMap { $0["ResourceRecordSet"] as? [String: Any] }
        #expect(sets.compactMap { $0["Name"] as? String } == Self.records.map(\.name))
        #expect(sets.compactMap { ($0["ResourceRecords"] as? [[String: String]])?.first?["Value"] } == Self.records.map(\.value))
        let terraform = try DomainExport.render(Self.records, as: .terraform)
        #expect(terraform.contains("resource \"aws_route53_record\" \"shop_example_com\" {"))
        #expect(terraform.contains("resource \"aws_route53_record\" \"aaa_shop_example_com\" {"))
        #expect(terraform.contains("  records = [\"_ddd.xyz.acm-validations.aws.\"]"))
        #expect(DomainExport.hcl("a\"${b}") == "a\\\"$${b}")
        let json = try JSONSerialization.jsonObject(with: Data(try DomainExport.render(Self.records, as: .json).utf8)) as? [String: [[String: String]]]
        #expect(json?["Records"]?.map { $0["Value"] ?? "" } == Self.records.map(\.value))
    }
}
