import CNCurses
import FoundationEssentials
import RunnerDeckKit

/// Why the terminal could not be opened.
enum TerminalError: Error, CustomStringConvertible, Sendable {
    case notATerminal
    case unknownTerminal(String)
    /// The terminal type exists but cannot address the cursor (e.g. `dumb`), so no full screen.
    case incapableTerminal(String)
    case unsetTerminal

    public var description: String {
        switch self {
        case .notATerminal:
            return "runnerdeck: the dashboard needs a terminal (stdin and stdout must be a tty); use the scripting commands instead"
        case .unknownTerminal(let term):
            return "runnerdeck: the terminal type '\(term)' is not known on this host (no terminfo entry), and neither are xterm-256color, xterm or vt100. Install a terminfo entry (e.g. ncurses-term), or point TERMINFO at one"
        case .incapableTerminal(let term):
            return "runnerdeck: the terminal type '\(term)' cannot move the cursor (its terminfo entry has no cursor addressing), so a full-screen dashboard cannot run on it. Use a terminal such as TERM=xterm-256color, or the scripting commands (runnerdeck services)"
        case .unsetTerminal:
            return "runnerdeck: TERM is not set, so the terminal type is unknown. Set it, e.g. TERM=xterm-256color runnerdeck"
        }
    }
}

/// The OSC 52 "set clipboard" sequence.
enum OSC52 {
    static func sequence(for text: String) -> String {
        "\u{1B}]52;c;\(Data(text.utf8).base64EncodedString())\u{07}"
    }
}

/// What the terminfo database says of a terminal type, before curses takes the screen.
enum TerminfoProbe {
    enum Result { case usable, missing, noCursorAddressing }

    /// Tried in order when TERM has no entry here (a laptop's kitty, alacritty or wezterm over ssh).
    static let fallbacks = ["xterm-256color", "xterm", "vt100"]

    /// The terminfo entry to draw with: TERM's own, or the first fallback this host has (with the line
    /// that says so). A terminal that exists but cannot address the cursor is refused: no fallback
    /// would make it draw.
    ///
    /// `COLORTERM=truecolor` (or `24bit`) says the terminal draws far more colours than an 8-colour TERM
    /// such as `xterm` or `screen` claims (a common mismatch over ssh and in multiplexers): then the
    /// entry's `-256color` sibling draws, when this host has it.
    static func choose(_ term: String, colorTerm: String? = nil, probe: (String) -> Result = check,
                       colors: (String) -> Int = colorCount) throws -> (name: String, note: String?) {
        switch probe(term) {
        case .usable:
            if let colorTerm, ["truecolor", "24bit"].contains(colorTerm.lowercased()), !term.hasSuffix("-256color") {
                let count = colors(term)
                let sibling = term + "-256color"
                if count >= 0, count < 256, probe(sibling) == .usable, colors(sibling) == 256 {
                    return (sibling, "COLORTERM=\(colorTerm) with TERM=\(term) (\(count) colours); drawing as \(sibling)")
                }
            }
            return (term, nil)
        case .noCursorAddressing: throw TerminalError.incapableTerminal(term)
        case .missing:
            for candidate in fallbacks where probe(candidate) == .usable {
                return (candidate, "TERM=\(term) has no terminfo entry on this host; drawing as \(candidate)")
            }
            throw TerminalError.unknownTerminal(term)
        }
    }

    static func colorCount(_ term: String) -> Int { Int(rd_terminfo_colors(term)) }

    static func check(_ term: String) -> Result {
        switch rd_terminfo_probe(term) {
        case 0: return .missing
        case 1: return .noCursorAddressing
        default: return .usable
        }
    }
}

/// The ncurses screen. Used from exactly one thread (the UI loop's); not Sendable on purpose.
final class CursesTerminal {
    private var screen: OpaquePointer?
    let depth: ColorDepth
    private var active = false

    /// The terminal's modes as the shell left them, put back before every stop (Ctrl-Z), whatever
    /// curses did or did not restore.
    private var shellModes = termios()
    private var haveShellModes = false
    /// Set when TERM had no terminfo entry and a fallback draws instead (shown once on the status line).
    private(set) var fallbackNote: String?

