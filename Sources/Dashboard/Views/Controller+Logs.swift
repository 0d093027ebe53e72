import AppRunner
import FoundationEssentials
import RunnerDeckKit

/// The Logs view's keys: open it on a source, step through sources, follow, search, jump to a time,
/// wrap, and scroll by line (scrolling up stops following).
extension DashboardController {
    /// Rows for log lines: the content minus the view's title row.
    static func logRows(height: Int) -> Int { max(1, Layout.contentHeight(height) - 1) }

    mutating func handleLogs(_ action: DashboardAction, state: DashboardState, height: Int) -> [Effect] {
        switch action {
        case .viewLogs where ui.logs.target != nil:
            switchView(.logs)
            return [.focusChanged]
        case .viewLogs, .logs, .applicationLogs:
            guard let target = target(state: state) else { ui.message = "no service selected"; return [.redraw] }
            let source: LogSource
            if action == .applicationLogs {
                source = .application
            } else if let operationId = Self.operationIds(of: target.arn, state: state).first {
                source = .deployment(operationId: operationId)
            } else {
                source = .service
            }
            open(target.arn)
            openLogs(LogsTarget(serviceArn: target.arn, serviceName: target.name, source: source))
            switchView(.logs)
            return [.focusChanged]
        case .logSource:
            guard let current = ui.logs.target else { return [] }
            let cycle = LogSource.cycle(operationIds: Self.operationIds(of: current.serviceArn, state: state))
            let next = cycle.firstIndex(of: current.source).map { cycle[(cycle.index(after: $0)) % cycle.count] } ?? cycle[0]
            openLogs(LogsTarget(serviceArn: current.serviceArn, serviceName: current.serviceName, source: next))
            return [.focusChanged]
        case .follow:
            ui.logs.follow.toggle()
            if !ui.logs.follow, let logs = currentLogs(state) {
                ui.logs.top = max(logs.firstSeq, logs.endSeq - Self.logRows(height: height))
            }
            return [.focusChanged]
        case .search:
            ui.prompt = .input(.logSearch, text: ui.logs.search)
            return [.redraw]
        case .nextMatch, .previousMatch:
            return findMatch(forward: action == .nextMatch, state: state, height: height)
        case .jumpToTime:
            ui.prompt = .input(.logTime, text: "")
            return [.redraw]
        case .wrap:
            ui.logs.wrap.toggle()
            return [.redraw]
        default:
            return []
        }
    }

    /// The ids of a service's operations, newest first, as far as the state knows them.
    static func operationIds(of arn: String, state: DashboardState) -> [String] {
        if let detail = state.detail, detail.serviceArn == arn, !detail.operations.isEmpty {
            return detail.operations.compactMap(\.id)
        }
        return (state.services.first { $0.arn == arn }?.lastOperation?.id).map { [$0] } ?? []
    }

    /// Points the view at `target`, following from the newest line (the wrap and the search stay).
    mutating func openLogs(_ target: LogsTarget) {
        guard ui.logs.target != target else { return }
        ui.logs = LogsUI(target: target, wrap: ui.logs.wrap, search: ui.logs.search)
    }

    /// The state's lines when they are the ones the view shows.
    func currentLogs(_ state: DashboardState) -> LogsViewState? {
        guard let logs = state.logs, let target = ui.logs.target, logs.target == target else { return nil }
        return logs
    }

    mutating func moveLogs(_ action: DashboardAction, state: DashboardState, height: Int) -> [Effect] {
        guard let logs = currentLogs(state) else { return [] }
        let rows = Self.logRows(height: height)
        let last = max(logs.firstSeq, logs.endSeq - rows)
        var top = ui.logs.follow ? last : ui.logs.top
        switch action {
        case .up: top -= 1
        case .down: top += 1
        case .pageUp: top -= rows
        case .pageDown: top += rows
        case .top: top = logs.firstSeq
        case .bottom:
            ui.logs.follow = true
            return [.focusChanged]
        default: return []
        }
        // Moving down while following stays at the newest line; anything else reads from where it is.
        if ui.logs.follow, action == .down || action == .pageDown { return [] }
        ui.logs.follow = false
        ui.logs.top = min(max(logs.firstSeq, top), last)
        return [.focusChanged]
    }

