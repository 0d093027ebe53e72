import AWSCore
import FoundationEssentials

/// Runs a ``FleetScheduler`` with a clock: starts each call it decides on as its own task (so one slow
/// target never holds up another), feeds the outcomes back, and sleeps until the next call may go or
/// an answer or a change arrives. `run()` returns when a one-shot scheduler is finished, or when its
/// task is cancelled. The dashboard's store changes the focus, rows and targets through `update`.
public actor FleetRunner {
    public typealias Perform = @Sendable (FleetCall) async -> FleetOutcome

    private var scheduler: FleetScheduler
    private let clock: any WallClock
    private let perform: Perform
    private var wakeContinuation: CheckedContinuation<Void, Never>?
    private var woken = false
    /// Counts waits, so a sleeper that ends after its wait was already over wakes nothing.
    private var waitNumber = 0

    public init(scheduler: FleetScheduler, clock: any WallClock = SystemClock(), perform: @escaping Perform) {
        self.scheduler = scheduler
        self.clock = clock
        self.perform = perform
    }

    /// Changes the scheduler (focus, rows, targets, refresh now) and wakes the loop.
    public func update(_ change: @Sendable (inout FleetScheduler) -> Void) {
        change(&scheduler)
        wake()
    }

    /// Every target's status now.
    public func statuses() -> [FleetTargetStatus] { scheduler.statuses(now: clock.now()) }

    /// Calls started in the last minute.
    public func callsInLastMinute() -> Int { scheduler.callsInLastMinute(now: clock.now()) }

    public func run() async {
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                switch scheduler.next(now: clock.now()) {
                case .call(let call):
                    let perform = self.perform
                    group.addTask {
                        let outcome = await perform(call)
                        await self.finish(call, outcome)
                    }
                case .wait(let until):
                    await sleep(until: until)
                case .waitForEvent:
                    await sleep(until: nil)
                case .finished:
                    return
                }
            }
            group.cancelAll()
        }
    }

    private func finish(_ call: FleetCall, _ outcome: FleetOutcome) {
        scheduler.completed(call, outcome: outcome, now: clock.now())
        wake()
    }

    private func wake() {
        if let continuation = wakeContinuation {
            wakeContinuation = nil
            continuation.resume()
        } else {
            woken = true
        }
    }

    private func wakeFromSleeper(_ number: Int) {
        if number == waitNumber { wake() }
    }

    /// Waits until `until` (nil: no time limit), an answer, a change or cancellation.
    private func sleep(until: Date?) async {
        if woken {
            woken = false
            return
        }
        waitNumber += 1
        let number = waitNumber
        let clock = self.clock
        let sleeper = until.map { date in
            Task {
                try? await clock.sleep(seconds: max(0, date.timeIntervalSince(clock.now())))
                self.wakeFromSleeper(number)
            }
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                if woken || Task.isCancelled {
                    woken = false
                    continuation.resume()
                } else {
                    wakeContinuation = continuation
                }
            }
        } onCancel: {
            Task { await self.wake() }
        }
        waitNumber += 1
        sleeper?.cancel()
    }
}
