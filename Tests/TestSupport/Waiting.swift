import Foundation

/// Thrown by `waitUntil` when its condition is still false at the deadline.
public struct WaitTimeout: Error, CustomStringConvertible {
    public let what: String
    public let seconds: Double
    public var description: String { "timed out after \(seconds) s waiting for \(what)" }
}

/// Polls `condition` every `interval` seconds of real time until it holds; throws `WaitTimeout`
/// (naming `what`) once `timeout` seconds have passed. The one bounded wait loop of the Swift tests.
public func waitUntil(_ what: String, timeout: Double = 10, interval: Double = 0.005,
                      _ condition: () async throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while try await !condition() {
        guard Date() < deadline else { throw WaitTimeout(what: what, seconds: timeout) }
        try await Task.sleep(nanoseconds: UInt64(interval * 1_000_000_000))
    }
}
