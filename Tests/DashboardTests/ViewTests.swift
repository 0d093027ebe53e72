import AppRunner
@testable import Dashboard
import Foundation
import Testing

let t0 = Date(timeIntervalSince1970: 1_700_000_000)

func sampleService(_ name: String, status: ServiceStatus = .running, env: [String: String] = ["DATABASE_URL": "postgres://user:hunter2@db/prod", "LOG_LEVEL": "debug"]) -> Service {
    let arn = "arn:aws:apprunner:us-east-1:123456789012:service/\(name)/0123456789abcdef0123456789abcdef"
    return Service(
        serviceName: name, serviceId: "0123456789abcdef0123456789abcdef", serviceArn: arn, serviceUrl: "abcde12345.us-east-1.awsapprunner.com",
        createdAt: t0.addingTimeInterval(-86400), updatedAt: t0.addingTimeInterval(-300), status: status,
        sourceConfiguration: SourceConfiguration(imageRepository: ImageRepository(imageIdentifier: "public.ecr.aws/nginx/nginx:1.25", imageConfiguration: ImageConfiguration(runtimeEnvironmentVariables: env, port: "80"), imageRepositoryType: .ecrPublic), autoDeploymentsEnabled: false),
        instanceConfiguration: InstanceConfiguration(cpu: "256", memory: "512"),
        healthCheckConfiguration: HealthCheckConfiguration(protocol: .http, path: "/health", interval: 10),
        autoScalingConfigurationSummary: AutoScalingConfigurationSummary(autoScalingConfigurationArn: "arn:aws:apprunner:us-east-1:123456789012:autoscalingconfiguration/DefaultConfiguration/1/00000000000000000000000000000001", autoScalingConfigurationName: "DefaultConfiguration", autoScalingConfigurationRevision: 1, isDefault: true),
        networkConfiguration: NetworkConfiguration(egressConfiguration: EgressConfiguration(egressType: .default))
    )
}

func row(_ service: Service, operation: OperationSummary? = nil) -> ServiceRow {
    ServiceRow(summary: ServiceSummary(serviceName: service.serviceName, serviceId: service.serviceId, serviceArn: service.serviceArn, serviceUrl: service.serviceUrl,
                                       createdAt: service.createdAt, updatedAt: service.updatedAt, status: service.status),
               service: service, currentOperation: operation)
}

func sampleState() -> DashboardState {
    var state = DashboardState(context: DashboardContext(profile: "prod", region: "us-east-1", endpoint: "http://127.0.0.1:4567"), readOnly: false)
    let web = sampleService("web-frontend")
    let api = sampleService("api-backend", status: .operationInProgress)
    let paused = sampleService("batch-worker", status: .paused)
    let failed = sampleService("broken-svc", status: .createFailed)
    let deploying = OperationSummary(id: "op-deploy", type: .startDeployment, status: .inProgress, targetArn: api.serviceArn, startedAt: t0.addingTimeInterval(-125))
    state.services = [row(web), row(api, operation: deploying), row(paused), row(failed)]
    state.servicesLoaded = true
    state.lastRefresh = t0.addingTimeInterval(-3)
    state.detail = ServiceDetailState(
        serviceArn: api.serviceArn, service: api,
        operations: [
            deploying,
            OperationSummary(id: "op-2", type: .startDeployment, status: .rollbackSucceeded, targetArn: api.serviceArn, startedAt: t0.addingTimeInterval(-3000), endedAt: t0.addingTimeInterval(-2000)),
            OperationSummary(id: "op-1", type: .createService, status: .succeeded, targetArn: api.serviceArn, startedAt: t0.addingTimeInterval(-86400), endedAt: t0.addingTimeInterval(-86200)),
        ],
        domains: [
            CustomDomain(domainName: "shop.example.com", enableWWWSubdomain: true, certificateValidationRecords: [
                CertificateValidationRecord(name: "_0123456789abcdef0123456789abcdef.shop.example.com.", type: "CNAME", value: "_fedcba9876543210fedcba9876543210.abcdefghij.acm-validations.aws.", status: .pendingValidation),
                CertificateValidationRecord(name: "_aaaabbbbccccddddeeeeffff00001111.2a57j7abcdefghijklmnopqrstuvwxy.shop.example.com.", type: "CNAME", value: "_11112222333344445555666677778888.zyxwvutsrq.acm-validations.aws.", status: .success),
            ], status: .pendingCertificateDnsValidation),
            CustomDomain(domainName: "api.example.com", enableWWWSubdomain: false, certificateValidationRecords: nil, status: .creating),
        ],
        dnsTarget: "abcde12345.us-east-1.awsapprunner.com", tags: [Tag(key: "team", value: "payments")], loaded: true)
    state.activity = [ActivityEntry(time: t0.addingTimeInterval(-60), kind: .change, message: "api-backend: RUNNING → OPERATION_IN_PROGRESS"),
                      ActivityEntry(time: t0.addingTimeInterval(-10), kind: .failure, message: "api-backend: START_DEPLOYMENT ROLLBACK_SUCCEEDED after 16m 40s")]
    var resources = ResourcesState()
    resources.autoScaling = [AutoScalingConfigurationSummary(autoScalingConfigurationArn: "arn:asc/default", autoScalingConfigurationName: "DefaultConfiguration", autoScalingConfigurationRevision: 1, status: .active, hasAssociatedService: true, isDefault: true),
                             AutoScalingConfigurationSummary(autoScalingConfigurationArn: "arn:asc/high/1", autoScalingConfigurationName: "high", autoScalingConfigurationRevision: 1, status: .active, hasAssociatedService: false, isDefault: false),
                             AutoScalingConfigurationSummary(autoScalingConfigurationArn: "arn:asc/high/2", autoScalingConfigurationName: "high", autoScalingConfigurationRevision: 2, status: .active, hasAssociatedService: false, isDefault: false)]
    resources.autoScalingUsedBy = ["arn:asc/default": ["web-frontend", "api-backend"]]
    resources.connections = [ConnectionSummary(connectionName: "github-main", connectionArn: "arn:conn", providerType: .github, status: .available, createdAt: t0)]
    resources.loaded = true
    state.resources = resources
    return state
}

