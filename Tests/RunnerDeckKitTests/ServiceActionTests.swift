import AWSCore
import AppRunner
@testable import AppRunnerLocal
import Foundation
@testable import RunnerDeckKit
import Testing

@Suite(.timeLimit(.minutes(1))) struct ServiceActionTests {
    @Test func whatEachStateAllows() {
        #expect(ServiceAction.pause.refusal(for: .running) == nil)
        #expect(ServiceAction.pause.refusal(for: .paused) == "the service is already paused")
        #expect(ServiceAction.resume.refusal(for: .running) == "the service is already running")
        #expect(ServiceAction.deploy.refusal(for: .paused) != nil)
        #expect(ServiceAction.deploy.refusal(for: .operationInProgress) == "an operation is in progress")
        #expect(ServiceAction.delete.refusal(for: .operationInProgress) == nil)
        for action in [ServiceAction.pause, .resume, .deploy, .associate(domain: "a.example.com", enableWWW: false)] {
            #expect(action.refusal(for: .createFailed) != nil, "\(action) on CREATE_FAILED")
        }
        #expect(ServiceAction.delete.refusal(for: .createFailed) == nil)
        #expect(ServiceAction.delete.refusal(for: .deleted) != nil)
        #expect(ServiceAction.delete.isDestructive && !ServiceAction.pause.isDestructive)
    }

    @Test func performsAgainstLocalAppRunner() async throws {
        let clock = ManualClock()
        let local = try LocalAppRunner(options: LocalOptions(operationSeconds: 10), clock: clock)
        let arn = try await local.createService(CreateServiceRequest(serviceName: "kit-web", sourceConfiguration: SourceConfiguration(
            imageRepository: ImageRepository(imageIdentifier: "public.ecr.aws/nginx/nginx:latest", imageRepositoryType: .ecrPublic)))).service.serviceArn
        clock.advance(by: 11)

        let paused = try await ServiceAction.pause.perform(on: local, serviceArn: arn)
        #expect(paused.operationId != nil)
        #expect(paused.service?.serviceArn == arn)
        clock.advance(by: 11)
        let again = try await ServiceAction.pause.perform(on: local, serviceArn: arn)
        #expect(again.operationId == nil, "pausing a paused service starts nothing")

        let resumed = try await ServiceAction.resume.perform(on: local, serviceArn: arn)
        #expect(resumed.operationId != nil)
        clock.advance(by: 11)
        let deployed = try await ServiceAction.deploy.perform(on: local, serviceArn: arn)
        #expect(deployed.operationId != nil && deployed.service == nil)
        clock.advance(by: 11)

        let updated = try await ServiceAction.deployImage("public.ecr.aws/nginx/nginx:1.27").perform(on: local, serviceArn: arn)
        #expect(updated.operationId != nil)
        #expect(updated.service?.sourceConfiguration.imageRepository?.imageIdentifier == "public.ecr.aws/nginx/nginx:1.27")
        #expect(updated.service?.sourceConfiguration.imageRepository?.imageRepositoryType == .ecrPublic)
        clock.advance(by: 11)

        let associated = try await ServiceAction.associate(domain: "kit.example.com", enableWWW: false).perform(on: local, serviceArn: arn)
        #expect(associated.customDomain?.domainName == "kit.example.com")
        #expect(associated.operationId == nil)

        let deleted = try await ServiceAction.delete.perform(on: local, serviceArn: arn)
        #expect(deleted.operationId != nil)
        let operations = try await local.listOperations(ListOperationsRequest(serviceArn: arn)).operationSummaryList ?? []
        #expect(operations.map(\.type).contains(.deleteService))
    }

    @Test func theFollowerSeesAnOperationToItsEnd() async throws {
        let clock = ManualClock()
        let local = try LocalAppRunner(options: LocalOptions(operationSeconds: 10), clock: clock)
        let created = try await local.createService(CreateServiceRequest(serviceName: "kit-follow", sourceConfiguration: SourceConfiguration(
            imageRepository: ImageRepository(imageIdentifier: "public.ecr.aws/nginx/nginx:latest", imageRepositoryType: .ecrPublic))))
        let id = created.operationId
        let follower = OperationFollower(api: local, serviceArn: created.service.serviceArn, operationId: id, pollInterval: 5, timeout: 60, clock: clock)  // its sleeps move Local's time
        let final = try await follower.follow()
        #expect(final.status == .succeeded)
    }

    /// Issue 18 item 1: `--wait --timeout N` gave up a poll interval early (at once for N <= 2) while
    /// saying "timed out after N s". The follower waits the whole N, polling once more at the end.
    @Test(arguments: [(5.0, 2.0), (2.0, 2.0), (1.0, 2.0), (7.0, 5.0)])
    func theFollowerWaitsTheWholeTimeout(timeout: Double, interval: Double) async throws {
        let clock = ManualClock()
        let local = try LocalAppRunner(options: LocalOptions(operationSeconds: 600), clock: clock)
        let created = try await local.createService(CreateServiceRequest(serviceName: "kit-timeout", sourceConfiguration: SourceConfiguration(
            imageRepository: ImageRepository(imageIdentifier: "public.ecr.aws/nginx/nginx:latest", imageRepositoryType: .ecrPublic))))
        let follower = OperationFollower(api: local, serviceArn: created.service.serviceArn, operationId: created.operationId,
                                         pollInterval: interval, timeout: timeout, clock: clock)
        await #expect(throws: OperationFollowerError.self) { try await follower.follow() }
        #expect(clock.sleeps.reduce(0, +) == timeout)  // the whole timeout, not a poll interval less
        #expect(clock.sleeps.allSatisfy { $0 <= interval })
    }
}


@Suite(.timeLimit(.minutes(1))) struct LostAnswerTests {
    /// A first attempt's answer was lost (reset, cut off) after App Runner started the operation; the
    /// retry is refused as OPERATION_IN_PROGRESS. The action adopts its own operation instead of failing.
    @Test func aRefusedRetryAdoptsTheOperationItStarted() async throws {
        let clock = ManualClock()
        let local = try LocalAppRunner(options: LocalOptions(operationSeconds: 10), clock: clock)
        let arn = try await local.createService(CreateServiceRequest(serviceName: "lost-answer", sourceConfiguration: SourceConfiguration(
            imageRepository: ImageRepository(imageIdentifier: "public.ecr.aws/nginx/nginx:latest", imageRepositoryType: .ecrPublic)))).service.serviceArn
        clock.advance(by: 11)
        let first = try await local.pauseService(PauseServiceRequest(serviceArn: arn))  // its answer "lost"
        let adopted = try await ServiceAction.pause.perform(on: local, serviceArn: arn, now: { clock.now() })
        #expect(adopted.operationId == first.operationId)

        // Someone else's different operation is not adopted: the refusal stands.
        clock.advance(by: 11)
        _ = try await local.resumeService(ResumeServiceRequest(serviceArn: arn))
        await #expect(throws: InvalidStateException.self) {
            _ = try await ServiceAction.deploy.perform(on: local, serviceArn: arn, now: { clock.now() })
        }
    }
}