    /// Opens the terminal with `newterm` (so an unknown TERM is an error, not an exit).
    init(noColor: Bool) throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { throw TerminalError.notATerminal }
        haveShellModes = tcgetattr(STDIN_FILENO, &shellModes) == 0
        let term = ProcessInfo.processInfo.environment["TERM"] ?? ""
        guard !term.isEmpty else { throw TerminalError.unsetTerminal }
        let choice = try TerminfoProbe.choose(term, colorTerm: ProcessInfo.processInfo.environment["COLORTERM"])
        fallbackNote = choice.note
        // ncurses reads ESCDELAY at start-up; set_escdelay below makes it explicit as well.
        guard let screen = newterm(choice.name, rd_stdout(), rd_stdin()) else { throw TerminalError.unknownTerminal(term) }
        self.screen = screen
        set_term(screen)
        active = true
        SignalBridge.setCursesActive(true)
        cbreak()
        noecho()
        nonl()
        keypad(rd_stdscr(), true)
        nodelay(rd_stdscr(), true)
        set_escdelay(50)
        curs_set(0)
        leaveok(rd_stdscr(), true)
        var depth = ColorDepth.detect(colors: Int(rd_screen_colors()), noColor: noColor)
        if depth != .none, has_colors(), start_color() != rd_err() {
            use_default_colors()
            // Pair n for role n: the role's foreground at this depth, background the terminal's.
            for role in ColorRole.allCases {
                if let fg = Palette.foreground(role, depth: depth) { init_pair(Int16(role.rawValue), Int16(fg), -1) }
            }
        } else {
            depth = .none
        }
        self.depth = depth
    }

    /// Rows and columns.
    func size() -> (width: Int, height: Int) {
        var rows: Int32 = 0
        var cols: Int32 = 0
        rd_getmaxyx(rd_stdscr(), &rows, &cols)
        return (Int(cols), Int(rows))
    }

    /// Applies the kernel's idea of the terminal size after SIGWINCH.
    func resizeFromKernel() {
        var rows: Int32 = 0
        var cols: Int32 = 0
        if rd_tty_size(STDOUT_FILENO, &rows, &cols) == 0, rows > 0, cols > 0 {
            resizeterm(rows, cols)
        }
    }

    /// Every key waiting in the input (non-blocking).
    func readKeys() -> [Key] {
        var keys: [Key] = []
        var pendingScalars: [Unicode.Scalar] = []
        while keys.count < 256 {
            var ch: wint_t = 0
            let result = wget_wch(rd_stdscr(), &ch)
            if result == rd_err() { break }
            if result == KEY_CODE_YES {
                if let key = Self.functionKey(Int32(ch)) { keys.append(key) }
                continue
            }
            let value = UInt32(ch)
            switch value {
            case 10, 13: keys.append(.enter)
            case 27: keys.append(.escape)
            case 9: keys.append(.tab)
            case 8, 127: keys.append(.backspace)
            case 1...26: keys.append(.ctrl(Character(Unicode.Scalar(UInt8(value) + 96))))
            default:
                if let scalar = Unicode.Scalar(value) {
                    pendingScalars.append(scalar)
                    keys.append(.char(Character(scalar)))
                }
            }
        }
        return keys
    }

    static func functionKey(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_ENTER: return .enter
        case KEY_BTAB: return .backTab
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_RESIZE: return .resize
        default:
            if code >= KEY_F0 && code <= KEY_F0 + 12 { return .function(Int(code - KEY_F0)) }
            return nil
        }
    }

    /// Paints the changes of `frame` and flushes once (wnoutrefresh + doupdate).
    func paint(_ frame: ScreenBuffer, painter: inout DiffPainter, clearFirst: Bool, synchronizedOutput: Bool) {
        if clearFirst {
            clearok(rd_stdscr(), true)
            painter.invalidate()
        }
        var sink = CursesSink(depth: depth)
        painter.paint(frame, to: &sink)
        wnoutrefresh(rd_stdscr())
        if synchronizedOutput { writeRaw("\u{1B}[?2026h") }
        doupdate()
        if synchronizedOutput { writeRaw("\u{1B}[?2026l") }
    }

    private func writeRaw(_ text: String) {
        fflush(rd_stdout())
        _ = text.withCString { write(STDOUT_FILENO, $0, strlen($0)) }
    }

    /// Ctrl-Z: hands the terminal back to the shell, stops, and on `fg` takes it again. Input typed
    /// for the shell meanwhile is dropped; the caller repaints the whole screen.
    func suspend() {
        guard active else { return }
        SignalBridge.setCursesActive(false)
        endwin()
        fflush(rd_stdout())
        if haveShellModes { _ = tcsetattr(STDIN_FILENO, TCSADRAIN, &shellModes) }
        SignalBridge.stopSelf()
        // Continued (fg): curses takes the terminal back on the next refresh.
        SignalBridge.setCursesActive(true)
        resizeFromKernel()
        clearok(rd_stdscr(), true)
        wrefresh(rd_stdscr())
        flushinp()
    }

    /// Puts `text` on the terminal's clipboard with OSC 52 (works over ssh; tmux passes it on, or
    /// keeps it in its buffer, with `set-clipboard on`).
    func copyToClipboard(_ text: String) {
        writeRaw(OSC52.sequence(for: text))
    }

    /// Drops every key typed but not yet read.
    func discardInput() {
        flushinp()
    }

    /// Restores the terminal (idempotent).
    func end() {
        guard active else { return }
        active = false
        SignalBridge.setCursesActive(false)
        // Without an alternate screen (vt100 and the like) the last frame would stay behind the prompt.
        if rd_has_alternate_screen() == 0 {
            wclear(rd_stdscr())
            wrefresh(rd_stdscr())
        }
        endwin()
        if let screen { delscreen(screen) }
        screen = nil
    }

    deinit { end() }
}

/// Paints through ncurses: cursor moves and attributes on stdscr, UTF-8 text with waddnstr.
struct CursesSink: PaintSink {
    let depth: ColorDepth

    mutating func beginFrame() {}
    mutating func endFrame() {}

    mutating func move(row: Int, column: Int) {
        wmove(rd_stdscr(), Int32(row), Int32(column))
    }

    mutating func setStyle(_ style: Style) {
        var attrs = rd_attr_normal()
        if style.bold || (depth == .none && (style.role == .error || style.role == .warn)) { attrs |= rd_attr_bold() }
        if style.reverse { attrs |= rd_attr_reverse() }
        if style.underline { attrs |= rd_attr_underline() }
        if style.dim || (style.role == .muted && Palette.foreground(.muted, depth: depth) == nil) { attrs |= rd_attr_dim() }
        var pair: Int16 = 0
        if Palette.foreground(style.role, depth: depth) != nil { pair = Int16(style.role.rawValue) }
        wattr_set(rd_stdscr(), attr_t(UInt32(bitPattern: attrs)), pair, nil)
    }

    mutating func write(_ text: String, width: Int) {
        _ = waddnstr(rd_stdscr(), text, -1)
    }
}
