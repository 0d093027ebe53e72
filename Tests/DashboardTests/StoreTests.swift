import AWSCore
import AppRunner
@testable import Dashboard
@testable import RunnerDeckKit
import AppRunnerLocal
import Foundation
import Testing

/// Store tests against Local App Runner through the recording wrapper (TestSupport's
/// RecordingAppRunner), with a manual clock that moves both the store and Local's lifecycles.
@Suite(.timeLimit(.minutes(5))) struct StoreTests {
    func makeStore(_ double: RecordingAppRunner, clock: ManualClock, readOnly: Bool = false) -> DashboardStore {
        DashboardStore(api: double.client, context: DashboardContext(region: "us-east-1"),
                       configuration: StoreConfiguration(slowInterval: 10, fastInterval: 2, maxBackoff: 60, readOnly: readOnly), clock: clock)
    }

    @Test func cadenceSlowWhenQuietFastWhileInProgress() async throws {
        let clock = ManualClock()
        let double = try RecordingAppRunner(clock: clock)
        let arn = try await double.addService("web-one")
        try await double.addService("web-two")
        let store = makeStore(double, clock: clock)
        await store.refresh()
        #expect(await store.state.services.count == 2)
        #expect(await store.nextDelay() == 10)
        _ = try await double.local.startDeployment(StartDeploymentRequest(serviceArn: arn))
        await store.refresh()
        #expect(await store.state.services.first { $0.arn == arn }?.status == .operationInProgress)
        #expect(await store.nextDelay() == 2)
        clock.advance(by: 31)
        await store.refresh()
        #expect(await store.nextDelay() == 10)
        let activity = await store.state.activity.map(\.message)
        #expect(activity.contains("web-one: RUNNING → OPERATION_IN_PROGRESS"))
        #expect(activity.contains("web-one: OPERATION_IN_PROGRESS → RUNNING"))
    }

    @Test func runLoopSleepsTheCadenceAndNeverOverlaps() async throws {
        let clock = ManualClock(blockAfter: 3)
        let double = try RecordingAppRunner(clock: clock)
        try await double.addService("web-one")
        let store = makeStore(double, clock: clock)
        let task = Task { await store.run() }
        try await waitUntil("the run loop's fourth sleep") { clock.sleeps.count >= 4 }
        task.cancel()
        try await waitForValue(of: task, "the run loop to stop when cancelled")
        #expect(clock.sleeps.prefix(3) == [10, 10, 10])
        // One ListServices per refresh: four refreshes, no overlap.
        #expect(await double.calls.filter { $0 == "ListServices" }.count == 4)
        #expect(await store.refreshCount == 4)
    }

    @Test func backoffOnErrorsIsShownAndRecovers() async throws {
        let clock = ManualClock()
        let double = try RecordingAppRunner(clock: clock)
        try await double.addService("web-one")
        let store = makeStore(double, clock: clock)
        await double.throttleNext(4)
        var delays: [Double] = []
        for _ in 0..<4 {
            await store.refresh()
            delays.append(await store.nextDelay())
        }
        #expect(delays == [4, 8, 16, 32])
        let state = await store.state
        #expect(state.lastError?.contains("throttled") == true)
        #expect(state.consecutiveFailures == 4)
        #expect(state.activity.filter { $0.kind == .error }.count == 1)  // logged once, not per retry
        await double.throttleNext(3)
        for _ in 0..<3 { await store.refresh() }
        #expect(await store.nextDelay() == 60)  // capped
        await store.refresh()
        #expect(await store.state.lastError == nil)
        #expect(await store.nextDelay() == 10)
    }

    @Test func aClientErrorBacksOffLikeAServiceError() async throws {
        let clock = ManualClock()
        let double = try RecordingAppRunner(clock: clock)
        try await double.addService("web-one")
        let store = makeStore(double, clock: clock)
        await double.failNext(2, with: AWSClientError.timeout(endpoint: "http://127.0.0.1:1", deadline: .attempt, seconds: 60))
        await store.refresh()
        #expect(await store.nextDelay() == 4)
        #expect(await store.state.lastError != nil)
        await store.refresh()
        #expect(await store.nextDelay() == 8)
        await store.refresh()
        #expect(await store.state.lastError == nil)
        #expect(await store.state.services.map(\.name) == ["web-one"])
    }

    @Test func servicesViewMakesOnlyTheCallsItNeeds() async throws {
        let clock = ManualClock()
        let double = try RecordingAppRunner(clock: clock)
        var arns: [String] = []
        for i in 0..<45 { arns.append(try await double.addService(String(format: "svc-%02d", i))) }
        let store = makeStore(double, clock: clock)
        await store.setFocus(StoreFocus(view: .services, visibleServiceArns: Array(arns.prefix(5))))
        await store.refresh()
        let calls = await double.calls
        #expect(calls.filter { $0 == "ListServices" }.count == 3)  // 45 services, 20 per page
        #expect(calls.filter { $0 == "DescribeService" }.count == 5)  // visible rows only
        #expect(!calls.contains("DescribeCustomDomains"))
        #expect(!calls.contains("ListAutoScalingConfigurations"))
        await double.resetCalls()
        await store.refresh()
        #expect(await double.calls.filter { $0 == "DescribeService" }.isEmpty)  // cached until UpdatedAt changes
    }

    @Test func detailFocusLoadsDetailAndDomains() async throws {
        let clock = ManualClock()
        let double = try RecordingAppRunner(clock: clock)
        let arn = try await double.addService("web-one", tags: [AppRunner.Tag(key: "team", value: "web")])
        let store = makeStore(double, clock: clock)
        await store.setFocus(StoreFocus(view: .detail, serviceArn: arn))
        await store.refresh()
        let detail = await store.state.detail
        #expect(detail?.loaded == true)
        #expect(detail?.service?.serviceName == "web-one")
        #expect(detail?.operations.first?.type == .createService)
        #expect(detail?.tags.first?.key == "team")
        #expect(await double.calls.contains("DescribeCustomDomains"))
    }

    @Test func resourcesFocusListsResources() async throws {
        let clock = ManualClock()
        let double = try RecordingAppRunner(clock: clock)
        try await double.addService("web-one")
        let store = makeStore(double, clock: clock)
        await store.setFocus(StoreFocus(view: .resources))
        await store.refresh()
        let resources = await store.state.resources
        #expect(resources.loaded)
        #expect(resources.autoScaling.count == 1)  // Local's DefaultConfiguration
        #expect(resources.autoScalingUsedBy.values.first == ["web-one"])
    }

    @Test func readOnlyRefusesWhereTheCallIsMade() async throws {
        let clock = ManualClock()
        let double = try RecordingAppRunner(clock: clock)
        let arn = try await double.addService("web-one")
        let store = makeStore(double, clock: clock, readOnly: true)
        for change in [ServiceAction.pause, .resume, .deploy, .delete, .associate(domain: "a.example.com", enableWWW: true), .disassociate(domain: "a.example.com")] {
            let outcome = await store.perform(change, serviceArn: arn, serviceName: "web-one")
            guard case .refused(let message) = outcome else { Issue.record("not refused: \(change)"); continue }
            #expect(message.contains("read-only"))
            #expect(message.contains("web-one"))
        }
        let calls = await double.calls
        #expect(calls.isEmpty)
        #expect(try await double.status(of: arn) == .running)
    }

    @Test func pauseIsFollowedToItsEnd() async throws {
        let clock = ManualClock()
        let double = try RecordingAppRunner(clock: clock)
        let arn = try await double.addService("web-one")
        let store = makeStore(double, clock: clock)
        await store.refresh()
        let outcome = await store.perform(.pause, serviceArn: arn, serviceName: "web-one")
        guard case .started(let id) = outcome else { Issue.record("not started: \(outcome)"); return }
        #expect(id != nil)
        // The follower polls on the manual clock, which moves Local's time too; wait until it reports the end.
        try await waitUntil("the follower to finish") { await store.state.followed.isEmpty }
        let state = await store.state
        #expect(state.statusMessage?.contains("PAUSE_SERVICE SUCCEEDED") == true)
        #expect(state.activity.contains { $0.kind == .success && $0.message.contains("web-one: PAUSE_SERVICE SUCCEEDED") })
        #expect(try await double.status(of: arn) == .paused)
        // Pausing again: idempotent, no operation.
        let again = await store.perform(.pause, serviceArn: arn, serviceName: "web-one")
        #expect(again == .started(operationId: nil))
        #expect(await store.state.statusMessage?.contains("already paused") == true)
    }

    @Test func failedActionIsReportedNotFatal() async throws {
        let clock = ManualClock()
        let double = try RecordingAppRunner(clock: clock)
        let arn = try await double.addService("web-one")
        let store = makeStore(double, clock: clock)
        _ = try await double.local.startDeployment(StartDeploymentRequest(serviceArn: arn))
        let outcome = await store.perform(.pause, serviceArn: arn, serviceName: "web-one")
        guard case .failed(let message) = outcome else { Issue.record("expected failure"); return }
        #expect(message.contains("InvalidStateException"))
        #expect(await store.state.statusMessage == message)
    }

    @Test func resultsOfAnOldRegionAreDropped() async throws {
        let clock = ManualClock()
        let old = try RecordingAppRunner(clock: clock)
        try await old.addService("old-region-svc")
        let new = try RecordingAppRunner(clock: clock)
        try await new.addService("new-region-svc")
        let store = makeStore(old, clock: clock)
        await store.refresh()
        #expect(await store.state.services.map(\.name) == ["old-region-svc"])
        await store.switchContext(api: new.client, context: DashboardContext(region: "eu-west-1"))
        #expect(await store.state.generation == 1)
        #expect(await store.state.services.isEmpty)
        await store.refresh()
        #expect(await store.state.services.map(\.name) == ["new-region-svc"])
        #expect(await store.state.context.region == "eu-west-1")
    }
}

