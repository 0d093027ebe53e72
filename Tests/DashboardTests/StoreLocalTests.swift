import AWSCore
import AppRunner
import class AppRunnerLocal.LocalAppRunner
import struct AppRunnerLocal.LocalOptions
@testable import Dashboard
import Foundation
import Testing

/// The store against Local App Runner in process (no test double): the same clock moves the control
/// plane's operations and the store's polling and following.
@Suite struct StoreLocalTests {
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
        clock.advance(11)
        await store.refresh()
        #expect(await store.state.services.first { $0.arn == arn }?.status == .running)
        #expect(await store.nextDelay() == 10)
        #expect(await store.state.activity.contains { $0.message.contains("local-web: OPERATION_IN_PROGRESS → RUNNING") })
    }

    @Test func aRollbackIsFollowedToItsEndAndReported() async throws {
        let (clock, local, store, arn) = try await setUp()
        clock.advance(11)
        await store.refresh()
        try await local.failNextDeployment(of: arn)
        let outcome = await store.perform(.deploy, serviceArn: arn, serviceName: "local-web")
        guard case .started(let id) = outcome else { Issue.record("not started: \(outcome)"); return }
        #expect(id != nil)
        // The follower sleeps on the manual clock, which moves Local App Runner's time as well.
        while await !store.state.followed.isEmpty { try await Task.sleep(nanoseconds: 2_000_000) }
        let state = await store.state
        #expect(state.statusMessage?.contains("ROLLBACK_SUCCEEDED") == true)
        #expect(state.activity.contains { $0.message.contains("local-web") && $0.message.contains("ROLLBACK_SUCCEEDED") })
        #expect(try await local.describeService(DescribeServiceRequest(serviceArn: arn)).service.status == .running)
    }

    @Test func readOnlyLeavesLocalAppRunnerUntouched() async throws {
        let (clock, local, _, arn) = try await setUp()
        clock.advance(11)
        let store = DashboardStore(api: local, context: DashboardContext(region: "us-east-1"),
                                   configuration: StoreConfiguration(readOnly: true), clock: clock)
        let outcome = await store.perform(.pause, serviceArn: arn, serviceName: "local-web")
        guard case .refused = outcome else { Issue.record("not refused: \(outcome)"); return }
        let operations = try await local.listOperations(ListOperationsRequest(serviceArn: arn)).operationSummaryList ?? []
        #expect(operations.map(\.type) == [.createService])
    }
}
