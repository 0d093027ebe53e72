import AWSCore
import AppRunner
import FoundationEssentials
import RunnerDeckKit

/// A run of text in one style.
public struct Span: Sendable, Hashable {
    public var text: String
    public var style: Style
    public init(_ text: String, _ style: Style = .plain) {
        self.text = text
        self.style = style
    }
}

/// A line of a scrolling text view.
public typealias Line = [Span]

/// The minimum size the dashboard draws in.
enum Layout {
    static let minWidth = 80
    static let minHeight = 24
    /// Rows of content between the header (2 rows) and the status line + footer (2 rows).
    static func contentHeight(_ height: Int) -> Int { max(0, height - 4) }
    /// True when the screen shows only the "too small" notice (and keys other than q and Esc do nothing).
    static func tooSmall(width: Int, height: Int) -> Bool { width < minWidth || height < minHeight }
}

/// Pure rendering: state → screen buffer. No I/O, no curses.
struct DashboardRenderer: Sendable {
    var glyphs: Glyphs
    var registry: KeyRegistry

    public init(glyphs: Glyphs = .unicode, registry: KeyRegistry = .standard) {
        self.glyphs = glyphs
        self.registry = registry
    }

    public func render(state: DashboardState, ui: UIState, now: Date, width: Int, height: Int) -> ScreenBuffer {
        var screen = ScreenBuffer(width: width, height: height, asciiOnly: glyphs == .ascii)
        if Layout.tooSmall(width: width, height: height) {
            let lines = ["Terminal too small: \(width)x\(height)", "RunnerDeck needs at least \(Layout.minWidth)x\(Layout.minHeight).", "Enlarge the window, or press q to quit."]
            for (i, line) in lines.enumerated() {
                let y = max(0, height / 2 - 1 + i)
                let x = max(0, (width - line.displayWidth) / 2)
                screen.put(line, x: x, y: y, style: i == 0 ? Style(.warn, bold: true) : .plain)
            }
            return screen
        }
        drawHeader(&screen, state: state, ui: ui, now: now)
        drawTabs(&screen, state: state, ui: ui, now: now)
        let top = 2
        let rows = Layout.contentHeight(height)
        if ui.showHelp {
            drawLines(&screen, lines: helpLines(ui: ui), top: top, rows: rows, scroll: ui.helpScroll)
        } else {
            switch ui.view {
            case .services: drawServices(&screen, state: state, ui: ui, now: now, top: top, rows: rows)
            case .detail: drawLines(&screen, lines: detailLines(state: state, ui: ui, now: now, width: width), top: top, rows: rows, scroll: ui.scroll[.detail] ?? 0)
            case .domains:
                let (lines, anchor) = domainLines(state: state, ui: ui, width: width)
                drawLines(&screen, lines: lines, top: top, rows: rows, scroll: Self.scrollFor(anchor: anchor, scroll: ui.scroll[.domains] ?? 0, rows: rows, count: lines.count))
            case .resources: drawLines(&screen, lines: resourceLines(state: state, now: now, width: width), top: top, rows: rows, scroll: ui.scroll[.resources] ?? 0)
            case .activity: drawLines(&screen, lines: activityLines(state: state, width: width), top: top, rows: rows, scroll: ui.scroll[.activity] ?? 0)
            case .logs: drawLogs(&screen, state: state, ui: ui, now: now, top: top, rows: rows)
            }
        }
        drawStatus(&screen, state: state, ui: ui, now: now)
        drawFooter(&screen, ui: ui, targetStatus: DashboardController(ui: ui, registry: registry).targetStatus(state: state))
        return screen
    }

    // MARK: Header, tabs, status, footer

