import FoundationEssentials
import Glibc

/// Decides which call to make next across a fleet of targets, as a pure state machine: `next(now:)`
/// picks a call (taking its token) or says how long to wait, `completed(_:outcome:now:)` feeds the
/// answer back. The rules:
/// - every call takes a token from its target's ``RequestBudget`` (one per account, or profile until
///   the account is known, and region);
/// - the focus lane first, then visible rows, then ListServices sweeps; within a lane targets take
///   turns (round robin); list and row calls leave `focusReserve` tokens and one in-flight slot to the
///   focused service;
/// - a failing target backs off alone (exponential, capped, its last error kept), one call at a time
///   until it answers again; throttling also cuts its budget's rate;
/// - after a target's first complete list, sweeps read at most `sweepPagesPerInterval` pages per
///   `listInterval`, so a quiet refresh costs calls per target and visible row, not per service.
/// ``FleetRunner`` drives it with a clock; tests drive it with a manual one.
public struct FleetScheduler: Sendable {
    public let configuration: FleetSchedulerConfiguration
    public private(set) var targets: [FleetTarget] = []
    private var fromAll = false
    private var states: [FleetTarget: TargetState] = [:]
    private var budgets: [BudgetKey: RequestBudget] = [:]
    private var focus: FleetFocus?
    private var focusPending: [FleetWork] = []
    private var focusDueAt: Date?
    private var focusInFlight = 0
    private var inFlight: [Int: FleetCall] = [:]
    private var nextId = 1
    /// The index in `targets` of the last target served a row or list call.
    private var cursor = -1
    private var callLog: [(at: Date, target: FleetTarget)] = []

    public init(targets: FleetTargetSet, configuration: FleetSchedulerConfiguration = .dashboard) {
        self.configuration = configuration
        setTargets(targets)
    }

    /// Calls in flight.
    public var inFlightCount: Int { inFlight.count }

    // MARK: - What the caller changes

    /// Replaces the target set (`:regions`, `:profiles`): targets that stay keep their state and
    /// budget; new ones start with a full list.
    public mutating func setTargets(_ set: FleetTargetSet) {
        var seen = Set<FleetTarget>()
        targets = set.targets.filter { seen.insert($0).inserted }
        fromAll = set.fromAll
        states = states.filter { seen.contains($0.key) }
        for target in targets where states[target] == nil { states[target] = TargetState() }
        if let focus, !seen.contains(focus.target) { setFocus(nil) }
        cursor = -1
    }

    /// The service the operator watches (nil: none); a new focus is refreshed at once.
    public mutating func setFocus(_ newFocus: FleetFocus?) {
        guard newFocus != focus else { return }
        focus = newFocus
        focusPending = []
        focusDueAt = nil
    }

    /// Asks for one row call (a visible row needs a description, …); ignored while the same is pending.
    public mutating func request(_ work: FleetWork, for target: FleetTarget) {
        guard var state = states[target], !state.rows.contains(work) else { return }
        state.rows.append(work)
        states[target] = state
    }

    /// Starts a sweep of `target` (all when nil) now, its pages back to back (Ctrl-L, after an action);
    /// the focus is refreshed too. Budgets and backoffs still apply.
    public mutating func refreshNow(_ target: FleetTarget? = nil) {
        for each in targets where target == nil || each == target {
            guard var state = states[each], state.isLive else { continue }
            if !state.sweep.active { state.sweep = Sweep(active: true, token: nil, urgent: true) }
            state.sweep.urgent = true
            states[each] = state
        }
        if focusInFlight == 0, focusPending.isEmpty { focusDueAt = nil }
    }

    // MARK: - Deciding

    public mutating func next(now: Date) -> FleetDecision {
        callLog.removeAll { now.timeIntervalSince($0.at) >= 60 }
        guard inFlight.count < configuration.maxInFlight else { return .waitForEvent }
        var earliest: Date?
        func note(_ date: Date) { earliest = min(earliest ?? date, date) }

        if let focus, states[focus.target] != nil {
            if focusPending.isEmpty, focusInFlight == 0 {
                if let due = focusDueAt, due > now {
                    note(due)
                } else {
                    focusPending = focus.work
                    focusDueAt = now.addingTimeInterval(configuration.focusInterval)
                }
            }
            if let work = focusPending.first {
                switch admit(focus.target, lane: .focus, now: now) {
                case .go:
                    focusPending.removeFirst()
                    return .call(start(work, focus.target, .focus, now))
                case .at(let date): note(date)
                case .event: break
                }
            }
        }
        let count = targets.count
        for offset in 0..<count {
            let index = ((cursor + 1 + offset) % count + count) % count
            let target = targets[index]
            let row = states[target].flatMap { $0.isLive ? $0.rows.first : nil }
            let page = pendingWork(target, .list, now, note)
            // Rows and list pages take turns within a target, so neither starves the other.
            let choice: (FleetWork, FleetLane)
            if let row, let page {
                choice = states[target]?.lastWasRow == true ? (page, .list) : (row, .rows)
            } else if let work = row ?? page {
                choice = (work, row == nil ? .list : .rows)
            } else {
                continue
            }
            switch admit(target, lane: choice.1, now: now) {
            case .go:
                cursor = index
                return .call(start(choice.0, target, choice.1, now))
            case .at(let date): note(date)
            case .event: break
            }
        }
        if let earliest { return .wait(until: earliest) }
        if inFlight.isEmpty, configuration.listInterval == nil { return .finished }
        return .waitForEvent
    }

