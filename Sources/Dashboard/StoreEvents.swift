import AppRunner
import CloudWatch
import CloudWatchLogs
import FoundationEssentials
import RunnerDeckKit

/// What the UI thread asks of the store, in the order the user asked it.
enum StoreEvent: Sendable {
    case refresh
    case focus(StoreFocus)
    case perform(ServiceAction, serviceArn: String, serviceName: String)
    case switchContext(region: String?, profile: String?, endpoint: String?, demo: Bool)
    case checkDomains(serviceArn: String)
    case exportDomain(serviceArn: String, domain: String)
}

/// One ordered stream from the UI thread to the store: the UI thread only enqueues (never blocks),
/// one task hands the events to the store one at a time, so a focus change can never overtake the
/// action typed before it.
final class StoreEvents: Sendable {
    private let continuation: AsyncStream<StoreEvent>.Continuation
    private let consumer: Task<Void, Never>

    init(store: DashboardStore, makeAPI: @escaping @Sendable (_ region: String?, _ profile: String?) async throws -> any AppRunnerAPI,
         makeCloudWatch: CloudWatchMaker? = nil) {
        let (stream, continuation) = AsyncStream.makeStream(of: StoreEvent.self, bufferingPolicy: .unbounded)
        self.continuation = continuation
        consumer = Task {
            for await event in stream {
                await StoreEvents.deliver(event, to: store, makeAPI: makeAPI, makeCloudWatch: makeCloudWatch)
            }
        }
    }

    /// Enqueues an event; returns at once.
    func send(_ event: StoreEvent) {
        continuation.yield(event)
    }

    /// Stops taking events; those already sent are still delivered unless `cancel` is true.
    func finish(cancel: Bool = true) {
        continuation.finish()
        if cancel { consumer.cancel() }
    }

    /// Waits until every event sent before `finish` was delivered (tests).
    func drained() async {
        await consumer.value
    }

    static func deliver(_ event: StoreEvent, to store: DashboardStore,
                        makeAPI: @Sendable (_ region: String?, _ profile: String?) async throws -> any AppRunnerAPI,
                        makeCloudWatch: CloudWatchMaker? = nil) async {
        switch event {
        case .refresh:
            await store.requestRefresh()
        case .focus(let focus):
            await store.setFocus(focus)
        case .perform(let action, let arn, let name):
            _ = await store.perform(action, serviceArn: arn, serviceName: name)
        case .checkDomains(let arn):
            await store.checkDomains(serviceArn: arn)
        case .exportDomain(let arn, let domain):
            await store.exportDomain(serviceArn: arn, domain: domain)
        case .switchContext(let region, let profile, let endpoint, let demo):
            do {
                let api = try await makeAPI(region, profile)
                // Without logs the dashboard still works: the detail view says the log is not available.
                let cloudWatch = (try? await makeCloudWatch?(region, profile)) ?? CloudWatchClients()
                await store.switchContext(api: api, cloudWatch: cloudWatch, context: DashboardContext(profile: profile, region: region, endpoint: endpoint, demo: demo))
            } catch {
                await store.note(.error, "cannot switch to region \(region ?? "default"), profile \(profile ?? "default"): \(ErrorText(error))", status: true)
            }
        }
    }
}

/// The CloudWatch clients the dashboard reads: Logs (the deployment log in the detail view) and
/// metrics (the services list's traffic). Either may be missing; the views then say so.
public struct CloudWatchClients: Sendable {
    public var logs: (any CloudWatchLogsAPI)?
    public var metrics: (any CloudWatchAPI)?

    public init(logs: (any CloudWatchLogsAPI)? = nil, metrics: (any CloudWatchAPI)? = nil) {
        self.logs = logs
        self.metrics = metrics
    }
}

/// Builds the CloudWatch clients for a region and profile.
public typealias CloudWatchMaker = @Sendable (_ region: String?, _ profile: String?) async throws -> CloudWatchClients
