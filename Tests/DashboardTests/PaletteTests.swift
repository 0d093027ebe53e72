@testable import Dashboard
import RunnerDeckKit
import Testing

/// Issue 17: one palette mapping, drawn at the terminal's colour depth (none, 8, 256), and COLORTERM honoured.
@Suite(.timeLimit(.minutes(1)))
struct PaletteTests {
    @Test func depthFollowsTheTerminfoColourCountAndNoColor() {
        #expect(ColorDepth.detect(colors: -1, noColor: false) == .none)  // no colours capability (vt100)
        #expect(ColorDepth.detect(colors: 0, noColor: false) == .none)
        #expect(ColorDepth.detect(colors: 8, noColor: false) == .ansi8)
        #expect(ColorDepth.detect(colors: 16, noColor: false) == .ansi8)
        #expect(ColorDepth.detect(colors: 88, noColor: false) == .ansi8)
        #expect(ColorDepth.detect(colors: 256, noColor: false) == .ansi256)
        // Direct-colour entries (xterm-direct) take RGB values above 7, not cube indexes: the 8 are safe.
        #expect(ColorDepth.detect(colors: 16_777_216, noColor: false) == .ansi8)
        #expect(ColorDepth.detect(colors: 256, noColor: true) == .none)
    }

    @Test func noColourDepthMapsNothing() {
        for role in ColorRole.allCases { #expect(Palette.foreground(role, depth: .none) == nil) }
    }

    @Test func eightColoursAreTheStandardOnes() {
        #expect(Palette.foreground(.ok, depth: .ansi8) == 2)
        #expect(Palette.foreground(.warn, depth: .ansi8) == 3)
        #expect(Palette.foreground(.error, depth: .ansi8) == 1)
        #expect(Palette.foreground(.info, depth: .ansi8) == 6)
        #expect(Palette.foreground(.accent, depth: .ansi8) == 5)
        for role in [ColorRole.normal, .title, .muted] { #expect(Palette.foreground(role, depth: .ansi8) == nil) }
    }

    @Test func twoHundredFiftySixColoursAreDistinctAndInRange() {
        let colours = [ColorRole.ok, .warn, .error, .info, .accent, .muted].compactMap { Palette.foreground($0, depth: .ansi256) }
        #expect(colours.count == 6)
        #expect(Set(colours).count == 6)
        #expect(colours.allSatisfy { (16..<256).contains($0) })  // beyond the 16 a theme may remap
        #expect(Palette.foreground(.normal, depth: .ansi256) == nil)
        #expect(Palette.foreground(.title, depth: .ansi256) == nil)
    }

    @Test func escapeCodesAtEachDepth() {
        func sgr(_ depth: ColorDepth, _ role: ColorRole) -> String {
            var sink = ANSIByteSink(depth: depth)
            sink.setStyle(Style(role))
            return String(decoding: sink.bytes, as: UTF8.self)
        }
        #expect(sgr(.none, .error) == "\u{1B}[0m")
        #expect(sgr(.ansi8, .error) == "\u{1B}[0;31m")
        #expect(sgr(.ansi256, .error) == "\u{1B}[0;38;5;\(Palette.foreground(.error, depth: .ansi256) ?? -1)m")
        #expect(sgr(.ansi256, .normal) == "\u{1B}[0m")
    }

    @Test func colortermTruecolorDrawsXtermWithTheTwoHundredFiftySixColourEntry() throws {
        let colours = ["xterm": 8, "xterm-256color": 256, "screen": 8, "screen-256color": 256, "vt100": -1]
        func choose(_ term: String, _ colorTerm: String?) throws -> (name: String, note: String?) {
            try TerminfoProbe.choose(term, colorTerm: colorTerm, probe: { colours[$0] != nil ? .usable : .missing },
                                     colors: { colours[$0] ?? -1 })
        }
        let upgraded = try choose("xterm", "truecolor")
        #expect(upgraded.name == "xterm-256color")
        #expect(upgraded.note == "COLORTERM=truecolor with TERM=xterm (8 colours); drawing as xterm-256color")
        #expect(try choose("screen", "24bit").name == "screen-256color")
        #expect(try choose("xterm", nil).name == "xterm")  // no COLORTERM: TERM as it is
        #expect(try choose("xterm", "yes").name == "xterm")  // only truecolor/24bit promise more colours
        #expect(try choose("vt100", "truecolor").name == "vt100")  // no -256color sibling
        #expect(try choose("xterm-256color", "truecolor").note == nil)
    }
}