    func drawHeader(_ screen: inout ScreenBuffer, state: DashboardState, ui: UIState, now: Date) {
        let bar = Style(.normal, reverse: true)
        screen.fill(y: 0, style: bar)
        var x = screen.put(" RunnerDeck ", x: 0, y: 0, style: Style(.normal, bold: true, reverse: true))
        let ctx = state.context
        // What must always show: DEMO or the endpoint's host (not real AWS), profile, region and
        // READ-ONLY. On narrow terminals the refresh time shortens, the clock goes, then the labels.
        func left(labels: Bool, profileWidth: Int = .max) -> [String] {
            let profile = (ctx.profile ?? "default").truncated(toWidth: max(4, profileWidth), ellipsis: glyphs.ellipsis)
            var parts = labels ? ["profile \(profile)", "region \(ctx.region ?? "-")"] : [profile, ctx.region ?? "-"]
            if let mark = ctx.notAWSMark { parts.insert(mark, at: 0) }
            if ui.readOnly { parts.append("READ-ONLY") }
            return parts
        }
        let separator = " \(glyphs.vline) "

        var flags: [Span] = []
        if let error = state.lastError {
            let retry = state.nextRefreshAt.map { " retry in \(Format.age(max(0, $0.timeIntervalSince(now))))" } ?? ""
            // The cause, short, in the header; the whole text is on the status line and in Activity.
            let cause = ErrorText.oneLine(error).truncated(toWidth: max(12, screen.width / 5), ellipsis: glyphs.ellipsis)
            flags.append(Span(" ERROR \(cause)\(retry) ", Style(.error, bold: true, reverse: true)))
        } else if let last = state.lastRefresh, now.timeIntervalSince(last) > ui.staleAfter {
            flags.append(Span(" STALE ", Style(.warn, bold: true, reverse: true)))
        }
        let clock = Span(ui.showClock ? " \(Format.clock(now)) UTC " : "", Style(.normal, bold: true, reverse: true))
        let refreshed: (full: String, short: String)
        if let last = state.lastRefresh, !ui.showClock {
            // Nothing that ticks by itself: the header changes only when a refresh does.
            refreshed = ("refreshed \(Format.clock(last)) UTC ", Format.clock(last) + " ")
        } else if let last = state.lastRefresh {
            let age = "(\(Format.age(now.timeIntervalSince(last))) ago)"
            refreshed = ("refreshed \(Format.clock(last)) \(age)", age)
        } else {
            refreshed = (state.refreshing ? "loading…" : "not refreshed yet", state.refreshing ? "loading…" : "not yet")
        }
        func width(_ spans: [Span]) -> Int { spans.reduce(0) { $0 + $1.text.displayWidth } }
        var parts = left(labels: true)
        var right = [Span(refreshed.full, bar)] + flags + [clock]
        func fits() -> Bool { x + parts.joined(separator: separator).displayWidth + 1 + width(right) <= screen.width }
        if !fits() { right = [Span(refreshed.short, bar)] + flags + [clock] }
        if !fits() { right = [Span(refreshed.short + " ", bar)] + flags }
        if !fits() { parts = left(labels: false) }
        if !fits() {
            // Last, a long profile name gives way (never the marks).
            let over = x + parts.joined(separator: separator).displayWidth + 1 + width(right) - screen.width
            parts = left(labels: false, profileWidth: (ctx.profile ?? "default").displayWidth - over)
        }
        let rightWidth = width(right)
        let room = max(0, screen.width - rightWidth - x - 1)
        x += screen.put(parts.joined(separator: separator), x: x, y: 0, style: bar, maxWidth: room)
        var rx = max(x + 1, screen.width - rightWidth)
        for span in right { rx += screen.put(span.text, x: rx, y: 0, style: span.style) }
    }

    func drawTabs(_ screen: inout ScreenBuffer, state: DashboardState, ui: UIState, now: Date) {
        var x = 0
        for view in ViewKind.allCases {
            let label = " \(view.rawValue) \(view.title) "
            let selected = view == ui.view && !ui.showHelp
            x += screen.put(label, x: x, y: 1, style: selected ? Style(.info, bold: true, reverse: true) : Style(.muted))
        }
        if ui.showHelp { x += screen.put(" ? Help ", x: x, y: 1, style: Style(.info, bold: true, reverse: true)) }
        var info: [String] = []
        if ui.view == .services {
            let shown = ServiceList.count(state.services, filter: ui.filter)
            if state.isStale(now: now, staleAfter: ui.staleAfter), let last = state.lastRefresh {
                info.append("data \(Format.age(now.timeIntervalSince(last))) old")
            }
            // The position shows here, on the tab line, so it never covers a column header.
            if shown > Layout.contentHeight(screen.height) - 1 { info.append("row \(min(ui.selection + 1, shown))") }
            info.append("\(shown)/\(state.services.count) services")
            if !ui.filter.isEmpty { info.append("filter \"\(ui.filter)\"") }
            info.append("sort \(ui.sort.rawValue)")
        } else if let name = openServiceName(state: state, ui: ui), ui.view == .detail || ui.view == .domains {
            info.append("service \(name)")
        }
        // Drop the least important items (from the end) until what is left fits.
        while !info.isEmpty {
            let text = info.joined(separator: "  ")
            let w = text.displayWidth
            if x + w + 2 <= screen.width {
                screen.put(text, x: screen.width - w - 1, y: 1, style: Style(.muted))
                break
            }
            info.removeLast()
        }
    }

