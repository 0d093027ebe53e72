import AWSCore
import AppRunner
@testable import Dashboard
@testable import RunnerDeckKit
import Foundation
import Testing

let t0 = Date(timeIntervalSince1970: 1_700_000_000)

func sampleService(_ name: String, status: ServiceStatus = .running, env: AWSMap<String> = ["DATABASE_URL": "postgres://user:hunter2@db/prod", "LOG_LEVEL": "debug"]) -> Service {
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
        #expect(screen.line(0).contains("us-east-1"))
        #expect(screen.line(0).contains("prod"))
        #expect(screen.line(0).contains("ENDPOINT 127.0.0.1:4567"))
        #expect(screen.line(0).contains("(3s ago)"))
        if width >= 160 { #expect(screen.line(0).contains("region us-east-1") && screen.line(0).contains("profile prod")) }
        #expect(text.contains("NAME"))
        #expect(text.contains("RUNNING"))
        #expect(text.contains("IN PROGRESS"))
        #expect(text.contains("DEPLOY 2m 05s"))
        #expect(text.contains("CREATE FAILED"))
        #expect(text.contains("PAUSED"))
        #expect(text.contains("0.25vCPU 0.5GB"))
        #expect(text.contains("nginx:1.25"))
        // Footer comes from the key registry, with what the selected row's state allows: api-backend
        // has an operation in progress, so it cannot be paused or deployed, only deleted.
        #expect(!screen.line(height - 1).contains("p pause"))
        #expect(screen.line(height - 1).contains("D delete"))
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

    /// Issue 10: the detail view is for watching. At 80x24 the operation in progress and the timeline
    /// are on the first screen, above the configuration; wide terminals put the configuration beside them.
    @Test func detailShowsTheOperationAndTimelineFirst() {
        let state = sampleState()
        var ui = UIState()
        ui.view = .detail
        ui.openServiceArn = state.detail?.serviceArn
        let small = render(state, ui, width: 80, height: 24).text
        #expect(small.contains("api-backend"))
        #expect(small.contains("DEPLOY IN_PROGRESS"))  // the operation in progress, named with the status
        #expect(small.contains("Operations (newest first)"))
        #expect(small.contains("ROLLBACK_SUCCEEDED"))
        #expect(!small.contains("Health check"))  // configuration comes after, below the fold
        let wide = render(state, ui, width: 200, height: 40)
        let rows = wide.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Two columns: the timeline on the left, the configuration on the right, on the same rows.
        let timelineRow = rows.firstIndex { $0.contains("Operations (newest first)") }
        #expect(timelineRow != nil)
        #expect(rows.contains { $0.contains("ROLLBACK_SUCCEEDED") && $0.contains("│") })
        #expect(rows.contains { $0.contains("Health check") })
        if let timelineRow, let health = rows.firstIndex(where: { $0.contains("Health check") }) { #expect(health < timelineRow + 30) }
        #expect(rows.allSatisfy { $0.displayWidth <= 200 })
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
        // The cause is in the header, not only in Activity.
        #expect(screen.line(0).contains("ERROR throttled"))
        #expect(screen.line(0).contains("retry in 8s"))
        #expect(screen.line(22).contains("refresh failed (2x): throttled"))
        // Rows are dimmed, and the tab line says how old the data is.
        #expect(screen[4, 3].style.dim)
        #expect(screen.line(1).contains("data 3s old"))
        state.lastError = nil
        state.lastRefresh = t0.addingTimeInterval(-120)
        screen = render(state, UIState(), width: 80, height: 24)
        #expect(screen.line(0).contains("STALE"))
        #expect(screen.line(1).contains("data 2m old"))
        #expect(screen[4, 3].style.dim)
        state.lastRefresh = t0.addingTimeInterval(-3)
        screen = render(state, UIState(), width: 80, height: 24)
        #expect(!screen[4, 3].style.dim)
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

@Suite(.timeLimit(.minutes(1))) struct TooSmallScreenTests {
    /// Issue 9 bug 1: at 40x10 `p` `y` paused a service and `D` name Enter deleted one, unseen.
    @Test func keysDoNothingBehindTheTooSmallNotice() {
        let state = sampleState()
        var controller = DashboardController(ui: UIState(readOnly: false))
        var effects: [Effect] = []
        let keys: [Key] = [.char("p"), .char("y"), .char("D")] + "web-frontend".map { Key.char($0) } + [.enter, .char("d"), .char("y"), .char("r"), .char("y")]
        for key in keys {
            effects += controller.handle(key, state: state, height: 10, width: 40)
        }
        #expect(!effects.contains { if case .perform = $0 { return true } else { return false } })
        #expect(controller.ui.prompt == nil)
        #expect(controller.handle(.char("q"), state: state, height: 10, width: 40) == [.quit])
    }

    @Test func escCancelsAPromptOpenedBeforeTheShrink() {
        let state = sampleState()
        var controller = DashboardController(ui: UIState(readOnly: false))
        controller.ui.selectedArn = state.services[0].arn  // web-frontend, RUNNING
        controller.reconcile(state: state, height: 24)
        _ = controller.handle(.char("p"), state: state, height: 24, width: 80)
        #expect(controller.ui.prompt != nil)
        #expect(controller.handle(.char("y"), state: state, height: 10, width: 40).isEmpty)
        #expect(controller.ui.prompt != nil)
        _ = controller.handle(.escape, state: state, height: 10, width: 40)
        #expect(controller.ui.prompt == nil)
        // Back at full size, nothing was performed and `y` alone does nothing.
        #expect(controller.handle(.char("y"), state: state, height: 24, width: 80).isEmpty)
    }
}

@Suite(.timeLimit(.minutes(1))) struct OpenServiceTests {
    /// Issue 9 bug 4: detail opened at the previous service's scroll offset (name and ARN off screen).
    @Test func anotherServiceOpensAtItsTop() {
        let state = sampleState()
        var controller = DashboardController(ui: UIState(readOnly: false))
        controller.reconcile(state: state, height: 24)
        _ = controller.handle(.enter, state: state, height: 24)
        let first = controller.ui.openServiceArn
        for _ in 0..<12 { _ = controller.handle(.char("j"), state: state, height: 24) }
        #expect(controller.ui.scroll[.detail] == 12)
        _ = controller.handle(.escape, state: state, height: 24)
        _ = controller.handle(.char("j"), state: state, height: 24)
        _ = controller.handle(.enter, state: state, height: 24)
        #expect(controller.ui.openServiceArn != first)
        #expect(controller.ui.scroll[.detail] ?? 0 == 0)
        let screen = DashboardRenderer().render(state: state, ui: controller.ui, now: t0, width: 80, height: 24)
        let text = (0..<24).map { screen.line($0) }.joined(separator: "\n")
        let name = state.services.first { $0.arn == controller.ui.openServiceArn }?.name ?? "?"
        #expect(text.contains(name))
    }
}

/// Issue 9 bug 5: messages lost the service name, kept newlines, were cut unreadably and never expired.
@Suite(.timeLimit(.minutes(1))) struct StatusLineTests {
    func statusLine(_ state: DashboardState, now: Date, width: Int = 80) -> String {
        let screen = DashboardRenderer().render(state: state, ui: UIState(), now: now, width: width, height: 24)
        return screen.line(22)
    }

    @Test func anOldMessageExpires() {
        var state = sampleState()
        state.statusMessageClock = t0.addingTimeInterval(-13 * 60)
        state.statusMessage = "web-frontend: deploy failed: boom"
        #expect(!statusLine(state, now: t0).contains("boom"))
        state.statusMessageClock = t0.addingTimeInterval(-5)
        state.statusMessage = "web-frontend: deploy failed: boom"
        #expect(statusLine(state, now: t0).contains("boom"))
    }

    @Test func aLongMessageSaysWhereTheWholeTextIs() {
        var state = sampleState()
        state.statusMessageClock = t0
        state.statusMessage = "deploy web-frontend failed: " + String(repeating: "very long reason ", count: 10) + "\nsecond line"
        let line = statusLine(state, now: t0)
        #expect(line.contains("whole text: 5 Activity"))
        #expect(!line.contains("\n"))
    }

    @Test func domainActionsNameTheService() {
        #expect(ServiceAction.associate(domain: "api.example.com", enableWWW: false).phrase(service: "storefront-web") == "associate api.example.com with storefront-web")
        #expect(ServiceAction.pause.phrase(service: "web") == "pause web")
    }
}

/// Issue 9 bug 6 and "the header must always say when the data is not real AWS".
@Suite(.timeLimit(.minutes(1))) struct ContextTests {
    func command(_ text: String, ui: UIState = UIState(), state: DashboardState = sampleState()) -> ([Effect], UIState) {
        var controller = DashboardController(ui: ui)
        _ = controller.handle(.char(":"), state: state, height: 24)
        var effects: [Effect] = []
        for c in text { effects += controller.handle(.char(c), state: state, height: 24) }
        effects += controller.handle(.enter, state: state, height: 24)
        return (effects, controller.ui)
    }

    @Test func regionSwitchesAreRefusedWhereTheyCannotApply() {
        let (effects, ui) = command("region eu-west-1", ui: UIState(contextFixed: "the demo fleet runs in one region, in process"))
        #expect(!effects.contains(.switchRegion("eu-west-1")))
        #expect(ui.message?.contains("does not apply") == true)
    }

    @Test func aMalformedRegionIsRefusedAndAnUnknownOneWarned() {
        let (bad, badUI) = command("region mars")
        #expect(!bad.contains(.switchRegion("mars")))
        #expect(badUI.message?.contains("not a region name") == true)
        let (odd, oddUI) = command("region sa-east-1")
        #expect(odd.contains(.switchRegion("sa-east-1")))
        #expect(oddUI.message?.contains("not known to run in sa-east-1") == true)
        #expect(command("region eu-west-1").0.contains(.switchRegion("eu-west-1")))
    }

    @Test func theProfileAlreadyShownIsNotReResolved() {
        var state = sampleState()
        state.context.profile = nil
        let (effects, ui) = command("profile default", state: state)
        #expect(effects.allSatisfy { if case .switchProfile = $0 { return false } else { return true } })
        #expect(ui.message == "already on profile default")
    }

    @Test(arguments: [80, 100, 200])
    func theHeaderAlwaysSaysWhenItIsNotAWS(width: Int) {
        var state = sampleState()
        state.context = DashboardContext(profile: "a-rather-long-profile-name", region: "ap-southeast-2", endpoint: "http://10.1.2.3:4566")
        var screen = DashboardRenderer().render(state: state, ui: UIState(readOnly: true), now: t0, width: width, height: 24)
        #expect(screen.line(0).contains("ENDPOINT 10.1.2.3:4566"))
        #expect(screen.line(0).contains("READ-ONLY"))
        state.context = DashboardContext(profile: nil, region: "us-east-1", endpoint: "Local App Runner (demo, in process)", demo: true)
        screen = DashboardRenderer().render(state: state, ui: UIState(), now: t0, width: width, height: 24)
        #expect(screen.line(0).contains("DEMO"))
        state.context = DashboardContext(profile: "prod", region: "us-east-1")
        screen = DashboardRenderer().render(state: state, ui: UIState(), now: t0, width: width, height: 24)
        #expect(!screen.line(0).contains("DEMO") && !screen.line(0).contains("ENDPOINT"))
    }
}

/// Issue 9: offer only what the state allows; say "already paused" without asking.
@Suite(.timeLimit(.minutes(1))) struct StateAllowsTests {
    func select(_ name: String, _ state: DashboardState) -> DashboardController {
        var controller = DashboardController(ui: UIState())
        let list = ServiceList.visible(state.services, filter: "", sort: .name)
        controller.ui.selection = list.firstIndex { $0.name == name } ?? 0
        controller.ui.selectedArn = list[controller.ui.selection].arn
        return controller
    }

    @Test func pausingAPausedServiceSaysSoWithoutAsking() {
        let state = sampleState()
        var controller = select("batch-worker", state)
        _ = controller.handle(.char("p"), state: state, height: 24)
        #expect(controller.ui.prompt == nil)
        #expect(controller.ui.message == "batch-worker: cannot pause: the service is already paused")
    }

    @Test func aCreateFailedRowOffersOnlyDelete() {
        let state = sampleState()
        let controller = select("broken-svc", state)
        let screen = DashboardRenderer().render(state: state, ui: controller.ui, now: t0, width: 160, height: 24)
        let footer = screen.line(23)
        #expect(footer.contains("delete"))
        #expect(!footer.contains("pause") && !footer.contains("resume") && !footer.contains("deploy"))
        var c = controller
        _ = c.handle(.char("d"), state: state, height: 24)
        #expect(c.ui.prompt == nil)
        _ = c.handle(.char("D"), state: state, height: 24)
        #expect(c.ui.prompt?.isConfirmation == true)
    }
}

/// Issue 9: filter by status as well as by name, and one key for what needs attention.
@Suite(.timeLimit(.minutes(1))) struct StatusFilterTests {
    func names(_ filter: String, _ state: DashboardState = sampleState()) -> [String] {
        ServiceList.visible(state.services, filter: filter, sort: .name).map(\.name)
    }

    @Test func statusWordsFilter() {
        #expect(names("status:paused") == ["batch-worker"])
        #expect(names("/paused".replacingOccurrences(of: "/", with: "")) == ["batch-worker"])
        #expect(names("status:failed") == ["broken-svc"])
        #expect(names("status:progress") == ["api-backend"])
        #expect(names("web") == ["web-frontend"])
        #expect(ServiceList.count(sampleState().services, filter: "status:running") == 1)
    }

    @Test func attentionKeyTogglesAndCountsRollbacks() {
        var state = sampleState()
        let rolledBack = OperationSummary(id: "op-rb", type: .startDeployment, status: .rollbackSucceeded, targetArn: state.services[0].arn,
                                          startedAt: t0.addingTimeInterval(-600), endedAt: t0.addingTimeInterval(-300))
        state.services[0].lastOperation = rolledBack
        #expect(names(ServiceRow.attentionFilter, state) == ["api-backend", "broken-svc", "web-frontend"])
        #expect(names("status:rollback", state) == ["web-frontend"])
        var controller = DashboardController(ui: UIState())
        _ = controller.handle(.char("!"), state: state, height: 24)
        #expect(controller.ui.filter == ServiceRow.attentionFilter)
        _ = controller.handle(.char("!"), state: state, height: 24)
        #expect(controller.ui.filter.isEmpty)
    }
}

/// Issue 9: long values copyable whole, through OSC 52.
@Suite(.timeLimit(.minutes(1))) struct CopyTests {
    @Test func copyGivesTheARNOrTheDomainRecords() throws {
        var state = sampleState()
        var controller = DashboardController(ui: UIState())
        controller.ui.selectedArn = state.services[0].arn
        controller.reconcile(state: state, height: 24)
        #expect(controller.handle(.char("c"), state: state, height: 24) == [.copy(state.services[0].arn, what: "the ARN of web-frontend")])

        let arn = state.services[1].arn
        state.detail = ServiceDetailState(serviceArn: arn, service: state.services[1].service, domains: [
            CustomDomain(domainName: "shop.example.com", enableWWWSubdomain: false, certificateValidationRecords: [
                CertificateValidationRecord(name: "_abc.shop.example.com", type: "CNAME", value: "_def.acm-validations.aws", status: .pendingValidation),
            ], status: .pendingCertificateDnsValidation),
        ], dnsTarget: "abcde12345.us-east-1.awsapprunner.com", loaded: true)
        controller.ui.openServiceArn = arn
        controller.ui.view = .domains
        let effects = controller.handle(.char("c"), state: state, height: 24)
        guard case .copy(let text, _)? = effects.first else { Issue.record("no copy: \(effects)"); return }
        // The zone-file lines of the export (RunnerDeckKit's DomainExport), names made absolute.
        #expect(text.split(separator: "\n").dropFirst().map(String.init) == [
            "shop.example.com. 300 IN CNAME abcde12345.us-east-1.awsapprunner.com.",
            "_abc.shop.example.com. 300 IN CNAME _def.acm-validations.aws.",
        ])
    }

    @Test func osc52CarriesTheTextInBase64() {
        #expect(OSC52.sequence(for: "arn:aws:x") == "\u{1B}]52;c;YXJuOmF3czp4\u{07}")
    }
}

/// Issue 9: deploy a chosen image in a few keys, prefilled, with images seen before.
@Suite(.timeLimit(.minutes(1))) struct DeployImageTests {
    @Test func imageKeyPrefillsCyclesAndConfirms() {
        var state = sampleState()
        let web = state.services[0]
        state.imagesSeen[web.arn] = ["public.ecr.aws/nginx/nginx:1.24", "public.ecr.aws/nginx/nginx:1.25"]
        var controller = DashboardController(ui: UIState())
        controller.ui.selectedArn = web.arn
        controller.reconcile(state: state, height: 24)
        _ = controller.handle(.char("i"), state: state, height: 24)
        #expect(controller.ui.prompt == .input(.image(serviceArn: web.arn, serviceName: "web-frontend"), text: "public.ecr.aws/nginx/nginx:1.25"))
        _ = controller.handle(.tab, state: state, height: 24)  // yesterday's image: three keys (i, Tab, Enter) and y
        #expect(controller.ui.prompt == .input(.image(serviceArn: web.arn, serviceName: "web-frontend"), text: "public.ecr.aws/nginx/nginx:1.24"))
        _ = controller.handle(.enter, state: state, height: 24)
        #expect(controller.ui.prompt == .confirm(.deployImage("public.ecr.aws/nginx/nginx:1.24"), serviceArn: web.arn, serviceName: "web-frontend"))
        #expect(controller.handle(.char("y"), state: state, height: 24) == [.perform(.deployImage("public.ecr.aws/nginx/nginx:1.24"), serviceArn: web.arn, serviceName: "web-frontend")])
    }

    @Test func aPausedServiceCannotTakeAnImage() {
        let state = sampleState()
        var controller = DashboardController(ui: UIState())
        controller.ui.selectedArn = state.services[2].arn  // batch-worker, PAUSED
        controller.reconcile(state: state, height: 24)
        _ = controller.handle(.char("i"), state: state, height: 24)
        #expect(controller.ui.prompt == nil)
        #expect(controller.ui.message?.contains("paused") == true)
    }
}