@Suite(.timeLimit(.minutes(5))) struct OperationFollowerTests {
    @Test func followsUntilTheOperationEnds() async throws {
        let clock = ManualClock()
        let double = try RecordingAppRunner(clock: clock)
        let arn = try await double.addService("web-one")
        let id = try await double.local.startDeployment(StartDeploymentRequest(serviceArn: arn)).operationId
        let follower = OperationFollower(api: double.client, serviceArn: arn, operationId: id, pollInterval: 5, timeout: 600, clock: clock)
        let final = try await follower.follow()
        #expect(final.id == id)
        #expect(final.status == .succeeded)
        #expect(clock.sleeps == [5, 5, 5, 5, 5, 5])  // 30 s operation, 5 s polls
        #expect(await double.calls == Array(repeating: "ListOperations", count: 7))
    }

    @Test func timesOut() async throws {
        let clock = ManualClock()
        let double = try RecordingAppRunner(clock: clock, operationSeconds: 10_000)
        let arn = try await double.addService("web-one")
        let id = try await double.local.startDeployment(StartDeploymentRequest(serviceArn: arn)).operationId
        let follower = OperationFollower(api: double.client, serviceArn: arn, operationId: id, pollInterval: 10, timeout: 60, clock: clock)
        await #expect(throws: OperationFollowerError.self) { try await follower.follow() }
    }
}

