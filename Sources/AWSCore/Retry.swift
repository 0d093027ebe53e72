import FoundationEssentials

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Waits between attempts; tests inject one that records instead of sleeping.
public protocol AWSSleeper: Sendable {
    func sleep(seconds: Double) async throws
}

public struct TaskSleeper: AWSSleeper {
    public init() {}
    public func sleep(seconds: Double) async throws {
        guard seconds > 0 else { return }
        try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
    }
}

/// How an attempt failed, for the retry decision.
enum AWSRetryKind: Sendable, Hashable {
    case throttling
    case transient
    case timeout
    case clockSkew
    case notRetryable
}

/// Classifies errors as AWS "standard" retry mode does (botocore `retries/standard.py`, smithy-swift).
enum AWSRetryClassifier {
    static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
        "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
    ]
    static let transientCodes: Set<String> = ["RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete"]
    static let transientStatuses: Set<Int> = [500, 502, 503, 504]
    static let skewCodes: Set<String> = ["RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture"]

    static func classify(_ error: any Error) -> AWSRetryKind {
        if let error = error as? AWSResponseError {
            if isClockSkew(error) { return .clockSkew }
            if throttlingCodes.contains(error.code) || error.statusCode == 429 { return .throttling }
            if transientCodes.contains(error.code) || transientStatuses.contains(error.statusCode) { return .transient }
            return .notRetryable
        }
        if let error = error as? AWSClientError {
            switch error {
            case .timeout(_, let deadline, _): return deadline == .total ? .notRetryable : .timeout
            case .connection, .closedBeforeResponse, .reset, .responseCutOff: return .transient
            case .invalidEndpoint, .invalidResponse, .tls: return .notRetryable
            }
        }
        return .notRetryable
    }

    static func isClockSkew(_ error: AWSResponseError) -> Bool {
        if skewCodes.contains(error.code) { return true }
        if error.code == "InvalidSignatureException" {
            let message = error.message.lowercased()
            return message.contains("signature expired") || message.contains("signature not yet current") || message.contains("skew")
        }
        return false
    }
}

/// The retry quota: a bucket of tokens that retries spend and successes refill, so a failing
/// endpoint cannot cause a retry storm.
public actor AWSRetryQuota {
    public static let initialTokens = 500
    static let retryCost = 5
    static let timeoutRetryCost = 10
    static let noRetryIncrement = 1

    public private(set) var available: Int
    let capacity: Int

    public init(tokens: Int = AWSRetryQuota.initialTokens) {
        self.available = tokens
        self.capacity = tokens
    }

    /// Takes the cost of one retry; nil when the bucket cannot pay it.
    func acquire(for kind: AWSRetryKind) -> Int? {
        let cost = kind == .timeout ? Self.timeoutRetryCost : Self.retryCost
        guard available >= cost else { return nil }
        available -= cost
        return cost
    }

    /// A request succeeded: refund what its retries cost, or add one when it needed none.
    public func succeeded(refunding cost: Int) {
        available = min(capacity, available + (cost > 0 ? cost : Self.noRetryIncrement))
    }
}

/// Standard-mode backoff: `random × min(2^attempt, 20 s)` (attempt counted from 0).
public struct AWSBackoff: Sendable {
    public var maxBackoff: Double
    public var random: @Sendable () -> Double

    public init(maxBackoff: Double = 20, random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }) {
        self.maxBackoff = maxBackoff
        self.random = random
    }

    public func delay(afterAttempt attempt: Int) -> Double {
        random() * min(pow(2, Double(max(0, attempt - 1))), maxBackoff)
    }
}

/// Attempts, quota and backoff of a client.
public struct AWSRetryStrategy: Sendable {
    public var maxAttempts: Int
    public var quota: AWSRetryQuota
    public var backoff: AWSBackoff
    public var sleeper: any AWSSleeper

    public init(maxAttempts: Int = 3, quota: AWSRetryQuota = AWSRetryQuota(), backoff: AWSBackoff = AWSBackoff(), sleeper: any AWSSleeper = TaskSleeper()) {
        self.maxAttempts = max(1, maxAttempts)
        self.quota = quota
        self.backoff = backoff
        self.sleeper = sleeper
    }
}

/// The offset between the service's clock and ours, learnt from a skew error's `Date` header.
actor AWSClockOffset {
    public private(set) var seconds: Double = 0
    public init() {}
    public func set(_ value: Double) { seconds = value }
}
