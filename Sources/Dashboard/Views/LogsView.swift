import AppRunner
import FoundationEssentials
import RunnerDeckKit

/// The Logs view: a title row (what is read, following or not, the search), then the lines, newest at
/// the bottom. Following, the newest lines fill the screen; otherwise the lines from the position on.
extension DashboardRenderer {
    func drawLogs(_ screen: inout ScreenBuffer, state: DashboardState, ui: UIState, now: Date, top: Int, rows: Int) {
        guard rows > 0 else { return }
        guard let target = ui.logs.target else {
            screen.put("No logs open: press l on a service (its newest deployment log) or L (its application logs).", x: 0, y: top, style: Style(.muted))
            return
        }
        let logs = state.logs.flatMap { $0.target == target ? $0 : nil }
        drawLogsTitle(&screen, target: target, logs: logs, state: state, ui: ui, y: top)
        let lineRows = rows - 1
        guard let logs else {
            screen.put("  Reading…", x: 0, y: top + 1, style: Style(.muted))
            return
        }
        guard !logs.lines.isEmpty else {
            let why = logs.unavailable.map { "not available: \($0)" }
                ?? (logs.polledAt == nil ? "reading…" : "no lines since \(Format.timestamp(logs.start)) UTC (polled \(logs.polledAt.map(Format.clock) ?? "-"))")
            screen.put("  " + ErrorText.oneLine(why), x: 0, y: top + 1, style: Style(.muted), maxWidth: screen.width - 2)
            return
        }
        let search = LogSearch(ui.logs.search)
        let showStream = { if case .deployment = target.source { return false } else { return true } }()
        var rendered: [Line] = []
        if ui.logs.follow {
            // From the newest line back until the screen is full.
            var seq = logs.endSeq - 1
            while seq >= logs.firstSeq, rendered.count < lineRows, let line = logs.line(seq) {
                rendered.insert(contentsOf: logRows(line, seq: seq, ui: ui, search: search, showStream: showStream, width: screen.width), at: 0)
                seq -= 1
            }
            rendered = Array(rendered.suffix(lineRows))
        } else {
            var seq = max(ui.logs.top, logs.firstSeq)
            while seq < logs.endSeq, rendered.count < lineRows, let line = logs.line(seq) {
                rendered += logRows(line, seq: seq, ui: ui, search: search, showStream: showStream, width: screen.width)
                seq += 1
            }
        }
        for (row, line) in rendered.prefix(lineRows).enumerated() {
            var x = 0
            for span in line { x += screen.put(span.text, x: x, y: top + 1 + row, style: span.style, maxWidth: screen.width - x) }
        }
    }

    private func drawLogsTitle(_ screen: inout ScreenBuffer, target: LogsTarget, logs: LogsViewState?, state: DashboardState, ui: UIState, y: Int) {
        var right: [Span] = []
        if let logs {
            if ui.logs.follow {
                right.append(Span(" FOLLOWING ", Style(.ok, bold: true, reverse: true)))
            } else {
                let newer = max(0, logs.endSeq - max(ui.logs.top, logs.firstSeq) - (screen.height - 5))
                right.append(Span(" PAUSED" + (newer > 0 ? " +\(newer) newer" : "") + " (f follows) ", Style(.warn, bold: true, reverse: true)))
            }
            if !ui.logs.search.isEmpty {
                right.insert(Span("/\(ui.logs.search.truncated(toWidth: 16, ellipsis: glyphs.ellipsis)) \(logs.matchCount(LogSearch(ui.logs.search))) match(es) ", Style(.info)), at: 0)
            }
            if logs.catchingUp { right.insert(Span("reading older lines… ", Style(.muted)), at: 0) }
            if logs.unavailable != nil, !logs.lines.isEmpty { right.insert(Span("read failed, retrying ", Style(.error)), at: 0) }
            if ui.logs.wrap { right.insert(Span("wrap ", Style(.muted)), at: 0) }
            right.insert(Span("\(logs.lines.count) lines ", Style(.muted)), at: 0)
        }
        let title = sourceTitle(target, state: state)
        let name = target.serviceName + "  "
        // On a narrow screen the line count gives way first, then the title is cut (with an ellipsis).
        if name.displayWidth + title.displayWidth + right.reduce(0, { $0 + $1.text.displayWidth }) + 1 > screen.width, right.count > 1 {
            right.removeFirst()
        }
        let rightWidth = right.reduce(0) { $0 + $1.text.displayWidth }
        var x = screen.put(name, x: 0, y: y, style: Style(.normal, bold: true), maxWidth: max(0, screen.width - rightWidth - 1))
        let room = max(0, screen.width - rightWidth - x - 1)
        x += screen.put(title.displayWidth > room ? title.truncated(toWidth: room, ellipsis: glyphs.ellipsis) : title, x: x, y: y, style: Style(.info), maxWidth: room)
        var rx = max(x + 1, screen.width - rightWidth)
        for span in right where rx < screen.width { rx += screen.put(span.text, x: rx, y: y, style: span.style, maxWidth: screen.width - rx) }
    }

