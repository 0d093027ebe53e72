import AWSCore
import AppRunner
import FoundationEssentials
import Logging

/// The one path from a call to the store: bring lifecycles up to the clock, run the change in memory,
/// write what changed, and take nothing back that the file would not keep.
extension LocalAppRunner {
    func markDirty(_ kind: RecordKind, _ id: String) {
        dirty.append((kind, id))
    }

    /// Every call: bring lifecycles up to now, run, persist what changed (also when the call fails).
    /// A change that cannot be encoded or stored is not accepted: memory goes back to what the file holds
    /// and the caller gets InternalServiceErrorException, so nothing is answered that a restart would lose.
    ///
    /// Transactions run one at a time, in call order, across the awaited write: a second call waits
    /// until the first is stored (or refused), so a refused write never takes another call's change with it.
    func transaction<T>(_ body: (Date) throws -> T) async throws -> T {
        await acquireStore()
        defer { releaseStore() }
        let now = clock.now()
        advance(now)
        let result = Result { try body(now) }
        do {
            try await persist()
        } catch {
            logger.error("could not persist a change, restoring the stored state: \(error)")
            await restoreFromStore()
            throw InternalServiceErrorException(message: "The change could not be stored; nothing was changed.")
        }
        return try result.get()
    }

    private func acquireStore() async {
        guard storeBusy else {
            storeBusy = true
            return
        }
        await withCheckedContinuation { storeWaiters.append($0) }
    }

    /// Hands the store to the next waiter (it stays busy), or frees it.
    private func releaseStore() {
        if storeWaiters.isEmpty {
            storeBusy = false
        } else {
            storeWaiters.removeFirst().resume()
        }
    }

    /// Writes every dirty record in one SQLite transaction. Throws, writing nothing, when a record cannot
    /// be encoded: a record is deleted only when it is gone from memory, never because it failed to encode.
    private func persist() async throws {
        guard !dirty.isEmpty || !pendingLogs.isEmpty else { return }
        let changed = dirty
        let logs = pendingLogs
        dirty.removeAll()
        pendingLogs.removeAll()
        let encoder = AppRunnerJSON.makeEncoder()
        var seen = Set<String>()
        var changes: [RecordChange] = []
        for (kind, id) in changed.reversed() where seen.insert(kind.rawValue + "\u{0}" + id).inserted {
            changes.append(RecordChange(kind: kind, id: id, json: try encodedRecord(kind, id, encoder: encoder)))
        }
        try await store.save(changes, logs: logs, retention: options.logRetention)
    }

    /// The record's JSON, or nil when it no longer exists.
    private func encodedRecord(_ kind: RecordKind, _ id: String, encoder: JSONEncoder) throws -> Data? {
        func encode(_ value: (some Encodable)?) throws -> Data? {
            guard let value else { return nil }
            return try encoder.encode(value)
        }
        switch kind {
        case .service: return try encode(services[id])
        case .operation: return try encode(operations[id])
        case .autoScaling: return try encode(scalings[id])
        case .connection: return try encode(connections[id])
        case .vpcConnector: return try encode(connectors[id])
        case .vpcIngress: return try encode(ingresses[id])
        case .observability: return try encode(observabilities[id])
        case .serviceTags: return try encode(serviceTags[id])
        case .meta: return try encode(id == metaDefaultScaling ? defaultScalingArn : nil)
        }
    }

    /// Replaces every in-memory record with what the store holds (after a refused write).
    private func restoreFromStore() async {
        dirty.removeAll()
        pendingLogs.removeAll()
        do {
            let stored = LocalPartition.split(try await store.loadAll(), fallback: options.partition)[options.partition] ?? [:]
            var state = try LoadedState(stored, options: options)
            if let builtIn = state.addBuiltInScalingIfMissing(options: options) { markDirty(.autoScaling, builtIn.arn) }
            services = state.services
            operations = state.operations
            unapplied = Set(state.operations.values.filter { !$0.applied }.map(\.id))
            scalings = state.scalings
            connections = state.connections
            connectors = state.connectors
            ingresses = state.ingresses
            observabilities = state.observabilities
            serviceTags = state.serviceTags
            defaultScalingArn = state.defaultScalingArn
        } catch {
            logger.error("could not reload the stored state: \(error)")
        }
    }
}
