import AWSCore
import AppRunner
import FoundationEssentials
import Logging

/// Local App Runner: a simulated App Runner control plane that behaves like the real service —
/// asynchronous operations that take time, deployments that fail and roll back, custom domains that
/// wait for DNS validation — persisted in SQLite. It speaks ``AppRunnerAPI`` in process (the
/// dashboard's `--demo`) and over HTTP through `runLocalServer` (`runnerdeck serve`).
///
/// Lifecycles are computed from stored start times and the injected clock, so an operation that was
/// in flight when the process died finishes after a restart.
///
/// One file per resource family extends the actor: Services, Operations, CustomDomains, Connections,
/// VpcConnections (connectors and ingress connections), Configurations (auto scaling and observability,
/// over one ``RevisionTable``), Tags; Transactions holds the path every call takes to the store. It also
/// serves its services' CloudWatch Logs and metrics: ServiceLogs (deployment logs, stored in LogStore),
/// ServiceActivity, ApplicationLogs and Metrics (computed on read), LogsAPI and MetricsAPI; ServiceRouting
/// tells the three services apart on the HTTP endpoint.
///
/// One control plane holds one account in one region (``LocalPartition``); the endpoint runs one per
/// partition a request names, all over one store (``LocalFleet``).
public actor LocalAppRunner: AppRunnerAPI {
    public nonisolated let options: LocalOptions
    let clock: any WallClock
    let store: LocalStore
    let logger: Logger

    var services: [String: ServiceRecord] = [:]
    var operations: [String: OperationRecord] = [:]
    /// Ids of operations whose outcome is not applied yet: the only ones `advance` and `running` look at,
    /// so calls stay cheap however long the history grows.
    var unapplied: Set<String> = []
    var scalings = RevisionTable<AutoScalingConfiguration>()
    var connections: [String: TaggedRecord<Connection>] = [:]
    var connectors: [String: TaggedRecord<VpcConnector>] = [:]
    var ingresses: [String: TaggedRecord<VpcIngressConnection>] = [:]
    var observabilities = RevisionTable<ObservabilityConfiguration>()
    var serviceTags: [String: [Tag]] = [:]
    var defaultScalingArn: String
    /// Records changed since the last write, oldest first.
    var dirty: [(kind: RecordKind, id: String)] = []
    /// Service log events scheduled since the last write (stored with it).
    var pendingLogs: [StoredLogEvent] = []
    /// Whether a transaction holds the store (its write may be awaited), and who waits for it, in order.
    var storeBusy = false
    var storeWaiters: [CheckedContinuation<Void, Never>] = []
    var ticker: Task<Void, Never>?
    /// Asks the DNS about domains awaiting validation (`--domain-validation dns`), see DomainValidation.
    var dnsValidator: Task<Void, Never>?

    static let defaultScalingName = "DefaultConfiguration"
    /// The key of the chosen default auto scaling configuration in files written before partitions.
    static let legacyMetaDefaultScaling = "defaultScaling"

    /// The key of this partition's chosen default auto scaling configuration (a `meta` record).
    nonisolated var metaDefaultScaling: String { Self.metaDefaultScalingKey(options) }

    static func metaDefaultScalingKey(_ options: LocalOptions) -> String { "defaultScaling/\(options.accountId)/\(options.region)" }

    /// Opens (or creates) a control plane of `options`' account and region (the records of others in the
    /// file are left alone). `path` nil keeps everything in memory.
    public init(options: LocalOptions = LocalOptions(), path: String? = nil, clock: any WallClock = SystemClock(),
                logger: Logger = Logger(label: "runnerdeck.local")) throws {
        let store = try LocalStore(path: path)
        let stored = LocalPartition.split(try store.loadAllWhileOpening(), fallback: options.partition)[options.partition] ?? [:]
        let (state, builtIn) = try LoadedState.opening(stored, options: options)
        try store.saveWhileOpening(builtIn.map { [$0] } ?? [])
        self.init(options: options, store: store, state: state, clock: clock, logger: logger)
    }

    /// A control plane over `store` (shared with other partitions), from its records as loaded.
    init(options: LocalOptions, store: LocalStore, state: LoadedState, clock: any WallClock, logger: Logger) {
        self.options = options
        self.clock = clock
        self.logger = logger
        self.store = store
        defaultScalingArn = state.defaultScalingArn
        // The actor's state is set field by field here; `replaceState` does the same after a failed write.
        services = state.services
        operations = state.operations
        unapplied = Set(state.operations.values.filter { !$0.applied }.map(\.id))
        scalings = state.scalings
        connections = state.connections
        connectors = state.connectors
        ingresses = state.ingresses
        observabilities = state.observabilities
        serviceTags = state.serviceTags
    }

    /// Advances lifecycles every `interval` seconds even when nobody asks, so operations finish and are
    /// persisted. Stopped by ``stopTicker()`` or when the control plane is released.
    func startTicker(interval: Double = 1) {
        ticker?.cancel()
        ticker = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(max(0.05, interval) * 1_000_000_000))
                // Not once more after stopTicker (the cancelled sleep returns at once): that tick would keep
                // the control plane, and its store, past the server's end, so the WAL would not be folded back.
                guard !Task.isCancelled, let self else { return }
                await self.tick()
            }
        }
        startDNSValidation(interval: interval)
    }

    func stopTicker() {
        ticker?.cancel()
        ticker = nil
        dnsValidator?.cancel()
        dnsValidator = nil
    }

    /// Brings every lifecycle up to the clock and persists what changed. A write that fails is logged and
    /// memory goes back to the file; progress is recomputed from stored times on the next call.
    public func tick() async {
        do {
            try await transaction { _ in }
        } catch {
            logger.error("could not persist lifecycle progress: \(error)")
        }
    }

    /// Makes the next deployment or update of `serviceArn` fail and roll back (tests, demo).
    func failNextDeployment(of serviceArn: String) async throws {
        try await transaction { _ in
            guard services[serviceArn] != nil else { throw notFound(serviceArn) }
            services[serviceArn]?.failNext = true
            markDirty(.service, serviceArn)
        }
    }

    // MARK: - Errors and names

    func notFound(_ arn: String) -> ResourceNotFoundException {
        ResourceNotFoundException(message: "Resource doesn't exist for the provided ARN: \(arn)")
    }

    func invalidState(_ verb: String, _ status: ServiceStatus) -> InvalidStateException {
        InvalidStateException(message: "Service cannot be \(verb) in the current state: \(status.rawValue).")
    }

    func arn(_ resource: String) -> String {
        "arn:aws:apprunner:\(options.region):\(options.accountId):\(resource)"
    }
}