    /// `deployment log of UPDATE 1a2b3c4d (IN_PROGRESS)`, `service events and deployments`, `application`.
    func sourceTitle(_ target: LogsTarget, state: DashboardState) -> String {
        let since = target.from.map { " from \(Format.timestamp($0)) UTC" } ?? ""
        switch target.source {
        case .deployment(let operationId):
            let operation = state.detail?.serviceArn == target.serviceArn ? state.detail?.operations.first { $0.id == operationId } : nil
            let what = operation.map { "\(Self.shortType($0.type).uppercased()) \(operationId.prefix(8)) (\($0.status?.rawValue ?? "?"))" } ?? String(operationId.prefix(8))
            return "deployment log of \(what)\(since)"
        case .service: return "service events and deployments\(since)"
        case .application: return "application logs\(since)"
        }
    }

    /// One log line as screen rows: time, stream tag, message with the matches highlighted; one row cut
    /// at the width, or several when wrapping (continuations indented under the message).
    func logRows(_ line: LogsViewState.Line, seq: Int, ui: UIState, search: LogSearch, showStream: Bool, width: Int) -> [Line] {
        let current = ui.logs.match == seq
        var prefix: Line = [Span(current ? glyphs.pointer : " ", Style(.info, bold: true)), Span(Format.clock(line.time) + " ", Style(.muted))]
        if showStream { prefix.append(Span(line.stream.padded(toWidth: 15, ellipsis: glyphs.ellipsis) + " ", Style(.muted))) }
        let indent = prefix.reduce(0) { $0 + $1.text.displayWidth }
        let message = ErrorText.oneLine(sanitizeForTerminal(line.message))
        let failing = message.contains("failed") || message.contains("Rollback") || message.contains("Rolling back") || message.contains("ERROR")
        let base = failing ? Style(.error) : Style.plain
        let room = max(10, width - indent)
        guard ui.logs.wrap else {
            let cut = message.displayWidth > room ? message.truncated(toWidth: room, ellipsis: glyphs.ellipsis) : message
            return [prefix + highlighted(cut, search: search, base: base, current: current)]
        }
        let pieces = message.wrapped(toWidth: room)
        let pad = Span(String(repeating: " ", count: indent))
        return pieces.enumerated().map { index, piece in
            (index == 0 ? prefix : [pad]) + highlighted(piece, search: search, base: base, current: current)
        }
    }

    /// `text` in `base`, with each match of `search` reversed (bold on the current match's line).
    func highlighted(_ text: String, search: LogSearch, base: Style, current: Bool) -> Line {
        let ranges = search.ranges(in: text)
        guard !ranges.isEmpty else { return [Span(text, base)] }
        var spans: Line = []
        var from = text.startIndex
        let mark = Style(.warn, bold: current, reverse: true)
        for range in ranges {
            if from < range.lowerBound { spans.append(Span(String(text[from..<range.lowerBound]), base)) }
            spans.append(Span(String(text[range]), mark))
            from = range.upperBound
        }
        if from < text.endIndex { spans.append(Span(String(text[from...]), base)) }
        return spans
    }
}
