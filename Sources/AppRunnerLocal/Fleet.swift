import AWSCore
import FoundationEssentials
import Logging

/// Local App Runner for every account and region one endpoint serves: one ``LocalAppRunner`` per
/// ``LocalPartition``, all over one store. Those the store holds records of open at start (their operations
/// keep advancing); another opens on the first request that names it, empty but for its DefaultConfiguration.
actor LocalFleet {
    let store: LocalStore
    /// The settings every partition shares; their account and region are the default partition's.
    let options: LocalOptions
    let clock: any WallClock
    let logger: Logger
    private var planes: [LocalPartition: LocalAppRunner] = [:]
    private var tickerInterval: Double?

    /// The partition of requests that name none (unsigned), and of the demo fleet.
    nonisolated var defaultPartition: LocalPartition { options.partition }

    init(options: LocalOptions, path: String?, clock: any WallClock = SystemClock(), logger: Logger) throws {
        self.options = options
        self.clock = clock
        self.logger = logger
        let store = try LocalStore(path: path)
        self.store = store
        let stored = LocalPartition.split(try store.loadAllWhileOpening(), fallback: options.partition)
        var planes: [LocalPartition: LocalAppRunner] = [:]
        for partition in Set(stored.keys).union([options.partition]) {
            let (state, builtIn) = try LoadedState.opening(stored[partition] ?? [:], options: options.on(partition))
            try store.saveWhileOpening(builtIn.map { [$0] } ?? [])
            planes[partition] = LocalAppRunner(options: options.on(partition), store: store, state: state, clock: clock, logger: logger)
        }
        self.planes = planes
    }

    /// The control plane of `partition`, opened if it is the first request for it.
    func plane(_ partition: LocalPartition) async throws -> LocalAppRunner {
        if let plane = planes[partition] { return plane }
        let options = options.on(partition)
        let (state, builtIn) = try LoadedState.opening([:], options: options)
        try await store.save(builtIn.map { [$0] } ?? [])
        // Another request may have opened it while the write was awaited (the same record was written twice).
        if let plane = planes[partition] { return plane }
        let plane = LocalAppRunner(options: options, store: store, state: state, clock: clock, logger: logger)
        planes[partition] = plane
        if let tickerInterval { await plane.startTicker(interval: tickerInterval) }
        return plane
    }

    /// The default partition's control plane (it is opened at start).
    func defaultPlane() async throws -> LocalAppRunner { try await plane(defaultPartition) }

    /// Starts every plane's ticker (see ``LocalAppRunner/startTicker(interval:)``), and those of planes opened later.
    func startTickers(interval: Double = 1) async {
        tickerInterval = interval
        for plane in planes.values { await plane.startTicker(interval: interval) }
    }

    func stopTickers() async {
        tickerInterval = nil
        for plane in planes.values { await plane.stopTicker() }
    }
}