    func drawStatus(_ screen: inout ScreenBuffer, state: DashboardState, ui: UIState, now: Date) {
        let y = screen.height - 2
        if let prompt = ui.prompt {
            let text: String
            switch prompt {
            case .confirm(let change, _, let name):
                text = "\(change.verb.capitalizedFirst) service '\(name)'? [y/N] "
            case .typeName(let change, _, let name, let typed):
                text = "\(change.verb.capitalizedFirst) service '\(name)'? Type its name to confirm (Esc cancels): \(typed)_"
            case .input(.filter, let typed):
                text = "/\(typed)_"
            case .input(.command, let typed):
                text = ":\(typed)_"
            case .input(.domain(_, let name), let typed):
                text = "Domain to associate with '\(name)' (Enter, Esc cancels): \(typed)_"
            case .input(.image(_, let name), let typed):
                text = "Image for '\(name)' (Tab: earlier ones, Enter, Esc cancels): \(typed)_"
            case .input(.logSearch, let typed):
                text = "Search: \(typed)_"
            case .input(.logTime, let typed):
                text = "Jump to (HH:MM[:SS] UTC, 10m back, or ISO 8601): \(typed)_"
            case .input(.secret(let question, _), let typed):
                text = "\(question) (Enter, Esc cancels): \(String(repeating: "*", count: typed.count))_"
            }
            screen.fill(y: y, style: Style(.warn, reverse: true))
            screen.put(" " + text, x: 0, y: y, style: Style(.warn, bold: true, reverse: true))
            return
        }
        let storeMessage = state.statusMessageAt.map { now.timeIntervalSince($0) < DashboardState.statusMessageLifetime } ?? true
            ? state.statusMessage : nil
        if let message = ui.message ?? storeMessage {
            let failed = message.contains("failed") || message.contains("refused") || message.contains("FAILED") || message.contains("ROLLBACK")
            var shown = " " + ErrorText.oneLine(message)
            if shown.displayWidth > screen.width {
                // Cut, and say where the whole text is.
                let pointer = " (whole text: 5 Activity)"
                shown = shown.truncated(toWidth: screen.width - pointer.displayWidth, ellipsis: glyphs.ellipsis) + pointer
            }
            screen.put(shown, x: 0, y: y, style: failed ? Style(.error, bold: true) : Style(.info))
        } else if let error = state.lastError {
            let oneLine = error.split(whereSeparator: \.isNewline).map { $0.trimmingWhitespace }.filter { !$0.isEmpty }.joined(separator: "; ")
            screen.put(" refresh failed (\(state.consecutiveFailures)x): \(oneLine)", x: 0, y: y, style: Style(.error))
        } else if !state.followed.isEmpty {
            let text = state.followed.map { "\($0.serviceName): \($0.action) \($0.status?.rawValue ?? "PENDING") \(Format.duration(now.timeIntervalSince($0.startedAt)))" }.joined(separator: "  ")
            screen.put(" following " + text, x: 0, y: y, style: Style(.warn))
        }
    }

