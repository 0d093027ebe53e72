import AWSCore
import AppRunner
import AppRunnerLocal
import CloudWatch
import CloudWatchLogs
import Dashboard
import FoundationEssentials
import Synchronization

/// Issue 10's figures: frame times of the detail and Logs views, memory while following a million
/// lines, and the calls an open detail view makes per minute (idle and deploying) against Local App
/// Runner in this process on a virtual clock, counted by operation at the client's transport.
enum LogsBench {
    static func run(rss: () -> Double) async throws -> String {
        var lines: [String] = []
        for (width, height) in [(80, 24), (160, 50)] {
            lines.append(LogsBenchmarks.frames(width: width, height: height))
        }
        lines.append(try await LogsBenchmarks.follow(total: 1_000_000, rss: rss))
        lines.append(try await calls())
        return lines.joined(separator: "\n")
    }

    static func calls() async throws -> String {
        let clock = VirtualClock()
        // Deployments take five minutes, as App Runner's often do.
        let local = try LocalAppRunner(options: LocalOptions(operationSeconds: 300), clock: clock)
        let created = try await local.createService(CreateServiceRequest(serviceName: "bench-web", sourceConfiguration: SourceConfiguration(
            imageRepository: ImageRepository(imageIdentifier: "public.ecr.aws/nginx/nginx:latest", imageRepositoryType: .ecrPublic))))
        clock.advance(by: 301)
        let arn = created.service.serviceArn
        let counter = CountingLocal(local)
        let result = try await LogsBenchmarks.detailCalls(
            api: AppRunnerClient(transport: counter.appRunner), cloudWatch: CloudWatchClients(logs: CloudWatchLogsClient(transport: counter.logs),
                                                                                               metrics: CloudWatchClient(transport: counter.metrics)),
            clock: clock, serviceArn: arn, minutes: 4, advance: { clock.advance(by: $0) },
            deploy: { _ = try await local.startDeployment(StartDeploymentRequest(serviceArn: arn)) },
            calls: { await counter.counts() })
        return result + " (refresh 10 s idle, 2 s while in progress; 4 virtual minutes each)"
    }
}

/// Time that moves only when told to; sleeping moves it (the store's cadence is taken, not waited).
final class VirtualClock: WallClock, Sendable {
    private let current = Mutex(Date(timeIntervalSince1970: 1_700_000_000))
    func now() -> Date { current.withLock { $0 } }
    func advance(by seconds: Double) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
    func sleep(seconds: Double) async throws { advance(by: seconds) }
}

/// Transports that answer from Local App Runner through the generated server side and count calls.
actor CountingLocal {
    let local: LocalAppRunner
    private var calls: [String: Int] = [:]

    init(_ local: LocalAppRunner) { self.local = local }

    func counts() -> [String: Int] { calls }

    func record(_ operation: String) { calls[operation, default: 0] += 1 }

    nonisolated var appRunner: Transport { Transport(owner: self) { operation, body, local in
        guard let known = AppRunnerOperation(rawValue: operation) else { throw BenchError.unknown(operation) }
        return try await dispatch(known, body: body, to: local)
    } }
    nonisolated var logs: Transport { Transport(owner: self) { operation, body, local in
        guard let known = CloudWatchLogsOperation(rawValue: operation) else { throw BenchError.unknown(operation) }
        return try await dispatch(known, body: body, to: local)
    } }
    nonisolated var metrics: Transport { Transport(owner: self) { operation, body, local in
        guard let known = CloudWatchOperation(rawValue: operation) else { throw BenchError.unknown(operation) }
        return try await dispatch(known, body: body, to: local)
    } }

    struct Transport: AWSJSONTransport {
        let owner: CountingLocal
        let answer: @Sendable (String, Data, LocalAppRunner) async throws -> Data
        func send(operation: String, body: Data) async throws -> Data {
            await owner.record(operation)
            return try await answer(operation, body, owner.local)
        }
    }

    enum BenchError: Error { case unknown(String) }
}
