import AWSCore
import AppRunner
@testable import AppRunnerLocal
@testable import Dashboard
@testable import RunnerDeckKit
import Foundation
import Testing

/// The store against Local App Runner in process (no test double): the same clock moves the control
/// plane's operations and the store's polling and following.
@Suite(.timeLimit(.minutes(5))) struct StoreLocalTests {
    func setUp() async throws -> (ManualClock, LocalAppRunner, DashboardStore, String) {
        let clock = ManualClock()
        let local = try LocalAppRunner(options: LocalOptions(operationSeconds: 10), clock: clock)
        let created = try await local.createService(CreateServiceRequest(serviceName: "local-web", sourceConfiguration: SourceConfiguration(
            imageRepository: ImageRepository(imageIdentifier: "public.ecr.aws/nginx/nginx:latest", imageRepositoryType: .ecrPublic))))
        let store = DashboardStore(api: local, context: DashboardContext(region: "us-east-1"),
                                   configuration: StoreConfiguration(slowInterval: 10, fastInterval: 2, maxBackoff: 60), clock: clock)
        return (clock, local, store, created.service.serviceArn)
    }

    @Test func pollsFastWhileCreatingAndSlowOnceRunning() async throws {
        let (clock, _, store, arn) = try await setUp()
        await store.refresh()
        #expect(await store.state.services.first { $0.arn == arn }?.status == .operationInProgress)
        #expect(await store.nextDelay() == 2)
        clock.advance(by: 11)
        await store.refresh()
        #expect(await store.state.services.first { $0.arn == arn }?.status == .running)
        #expect(await store.nextDelay() == 10)
        #expect(await store.state.activity.contains { $0.message.contains("local-web: OPERATION_IN_PROGRESS → RUNNING") })
    }

    /// Issue 10: the open service's newest operation's deployment log comes with the detail refresh,
    /// line by line as the operation advances, each line once; nothing is read for a closed detail.
    @Test func theDetailReadsTheDeploymentLogAsItAdvances() async throws {
        let (clock, local, store, arn) = try await setUp()
        clock.advance(by: 11)
        await store.setFocus(StoreFocus(view: .detail, serviceArn: arn))
        await store.refresh()
        let deploy = try await local.startDeployment(StartDeploymentRequest(serviceArn: arn)).operationId
        clock.advance(by: 1.5)
        await store.refresh()
        let early = await store.state.detail?.deploymentLog
        #expect(early?.operationId == deploy)
        #expect(early?.lines.first?.message.hasPrefix("[AppRunner] Pulling image public.ecr.aws/nginx/nginx:latest") == true)
        #expect(early?.lines.contains { $0.message.contains("Performing health check") } == false)
        clock.advance(by: 10)
        await store.refresh()
        let done = await store.state.detail?.deploymentLog.lines.map(\.message) ?? []
        #expect(done.contains("[AppRunner] Performing health check on protocol `TCP` [Port: '8080']."))
        #expect(done.last == "[AppRunner] Successfully routed incoming traffic to application.")
        #expect(Set(done).count == done.count)  // each line once, however many polls
        // Shown at 80x24 in the detail view, above the timeline.
        var ui = UIState()
        ui.view = .detail
        ui.openServiceArn = arn
        let screen = DashboardRenderer().render(state: await store.state, ui: ui, now: clock.now(), width: 80, height: 24).text
        #expect(screen.contains("Deployment log (deploy"))
        #expect(screen.contains("Successfully routed incoming traffic"))
        #expect(screen.contains("Operations (newest first)"))
    }

    /// Issue 10: the visible rows' traffic, one GetMetricData for all of them, at most once a minute.
    @Test func theServicesListReadsTrafficForVisibleRowsOnceAMinute() async throws {
        let (clock, _, store, arn) = try await setUp()
        clock.advance(by: 11)
        clock.advance(by: 1800)  // half an hour of serving
        await store.setFocus(StoreFocus(view: .services, visibleServiceArns: [arn]))
        await store.refresh()
        let first = try #require(await store.state.traffic[arn])
        #expect((12...13).contains(first.requests.count))  // an hour of 5-minute buckets, aligned to the period
        #expect(first.requests.compactMap { $0 }.contains { $0 > 0 })
        #expect(first.fiveXXShare == 0)
        let fetched = await store.trafficFetchedAt
        clock.advance(by: 30)
        await store.refresh()
        #expect(await store.trafficFetchedAt == fetched)  // not again within the minute
        clock.advance(by: 31)
        await store.refresh()
        #expect(await store.trafficFetchedAt != fetched)
        // Shown on the row from 120 columns: a sparkline and the 5xx share.
        var ui = UIState()
        ui.view = .services
        let screen = DashboardRenderer().render(state: await store.state, ui: ui, now: clock.now(), width: 120, height: 24).text
        #expect(screen.contains("REQ 1H") && screen.contains("5XX"))
        #expect(screen.contains("0.0%"))
        #expect(screen.contains { "▁▂▃▄▅▆▇█".contains($0) })
    }

    @Test func aRollbackIsFollowedToItsEndAndReported() async throws {
        let (clock, local, store, arn) = try await setUp()
        clock.advance(by: 11)
        await store.refresh()
        try await local.failNextDeployment(of: arn)
        let outcome = await store.perform(.deploy, serviceArn: arn, serviceName: "local-web")
        guard case .started(let id) = outcome else { Issue.record("not started: \(outcome)"); return }
        #expect(id != nil)
        // The follower sleeps on the manual clock, which moves Local App Runner's time as well.
        try await waitUntil("the follower to finish") { await store.state.followed.isEmpty }
        let state = await store.state
        #expect(state.statusMessage?.contains("ROLLBACK_SUCCEEDED") == true)
        #expect(state.activity.contains { $0.message.contains("local-web") && $0.message.contains("ROLLBACK_SUCCEEDED") })
        #expect(try await local.describeService(DescribeServiceRequest(serviceArn: arn)).service.status == .running)
    }

    @Test func readOnlyLeavesLocalAppRunnerUntouched() async throws {
        let (clock, local, _, arn) = try await setUp()
        clock.advance(by: 11)
        let store = DashboardStore(api: local, context: DashboardContext(region: "us-east-1"),
                                   configuration: StoreConfiguration(readOnly: true), clock: clock)
        let outcome = await store.perform(.pause, serviceArn: arn, serviceName: "local-web")
        guard case .refused = outcome else { Issue.record("not refused: \(outcome)"); return }
        let operations = try await local.listOperations(ListOperationsRequest(serviceArn: arn)).operationSummaryList ?? []
        #expect(operations.map(\.type) == [.createService])
    }
}

