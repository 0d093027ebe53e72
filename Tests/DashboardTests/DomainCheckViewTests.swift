import AppRunner
@testable import AppRunnerLocal
@testable import Dashboard
import DNSClient
import Foundation
@testable import RunnerDeckKit
import Testing

/// Issue 12: the Domains view's DNS verdicts, its advice line, `v` and `e`, and the store's check.
@Suite(.timeLimit(.minutes(2))) struct DomainCheckViewTests {
    static let target = "abcde12345.us-east-1.awsapprunner.com"
    static let domain = CustomDomain(domainName: "shop.example.com", enableWWWSubdomain: false, certificateValidationRecords: [
        CertificateValidationRecord(name: "_aaa.shop.example.com.", type: "CNAME", value: "_bbb.xyz.acm-validations.aws.", status: .pendingValidation),
        CertificateValidationRecord(name: "_ccc.2a57j7abc.shop.example.com.", type: "CNAME", value: "_ddd.xyz.acm-validations.aws.", status: .pendingValidation),
    ], status: .pendingCertificateDnsValidation)

    static func state(checked: Bool) -> DashboardState {
        var state = sampleState()
        let arn = state.services[0].arn
        state.detail = ServiceDetailState(serviceArn: arn, service: state.services[0].service, domains: [domain], dnsTarget: target, loaded: true)
        if checked {
            let records = RequiredRecord.records(for: domain, dnsTarget: target)
            state.detail?.domainChecks[domain.domainName] = DomainCheck(domainName: domain.domainName, checks: [
                RecordCheck(record: records[0], verdict: .correct),
                RecordCheck(record: records[1], verdict: .missing(noSuchName: true)),
                RecordCheck(record: records[2], verdict: .shadowed(by: "2a57j7abc.shop.example.com.", target: "elsewhere.example.net.")),
            ])
        }
        return state
    }

    static func ui(_ state: DashboardState) -> UIState {
        var ui = UIState()
        ui.view = .domains
        ui.openServiceArn = state.detail?.serviceArn
        return ui
    }

    @Test func verdictsAndTheAdviceShowAt80x24InUnicodeAndASCII() {
        let state = Self.state(checked: true)
        let text = render(state, Self.ui(state), width: 80, height: 24).text
        #expect(text.contains("✓  target  CNAME shop.example.com → DNS target"))
        #expect(text.contains("v check DNS  e export"))
        #expect(text.contains("✗  record 1  CNAME  PENDING_VALIDATION  missing (NXDOMAIN)"))
        // Too long for the record's line at 80 columns: the verdict goes on the next, whole here.
        #expect(text.contains("!  record 2  CNAME  PENDING_VALIDATION\n      shadowed by 2a57j7abc.shop.example.com. CNAME elsewhere.example.net."))
        #expect(text.contains("Fix first: _ccc.2a57j7abc.shop.example.com. is hidden by the CNAME at"))
        let ascii = render(state, Self.ui(state), width: 80, height: 24, glyphs: .ascii).text
        #expect(ascii.contains("ok target  CNAME shop.example.com -> DNS target") && ascii.contains("x  record 1") && ascii.contains("!  record 2"))
        // The screen turns what is not ASCII into "?"; the view itself must not need that.
        let (lines, _) = DashboardRenderer(glyphs: .ascii).domainLines(state: state, ui: Self.ui(state), width: 80)
        let plain = lines.flatMap { $0.map(\.text) }.joined()
        #expect(plain.unicodeScalars.allSatisfy { $0.isASCII })
        let unchecked = Self.state(checked: false)
        #expect(render(unchecked, Self.ui(unchecked), width: 80, height: 24).text.contains("not checked in DNS yet (v checks)"))
    }

    @Test func theKeysAskTheStoreAndAreInTheRegistry() {
        let state = Self.state(checked: false)
        var controller = DashboardController(ui: Self.ui(state))
        #expect(controller.handle(.char("v"), state: state, height: 24) == [.checkDomains(serviceArn: state.detail?.serviceArn ?? ""), .redraw])
        #expect(controller.handle(.char("e"), state: state, height: 24) == [.exportDomain(serviceArn: state.detail?.serviceArn ?? "", domain: "shop.example.com")])
        let hints = KeyRegistry.standard.hints(in: .domains, readOnly: true).map(\.key)
        #expect(hints.contains("v") && hints.contains("e"))
        #expect(KeyRegistry.standard.action(for: .char("v"), in: .services) == nil)
    }

    @Test func theStoreChecksOnFirstSightEveryMinuteWhilePendingAndExports() async throws {
        let clock = ManualClock()
        let local = try LocalAppRunner(options: LocalOptions(operationSeconds: 10, domainValidationSeconds: 600), clock: clock)
        let arn = try await local.createService(CreateServiceRequest(serviceName: "dns-web", sourceConfiguration: SourceConfiguration(
            imageRepository: ImageRepository(imageIdentifier: "public.ecr.aws/nginx/nginx:latest", imageRepositoryType: .ecrPublic)))).service.serviceArn
        clock.advance(by: 11)
        _ = try await local.associateCustomDomain(AssociateCustomDomainRequest(serviceArn: arn, domainName: "shop.example.com", enableWWWSubdomain: false))
        clock.advance(by: 200)
        let shown = try await local.describeCustomDomains(DescribeCustomDomainsRequest(serviceArn: arn))
        let records = try #require(shown.customDomains.first?.certificateValidationRecords)
        let dns = try await DNSTestServer.start()
        let directory = try TempDir()
        let store = DashboardStore(api: local, context: DashboardContext(region: "us-east-1"), clock: clock,
                                   domainChecker: DomainChecker(resolver: DNSResolver(servers: [try DNSServer(parsing: dns.address)])),
                                   exportDirectory: directory.path)
        await store.setFocus(StoreFocus(view: .domains, serviceArn: arn))
        await store.refresh()
        try await waitUntil("the first DNS check") { await store.state.detail?.domainsCheckedAt != nil }
        var checks = await store.state.detail?.domainChecks["shop.example.com"]?.checks.map(\.verdict)
        #expect(checks == [.missing(noSuchName: true), .missing(noSuchName: true), .missing(noSuchName: true)])

        dns.update { $0.entries = [.cname("shop.example.com", shown.dnsTarget)] + records.map { .cname($0.name ?? "", $0.value ?? "") } }
        let first = await store.state.detail?.domainsCheckedAt
        clock.advance(by: 30)
        await store.refresh()  // not a minute yet: no new check
        #expect(await store.state.detail?.domainsCheckedAt == first)
        clock.advance(by: 31)
        await store.refresh()
        try await waitUntil("the check a minute later") { await store.state.detail?.domainsCheckedAt != first }
        checks = await store.state.detail?.domainChecks["shop.example.com"]?.checks.map(\.verdict)
        #expect(checks == [.correct, .correct, .correct])

        await store.exportDomain(serviceArn: arn, domain: "shop.example.com")
        let path = directory.path + "/shop.example.com.zone"
        let written = try String(contentsOfFile: path, encoding: .utf8)
        #expect(written.contains("shop.example.com. 300 IN CNAME \(shown.dnsTarget)."))
        #expect(records.allSatisfy { written.contains("\($0.name ?? "?") 300 IN CNAME \($0.value ?? "?")") })
        #expect(await store.state.statusMessage == "wrote 3 records of shop.example.com to \(path)")
        await dns.stop()
    }
}