    func drawFooter(_ screen: inout ScreenBuffer, ui: UIState, targetStatus: ServiceStatus? = nil) {
        let y = screen.height - 1
        screen.fill(y: y, style: Style(.normal, reverse: true))
        var x = 0
        let hints: [(key: String, label: String)]
        if ui.prompt != nil {
            hints = [("Enter", "accept"), ("Esc", "cancel")]
        } else if ui.showHelp {
            hints = [("Esc/?", "close help"), ("↑↓", "scroll"), ("q", "quit")]
        } else {
            // Only what the selected service's state allows (a CREATE FAILED row offers delete only).
            hints = registry.hints(in: ui.view, readOnly: ui.readOnly) { action in
                action.serviceAction.map { $0.refusal(for: targetStatus) == nil } ?? true
            }
        }
        func key(_ hint: (key: String, label: String)) -> String {
            glyphs == .ascii ? hint.key.replacingEvery("↑", with: "^").replacingEvery("↓", with: "v") : hint.key
        }
        func width(_ hint: (key: String, label: String)) -> Int { key(hint).displayWidth + hint.label.displayWidth + 3 }
        // Help and quit always show; the others fill the room before them, in registry order.
        let essential = hints.filter { $0.key == "?" || $0.key == "q" }
        let reserved = essential.reduce(0) { $0 + width($1) }
        var shown = hints.filter { hint in !essential.contains { $0.key == hint.key } }
        var used = 0
        shown = shown.filter { hint in
            guard used + width(hint) + reserved <= screen.width else { used = screen.width; return false }
            used += width(hint)
            return true
        }
        for hint in shown + essential {
            if x + width(hint) > screen.width { break }
            x += screen.put(" \(key(hint))", x: x, y: y, style: Style(.normal, bold: true, reverse: true))
            x += screen.put(" \(hint.label) ", x: x, y: y, style: Style(.normal, reverse: true))
        }
    }

    // MARK: Services

    /// Columns of the services table for a width: (title, width); the flexible column takes the rest.
    /// From 120 columns the traffic (requests over the last hour, their 5xx share) is shown; the URL
    /// joins it from 160 (during an incident, traffic matters more than the address).
    static func serviceColumns(width: Int) -> [(String, Int)] {
        let showTraffic = width >= 120
        let showURL = width >= 160
        let name = width >= 200 ? 40 : (width >= 140 ? 32 : (width >= 100 ? 26 : 18))
        var columns: [(String, Int)] = [("NAME", name), ("STATUS", 13), ("OPERATION", 14)]
        if showURL { columns.append(("URL", 42)) }
        columns.append(("RUNTIME/IMAGE", 0))
        columns.append(("CPU/MEM", 14))
        if showTraffic {
            columns.append(("REQ 1H", 12))
            columns.append(("5XX", 5))
        }
        columns.append(("AGE", 4))
        let fixed = columns.reduce(0) { $0 + $1.1 } + columns.count + 1
        return columns.map { $0.1 == 0 ? ($0.0, max(8, width - fixed)) : $0 }
    }

    func drawServices(_ screen: inout ScreenBuffer, state: DashboardState, ui: UIState, now: Date, top: Int, rows: Int) {
        let columns = Self.serviceColumns(width: screen.width)
        var x = 2
        for (title, w) in columns {
            screen.put(title, x: x, y: top, style: Style(.normal, bold: true, underline: true), maxWidth: w)
            x += w + 1
        }
        let list = ServiceList.visible(state.services, filter: ui.filter, sort: ui.sort)
        if list.isEmpty {
            let text: String
            if !state.servicesLoaded { text = state.lastError == nil ? "Loading services…" : "Could not load services (see the status line); retrying." }
            else if !ui.filter.isEmpty { text = "No service matches \"\(ui.filter)\" (Esc clears the filter)." }
            else { text = "No services in this region." }
            screen.put(text, x: 2, y: top + 2, style: Style(.muted))
            return
        }
        let body = rows - 1
        let first = ui.top
        let stale = state.isStale(now: now, staleAfter: ui.staleAfter)
        for i in 0..<body {
            let index = first + i
            guard index < list.count else { break }
            let row = list[index]
            let y = top + 1 + i
            let selected = index == ui.selection
            drawServiceRow(&screen, row: row, y: y, columns: columns, now: now, selected: selected, stale: stale,
                           traffic: state.traffic[row.arn])
        }
    }