    /// `n`/`N`: the next newer or older match from the current one (or from the screen's edge).
    mutating func findMatch(forward: Bool, state: DashboardState, height: Int) -> [Effect] {
        guard !ui.logs.search.isEmpty else { ui.message = "no search: press / first"; return [.redraw] }
        guard let logs = currentLogs(state) else { return [] }
        let rows = Self.logRows(height: height)
        let top = ui.logs.follow ? max(logs.firstSeq, logs.endSeq - rows) : ui.logs.top
        let from = ui.logs.match.flatMap { logs.line($0) != nil ? $0 : nil } ?? (forward ? top - 1 : top + rows)
        guard let found = logs.match(LogSearch(ui.logs.search), after: from, forward: forward) else {
            ui.message = "no \(forward ? "newer" : "older") match for '\(ui.logs.search)'"
            return [.redraw]
        }
        show(match: found, logs: logs, rows: rows)
        return [.focusChanged]
    }

    mutating func show(match seq: Int, logs: LogsViewState, rows: Int) {
        ui.logs.match = seq
        ui.logs.follow = false
        ui.logs.top = min(max(logs.firstSeq, seq - rows / 3), max(logs.firstSeq, logs.endSeq - rows))
    }

    mutating func submitLogs(_ kind: InputKind, text: String, state: DashboardState, now: Date, height: Int = Layout.minHeight) -> [Effect] {
        let rows = Self.logRows(height: height)
        if kind == .logSearch {
            ui.logs.search = text
            ui.logs.match = nil
            guard !text.isEmpty, let logs = currentLogs(state) else { return [.redraw] }
            // From the bottom of the screen back, as `?` in less: the newest match in view or above it.
            let bottom = ui.logs.follow ? logs.endSeq : ui.logs.top + rows
            guard let found = logs.match(LogSearch(text), after: bottom, forward: false) ?? logs.match(LogSearch(text), after: bottom - 1) else {
                ui.message = "no match for '\(text)' in the \(logs.lines.count) lines held"
                return [.redraw]
            }
            show(match: found, logs: logs, rows: rows)
            return [.focusChanged]
        }
        guard let point = TimeSpan.point(text, now: now) else {
            ui.message = "not a time: '\(text)' (try 14:05, 14:05:30, 10m or 2026-11-30T14:05:00Z)"
            return [.redraw]
        }
        guard point <= now else { ui.message = "\(Format.timestamp(point)) UTC is in the future"; return [.redraw] }
        guard let target = ui.logs.target else { return [.redraw] }
        if let logs = currentLogs(state), point >= logs.start, let first = logs.line(logs.firstSeq), point >= first.time {
            ui.logs.follow = false
            ui.logs.top = min(logs.firstSeq(atOrAfter: point) ?? logs.endSeq, max(logs.firstSeq, logs.endSeq - rows))
            return [.focusChanged]
        }
        // Older than the lines held: read again from that time.
        var earlier = target
        earlier.from = point
        ui.logs.target = earlier
        ui.logs.follow = false
        ui.logs.top = 0
        ui.logs.match = nil
        ui.logs.jumpTo = point
        ui.message = "reading from \(Format.timestamp(point)) UTC"
        return [.focusChanged]
    }

    /// After new lines: a pending jump lands on its line, and a position whose lines left the buffer
    /// moves to the oldest one held.
    mutating func reconcileLogs(state: DashboardState) {
        guard let logs = currentLogs(state) else { return }
        if let jump = ui.logs.jumpTo, !logs.lines.isEmpty {
            ui.logs.top = logs.firstSeq(atOrAfter: jump) ?? logs.firstSeq
            ui.logs.jumpTo = nil
        }
        if !ui.logs.follow, ui.logs.top < logs.firstSeq { ui.logs.top = logs.firstSeq }
    }
}
