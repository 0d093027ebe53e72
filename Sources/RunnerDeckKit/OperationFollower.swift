import AWSCore
import AppRunner
import FoundationEssentials

/// Follows one App Runner operation until it ends.
///
/// It polls `ListOperations` for the service (newest first, paging only until the operation is
/// found), matching the operation id, every `pollInterval` seconds until the operation's status is
/// final (SUCCEEDED, FAILED, ROLLBACK_SUCCEEDED, ROLLBACK_FAILED) or `timeout` seconds have passed.
/// Waiting goes through the injected ``WallClock`` so tests run without real time.
/// Used by the dashboard after an action and by the CLI's `--wait`.
///
/// ```swift
/// let follower = OperationFollower(api: client, serviceArn: arn, operationId: id)
/// let final = try await follower.follow { update in print(update.status?.rawValue ?? "?") }
/// if !final.succeeded { … }
/// ```
public struct OperationFollower: Sendable {
    public let api: any AppRunnerAPI
    public let serviceArn: String
    public let operationId: String
    public let pollInterval: Double
    public let timeout: Double
    public let clock: any WallClock

    /// - Parameters:
    ///   - pollInterval: seconds between polls (default 2).
    ///   - timeout: seconds after which ``OperationFollowerError/timedOut(last:)`` is thrown (default 1 h).
    ///   - clock: the sleeper and time source (inject a manual one in tests).
    public init(api: any AppRunnerAPI, serviceArn: String, operationId: String, pollInterval: Double = 2,
                timeout: Double = 3600, clock: any WallClock = SystemClock()) {
        self.api = api
        self.serviceArn = serviceArn
        self.operationId = operationId
        self.pollInterval = max(0.01, pollInterval)
        self.timeout = timeout
        self.clock = clock
    }

    /// Polls until the operation ends and returns its last summary. `onUpdate` is called whenever the
    /// status changes (including the first sighting). Errors of the API propagate; throws
    /// ``OperationFollowerError/timedOut(last:)`` on timeout and `CancellationError` when cancelled.
    @discardableResult
    public func follow(onUpdate: @Sendable (OperationSummary) async -> Void = { _ in }) async throws -> OperationSummary {
        let start = clock.now()
        var last: OperationSummary?
        while true {
            try Task.checkCancellation()
            if let found = try await find() {
                if found.status != last?.status { await onUpdate(found) }
                last = found
                if found.isFinal { return found }
            }
            // The whole timeout: the last sleep is what remains of it, then one more poll.
            let remaining = timeout - clock.now().timeIntervalSince(start)
            if remaining <= 0 { throw OperationFollowerError.timedOut(last: last) }
            try await clock.sleep(seconds: min(pollInterval, remaining))
        }
    }

    /// One poll: the operation's current summary, or nil when the service does not list it (yet).
    /// Pages newest first and stops at the page that holds it (at most 50 pages).
    public func find() async throws -> OperationSummary? {
        var pages = 0
        for try await page in api.listOperationsPaginator(ListOperationsRequest(serviceArn: serviceArn, maxResults: 20)) {
            if let match = page.operationSummaryList?.first(where: { $0.id == operationId }) { return match }
            pages += 1
            if pages >= Self.maxPages { break }
        }
        return nil
    }

    /// How many pages of ListOperations one poll reads at most.
    public static let maxPages = 50
}

/// Why following an operation stopped without a final status.
public enum OperationFollowerError: Error, Sendable, CustomStringConvertible {
    /// The timeout passed; `last` is the last summary seen (nil if the operation was never listed).
    case timedOut(last: OperationSummary?)

    public var description: String {
        switch self {
        case .timedOut(let last):
            if let status = last?.status { return "timed out waiting for the operation (last status \(status.rawValue))" }
            return "timed out waiting for the operation (it was never listed)"
        }
    }
}

extension OperationStatus {
    /// True for SUCCEEDED, FAILED, ROLLBACK_SUCCEEDED and ROLLBACK_FAILED.
    public var isFinal: Bool {
        switch self {
        case .succeeded, .failed, .rollbackSucceeded, .rollbackFailed: return true
        default: return false
        }
    }
    /// True only for SUCCEEDED (a rollback means the change did not land).
    var isSuccess: Bool { self == .succeeded }
    public var isRollback: Bool {
        switch self {
        case .rollbackInProgress, .rollbackSucceeded, .rollbackFailed: return true
        default: return false
        }
    }
}

extension OperationSummary {
    public var isFinal: Bool { status?.isFinal ?? false }
    public var succeeded: Bool { status?.isSuccess ?? false }
}
