import AWSCore
import FoundationEssentials
import Synchronization

/// A fault Local App Runner can inject into a request (`runnerdeck serve --faults RATE[:kinds]`).
/// The raw value is the name `--faults` takes.
public enum FaultKind: String, CaseIterable, Sendable {
    /// 400 ThrottlingException, as App Runner answers beyond its request rate.
    case throttle
    /// 500 InternalServiceErrorException.
    case internalError = "500"
    /// 503 ServiceUnavailableException.
    case unavailable = "503"
    /// The request is served normally after a delay (``FaultDecision/delay``).
    case latency
    /// The connection is closed without an answer.
    case reset
    /// The connection is kept open and never answered (until the client gives up).
    case silent
    /// The answer is cut off partway through its body, then the connection closes.
    case truncate

    /// The HTTP status and AWS error code of a fault answered as an error; nil for the others.
    public var error: (status: Int, code: String, message: String)? {
        switch self {
        case .throttle: return (400, "ThrottlingException", "Rate exceeded")
        case .internalError: return (500, "InternalServiceErrorException", "An internal error occurred (injected fault).")
        case .unavailable: return (503, "ServiceUnavailableException", "Service unavailable (injected fault).")
        case .latency, .reset, .silent, .truncate: return nil
        }
    }

    static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// Why a `--faults` value was refused, in words for the command line.
public struct FaultPlanError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// How often requests fail and how: a rate in 0...1 and the kinds to pick from (uniformly).
/// Written `RATE[:kinds]`: `0.2` (every kind), `20%:throttle,503,latency`.
public struct FaultPlan: Sendable, Equatable, CustomStringConvertible {
    public let rate: Double
    /// Distinct kinds, in the order given.
    public let kinds: [FaultKind]
    /// How long a `latency` fault holds the request, drawn uniformly.
    public let latency: ClosedRange<Double>

    public init(rate: Double, kinds: [FaultKind] = FaultKind.allCases, latency: ClosedRange<Double> = 0.2...1.5) throws {
        guard rate.isFinite, (0...1).contains(rate) else {
            throw FaultPlanError(message: "fault rate \(rate) is outside 0...1")
        }
        guard !kinds.isEmpty else {
            throw FaultPlanError(message: "no fault kinds given (kinds: \(FaultKind.names))")
        }
        guard latency.lowerBound >= 0, latency.upperBound.isFinite else {
            throw FaultPlanError(message: "fault latency \(latency) must be finite and not negative")
        }
        self.rate = rate
        self.kinds = kinds
        self.latency = latency
    }

    /// Parses `RATE[:kinds]`: RATE is a number in 0...1 or a percentage (`20%`); kinds are
    /// comma-separated names of ``FaultKind`` (throttle, 500, 503, latency, reset, silent, truncate).
    public init(parsing text: String) throws {
        let trimmed = text.trimmingWhitespace
        let parts = trimmed.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let rateText = parts.first.map { String($0).trimmingWhitespace } ?? ""
        guard !rateText.isEmpty else {
            throw FaultPlanError(message: "expected RATE[:kinds], e.g. 0.2:throttle,503,latency (kinds: \(FaultKind.names))")
        }
        var rate: Double?
        if rateText.hasSuffix("%") {
            rate = Double(rateText.dropLast()).map { $0 / 100 }
        } else {
            rate = Double(rateText)
        }
        guard let rate, rate.isFinite else {
            throw FaultPlanError(message: "fault rate '\(rateText)' is not a number (write 0.2 or 20%)")
        }
        guard (0...1).contains(rate) else {
            throw FaultPlanError(message: "fault rate '\(rateText)' is outside 0...1 (0% to 100%)")
        }
        guard parts.count == 2 else {
            try self.init(rate: rate)
            return
        }
        var kinds: [FaultKind] = []
        for name in parts[1].split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingWhitespace }) {
            guard !name.isEmpty else {
                throw FaultPlanError(message: "empty fault kind in '\(parts[1])' (kinds: \(FaultKind.names))")
            }
            guard let kind = FaultKind(rawValue: name.lowercased()) else {
                throw FaultPlanError(message: "unknown fault kind '\(name)' (kinds: \(FaultKind.names))")
            }
            guard !kinds.contains(kind) else {
                throw FaultPlanError(message: "fault kind '\(name)' is listed twice")
            }
            kinds.append(kind)
        }
        try self.init(rate: rate, kinds: kinds)
    }

    /// The plan written back as `--faults` takes it.
    public var description: String {
        kinds == FaultKind.allCases ? "\(rate)" : "\(rate):" + kinds.map(\.rawValue).joined(separator: ",")
    }
}

/// What to do with one request.
struct FaultDecision: Sendable, Equatable {
    public let kind: FaultKind
    /// Seconds to hold the request (latency faults; 0 for the others).
    public let delay: Double
}

/// SplitMix64: small, fast, and the same sequence for the same seed on every platform.
struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Decides, request by request, which fault to inject under a plan. Safe to share between
/// concurrent requests; with a seed the sequence of decisions is reproducible.
final class FaultInjector: Sendable {
    let plan: FaultPlan
    public let seed: UInt64
    private let generator: Mutex<SeededGenerator>

    /// - Parameter seed: fixes the sequence (tests, reproducing a soak run); nil draws one.
    public init(plan: FaultPlan, seed: UInt64? = nil) {
        var system = SystemRandomNumberGenerator()
        let seed = seed ?? system.next()
        self.plan = plan
        self.seed = seed
        generator = Mutex(SeededGenerator(seed: seed))
    }

    /// The fault for the next request, or nil to serve it normally.
    public func next() -> FaultDecision? {
        generator.withLock { generator in
            guard plan.rate > 0, Double.random(in: 0..<1, using: &generator) < plan.rate,
                  let kind = plan.kinds.randomElement(using: &generator) else { return nil }
            let delay = kind == .latency ? Double.random(in: plan.latency, using: &generator) : 0
            return FaultDecision(kind: kind, delay: delay)
        }
    }
}
