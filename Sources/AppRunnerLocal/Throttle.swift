import AWSCore
import FoundationEssentials
import Synchronization

/// Why a `--throttle` value was refused, in words for the command line.
public struct ThrottlePlanError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// Request rates beyond which Local App Runner answers ThrottlingException (`runnerdeck serve --throttle`),
/// per account, region and API (App Runner, CloudWatch Logs and CloudWatch each have their own, as on AWS).
///
/// Rules are written `RPS` (every account and region) or `TARGET=RPS`, TARGET being a region
/// (`eu-west-1`), an account id (`123456789013`) or both (`123456789013/eu-west-1`); the most specific rule
/// that matches a request applies (account and region, then region, then account, then the one for all).
/// A rate of 0 throttles every request; a partition no rule matches is not throttled.
public struct ThrottlePlan: Sendable, Equatable, CustomStringConvertible {
    public struct Rule: Sendable, Equatable {
        public var accountId: String?
        public var region: String?
        public var rate: Double
    }

    public let rules: [Rule]

    public init(parsing values: [String]) throws {
        var rules: [Rule] = []
        for value in values {
            let text = value.trimmingWhitespace
            let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let rateText = parts.last ?? ""
            guard let rate = Double(rateText), rate.isFinite, rate >= 0 else {
                throw ThrottlePlanError(message: "'\(text)': expected RPS or TARGET=RPS, RPS a number of requests per second (0 or more), TARGET a region, an account id or ACCOUNT/REGION")
            }
            var rule = Rule(rate: rate)
            if parts.count == 2 {
                let target = parts[0].split(separator: "/", omittingEmptySubsequences: false).map(String.init)
                let isAccount = { (word: String) in word.count == 12 && word.allSatisfy { $0.isASCII && $0.isNumber } }
                switch target.count {
                case 1 where isAccount(target[0]): rule.accountId = target[0]
                case 1 where LocalPartition.isRegionName(target[0]): rule.region = target[0]
                case 2 where isAccount(target[0]) && LocalPartition.isRegionName(target[1]): (rule.accountId, rule.region) = (target[0], target[1])
                default:
                    throw ThrottlePlanError(message: "'\(text)': '\(parts[0])' is not a region, a 12-digit account id or ACCOUNT/REGION")
                }
            }
            guard !rules.contains(where: { $0.accountId == rule.accountId && $0.region == rule.region }) else {
                throw ThrottlePlanError(message: "'\(text)': that target has a rate already")
            }
            rules.append(rule)
        }
        guard !rules.isEmpty else { throw ThrottlePlanError(message: "no rate given") }
        self.rules = rules
    }

    /// Requests per second allowed to `account` in `region`; nil when no rule applies.
    public func rate(account: String, region: String) -> Double? {
        let matching = rules.filter { ($0.accountId ?? account) == account && ($0.region ?? region) == region }
        return matching.max { specificity($0) < specificity($1) }?.rate
    }

    private func specificity(_ rule: Rule) -> Int { (rule.region == nil ? 0 : 2) + (rule.accountId == nil ? 0 : 1) }

    /// The rules as `--throttle` takes them, comma-separated.
    public var description: String {
        rules.map { rule in
            let target = [rule.accountId, rule.region].compactMap { $0 }.joined(separator: "/")
            let rate = rule.rate == rule.rate.rounded() ? String(Int(rule.rate)) : String(rule.rate)
            return target.isEmpty ? rate : "\(target)=\(rate)"
        }.joined(separator: ", ")
    }
}

/// A token bucket: holds up to `max(1, rate)` tokens (the burst), starts full, refills at `rate` a second;
/// each request takes one. A rate of 0 holds none.
struct TokenBucket: Sendable {
    let rate: Double
    let capacity: Double
    private var tokens: Double
    private var updated: Double

    init(rate: Double, now: Double) {
        self.rate = rate
        capacity = rate > 0 ? max(1, rate) : 0
        tokens = capacity
        updated = now
    }

    /// Takes a token at `now` (seconds on any monotonic clock); false when there is none.
    mutating func take(now: Double) -> Bool {
        tokens = min(capacity, tokens + max(0, now - updated) * rate)
        updated = max(updated, now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}

/// The buckets of one endpoint, one per account, region and API, created on first use. Safe to share
/// between concurrent requests.
final class RequestThrottle: Sendable {
    struct Key: Hashable {
        var partition: LocalPartition
        var api: String
    }

    let plan: ThrottlePlan
    private let now: @Sendable () -> Double
    private let buckets = Mutex<[Key: TokenBucket]>([:])

    init(plan: ThrottlePlan, now: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }) {
        self.plan = plan
        self.now = now
    }

    /// Whether a request of `api` to `partition` may be served now (it takes a token if so).
    func admit(_ partition: LocalPartition, api: String) -> Bool {
        guard let rate = plan.rate(account: partition.accountId, region: partition.region) else { return true }
        let time = now()
        return buckets.withLock { buckets in
            let key = Key(partition: partition, api: api)
            var bucket = buckets[key] ?? TokenBucket(rate: rate, now: time)
            let admitted = bucket.take(now: time)
            buckets[key] = bucket
            return admitted
        }
    }
}