    /// The list page `target` has ready; a sweep or page not yet due notes when it will be.
    private mutating func pendingWork(_ target: FleetTarget, _ lane: FleetLane, _ now: Date, _ note: (Date) -> Void) -> FleetWork? {
        guard var state = states[target], state.isLive else { return nil }
        if lane == .rows { return state.rows.first }
        if !state.sweep.active {
            guard let interval = configuration.listInterval else { return nil }
            let due = max(state.sweep.startedAt.map { $0.addingTimeInterval(interval) } ?? now, nextPageAt(state) ?? now)
            guard due <= now else { note(due); return nil }
            state.sweep = Sweep(active: true, token: nil, urgent: false, startedAt: nil, lastPageAt: state.sweep.lastPageAt)
            states[target] = state
        }
        guard !state.sweep.pageInFlight else { return nil }
        if !state.sweep.urgent, let due = nextPageAt(state), due > now {
            note(due)
            return nil
        }
        return .listServices(nextToken: state.sweep.token)
    }

    /// When the next page of a paced sweep may go.
    private func nextPageAt(_ state: TargetState) -> Date? {
        guard let interval = configuration.listInterval, let last = state.sweep.lastPageAt else { return nil }
        return last.addingTimeInterval(interval / Double(configuration.sweepPagesPerInterval))
    }

    private enum Admission { case go, at(Date), event }

    /// Whether a `lane` call to `target` may start now (and if so its token is taken).
    private mutating func admit(_ target: FleetTarget, lane: FleetLane, now: Date) -> Admission {
        guard let state = states[target], state.isLive else { return .event }
        if let until = state.backoffUntil, until > now { return .at(until) }
        let guarded = lane != .focus && focus?.target == target
        // A target that has not answered yet, or is failing, gets one call at a time.
        if (!state.answered || state.failures > 0) && state.inFlight > 0 { return .event }
        if state.inFlight >= max(1, configuration.maxInFlightPerTarget - (guarded ? 1 : 0)) { return .event }
        if lane != .focus, focus != nil, inFlight.count >= max(1, configuration.maxInFlight - 1) { return .event }
        let key = budgetKey(target)
        var budget = budgets[key] ?? RequestBudget(configuration.budget)
        let reserve = guarded ? configuration.focusReserve : 0
        guard budget.take(at: now, reserve: reserve) else { return .at(budget.readyAt(now, reserve: reserve)) }
        budgets[key] = budget
        return .go
    }

    private mutating func start(_ work: FleetWork, _ target: FleetTarget, _ lane: FleetLane, _ now: Date) -> FleetCall {
        let call = FleetCall(id: nextId, target: target, work: work, lane: lane)
        nextId += 1
        inFlight[call.id] = call
        callLog.append((now, target))
        if lane == .focus { focusInFlight += 1 }
        if var state = states[target] {
            state.inFlight += 1
            if lane != .focus { state.lastWasRow = lane == .rows }
            switch lane {
            case .rows: state.rows.removeFirst()
            case .list:
                state.sweep.pageInFlight = true
                state.sweep.lastPageAt = now
                if state.sweep.startedAt == nil || state.sweep.token == nil { state.sweep.startedAt = now }
            case .focus: break
            }
            states[target] = state
        }
        return call
    }

    // MARK: - Answers

