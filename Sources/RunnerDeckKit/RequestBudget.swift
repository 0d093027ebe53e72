import FoundationEssentials

/// The request budget of one account (or, until its account is known, one profile) in one region: a
/// token bucket (one token a call, refilled at `rate` a second up to `burst`) whose rate adapts to
/// throttling as AIMD does: a ThrottlingException multiplies the rate by `decrease` and empties the
/// bucket; the rate then climbs back linearly, over `recoverySeconds` from the minimum to the full rate.
/// Pure: every method takes the time.
///
/// The default, 2 calls a second with bursts of 10, is well under App Runner's API rates: AWS
/// documents none for App Runner (Service Quotas lists only its resource quotas), and the AWS control
/// planes that document theirs allow 5 (Service Quotas' Get*) to 20 (ECS' Describe*/List*) calls a
/// second per account and region. The limit is shared by every client of the account in the region
/// (console, CI, Terraform), so RunnerDeck keeps to less than half of the strictest of those.
public struct RequestBudget: Sendable {
    public struct Configuration: Sendable, Hashable {
        /// Calls a second, sustained.
        public var rate: Double
        /// Calls that may go at once after a quiet spell (the bucket's size).
        public var burst: Double
        /// What a ThrottlingException multiplies the rate by.
        public var decrease: Double
        /// The lowest rate throttling brings it to.
        public var minimumRate: Double
        /// Seconds the rate takes to climb from `minimumRate` back to `rate` (linearly).
        public var recoverySeconds: Double

        public init(rate: Double = 2, burst: Double = 10, decrease: Double = 0.5, minimumRate: Double = 0.1, recoverySeconds: Double = 60) {
            self.rate = max(rate, 0.001)
            self.burst = max(burst, 1)
            self.decrease = min(max(decrease, 0.01), 1)
            self.minimumRate = min(max(minimumRate, 0.001), self.rate)
            self.recoverySeconds = max(recoverySeconds, 0)
        }

        /// 2 calls a second, bursts of 10, halved on throttling, back in a minute.
        public static let standard = Configuration()
    }

    public let configuration: Configuration
    /// Tokens in the bucket at `updatedAt`.
    private var tokens: Double
    private var updatedAt: Date?
    /// The rate just after the last throttling, and when it came.
    private var cut: (rate: Double, at: Date)?

    public init(_ configuration: Configuration = .standard) {
        self.configuration = configuration
        self.tokens = configuration.burst
    }

    /// The rate in force at `now`: the configured one, or less while recovering from throttling.
    public func rate(at now: Date) -> Double {
        guard let cut else { return configuration.rate }
        let climb = (configuration.rate - configuration.minimumRate) / max(configuration.recoverySeconds, 0.001)
        let value = cut.rate + climb * max(0, now.timeIntervalSince(cut.at))
        // Back in full at `recoverySeconds`, not a rounding error below it.
        return value >= configuration.rate - 1e-9 ? configuration.rate : value
    }

    /// True while throttling keeps the rate below the configured one.
    public func isReduced(at now: Date) -> Bool { rate(at: now) < configuration.rate }

    /// The bucket's size at `now`: smaller while the rate is reduced (no full burst right after throttling).
    private func capacity(at now: Date) -> Double {
        max(1, configuration.burst * rate(at: now) / configuration.rate)
    }

    /// Tokens available at `now`.
    public func available(at now: Date) -> Double {
        guard let updatedAt else { return min(tokens, capacity(at: now)) }
        let elapsed = max(0, now.timeIntervalSince(updatedAt))
        return min(capacity(at: now), tokens + elapsed * rate(at: now))
    }

    /// Takes one token when at least `1 + reserve` are available (a reserve keeps tokens for the
    /// focused service); false, taking nothing, otherwise.
    public mutating func take(at now: Date, reserve: Double = 0) -> Bool {
        let current = available(at: now)
        guard current >= 1 + reserve else { return false }
        tokens = current - 1
        updatedAt = now
        return true
    }

    /// When `1 + reserve` tokens will be available (now if they are).
    public func readyAt(_ now: Date, reserve: Double = 0) -> Date {
        let missing = 1 + reserve - available(at: now)
        guard missing > 0 else { return now }
        // The rate only grows while recovering: waiting at the present rate is never too early (it may be
        // a little late, which errs on the side of the service).
        return now.addingTimeInterval(missing / rate(at: now))
    }

    /// A ThrottlingException: cut the rate and empty the bucket.
    public mutating func throttled(at now: Date) {
        let reduced = max(configuration.minimumRate, rate(at: now) * configuration.decrease)
        cut = (reduced, now)
        tokens = 0
        updatedAt = now
    }
}
