import FoundationEssentials

/// Where RunnerDeck reads the time and how it waits: the signer and verifier, Local App Runner's
/// lifecycles, the dashboard's refresh schedule and the operation follower. Tests inject a manual clock.
public protocol WallClock: Sendable {
    func now() -> Date
    /// Waits `seconds`; throws `CancellationError` when the task is cancelled.
    func sleep(seconds: Double) async throws
}

extension WallClock {
    public func sleep(seconds: Double) async throws {
        guard seconds > 0 else { return }
        try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
    }
}

/// Wall-clock time and `Task.sleep`.
public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}
