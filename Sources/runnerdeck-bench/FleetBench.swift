import AWSCore
import Dispatch
import FoundationEssentials
import RunnerDeckKit

/// The fleet scheduler on the fleet: 5 regions × 2 accounts × 200 services (10 ListServices
/// pages of 20 each), one focused service, the dashboard's configuration, every call answered after
/// 100 ms of simulated time. Reports what the scheduler asks of App Runner (simulated time, so the
/// figures do not depend on this machine) and what its decisions cost (real time).
enum FleetBench {
    static let regions = ["us-east-1", "eu-west-1", "ap-northeast-1", "us-west-2", "eu-central-1"]
    static let accounts = ["staging": "111111111111", "prod": "222222222222"]
    static let pages = 10
    static let latency = 0.1
    static let seconds = 600.0

    static func run() -> String {
        let targets = ["staging", "prod"].flatMap { profile in regions.map { FleetTarget(profile: profile, region: $0) } }
        var scheduler = FleetScheduler(targets: FleetTargetSet(targets: targets), configuration: .dashboard)
        scheduler.setFocus(FleetFocus(target: targets[1], work: [.describeService(arn: "focused"), .latestOperation(arn: "focused")]))
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        var now = start
        var pending: [(at: Date, call: FleetCall)] = []
        var calls: [(at: Double, target: FleetTarget, lane: FleetLane)] = []
        var firstList: (seconds: Double, calls: Int)?
        var decisions = 0
        let began = DispatchTime.now().uptimeNanoseconds

        func complete(upTo time: Date) {
            let done = pending.filter { $0.at <= time }
            pending.removeAll { $0.at <= time }
            for (at, call) in done.sorted(by: { $0.at < $1.at }) {
                scheduler.completed(call, outcome: answer(call), now: at)
            }
        }

        simulation: while now.timeIntervalSince(start) < seconds {
            decisions += 1
            switch scheduler.next(now: now) {
            case .call(let call):
                calls.append((now.timeIntervalSince(start), call.target, call.lane))
                pending.append((now.addingTimeInterval(latency), call))
                continue simulation
            case .wait(let until):
                now = max(now, min(until, pending.map(\.at).min() ?? until))
            case .waitForEvent, .finished:
                guard let soonest = pending.map(\.at).min() else { break simulation }
                now = max(now, soonest)
            }
            complete(upTo: now)
            if firstList == nil, scheduler.statuses(now: now).allSatisfy({ $0.listsCompleted > 0 }) {
                firstList = (now.timeIntervalSince(start), calls.count)
            }
        }
        let nanoseconds = Double(DispatchTime.now().uptimeNanoseconds - began)

        let steady = calls.filter { $0.at >= 300 }
        let refreshes = (seconds - 300) / 20
        var busiestSecond = 0
        for target in targets {
            var perSecond: [Int: Int] = [:]
            for call in calls where call.target == target { perSecond[Int(call.at), default: 0] += 1 }
            busiestSecond = max(busiestSecond, perSecond.values.max() ?? 0)
        }
        var lines: [String] = []
        lines.append("fleet: \(targets.count) targets (5 regions × 2 accounts), \(pages * 20) services each, focus on one, \(Int(latency * 1000)) ms a call (simulated)")
        if let firstList {
            lines.append(String(cFormat: "complete first list of all targets: %.1f s (simulated), %d calls", firstList.seconds, firstList.calls))
        }
        let focus = Double(steady.filter { $0.lane == .focus }.count) / refreshes
        let lists = Double(steady.filter { $0.lane == .list }.count) / refreshes
        lines.append(String(cFormat: "calls per quiet refresh (20 s, steady state after 300 s): %.1f in all: %.1f list pages (%.1f per target), %.1f for the focus",
                            Double(steady.count) / refreshes, lists, lists / Double(targets.count), focus))
        lines.append("busiest second of any target: \(busiestSecond) calls (budget: burst 10, then 2 a second)")
        lines.append(String(cFormat: "scheduler: %d decisions in %.0f ms of CPU (%.1f µs each)", decisions, nanoseconds / 1e6, nanoseconds / 1e3 / Double(max(decisions, 1))))
        return lines.joined(separator: "\n")
    }

    static func answer(_ call: FleetCall) -> FleetOutcome {
        let account = call.target.profile.flatMap { accounts[$0] }
        guard case .listServices(let token) = call.work else { return .succeeded(account: account) }
        let page = token.flatMap { Int($0) } ?? 0
        return .succeeded(nextToken: page + 1 < pages ? String(page + 1) : nil, account: account)
    }
}
