import Foundation

/// Time for the store and the operation follower: what time it is and how to wait.
/// Tests inject a manual clock; the dashboard uses ``SystemClock``.
public protocol DashboardClock: Sendable {
    func now() -> Date
    /// Waits `seconds`; throws `CancellationError` when the task is cancelled.
    func sleep(seconds: Double) async throws
}

/// Wall-clock time and `Task.sleep`.
public struct SystemClock: DashboardClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(seconds: Double) async throws {
        guard seconds > 0 else { return }
        try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
    }
}