@Suite(.timeLimit(.minutes(5))) struct ControllerTests {
    @Test func confirmationDefaultsToNo() {
        let state = sampleState()
        var controller = DashboardController(ui: UIState())
        controller.ui.selectedArn = state.services[0].arn  // web-frontend, RUNNING
        controller.reconcile(state: state, height: 24)
        #expect(controller.handle(.char("p"), state: state, height: 24) == [.redraw])
        guard case .confirm(.pause, _, let name)? = controller.ui.prompt else { Issue.record("no prompt"); return }
        #expect(name == "web-frontend")
        #expect(controller.handle(.enter, state: state, height: 24) == [.redraw])  // Enter = No
        #expect(controller.ui.prompt == nil)
        #expect(controller.ui.message?.contains("cancelled") == true)
        _ = controller.handle(.char("p"), state: state, height: 24)
        let effects = controller.handle(.char("y"), state: state, height: 24)
        #expect(effects == [.perform(.pause, serviceArn: state.services[0].arn, serviceName: "web-frontend")])
    }

    @Test func deleteNeedsTheExactName() {
        let state = sampleState()
        var controller = DashboardController(ui: UIState())
        controller.reconcile(state: state, height: 24)
        _ = controller.handle(.char("D"), state: state, height: 24)
        for c in "api-backen" { _ = controller.handle(.char(c), state: state, height: 24) }
        #expect(controller.handle(.enter, state: state, height: 24) == [.redraw])
        #expect(controller.ui.message?.contains("does not match") == true)
        _ = controller.handle(.char("D"), state: state, height: 24)
        for c in "api-backend" { _ = controller.handle(.char(c), state: state, height: 24) }
        #expect(controller.handle(.enter, state: state, height: 24) == [.perform(.delete, serviceArn: state.services[1].arn, serviceName: "api-backend")])
    }

    @Test func readOnlyKeysAreOff() {
        let state = sampleState()
        var controller = DashboardController(ui: UIState(readOnly: true))
        for key in ["p", "r", "d", "D"] {
            #expect(controller.handle(.char(Character(key)), state: state, height: 24) == [.redraw])
            #expect(controller.ui.prompt == nil)
            #expect(controller.ui.message?.contains("read-only") == true)
        }
    }

    @Test func navigationFilterAndCommands() {
        let state = sampleState()
        var controller = DashboardController(ui: UIState())
        controller.reconcile(state: state, height: 24)
        _ = controller.handle(.char("j"), state: state, height: 24)
        #expect(controller.ui.selectedArn == state.services.first { $0.name == "batch-worker" }?.arn)
        _ = controller.handle(.char("G"), state: state, height: 24)
        #expect(controller.ui.selection == 3)
        _ = controller.handle(.char("g"), state: state, height: 24)
        #expect(controller.ui.selection == 0)
        _ = controller.handle(.enter, state: state, height: 24)
        #expect(controller.ui.view == .detail)
        #expect(controller.ui.openServiceArn == state.services[1].arn)
        _ = controller.handle(.escape, state: state, height: 24)
        #expect(controller.ui.view == .services)
        _ = controller.handle(.char("/"), state: state, height: 24)
        for c in "WORK" { _ = controller.handle(.char(c), state: state, height: 24) }
        _ = controller.handle(.enter, state: state, height: 24)
        #expect(controller.ui.filter == "WORK")
        #expect(ServiceList.visible(state.services, filter: controller.ui.filter, sort: controller.ui.sort).map(\.name) == ["batch-worker"])
        _ = controller.handle(.char(":"), state: state, height: 24)
        for c in "region eu-west-1" { _ = controller.handle(.char(c), state: state, height: 24) }
        #expect(controller.handle(.enter, state: state, height: 24) == [.switchRegion("eu-west-1")])
        _ = controller.handle(.char(":"), state: state, height: 24)
        _ = controller.handle(.char("q"), state: state, height: 24)
        #expect(controller.handle(.enter, state: state, height: 24) == [.quit])
        _ = controller.handle(.tab, state: state, height: 24)
        #expect(controller.ui.view == .detail)
        _ = controller.handle(.char("5"), state: state, height: 24)
        #expect(controller.ui.view == .activity)
    }

    @Test func registryDrivesEverything() {
        let registry = KeyRegistry.standard
        let changing = Set(registry.bindings.filter(\.changes).map(\.action))
        #expect(changing == [.pause, .resume, .deploy, .deployImage, .delete, .associate, .disassociate])
        #expect(registry.applicable(in: .services, readOnly: true).allSatisfy { !$0.changes })
        #expect(registry.action(for: .char("x"), in: .domains) == .disassociate)
        #expect(registry.action(for: .char("x"), in: .services) == nil)
    }
}