func render(_ state: DashboardState, _ ui: UIState, width: Int, height: Int, glyphs: Glyphs = .unicode) -> ScreenBuffer {
    DashboardRenderer(glyphs: glyphs).render(state: state, ui: ui, now: t0, width: width, height: height)
}

let sizes = [(80, 24), (160, 50)]

@Suite(.timeLimit(.minutes(5))) struct ViewTests {
    @Test(arguments: [(80, 24), (160, 50)])
    func servicesView(width: Int, height: Int) {
        let screen = render(sampleState(), UIState(), width: width, height: height)
        let text = screen.text
        #expect(screen.line(0).contains("region us-east-1"))
        #expect(screen.line(0).contains("profile prod"))
        #expect(screen.line(0).contains("(3s ago)"))
        #expect(text.contains("NAME"))
        #expect(text.contains("RUNNING"))
        #expect(text.contains("IN PROGRESS"))
        #expect(text.contains("DEPLOY 2m 05s"))
        #expect(text.contains("CREATE FAILED"))
        #expect(text.contains("PAUSED"))
        #expect(text.contains("0.25vCPU 0.5GB"))
        #expect(text.contains("nginx:1.25"))
        // Footer comes from the key registry.
        #expect(screen.line(height - 1).contains("p pause"))
        #expect(screen.line(height - 1).contains("q quit"))
        // Sorted by name: api-backend first, selected.
        #expect(screen.line(3).contains("api-backend"))
        #expect(screen[2, 3].style.reverse)
        if width >= 120 { #expect(text.contains("abcde12345.us-east-1.awsapprunner.com")) }
        for y in 0..<height { #expect(screen.line(y).displayWidth == width) }
    }

    @Test func servicesFilterAndSort() {
        var ui = UIState()
        ui.filter = "WEB"
        var text = render(sampleState(), ui, width: 80, height: 24).text
        #expect(text.contains("web-frontend"))
        #expect(!text.contains("api-backend"))
        #expect(text.contains("1/4 services"))
        ui.filter = ""
        ui.sort = .status
        let screen = render(sampleState(), ui, width: 80, height: 24)
        #expect(screen.line(3).contains("broken-svc"))  // failures first
        ui.filter = "nothing-matches"
        text = render(sampleState(), ui, width: 80, height: 24).text
        #expect(text.contains("No service matches"))
    }

    @Test func readOnlyFooterHidesChanges() {
        let screen = render(sampleState(), UIState(readOnly: true), width: 80, height: 24)
        #expect(!screen.line(23).contains("pause"))
        #expect(screen.line(0).contains("READ-ONLY"))
    }

    @Test(arguments: [(80, 24), (160, 50)])
    func detailView(width: Int, height: Int) {
        let state = sampleState()
        var ui = UIState()
        ui.view = .detail
        ui.openServiceArn = state.detail?.serviceArn
        var lines: [String] = []
        // Scroll through the whole page.
        for offset in stride(from: 0, to: 120, by: max(1, height - 6)) {
            ui.scroll[.detail] = offset
            lines.append(render(state, ui, width: width, height: height).text)
        }
        let text = lines.joined(separator: "\n")
        #expect(text.contains("api-backend"))
        #expect(text.contains("public.ecr.aws/nginx/nginx:1.25"))
        #expect(text.contains("DATABASE_URL, LOG_LEVEL"))
        #expect(!text.contains("hunter2"))
        #expect(!text.contains("postgres://"))
        #expect(text.contains("HTTP /health"))
        #expect(text.contains("DefaultConfiguration revision 1 (default)"))
        #expect(text.contains("team"))
        #expect(text.contains("payments"))
        #expect(text.contains("Operations (newest first)"))
        #expect(text.contains("ROLLBACK_SUCCEEDED"))
        #expect(text.contains("running"))
        #expect(text.contains("2m 05s"))
        #expect(text.contains("! = rolled back"))
        // Newest first: the deploy in progress is above the rollback, which is above the create.
        let full = DashboardRenderer().detailLines(state: state, ui: ui, now: t0, width: width).map { $0.map(\.text).joined() }
        let deploy = full.firstIndex { $0.contains("IN_PROGRESS") && $0.contains("DEPLOY") }
        let rollback = full.firstIndex { $0.contains("ROLLBACK_SUCCEEDED") }
        let create = full.firstIndex { $0.contains("CREATE ") && $0.contains("SUCCEEDED") }
        #expect(deploy != nil && rollback != nil && create != nil)
        if let deploy, let rollback, let create { #expect(deploy < rollback && rollback < create) }
    }

    @Test func runningOperationBarMoves() {
        let state = sampleState()
        var ui = UIState()
        ui.view = .detail
        ui.openServiceArn = state.detail?.serviceArn
        let renderer = DashboardRenderer()
        let a = renderer.timelineLines(state.detail?.operations ?? [], now: t0, width: 100)
        let b = renderer.timelineLines(state.detail?.operations ?? [], now: t0.addingTimeInterval(1), width: 100)
        #expect(a[1].map(\.text).joined() != b[1].map(\.text).joined())
    }

    @Test(arguments: [(80, 24), (160, 50)])
    func domainsView(width: Int, height: Int) {
        let state = sampleState()
        var ui = UIState()
        ui.view = .domains
        ui.openServiceArn = state.detail?.serviceArn
        let screen = render(state, ui, width: width, height: height)
        let text = screen.text
        #expect(text.contains("DNS target"))
        #expect(text.contains("abcde12345.us-east-1.awsapprunner.com"))
        #expect(text.contains("shop.example.com"))
        #expect(text.contains("PENDING_CERTIFICATE_DNS_VALIDATION"))
        #expect(text.contains("PENDING_VALIDATION"))
        #expect(text.contains("CNAME"))
        // Never silently cut: the record value is complete once wrapped pieces are joined.
        let (lines, _) = DashboardRenderer().domainLines(state: state, ui: ui, width: width)
        let joined = lines.map { $0.map(\.text).joined().trimmingCharacters(in: .whitespaces) }
        let valueStart = joined.firstIndex { $0.hasPrefix("value") } ?? 0
        var value = ""
        for line in joined[valueStart...] {
            if line.hasPrefix("record") || line.hasPrefix("name") || (line.hasPrefix("value") && !value.isEmpty) { break }
            value += line.hasPrefix("value") ? String(line.dropFirst(5)).trimmingCharacters(in: .whitespaces) : line
        }
        #expect(value == "_fedcba9876543210fedcba9876543210.abcdefghij.acm-validations.aws.")
        for y in 0..<height { #expect(screen.line(y).displayWidth == width) }
    }

    @Test(arguments: [(80, 24), (160, 50)])
    func resourcesView(width: Int, height: Int) {
        var ui = UIState()
        ui.view = .resources
        let text = render(sampleState(), ui, width: width, height: height).text
        #expect(text.contains("Auto scaling configurations"))
        #expect(text.contains("DefaultConfiguration"))
        #expect(text.contains("web-frontend, api-backend"))
        #expect(text.contains("Latest"))
        #expect(text.contains("github-main"))
        #expect(text.contains("Connections"))
        // "high" revision 2 is Latest, revision 1 is not.
        let lines = text.split(separator: "\n").filter { $0.contains("high") }
        #expect(lines.count == 2)
        #expect(lines.filter { $0.contains("Latest") }.count == 1)
    }

    @Test(arguments: [(80, 24), (160, 50)])
    func activityView(width: Int, height: Int) {
        var ui = UIState()
        ui.view = .activity
        let screen = render(sampleState(), ui, width: width, height: height)
        // Newest first.
        #expect(screen.line(2).contains("ROLLBACK_SUCCEEDED"))
        #expect(screen.line(2).contains("FAILED"))
        #expect(screen.line(3).contains("RUNNING → OPERATION_IN_PROGRESS"))
    }

    @Test func helpViewListsRegistry() {
        var ui = UIState(readOnly: true)
        ui.showHelp = true
        let text = render(sampleState(), ui, width: 160, height: 50).text
        for binding in KeyRegistry.standard.bindings { #expect(text.contains(binding.help)) }
        #expect(text.contains("[off: read-only]"))
    }

    @Test func tooSmall() {
        let text = render(sampleState(), UIState(), width: 79, height: 24).text
        #expect(text.contains("Terminal too small: 79x24"))
        #expect(render(sampleState(), UIState(), width: 80, height: 23).text.contains("too small"))
    }

    @Test func asciiFallbackHasOnlyASCII() {
        var state = sampleState()
        state.services[0].summary.serviceName = "名前-service"
        for view in ViewKind.allCases {
            var ui = UIState()
            ui.view = view
            ui.openServiceArn = state.detail?.serviceArn
            let text = render(state, ui, width: 80, height: 24, glyphs: .ascii).text
            #expect(text.unicodeScalars.allSatisfy { $0.isASCII }, "view \(view)")
        }
    }

    @Test func errorAndStaleMarks() {
        var state = sampleState()
        state.lastError = "throttled (ThrottlingException: Rate exceeded)"
        state.consecutiveFailures = 2
        state.nextRefreshAt = t0.addingTimeInterval(8)
        var screen = render(state, UIState(), width: 80, height: 24)
        #expect(screen.line(0).contains("ERROR retry in 8s"))
        #expect(screen.line(22).contains("refresh failed (2x): throttled"))
        state.lastError = nil
        state.lastRefresh = t0.addingTimeInterval(-120)
        screen = render(state, UIState(), width: 80, height: 24)
        #expect(screen.line(0).contains("STALE"))
    }

    @Test func promptsNameTheService() {
        var ui = UIState()
        ui.prompt = .confirm(.pause, serviceArn: "arn", serviceName: "web-frontend")
        #expect(render(sampleState(), ui, width: 80, height: 24).line(22).contains("Pause service 'web-frontend'? [y/N]"))
        ui.prompt = .typeName(.delete, serviceArn: "arn", serviceName: "web-frontend", typed: "web")
        #expect(render(sampleState(), ui, width: 80, height: 24).line(22).contains("Type its name to confirm"))
    }
}

@Suite(.timeLimit(.minutes(5))) struct TerminalLayerTests {
    @Test func widths() {
        #expect("abc".displayWidth == 3)
        #expect("名前".displayWidth == 4)
        #expect("🚀".displayWidth == 2)
        #expect("e\u{301}".displayWidth == 1)
        #expect("❤️".displayWidth == 2)
        #expect("名前abc".truncated(toWidth: 4) == "名…")
        #expect("abcdef".wrapped(toWidth: 4) == ["abcd", "ef"])
        #expect("名前名前".wrapped(toWidth: 3) == ["名", "前", "名", "前"])
        #expect("web-frontend, api-backend, batch".wrapped(toWidth: 16) == ["web-frontend, ", "api-backend, ", "batch"])
        #expect("web-frontend, api-backend, batch".wrapped(toWidth: 16).joined() == "web-frontend, api-backend, batch")
    }

    @Test func bufferKeepsWideCharactersWhole() {
        var buffer = ScreenBuffer(width: 5, height: 1)
        buffer.put("ab名前", x: 0, y: 0)
        #expect(buffer.line(0) == "ab名 ")  // 前 does not fit in the last column
        buffer.put("x", x: 3, y: 0)  // overwrite the right half of 名
        #expect(buffer.line(0) == "ab x ")
    }

    @Test func painterWritesOnlyChanges() {
        let state = sampleState()
        let renderer = DashboardRenderer()
        var painter = DiffPainter()
        var sink = ANSIByteSink()
        let first = renderer.render(state: state, ui: UIState(), now: t0, width: 80, height: 24)
        painter.paint(first, to: &sink)
        #expect(sink.bytes.count > 1000)
        sink.reset()
        painter.paint(first, to: &sink)
        #expect(sink.bytes.isEmpty)
        var changed = state
        changed.services[2].summary.status = .running
        let second = renderer.render(state: changed, ui: UIState(), now: t0, width: 80, height: 24)
        painter.paint(second, to: &sink)
        #expect(!sink.bytes.isEmpty)
        #expect(sink.bytes.count < 200)
        #expect(String(decoding: sink.bytes, as: UTF8.self).contains("RUNNING"))
    }
}
