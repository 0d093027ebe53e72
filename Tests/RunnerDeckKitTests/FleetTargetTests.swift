import AWSCore
import Foundation
@testable import RunnerDeckKit
import Testing

/// `--regions` × `--profiles`, opt-in regions, the request budget alone, and the runner with a manual clock.
@Suite(.timeLimit(.minutes(2))) struct FleetTargetTests {
    @Test func regionsAndProfilesMakeTheCrossProduct() throws {
        let selection = try FleetSelection.parse(regions: "us-east-1, eu-west-1,us-east-1", profiles: "staging,prod")
        let set = selection.targets { _ in nil }
        #expect(set.targets.map(\.description) == ["staging/us-east-1", "staging/eu-west-1", "prod/us-east-1", "prod/eu-west-1"])
        #expect(set.isMultiple)
        #expect(!set.fromAll)
    }

    @Test func aProfileWithoutRegionsUsesItsOwn() throws {
        let selection = try FleetSelection.parse(regions: nil, profiles: "staging,prod,bare")
        let own = ["staging": "eu-west-1", "prod": "us-east-2"]
        let set = selection.targets { profile in profile.flatMap { own[$0] } }
        #expect(set.targets == [FleetTarget(profile: "staging", region: "eu-west-1"), FleetTarget(profile: "prod", region: "us-east-2")])
        #expect(set.withoutRegion == ["bare"])
        let single = try FleetSelection.parse(regions: "eu-west-1", profiles: nil).targets { _ in "us-east-1" }
        #expect(single.targets == [FleetTarget(region: "eu-west-1")])
        #expect(!single.isMultiple)
        #expect(single.targets[0].description == "eu-west-1")
    }

    @Test func allIsEveryRegionAppRunnerIsOfferedIn() throws {
        let set = try FleetSelection.parse(regions: "all", profiles: nil).targets { _ in nil }
        #expect(set.fromAll)
        #expect(set.targets.map(\.region) == AppRunnerRegions.known)
        #expect(set.targets.count == 11)
    }

    @Test func badListsAreRefused() {
        for (regions, profiles) in [("all,us-east-1", nil), ("us-east-1,,eu-west-1", nil), ("US_EAST", nil), (nil, "a,"), ("", nil)] as [(String?, String?)] {
            #expect(throws: FleetSelectionError.self, "\(String(describing: regions)) \(String(describing: profiles))") {
                try FleetSelection.parse(regions: regions, profiles: profiles)
            }
        }
    }

    @Test func optInRegionsAreTheOnesLaunchedSince2019() {
        for region in ["af-south-1", "ap-east-1", "me-south-1", "eu-south-1", "ap-southeast-3", "il-central-1", "mx-central-1"] {
            #expect(AppRunnerRegions.isOptIn(region), "\(region)")
        }
        for region in ["us-east-1", "eu-west-1", "ap-northeast-3", "sa-east-1", "us-gov-west-1", "cn-north-1", "aws-global", "nonsense"] {
            #expect(!AppRunnerRegions.isOptIn(region), "\(region)")
        }
        // App Runner runs in none of them today: `all` has nothing to drop yet.
        #expect(!AppRunnerRegions.all.contains(where: AppRunnerRegions.isOptIn))
    }

    @Test func theBudgetRefillsUpToItsBurstAndKeepsAReserve() {
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        var budget = RequestBudget(RequestBudget.Configuration(rate: 2, burst: 4))
        for _ in 0..<4 { #expect(take(&budget, at: start)) }
        #expect(!take(&budget, at: start))
        #expect(budget.readyAt(start) == start.addingTimeInterval(0.5))
        #expect(take(&budget, at: start.addingTimeInterval(0.5)))
        #expect(budget.available(at: start.addingTimeInterval(100)) == 4)
        // A reserve of one: three taken, the fourth is left for the focus.
        let later = start.addingTimeInterval(100)
        for _ in 0..<3 { #expect(take(&budget, at: later, reserve: 1)) }
        #expect(!take(&budget, at: later, reserve: 1))
        #expect(take(&budget, at: later))
    }

    @Test func throttlingHalvesTheRateEmptiesTheBucketAndTheRateClimbsBack() {
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        var budget = RequestBudget(RequestBudget.Configuration(rate: 2, burst: 10, decrease: 0.5, minimumRate: 0.1, recoverySeconds: 60))
        budget.throttled(at: start)
        #expect(budget.rate(at: start) == 1)
        #expect(budget.available(at: start) == 0)
        #expect(budget.readyAt(start) == start.addingTimeInterval(1))
        budget.throttled(at: start)
        budget.throttled(at: start)
        #expect(budget.rate(at: start) == 0.25)
        for _ in 0..<5 { budget.throttled(at: start) }
        #expect(budget.rate(at: start) == 0.1)
        // Back to 2 a second in 60 s, linearly; the burst grows with it.
        #expect(abs(budget.rate(at: start.addingTimeInterval(30)) - 1.05) < 1e-9)
        #expect(budget.isReduced(at: start.addingTimeInterval(59)))
        #expect(!budget.isReduced(at: start.addingTimeInterval(60)))
        #expect(budget.available(at: start.addingTimeInterval(600)) == 10)
    }

    @Test func theRunnerListsEveryTargetWithinItsBudgetAndEnds() async {
        let clock = ManualClock()
        let targets = [eastTarget, westTarget, tokyoTarget]
        let configuration = FleetSchedulerConfiguration(budget: RequestBudget.Configuration(rate: 1, burst: 2), listInterval: nil,
                                                        maxConsecutiveFailures: 1)
        let log = CallLog()
        let runner = FleetRunner(scheduler: FleetScheduler(targets: FleetTargetSet(targets: targets), configuration: configuration),
                                 clock: clock) { call in
            log.add(call, at: clock.now())
            if call.target == tokyoTarget { return .failed(ErrorText(code: "AccessDeniedException", message: "no")) }
            return pagedAnswer(pages: 5)(call, 0)
        }
        await runner.run()
        let calls = log.calls
        #expect(calls.count == 11)
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        for target in [eastTarget, westTarget] {
            let times = calls.filter { $0.1.target == target }.map { $0.0.timeIntervalSince(start) }
            #expect(times.count == 5)
            #expect(FleetSimulation.withinBudget(times, rate: 1, burst: 2), "\(times)")
        }
        let statuses = await runner.statuses()
        #expect(statuses.map(\.listsCompleted) == [1, 1, 0])
        #expect(statuses[2].phase == .failed)
        #expect(statuses[2].lastError?.code == "AccessDeniedException")
    }

    @Test func theRunnerStopsWhenCancelledAndTakesUpdates() async throws {
        let clock = ManualClock(blockAfter: 50)
        let log = CallLog()
        let runner = FleetRunner(scheduler: FleetScheduler(targets: FleetTargetSet(targets: [eastTarget]), configuration: .dashboard),
                                 clock: clock) { call in
            log.add(call, at: clock.now())
            return .succeeded()
        }
        let task = Task { await runner.run() }
        await runner.update { $0.setFocus(FleetFocus(target: eastTarget, work: [.describeService(arn: "watched")])) }
        try await waitUntil("a focus call", timeout: 20) { log.calls.contains { $0.1.lane == .focus } }
        task.cancel()
        await task.value
        #expect(await runner.callsInLastMinute() >= 1)
    }
}

/// `budget.take(at:reserve:)` outside `#expect` (which cannot mutate).
private func take(_ budget: inout RequestBudget, at now: Date, reserve: Double = 0) -> Bool {
    budget.take(at: now, reserve: reserve)
}

/// The calls a runner made, from its call tasks.
final class CallLog: @unchecked Sendable {
    // @unchecked: `entries` is guarded by `lock`.
    private let lock = NSLock()
    private var entries: [(Date, FleetCall)] = []

    func add(_ call: FleetCall, at date: Date) { lock.withLock { entries.append((date, call)) } }
    var calls: [(Date, FleetCall)] { lock.withLock { entries } }
}
