import RunnerDeckKit
/// Receives the drawing of a frame: cursor moves, style changes and text runs.
protocol PaintSink {
    mutating func beginFrame()
    mutating func move(row: Int, column: Int)
    mutating func setStyle(_ style: Style)
    /// Writes text at the cursor; the cursor advances by its display width.
    mutating func write(_ text: String, width: Int)
    mutating func endFrame()
}

/// Paints only the cells that changed since the previous frame, in runs.
///
/// A run is a stretch of changed cells on one row; two runs separated by a few unchanged cells are
/// merged when rewriting those cells is cheaper than a cursor move. A changed half of a wide
/// character repaints the whole character.
struct DiffPainter: Sendable {
    public private(set) var previous: ScreenBuffer?
    /// Unchanged cells that may be rewritten to save a cursor move (a move costs ~6–8 bytes).
    var mergeGap = 4

    public init() {}

    /// Forgets the previous frame so the next paint draws everything (after a resize or Ctrl-L).
    public mutating func invalidate() { previous = nil }

    /// Paints `frame`; returns the number of cells written.
    @discardableResult
    mutating func paint<Sink: PaintSink>(_ frame: ScreenBuffer, to sink: inout Sink) -> Int {
        let old: ScreenBuffer? = (previous?.width == frame.width && previous?.height == frame.height) ? previous : nil
        sink.beginFrame()
        var written = 0
        var currentStyle: Style?
        for y in 0..<frame.height {
            var x = 0
            while x < frame.width {
                if let old, old[x, y] == frame[x, y] { x += 1; continue }
                // Start of a run; back up to the lead cell of a wide character.
                var start = x
                if frame[start, y].isContinuation, start > 0 { start -= 1 }
                var end = x + 1  // exclusive
                var probe = end
                var gap = 0
                while probe < frame.width {
                    let same = old.map { $0[probe, y] == frame[probe, y] } ?? false
                    if same {
                        gap += 1
                        if gap > mergeGap { break }
                    } else {
                        gap = 0
                        end = probe + 1
                    }
                    probe += 1
                }
                // Include the right half of a wide character at the end.
                if end < frame.width, frame[end, y].isContinuation { end += 1 }
                sink.move(row: y, column: start)
                var column = start
                var runText = ""
                var runWidth = 0
                while column < end {
                    let cell = frame[column, y]
                    if cell.isContinuation { column += 1; continue }
                    if cell.style != currentStyle {
                        if !runText.isEmpty { sink.write(runText, width: runWidth); runText = ""; runWidth = 0 }
                        sink.setStyle(cell.style)
                        currentStyle = cell.style
                    }
                    let w = (column + 1 < frame.width && frame[column + 1, y].isContinuation) ? 2 : 1
                    runText += cell.text
                    runWidth += w
                    written += 1
                    column += w
                }
                if !runText.isEmpty { sink.write(runText, width: runWidth) }
                x = max(end, start + 1)
            }
        }
        sink.endFrame()
        previous = frame
        return written
    }
}

/// A sink that renders ANSI/VT100 escape sequences into bytes, as a terminal would receive them
/// (absolute cursor moves only when needed, SGR only on style change). Used to measure how many
/// bytes a refresh costs and by tests.
struct ANSIByteSink: PaintSink {
    public private(set) var bytes: [UInt8] = []
    var depth: ColorDepth
    /// Wraps each frame in synchronized-output codes (`ESC[?2026h` … `ESC[?2026l`).
    var synchronizedOutput: Bool
    private var cursorRow = -1
    private var cursorColumn = -1
    private var style: Style?

    public init(depth: ColorDepth = .ansi8, synchronizedOutput: Bool = false) {
        self.depth = depth
        self.synchronizedOutput = synchronizedOutput
    }

    public mutating func reset() { bytes.removeAll(keepingCapacity: true) }

    mutating func beginFrame() {
        if synchronizedOutput { append("\u{1B}[?2026h") }
    }

    public mutating func move(row: Int, column: Int) {
        if row == cursorRow && column == cursorColumn { return }
        if row == cursorRow && column > cursorColumn && column - cursorColumn <= 3 {
            append("\u{1B}[\(column - cursorColumn)C")
        } else {
            append("\u{1B}[\(row + 1);\(column + 1)H")
        }
        cursorRow = row
        cursorColumn = column
    }

    mutating func setStyle(_ newStyle: Style) {
        if newStyle == style { return }
        style = newStyle
        var codes = ["0"]
        if newStyle.bold { codes.append("1") }
        if newStyle.dim { codes.append("2") }
        if newStyle.underline { codes.append("4") }
        if newStyle.reverse { codes.append("7") }
        if let fg = Palette.foreground(newStyle.role, depth: depth) { codes.append(depth == .ansi256 ? "38;5;\(fg)" : "3\(fg)") }
        append("\u{1B}[" + codes.joined(separator: ";") + "m")
    }

    public mutating func write(_ text: String, width: Int) {
        append(text)
        cursorColumn += width
    }

    mutating func endFrame() {
        if synchronizedOutput { append("\u{1B}[?2026l") }
    }

    private mutating func append(_ s: String) { bytes.append(contentsOf: s.utf8) }
}

/// How many colours the terminal draws: from its terminfo entry's `colors`, none with `--no-color` / `NO_COLOR`.
public enum ColorDepth: Sendable, Hashable {
    case none
    /// The 8 standard colours (also 16- and 88-colour terminals: the 8 are the ones every theme keeps).
    case ansi8
    /// The xterm 256-colour palette (its cube and greys).
    case ansi256

    /// `colors` is the terminfo number (-1 when the entry has none). Direct-colour entries (`xterm-direct`,
    /// 2^24 colours) take RGB values above 7 rather than palette indexes, so they draw the 8.
    public static func detect(colors: Int, noColor: Bool) -> ColorDepth {
        if noColor || colors < 8 { return .none }
        return colors == 256 ? .ansi256 : .ansi8
    }
}

/// The one palette: colour role → colour number at each depth, nil = the terminal's default foreground.
/// Without colour the roles still read: errors and warnings bold, muted dim (``CursesSink``).
public enum Palette {
    public static func foreground(_ role: ColorRole, depth: ColorDepth) -> Int? {
        switch depth {
        case .none: return nil
        case .ansi8:
            switch role {
            case .normal, .title, .muted: return nil
            case .ok: return 2
            case .warn: return 3
            case .error: return 1
            case .info: return 6
            case .accent: return 5
            }
        case .ansi256:
            // Mid-brightness cube colours, readable on dark and light backgrounds; muted is a grey rather
            // than the dim attribute, which many terminals ignore.
            switch role {
            case .normal, .title: return nil
            case .ok: return 34
            case .warn: return 172
            case .error: return 160
            case .info: return 38
            case .accent: return 134
            case .muted: return 244
            }
        }
    }
}