    /// The OPERATION column: the operation in progress with its time (`DEPLOY 7s`, `ROLLBACK 7s`
    /// while it rolls back), then for a change that did not land `ROLLED BACK 5m` / `FAILED 5m`
    /// (time since it ended), in words, so it reads the same without colour.
    static func operationCell(_ row: ServiceRow, now: Date) -> (String, Style) {
        if let op = row.currentOperation {
            let since = op.startedAt.map { " " + Format.duration(now.timeIntervalSince($0)) } ?? ""
            if op.status == .rollbackInProgress { return ("ROLLBACK" + since, Style(.accent, bold: true)) }
            return (Self.shortType(op.type) + since, Style(.warn))
        }
        if row.status == .operationInProgress { return ("…", Style(.warn)) }
        if let last = row.lastOperationWentWrong {
            let word = StatusWords.operation(last.status)
            let age = (last.endedAt ?? last.updatedAt).map { " " + Format.age(now.timeIntervalSince($0)) } ?? ""
            return (word.short + age, Style(word.role, bold: true))
        }
        return ("-", Style(.muted))
    }

    func drawServiceRow(_ screen: inout ScreenBuffer, row: ServiceRow, y: Int, columns: [(String, Int)], now: Date, selected: Bool, stale: Bool = false,
                        traffic: ServiceTraffic? = nil) {
        let (statusText, role) = Self.status(row.status)
        var cells: [(String, Style)] = []
        for (title, _) in columns {
            switch title {
            case "NAME": cells.append((row.name, Style(.normal, bold: true)))
            case "STATUS": cells.append((statusText, Style(role, bold: role == .error)))
            case "OPERATION":
                cells.append(Self.operationCell(row, now: now))
            case "URL": cells.append((row.summary.serviceUrl ?? "-", Style(.muted)))
            case "RUNTIME/IMAGE": cells.append((Self.source(row.service), .plain))
            case "CPU/MEM":
                let ic = row.service?.instanceConfiguration
                cells.append((ic.map { "\(Format.cpu($0.cpu).replacingEvery(" vCPU", with: "vCPU")) \(Format.memory($0.memory).replacingEvery(" GB", with: "GB"))" } ?? "-", .plain))
            case "REQ 1H":
                let line = traffic.map { Sparkline.render($0.requests, width: 12, ascii: glyphs == .ascii) }
                cells.append((line ?? "-", Style(.info)))
            case "5XX":
                let share = traffic?.fiveXXShare
                cells.append((share.map { Format.percent(share: $0) } ?? "-", (share ?? 0) >= 0.05 ? Style(.error, bold: true) : Style(.muted)))
            case "AGE":
                cells.append((row.summary.createdAt.map { Format.age(now.timeIntervalSince($0)) } ?? "-", Style(.muted)))
            default: cells.append(("", .plain))
            }
        }
        if selected {
            screen.fill(y: y, style: Style(.normal, reverse: true))
            screen.put(glyphs.pointer, x: 0, y: y, style: Style(.normal, bold: true, reverse: true))
        }
        var x = 2
        for (i, (text, style)) in cells.enumerated() {
            let w = columns[i].1
            var s = style
            if selected { s.reverse = true }
            if stale { s.dim = true; s.bold = false }
            screen.put(text.truncated(toWidth: w, ellipsis: glyphs.ellipsis), x: x, y: y, style: s, maxWidth: w)
            x += w + 1
        }
    }

    /// Status as text and colour role (the text alone carries the meaning).
    public static func status(_ status: ServiceStatus?) -> (String, ColorRole) {
        let word = StatusWords.service(status)
        return (word.short, word.role)
    }

    static func operationStatus(_ status: OperationStatus?) -> (String, Style) {
        let word = StatusWords.operation(status)
        return (word.raw, Style(word.role, bold: word.emphasis, reverse: status == .rollbackFailed))
    }

    static func shortType(_ type: OperationType?) -> String {
        StatusWords.operationType(type)
    }

