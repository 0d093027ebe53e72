import Foundation
@testable import RunnerDeckKit
import Testing

/// The fleet scheduler with a manual clock: budgets, isolation, fairness, the focus, throttling.
@Suite(.timeLimit(.minutes(2))) struct FleetSchedulerTests {
    let budget = RequestBudget.Configuration(rate: 2, burst: 10)

    @Test func everyTargetKeepsToItsOwnBudget() {
        var sim = FleetSimulation(FleetTargetSet(targets: [eastTarget, westTarget]), FleetSchedulerConfiguration(budget: budget))
        for index in 0..<500 {
            sim.scheduler.request(.describeService(arn: "east-\(index)"), for: eastTarget)
            sim.scheduler.request(.describeService(arn: "west-\(index)"), for: westTarget)
        }
        sim.run(until: 60) { _, _ in .succeeded() }
        for target in [eastTarget, westTarget] {
            let times = sim.times(of: target)
            #expect(FleetSimulation.withinBudget(times, rate: 2, burst: 10), "\(target)")
            // The whole budget is used: the burst, then 2 a second (one list page among them).
            #expect(times.count >= 10 + 2 * 59 && times.count <= 10 + 2 * 60 + 1, "\(target): \(times.count)")
        }
    }

    @Test func aFailingTargetBacksOffAloneAndKeepsItsError() {
        var sim = FleetSimulation(FleetTargetSet(targets: [eastTarget, westTarget]), FleetSchedulerConfiguration(budget: budget, listInterval: 10))
        let denied = ErrorText(code: "AccessDeniedException", message: "not allowed")
        sim.run(until: 120) { call, _ in call.target == westTarget ? .failed(denied) : .succeeded() }
        let west = sim.times(of: westTarget)
        // 2, 4, 8, 16, 32, 64 s apart: 6 calls in 120 s, each after the backoff.
        #expect(west.count == 6)
        for (index, pair) in zip(west, west.dropFirst()).enumerated() {
            #expect(pair.1 - pair.0 >= 2 * pow(2, Double(index)) - 1e-9)
        }
        let status = sim.status(westTarget)
        #expect(status?.lastError == denied)
        #expect(status?.consecutiveFailures == 6)
        if case .backingOff = status?.phase {} else { Issue.record("west is \(String(describing: status?.phase))") }
        // The healthy target refreshed every 10 s all along.
        let east = sim.times(of: eastTarget)
        #expect(east.count == 12)
        #expect(sim.status(eastTarget)?.phase == .healthy)
        #expect(sim.status(eastTarget)?.listsCompleted == 12)
    }

    @Test func aTargetThatNeverAnswersHoldsOneSlotAndTheOthersCarryOn() {
        var sim = FleetSimulation(FleetTargetSet(targets: [eastTarget, westTarget, tokyoTarget]),
                                  FleetSchedulerConfiguration(budget: budget, maxInFlight: 2, listInterval: 10))
        sim.run(until: 120) { call, _ in call.target == westTarget ? nil : .succeeded() }
        #expect(sim.times(of: westTarget).count == 1)
        #expect(sim.scheduler.inFlightCount == 1)
        #expect(sim.times(of: eastTarget).count == 12)
        #expect(sim.times(of: tokyoTarget).count == 12)
        #expect(sim.status(westTarget)?.phase == .starting)
    }

    @Test func theBackoffIsCappedAndASuccessEndsIt() {
        var sim = FleetSimulation(FleetTargetSet(targets: [eastTarget]),
                                  FleetSchedulerConfiguration(budget: budget, listInterval: 10, backoffBase: 2, backoffCap: 30))
        sim.run(until: 600) { _, at in at < 300 ? .failed(ErrorText(code: "ClientError", message: "connection refused")) : .succeeded() }
        let times = sim.times(of: eastTarget)
        let gaps = zip(times, times.dropFirst()).map { $1 - $0 }
        #expect(gaps.filter { $0 < 300 }.max() ?? 0 <= 30 + 1e-9)
        #expect(sim.status(eastTarget)?.phase == .healthy)
        #expect(sim.status(eastTarget)?.lastError == nil)
    }

    @Test func targetsTakeTurns() {
        let targets = [eastTarget, westTarget, tokyoTarget]
        var sim = FleetSimulation(FleetTargetSet(targets: targets),
                                  FleetSchedulerConfiguration(budget: budget, maxInFlight: 1, listInterval: nil))
        for target in targets {
            for index in 0..<20 { sim.scheduler.request(.describeService(arn: "\(target.region)-\(index)"), for: target) }
        }
        sim.run(until: 1000) { _, _ in .succeeded() }
        let rows = sim.calls.filter { $0.call.lane == .rows }.map(\.call.target)
        #expect(rows.count == 60)
        for (index, target) in rows.enumerated() {
            #expect(target == targets[index % 3], "call \(index) went to \(target)")
        }
        // One-shot: each target listed once, then the scheduler is finished.
        #expect(sim.calls.filter { $0.call.lane == .list }.count == 3)
        #expect(sim.scheduler.next(now: sim.clock.now()) == .finished)
    }

    @Test func theFocusIsNeverStarvedByListsAndRows() {
        let configuration = FleetSchedulerConfiguration(budget: budget, listInterval: 20, focusInterval: 5)
        var sim = FleetSimulation(FleetTargetSet(targets: [eastTarget]), configuration)
        sim.scheduler.setFocus(FleetFocus(target: eastTarget, work: [.describeService(arn: "watched"), .listOperations(arn: "watched")]))
        for index in 0..<1000 { sim.scheduler.request(.describeService(arn: "row-\(index)"), for: eastTarget) }
        sim.run(until: 120, answer: pagedAnswer(pages: 1000))
        let focus = sim.times(of: eastTarget, lane: .focus)
        // Both focus calls every 5 s, each within one token's time (0.5 s) of its round.
        #expect(focus.count >= 2 * 23)
        for round in stride(from: 0, to: focus.count - 1, by: 2) {
            #expect(focus[round + 1] - focus[round] <= 0.5 + 1e-9)
            if round >= 2 { #expect(focus[round] - focus[round - 2] <= 5.5 + 1e-9) }
        }
        #expect(FleetSimulation.withinBudget(sim.times(of: eastTarget), rate: 2, burst: 10))
        // The rows and the list still got the rest of the budget.
        #expect(sim.times(of: eastTarget, lane: .rows).count > 60)
        #expect(sim.times(of: eastTarget, lane: .list).count > 60)
    }

    @Test func throttlingCutsTheRateWhichRecoversSlowly() {
        var sim = FleetSimulation(FleetTargetSet(targets: [eastTarget, westTarget]),
                                  FleetSchedulerConfiguration(budget: RequestBudget.Configuration(rate: 2, burst: 10, recoverySeconds: 60)))
        for index in 0..<2000 {
            sim.scheduler.request(.describeService(arn: "e\(index)"), for: eastTarget)
            sim.scheduler.request(.describeService(arn: "w\(index)"), for: westTarget)
        }
        let throttled = ErrorText(code: "ThrottlingException", message: "Rate exceeded")
        var thrown = 0
        sim.run(until: 20) { call, at in
            if call.target == eastTarget, at >= 10, thrown < 1 { thrown += 1; return .failed(throttled) }
            return .succeeded()
        }
        let status = sim.status(eastTarget)
        #expect(status?.throttled == true)
        #expect(status?.lastError == nil)  // later calls succeeded
        // Halved at 10 s, then climbing (2 − 0.1) / 60 a second.
        let expected = 1.0 + (2 - 0.1) / 60 * (sim.elapsed - 10)
        #expect(abs((status?.rate ?? 0) - expected) < 0.05)
        // After the throttle, east made fewer calls than west in the same time; west was not touched.
        let east = sim.times(of: eastTarget).filter { $0 > 10 }.count
        let west = sim.times(of: westTarget).filter { $0 > 10 }.count
        #expect(east < west)
        #expect(sim.status(westTarget)?.throttled == false)
        sim.run(until: 100) { _, _ in .succeeded() }
        #expect(sim.status(eastTarget)?.throttled == false)
        #expect(sim.status(eastTarget)?.rate == 2)
    }

    @Test func aQuietRefreshCostsCallsPerTargetNotPerService() {
        let configuration = FleetSchedulerConfiguration(budget: budget, listInterval: 20, sweepPagesPerInterval: 3)
        func steadyCalls(pages: Int) -> (first: Double, steady: Int) {
            var sim = FleetSimulation(FleetTargetSet(targets: [eastTarget]), configuration)
            sim.run(until: 600, answer: pagedAnswer(pages: pages))
            let times = sim.times(of: eastTarget)
            return (times[pages - 1], times.filter { $0 >= 300 }.count)
        }
        let small = steadyCalls(pages: 1)
        let large = steadyCalls(pages: 10)
        // The first list is complete at once (10 pages within the burst)…
        #expect(large.first < 1)
        // …then a quiet target costs at most 3 pages per 20 s however many services it has.
        #expect(small.steady == 15)
        #expect(large.steady <= 45 && large.steady >= 44)
    }

    @Test func anOptInRegionNotEnabledIsDroppedQuietlyFromAll() {
        let capeTown = FleetTarget(region: "af-south-1")
        let invalid = ErrorText(code: "UnrecognizedClientException", message: "The security token included in the request is invalid.")
        for fromAll in [true, false] {
            var sim = FleetSimulation(FleetTargetSet(targets: [eastTarget, capeTown], fromAll: fromAll), FleetSchedulerConfiguration(budget: budget))
            sim.run(until: 60) { call, _ in call.target == capeTown ? .failed(invalid) : .succeeded() }
            #expect(sim.times(of: capeTown).count == 1)
            let status = sim.status(capeTown)
            #expect(status?.phase == .notEnabled)
            #expect(status?.quietlyDropped == fromAll)
            #expect(status?.lastError?.code == "RegionNotEnabled")
        }
        // In a region every account has, the same answer is a credentials problem: an error, retried.
        var sim = FleetSimulation(FleetTargetSet(targets: [eastTarget], fromAll: true), FleetSchedulerConfiguration(budget: budget))
        sim.run(until: 60) { _, _ in .failed(invalid) }
        #expect(sim.status(eastTarget)?.lastError == invalid)
        #expect(sim.times(of: eastTarget).count > 1)
    }

    @Test func profilesOfOneAccountShareTheRegionsBudget() {
        let staging = FleetTarget(profile: "staging", region: "us-east-1")
        let admin = FleetTarget(profile: "admin", region: "us-east-1")
        var sim = FleetSimulation(FleetTargetSet(targets: [staging, admin]), FleetSchedulerConfiguration(budget: budget, listInterval: nil))
        sim.run(until: 1, answer: pagedAnswer(pages: 1, account: "111122223333"))
        for index in 0..<500 {
            sim.scheduler.request(.describeService(arn: "s\(index)"), for: staging)
            sim.scheduler.request(.describeService(arn: "a\(index)"), for: admin)
        }
        sim.run(until: 61) { _, _ in .succeeded() }
        let both = sim.calls.filter { $0.call.lane == .rows }.map(\.at)
        #expect(FleetSimulation.withinBudget(both, rate: 2, burst: 10))
        #expect(abs(sim.times(of: staging).count - sim.times(of: admin).count) <= 1)
        #expect(sim.status(staging)?.account == "111122223333")
    }

    @Test func aOneShotTargetIsGivenUpAfterItsFailures() {
        var sim = FleetSimulation(FleetTargetSet(targets: [eastTarget, westTarget]), .oneShot)
        let denied = ErrorText(code: "AccessDeniedException", message: "no")
        sim.run(until: 60) { call, _ in call.target == westTarget ? .failed(denied) : pagedAnswer(pages: 3)(call, 0) }
        #expect(sim.times(of: westTarget).count == 1)
        #expect(sim.times(of: eastTarget).count == 3)
        #expect(sim.status(westTarget)?.phase == .failed)
        #expect(sim.status(westTarget)?.lastError == denied)
        #expect(sim.status(eastTarget)?.listsCompleted == 1)
        #expect(sim.scheduler.next(now: sim.clock.now()) == .finished)
    }

    @Test func theCallRateCountsTheLastMinute() {
        var sim = FleetSimulation(FleetTargetSet(targets: [eastTarget, westTarget]), FleetSchedulerConfiguration(budget: budget, listInterval: 10))
        sim.run(until: 120, answer: pagedAnswer(pages: 1))
        // One page every 10 s per target: at 70, 80, 90, 100 and 110 s in the minute before 120 s.
        #expect(sim.scheduler.callsInLastMinute(now: sim.clock.now()) == 10)
        #expect(sim.status(eastTarget)?.callsInLastMinute == 5)
    }

    @Test func changingTheTargetsKeepsTheOnesThatStay() {
        var sim = FleetSimulation(FleetTargetSet(targets: [eastTarget, westTarget]), FleetSchedulerConfiguration(budget: budget, listInterval: 10))
        sim.run(until: 5, answer: pagedAnswer(pages: 1))
        sim.scheduler.setTargets(FleetTargetSet(targets: [westTarget, tokyoTarget]))
        #expect(sim.scheduler.targets == [westTarget, tokyoTarget])
        #expect(sim.status(westTarget)?.listsCompleted == 1)
        #expect(sim.status(eastTarget) == nil)
        sim.run(until: 6, answer: pagedAnswer(pages: 1))
        #expect(sim.status(tokyoTarget)?.listsCompleted == 1)
        #expect(sim.status(westTarget)?.listsCompleted == 1)
    }
}