    public mutating func completed(_ call: FleetCall, outcome: FleetOutcome, now: Date) {
        guard inFlight.removeValue(forKey: call.id) != nil else { return }
        if call.lane == .focus { focusInFlight -= 1 }
        guard var state = states[call.target] else { return }
        state.inFlight -= 1
        if call.lane == .list { state.sweep.pageInFlight = false }
        var learnt: String?
        switch outcome {
        case .succeeded(let nextToken, let account):
            state.answered = true
            state.failures = 0
            state.lastError = nil
            state.backoffUntil = nil
            state.phase = .healthy
            if let account, !account.isEmpty, account != state.account { learnt = account }
            if case .listServices = call.work {
                if let nextToken {
                    state.sweep.token = nextToken
                } else {
                    state.sweep.active = false
                    state.sweep.token = nil
                    state.sweep.urgent = false
                    state.listedAt = now
                    state.listsCompleted += 1
                }
            }
        case .failed(let error):
            if !state.answered, FleetErrors.isRegionNotEnabled(error), AppRunnerRegions.isOptIn(call.target.region) {
                state.phase = .notEnabled
                state.lastError = ErrorText(code: "RegionNotEnabled",
                                            message: "\(call.target.region) is an opt-in region this account has not enabled (\(error.code): \(error.message))")
                state.stop()
            } else {
                if error.isThrottling {
                    let key = budgetKey(call.target)
                    var budget = budgets[key] ?? RequestBudget(configuration.budget)
                    budget.throttled(at: now)
                    budgets[key] = budget
                }
                state.failures += 1
                state.lastError = error
                let delay = min(configuration.backoffBase * pow(2, Double(min(state.failures - 1, 30))), configuration.backoffCap)
                state.backoffUntil = now.addingTimeInterval(delay)
                switch call.lane {
                case .rows: if !state.rows.contains(call.work) { state.rows.insert(call.work, at: 0) }
                case .focus:
                    if focus?.target == call.target, focus?.work.contains(call.work) == true, !focusPending.contains(call.work) {
                        focusPending.insert(call.work, at: 0)
                    }
                case .list: break  // the sweep keeps its token: the same page is asked for again
                }
                if let limit = configuration.maxConsecutiveFailures, state.failures >= limit {
                    state.phase = .failed
                    state.stop()
                }
            }
        }
        states[call.target] = state
        if let learnt { learnAccount(learnt, for: call.target) }
    }

    /// Moves `target` onto the budget of its account in its region (shared with the account's other
    /// profiles there).
    private mutating func learnAccount(_ account: String, for target: FleetTarget) {
        let old = budgetKey(target)
        states[target]?.account = account
        let new = budgetKey(target)
        guard old != new, let budget = budgets.removeValue(forKey: old) else { return }
        if budgets[new] == nil { budgets[new] = budget }
    }

    private func budgetKey(_ target: FleetTarget) -> BudgetKey {
        if let account = states[target]?.account { return BudgetKey(owner: "account " + account, region: target.region) }
        return BudgetKey(owner: "profile " + (target.profile ?? ""), region: target.region)
    }

    // MARK: - Reading

    /// Calls started in the minute before `now` (for the `?` screen).
    public func callsInLastMinute(now: Date) -> Int {
        callLog.reduce(0) { $0 + (now.timeIntervalSince($1.at) < 60 ? 1 : 0) }
    }

    public func status(of target: FleetTarget, now: Date) -> FleetTargetStatus? {
        guard let state = states[target] else { return nil }
        var phase = state.phase
        if phase == .healthy || phase == .starting, let until = state.backoffUntil, until > now { phase = .backingOff(until: until) }
        let budget = budgets[budgetKey(target)] ?? RequestBudget(configuration.budget)
        return FleetTargetStatus(
            target: target, phase: phase, lastError: state.lastError, consecutiveFailures: state.failures,
            account: state.account, listedAt: state.listedAt, listsCompleted: state.listsCompleted,
            rate: budget.rate(at: now), throttled: budget.isReduced(at: now),
            callsInLastMinute: callLog.reduce(0) { $0 + ($1.target == target && now.timeIntervalSince($1.at) < 60 ? 1 : 0) },
            quietlyDropped: state.phase == .notEnabled && fromAll)
    }

    /// Every target's status, in the set's order.
    public func statuses(now: Date) -> [FleetTargetStatus] {
        targets.compactMap { status(of: $0, now: now) }
    }
}

private struct BudgetKey: Hashable, Sendable {
    var owner: String
    var region: String
}

/// A ListServices sweep: the pages of one complete list.
private struct Sweep: Sendable {
    var active = true
    var token: String?
    /// Pages back to back (the first list, `refreshNow`), else paced.
    var urgent = true
    var startedAt: Date?
    var lastPageAt: Date?
    var pageInFlight = false
}

private struct TargetState: Sendable {
    var phase: FleetTargetPhase = .starting
    var account: String?
    var answered = false
    var failures = 0
    var lastError: ErrorText?
    var backoffUntil: Date?
    var inFlight = 0
    var rows: [FleetWork] = []
    /// The last row or list call was a row (the next turn goes to the list when both are ready).
    var lastWasRow = false
    var sweep = Sweep()
    var listedAt: Date?
    var listsCompleted = 0

    /// Still called (not given up, not a region the account has not enabled).
    var isLive: Bool { phase != .failed && phase != .notEnabled }

    mutating func stop() {
        rows = []
        sweep.active = false
        backoffUntil = nil
    }
}