    static func source(_ service: Service?) -> String {
        guard let service else { return "…" }
        if let image = service.sourceConfiguration.imageRepository {
            let id = image.imageIdentifier
            let tail = id.split(separator: "/").last.map(String.init) ?? id
            return tail
        }
        if let code = service.sourceConfiguration.codeRepository {
            if let runtime = code.codeConfiguration?.codeConfigurationValues?.runtime { return runtime.rawValue }
            return "repo (apprunner.yaml)"
        }
        return "-"
    }

    func openServiceName(state: DashboardState, ui: UIState) -> String? {
        guard let arn = ui.openServiceArn else { return nil }
        return state.detail?.service?.serviceName ?? state.services.first { $0.arn == arn }?.name
    }

    // MARK: Text views

    func drawLines(_ screen: inout ScreenBuffer, lines: [Line], top: Int, rows: Int, scroll: Int) {
        let maxScroll = max(0, lines.count - rows)
        let offset = min(max(0, scroll), maxScroll)
        for i in 0..<rows {
            let index = offset + i
            guard index < lines.count else { break }
            var x = 0
            for span in lines[index] {
                x += screen.put(span.text, x: x, y: top + i, style: span.style, maxWidth: screen.width - x)
            }
        }
        if lines.count > rows {
            let marker = "\(glyphs.up)\(glyphs.down) \(offset + 1)-\(min(lines.count, offset + rows))/\(lines.count)"
            screen.put(marker, x: screen.width - marker.displayWidth - 1, y: top, style: Style(.muted, reverse: true))
        }
    }

    static func scrollFor(anchor: Int?, scroll: Int, rows: Int, count: Int) -> Int {
        guard let anchor else { return scroll }
        if anchor < scroll { return anchor }
        if anchor >= scroll + rows - 2 { return max(0, anchor - rows + 3) }
        return scroll
    }

    /// A wrapped "label: value" pair; continuation lines are indented under the value.
    func field(_ label: String, _ value: String?, width: Int, indent: Int = 2, labelWidth: Int = 20, style: Style = .plain) -> [Line] {
        let value = value ?? "-"
        let room = max(10, width - indent - labelWidth - 1)
        let lead = String(repeating: " ", count: indent) + label.padded(toWidth: labelWidth) + " "
        if value.displayWidth <= room {
            return [[Span(lead, Style(.muted)), Span(value, style)]]
        }
        // Too long for its column: the value goes below its label from the first column, so a
        // mouse selection copies it whole, with no indentation inside it.
        var out: [Line] = [[Span(String(repeating: " ", count: indent) + label, Style(.muted))]]
        for piece in value.wrapped(toWidth: max(10, width)) { out.append([Span(piece, style)]) }
        return out
    }

    func section(_ title: String, width: Int) -> Line {
        let bar = String(repeating: glyphs.hline, count: max(0, min(width, 200) - title.displayWidth - 4))
        return [Span(glyphs.hline + " ", Style(.info)), Span(title, Style(.info, bold: true)), Span(" " + bar, Style(.info))]
    }

    func helpLines(ui: UIState) -> [Line] {
        var lines: [Line] = [[Span("Keys", Style(.normal, bold: true))], []]
        for binding in registry.bindings {
            let off = ui.readOnly && binding.changes
            let where_ = binding.views.isEmpty ? "" : " (" + ViewKind.allCases.filter { binding.views.contains($0) }.map(\.title).joined(separator: ", ") + ")"
            var line: Line = [Span("  " + binding.keyLabel.padded(toWidth: 8), Style(.normal, bold: true)), Span(binding.help + where_, off ? Style(.muted) : .plain)]
            if binding.changes { line.append(Span(off ? "  [off: read-only]" : "  [changes; asks first]", Style(off ? .muted : .warn))) }
            lines.append(line)
        }
        lines.append([])
        lines.append([Span("Commands", Style(.normal, bold: true))])
        lines.append([Span("  :region NAME    switch region (e.g. :region eu-west-1)")])
        lines.append([Span("  :profile NAME   switch AWS profile")])
        lines.append([Span("  :q              quit")])
        lines.append([])
        lines.append([Span("Times are UTC. Status is always written as text; colour only repeats it.", Style(.muted))])
        return lines
    }
}

extension String {
    var capitalizedFirst: String {
        guard let first else { return self }
        return first.uppercased() + dropFirst()
    }
}
