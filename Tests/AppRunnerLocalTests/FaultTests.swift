import Foundation
import Testing

@testable import AppRunnerLocal

/// `--faults RATE[:kinds]`: parsing, messages for what is refused, and decisions that honour the rate.
@Suite(.timeLimit(.minutes(1))) struct FaultTests {
    func message(_ text: String) -> String? {
        do {
            _ = try FaultPlan(parsing: text)
            return nil
        } catch let error as FaultPlanError {
            return error.message
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func parsesRatesAndKinds() throws {
        let plan = try FaultPlan(parsing: "0.2:throttle,503,latency")
        #expect(plan.rate == 0.2)
        #expect(plan.kinds == [.throttle, .unavailable, .latency])
        #expect(plan.description == "0.2:throttle,503,latency")
        #expect(try FaultPlan(parsing: plan.description) == plan)

        let every = try FaultPlan(parsing: " 20% ")
        #expect(every.rate == 0.2)
        #expect(every.kinds == FaultKind.allCases)
        #expect(every.description == "0.2")
        #expect(try FaultPlan(parsing: "1:500, RESET ,silent,truncate").kinds == [.internalError, .reset, .silent, .truncate])
        #expect(try FaultPlan(parsing: "0").rate == 0)
        #expect(FaultKind.allCases.map(\.rawValue) == ["throttle", "500", "503", "latency", "reset", "silent", "truncate"])
    }

    @Test func refusalsSayWhatIsWrong() {
        #expect(message("")?.contains("expected RATE[:kinds]") == true)
        #expect(message(":throttle")?.contains("expected RATE[:kinds]") == true)
        #expect(message("abc") == "fault rate 'abc' is not a number (write 0.2 or 20%)")
        #expect(message("nan")?.contains("is not a number") == true)
        #expect(message("1.5") == "fault rate '1.5' is outside 0...1 (0% to 100%)")
        #expect(message("-0.1:throttle")?.contains("outside 0...1") == true)
        #expect(message("150%")?.contains("outside 0...1") == true)
        #expect(message("0.2:") == "empty fault kind in '' (kinds: throttle, 500, 503, latency, reset, silent, truncate)")
        #expect(message("0.2:throttle,,503")?.hasPrefix("empty fault kind") == true)
        #expect(message("0.2:throttle,404") == "unknown fault kind '404' (kinds: throttle, 500, 503, latency, reset, silent, truncate)")
        #expect(message("0.2:503,503") == "fault kind '503' is listed twice")
        #expect(throws: FaultPlanError.self) { try FaultPlan(rate: 0.5, kinds: []) }
        #expect(throws: FaultPlanError.self) { try FaultPlan(rate: .infinity) }
    }

    @Test func theRateIsHonouredOverManyDraws() throws {
        let plan = try FaultPlan(parsing: "0.2:throttle,503,latency")
        let injector = FaultInjector(plan: plan, seed: 42)
        let draws = 20_000
        var counts: [FaultKind: Int] = [:]
        var faults = 0
        for _ in 0..<draws {
            guard let decision = injector.next() else { continue }
            faults += 1
            counts[decision.kind, default: 0] += 1
            if decision.kind == .latency {
                #expect(plan.latency.contains(decision.delay))
            } else {
                #expect(decision.delay == 0)
            }
        }
        // 0.2 ± 0.015 is more than five standard deviations (0.0028) either side.
        #expect(abs(Double(faults) / Double(draws) - 0.2) < 0.015)
        #expect(Set(counts.keys) == [.throttle, .unavailable, .latency])
        for kind in plan.kinds {
            #expect(abs(Double(counts[kind] ?? 0) / Double(faults) - 1.0 / 3) < 0.05)
        }
    }

    @Test func aSeedFixesTheSequenceAndTheEdgesHold() throws {
        let plan = try FaultPlan(parsing: "0.5")
        let first = FaultInjector(plan: plan, seed: 7)
        let again = FaultInjector(plan: plan, seed: 7)
        let other = FaultInjector(plan: plan, seed: 8)
        let a = (0..<200).map { _ in first.next() }
        let b = (0..<200).map { _ in again.next() }
        let c = (0..<200).map { _ in other.next() }
        #expect(a == b)
        #expect(a != c)
        let never = FaultInjector(plan: try FaultPlan(parsing: "0"), seed: 1)
        #expect((0..<1_000).allSatisfy { _ in never.next() == nil })
        let always = FaultInjector(plan: try FaultPlan(parsing: "100%:reset"), seed: 1)
        #expect((0..<1_000).allSatisfy { _ in always.next()?.kind == .reset })
        #expect(FaultKind.throttle.error?.status == 400)
        #expect(FaultKind.unavailable.error?.code == "ServiceUnavailableException")
        #expect(FaultKind.silent.error == nil)
    }
}
