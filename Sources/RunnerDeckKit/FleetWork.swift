import FoundationEssentials

/// The three lanes of fleet work, in the order the scheduler serves them.
public enum FleetLane: Int, Sendable, Hashable, Comparable, CaseIterable {
    /// The service the operator is watching: never starved by the others.
    case focus
    /// Rows on screen that need a fresh description or operation.
    case rows
    /// ListServices sweeps, page by page.
    case list

    public static func < (lhs: FleetLane, rhs: FleetLane) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// What one call does. The caller turns it into a request; the scheduler only orders and paces them.
public enum FleetWork: Sendable, Hashable {
    /// A page of ListServices (nil: the first page). The scheduler issues these itself, as sweeps.
    case listServices(nextToken: String?)
    case describeService(arn: String)
    /// The service's newest operation (ListOperations, one result).
    case latestOperation(arn: String)
    case listOperations(arn: String)
    case describeCustomDomains(arn: String)
    case listTags(arn: String)
    /// Anything else the caller names (a CloudWatch read, …).
    case other(name: String, arn: String?)
}

/// A call the scheduler decided on: the caller performs it and reports the outcome with its `id`.
public struct FleetCall: Sendable, Hashable, Identifiable {
    public var id: Int
    public var target: FleetTarget
    public var work: FleetWork
    public var lane: FleetLane
}

/// How a call ended.
public enum FleetOutcome: Sendable, Hashable {
    /// `nextToken`: the ListServices page's, which continues the sweep (nil ends it). `account`: the
    /// account id the answer showed (in a service ARN), which lets targets of one account and region
    /// share one budget.
    case succeeded(nextToken: String? = nil, account: String? = nil)
    case failed(ErrorText)
}

/// What the caller should do next.
public enum FleetDecision: Sendable, Hashable {
    /// Start this call now (its token is taken).
    case call(FleetCall)
    /// Nothing can start before this time (a token, the end of a backoff, a due refresh); a completion
    /// or new work may allow something sooner.
    case wait(until: Date)
    /// Nothing can start until a call completes or new work is given.
    case waitForEvent
    /// One-shot mode (no `listInterval`): every sweep is done and nothing is in flight.
    case finished
}

/// The service the operator is watching and the calls that refresh it, every `focusInterval`.
public struct FleetFocus: Sendable, Hashable {
    public var target: FleetTarget
    public var work: [FleetWork]

    public init(target: FleetTarget, work: [FleetWork]) {
        self.target = target
        self.work = work
    }
}

/// Where a target stands.
public enum FleetTargetPhase: Sendable, Hashable {
    /// No answer yet.
    case starting
    case healthy
    /// Its last call failed; nothing is sent to it before `until`.
    case backingOff(until: Date)
    /// Gave up after `maxConsecutiveFailures` (one-shot mode).
    case failed
    /// An opt-in region the account has not enabled.
    case notEnabled
}

/// A target's state for display (a summary line, the `?` screen) and for the CLI's report.
public struct FleetTargetStatus: Sendable, Hashable {
    public var target: FleetTarget
    public var phase: FleetTargetPhase
    /// The last error, kept until a call succeeds.
    public var lastError: ErrorText?
    public var consecutiveFailures: Int
    /// The account id, once an answer showed it.
    public var account: String?
    /// When the last complete ListServices sweep ended, and how many have.
    public var listedAt: Date?
    public var listsCompleted: Int
    /// The budget's rate (calls a second) now; below the configured one after throttling.
    public var rate: Double
    public var throttled: Bool
    public var callsInLastMinute: Int
    /// Not enabled and only there because of `--regions all`: not shown, not an error.
    public var quietlyDropped: Bool
}

/// How the scheduler paces and isolates targets.
public struct FleetSchedulerConfiguration: Sendable, Hashable {
    /// Each account's (or profile's) budget per region.
    public var budget: RequestBudget.Configuration
    /// Calls in flight at once, over all targets. A target that has not answered yet, or is failing,
    /// holds one at most (and two otherwise), so a target that hangs cannot take the others' turns
    /// while `maxInFlight` is above twice the number of targets.
    public var maxInFlight: Int
    /// Calls in flight at once to one target.
    public var maxInFlightPerTarget: Int
    /// Seconds between the starts of two ListServices sweeps of a target; nil lists once (the CLI).
    public var listInterval: Double?
    /// After a target's first complete list, a sweep reads at most this many pages per `listInterval`,
    /// so a quiet refresh costs calls per target, not per service (a long list takes longer to sweep).
    public var sweepPagesPerInterval: Int
    /// Seconds between two refreshes of the focused service.
    public var focusInterval: Double
    /// A failing target waits `backoffBase × 2^(failures − 1)` seconds, at most `backoffCap`.
    public var backoffBase: Double
    public var backoffCap: Double
    /// Consecutive failures after which a target is given up (nil: never, it keeps backing off).
    public var maxConsecutiveFailures: Int?
    /// Tokens list and row calls leave in the focused target's bucket for the focus.
    public var focusReserve: Double

    public init(budget: RequestBudget.Configuration = .standard, maxInFlight: Int = 32, maxInFlightPerTarget: Int = 2,
                listInterval: Double? = 20, sweepPagesPerInterval: Int = 3, focusInterval: Double = 5,
                backoffBase: Double = 2, backoffCap: Double = 300, maxConsecutiveFailures: Int? = nil, focusReserve: Double = 1) {
        self.budget = budget
        self.maxInFlight = max(1, maxInFlight)
        self.maxInFlightPerTarget = max(1, maxInFlightPerTarget)
        self.listInterval = listInterval.map { max($0, 0.001) }
        self.sweepPagesPerInterval = max(1, sweepPagesPerInterval)
        self.focusInterval = max(focusInterval, 0.001)
        self.backoffBase = max(backoffBase, 0)
        self.backoffCap = max(backoffCap, self.backoffBase)
        self.maxConsecutiveFailures = maxConsecutiveFailures.map { max(1, $0) }
        self.focusReserve = max(focusReserve, 0)
    }

    /// The dashboard's: 32 calls in flight, list every 20 s (3 pages per 20 s once listed), the focus
    /// every 5 s, never give up.
    public static let dashboard = FleetSchedulerConfiguration()

    /// The CLI's: 8 calls in flight, one complete list per target, a target that fails (after the
    /// client's own retries) is reported at once.
    public static let oneShot = FleetSchedulerConfiguration(maxInFlight: 8, listInterval: nil, maxConsecutiveFailures: 1)
}

/// Errors that say something about a target rather than a call.
public enum FleetErrors {
    /// What a call into a region the account has not enabled is answered with (the security token
    /// "is invalid" there): only meaningful for an opt-in region that never answered.
    public static let notEnabledCodes: Set<String> = ["UnrecognizedClientException", "InvalidClientTokenId"]

    public static func isRegionNotEnabled(_ error: ErrorText) -> Bool { notEnabledCodes.contains(error.code) }
}
