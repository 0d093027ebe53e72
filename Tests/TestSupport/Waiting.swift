import Foundation

/// Thrown by `waitUntil` when its condition is still false at the deadline.
public struct WaitTimeout: Error, CustomStringConvertible {
    public let what: String
    public let seconds: Double
    public var description: String { "timed out after \(seconds) s waiting for \(what)" }
}

/// Polls `condition` every `interval` seconds of real time until it holds; throws `WaitTimeout`
/// (naming `what`) once `timeout` seconds have passed. The one bounded wait loop of the Swift tests.
public func waitUntil(_ what: String, timeout: Double = 30, interval: Double = 0.005,
                      _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while try await !condition() {
        guard Date() < deadline else { throw WaitTimeout(what: what, seconds: timeout) }
        try await Task.sleep(nanoseconds: UInt64(interval * 1_000_000_000))
    }
}

/// The value of `task` once it has finished; throws `WaitTimeout` (naming `what`) if it has not after
/// `timeout` seconds. (`await task.value` waits forever on an unstructured task that ignores
/// cancellation, and a test's time limit cannot interrupt it.)
public func waitForValue<T: Sendable>(of task: Task<T, Never>, _ what: String, timeout: Double = 30) async throws -> T {
    let box = Box<T>()
    Task { box.set(await task.value) }
    try await waitUntil(what, timeout: timeout) { box.get() != nil }
    guard let value = box.get() else { throw WaitTimeout(what: what, seconds: timeout) }
    return value.value
}

private final class Box<T: Sendable>: @unchecked Sendable {
    // @unchecked: `stored` is guarded by `lock`.
    struct Stored { var value: T }
    private let lock = NSLock()
    private var stored: Stored?
    func set(_ value: T) { lock.withLock { stored = Stored(value: value) } }
    func get() -> Stored? { lock.withLock { stored } }
}
