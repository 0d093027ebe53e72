import Foundation
@testable import RunnerDeckKit

/// Drives a ``FleetScheduler`` with the manual clock: every call it decides on is answered at once by
/// `answer`, a wait moves the clock to its end. Records when each call started.
struct FleetSimulation {
    var scheduler: FleetScheduler
    let clock = ManualClock()
    var calls: [(at: Double, call: FleetCall)] = []
    let start: Date

    init(_ set: FleetTargetSet, _ configuration: FleetSchedulerConfiguration) {
        scheduler = FleetScheduler(targets: set, configuration: configuration)
        start = clock.now()
    }

    var elapsed: Double { clock.now().timeIntervalSince(start) }

    /// Runs until `seconds` have passed since the start (or the scheduler is finished); at most
    /// 100,000 decisions, so a scheduler that never waits cannot hang a test.
    mutating func run(until seconds: Double, answer: (FleetCall, Double) -> FleetOutcome) {
        run(until: seconds, answerOrHang: { Optional(answer($0, $1)) })
    }

    /// As `run(until:answer:)`; a call `answerOrHang` gives no outcome for stays in flight for ever.
    mutating func run(until seconds: Double, answerOrHang: (FleetCall, Double) -> FleetOutcome?) {
        for _ in 0..<100_000 {
            guard elapsed < seconds else { return }
            switch scheduler.next(now: clock.now()) {
            case .call(let call):
                calls.append((elapsed, call))
                if let outcome = answerOrHang(call, elapsed) { scheduler.completed(call, outcome: outcome, now: clock.now()) }
            case .wait(let until):
                clock.advance(by: max(0, min(until.timeIntervalSince(clock.now()), seconds - elapsed)))
            case .waitForEvent:
                clock.advance(by: seconds - elapsed)
            case .finished:
                return
            }
        }
    }

    func times(of target: FleetTarget, lane: FleetLane? = nil) -> [Double] {
        calls.filter { $0.call.target == target && (lane == nil || $0.call.lane == lane) }.map(\.at)
    }

    func status(_ target: FleetTarget) -> FleetTargetStatus? { scheduler.status(of: target, now: clock.now()) }

    /// True when no window of `times` holds more calls than a bucket of `burst` refilled at `rate` allows.
    static func withinBudget(_ times: [Double], rate: Double, burst: Double) -> Bool {
        for (i, first) in times.enumerated() {
            for (j, last) in times.enumerated() where j >= i {
                let calls = Double(j - i + 1)
                if calls > burst + rate * (last - first) + 1e-6 { return false }
            }
        }
        return true
    }
}

/// Answers ListServices with `pages` pages (tokens "1", "2", …), everything else with success.
func pagedAnswer(pages: Int, account: String? = nil) -> (FleetCall, Double) -> FleetOutcome {
    { call, _ in
        guard case .listServices(let token) = call.work else { return .succeeded(account: account) }
        let page = token.flatMap { Int($0) } ?? 0
        return .succeeded(nextToken: page + 1 < pages ? String(page + 1) : nil, account: account)
    }
}

let eastTarget = FleetTarget(region: "us-east-1")
let westTarget = FleetTarget(region: "eu-west-1")
let tokyoTarget = FleetTarget(region: "ap-northeast-1")