/// Issue 9 bug 2: a rollback started elsewhere (CI, a colleague, the CLI) is visible in the row while
/// it runs and after, and reaches the Activity log with its outcome.
@Suite(.timeLimit(.minutes(1))) struct RollbackVisibilityTests {
    @Test func aRollbackStartedElsewhereShowsInTheRowAndTheActivityLog() async throws {
        let (clock, local, store, arn) = try await StoreLocalTests().setUp()
        clock.advance(by: 11)
        await store.setFocus(StoreFocus(view: .services, visibleServiceArns: [arn]))
        await store.refresh()
        try await local.failNextDeployment(of: arn)
        _ = try await local.startDeployment(StartDeploymentRequest(serviceArn: arn))  // not through the store
        clock.advance(by: 11)  // past the deployment, into ROLLBACK_IN_PROGRESS
        await store.refresh()
        var row = try #require(await store.state.services.first { $0.arn == arn })
        #expect(row.currentOperation?.status == .rollbackInProgress)
        #expect(DashboardRenderer.operationCell(row, now: clock.now()).0.hasPrefix("ROLLBACK "))
        clock.advance(by: 11)
        await store.refresh()
        row = try #require(await store.state.services.first { $0.arn == arn })
        #expect(row.currentOperation == nil)
        #expect(row.lastOperationWentWrong?.status == .rollbackSucceeded)
        #expect(DashboardRenderer.operationCell(row, now: clock.now().addingTimeInterval(300)).0 == "ROLLED BACK 5m")
        let activity = await store.state.activity.map(\.message)
        #expect(activity.contains { $0.contains("local-web: START_DEPLOYMENT ROLLBACK_SUCCEEDED") && $0.contains("failed and was rolled back") }, "\(activity)")
        // Told once, not on every refresh.
        await store.refresh()
        #expect(await store.state.activity.filter { $0.message.contains("rolled back") }.count == 1)
    }
}

/// Issue 8: an endpoint that accepts and never answers must not freeze the dashboard's data silently.
@Suite(.timeLimit(.minutes(1))) struct HungRefreshTests {
    @Test func aHungRefreshIsCancelledAndSaidInWords() async throws {
        let server = try await TestServer.start { _, _ in
            try? await Task.sleep(nanoseconds: 30_000_000_000)
            return .json("{}")
        }
        defer { server.stop() }
        let endpoint = try #require(URL(string: server.url))
        let transport = AWSJSONClient(service: .appRunner, region: "us-east-1", endpoint: endpoint,
                                      credentials: StaticCredentialProvider(AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret")),
                                      userAgent: "runnerdeck/test", timeouts: AWSClientTimeouts(connect: 5, attempt: 60, total: 60))
        let store = DashboardStore(api: AppRunnerClient(transport: transport), context: DashboardContext(region: "us-east-1"),
                                   configuration: StoreConfiguration(refreshTimeout: 0.5))
        let started = ContinuousClock.now
        await store.refreshWithDeadline()
        #expect(started.duration(to: .now) < .seconds(10))
        let state = await store.state
        #expect(state.lastError?.contains("no answer within") == true, "\(String(describing: state.lastError))")
        #expect(state.consecutiveFailures == 1)
        #expect(!state.refreshing)
        try? await transport.shutdown()
    }
}