/// Everything the store holds, decoded.
struct LoadedState {
    var services: [String: ServiceRecord] = [:]
    var operations: [String: OperationRecord] = [:]
    var scalings = RevisionTable<AutoScalingConfiguration>()
    var connections: [String: TaggedRecord<Connection>] = [:]
    var connectors: [String: TaggedRecord<VpcConnector>] = [:]
    var ingresses: [String: TaggedRecord<VpcIngressConnection>] = [:]
    var observabilities = RevisionTable<ObservabilityConfiguration>()
    var serviceTags: [String: [Tag]] = [:]
    var defaultScalingArn: String

    init(_ stored: StoredRecords, options: LocalOptions) throws {
        let decoder = AppRunnerJSON.makeDecoder()
        func decode<T: Decodable>(_ kind: RecordKind, _ type: T.Type) throws -> [String: T] {
            var result: [String: T] = [:]
            for row in stored[kind] ?? [] { result[row.id] = try decoder.decode(type, from: row.json) }
            return result
        }
        defaultScalingArn = Self.builtInScalingArn(options)
        services = try decode(.service, ServiceRecord.self)
        operations = try decode(.operation, OperationRecord.self)
        scalings = RevisionTable(records: try decode(.autoScaling, TaggedRecord<AutoScalingConfiguration>.self))
        connections = try decode(.connection, TaggedRecord<Connection>.self)
        connectors = try decode(.vpcConnector, TaggedRecord<VpcConnector>.self)
        ingresses = try decode(.vpcIngress, TaggedRecord<VpcIngressConnection>.self)
        observabilities = RevisionTable(records: try decode(.observability, TaggedRecord<ObservabilityConfiguration>.self))
        serviceTags = try decode(.serviceTags, [Tag].self)
        let meta = try decode(.meta, String.self)
        if let chosen = meta[LocalAppRunner.metaDefaultScalingKey(options)] ?? meta[LocalAppRunner.legacyMetaDefaultScaling] { defaultScalingArn = chosen }
    }

    /// The state of a partition from its records, with its DefaultConfiguration added when missing (a new
    /// partition has none): the change to store comes back with it.
    static func opening(_ stored: StoredRecords, options: LocalOptions) throws -> (LoadedState, RecordChange?) {
        var state = try LoadedState(stored, options: options)
        guard let builtIn = state.addBuiltInScalingIfMissing(options: options) else { return (state, nil) }
        return (state, RecordChange(kind: .autoScaling, id: builtIn.arn, json: try AppRunnerJSON.encode(builtIn.record)))
    }

    static func builtInScalingArn(_ options: LocalOptions) -> String {
        "arn:aws:apprunner:\(options.region):\(options.accountId):autoscalingconfiguration/DefaultConfiguration/1/00000000000000000000000000000001"
    }

    /// Adds the account's DefaultConfiguration (a new store has none); returns it to be stored.
    mutating func addBuiltInScalingIfMissing(options: LocalOptions) -> (arn: String, record: TaggedRecord<AutoScalingConfiguration>)? {
        let builtIn = Self.builtInScalingArn(options)
        guard scalings[builtIn] == nil else { return nil }
        let record = TaggedRecord(value: AutoScalingConfiguration(
            autoScalingConfigurationArn: builtIn, autoScalingConfigurationName: LocalAppRunner.defaultScalingName,
            autoScalingConfigurationRevision: 1, latest: true, status: .active, maxConcurrency: 100, minSize: 1, maxSize: 25,
            createdAt: Date(timeIntervalSince1970: 1_577_836_800), isDefault: true), tags: [Tag]())
        scalings[builtIn] = record
        return (builtIn, record)
    }
}
