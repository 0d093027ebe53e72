@testable import Dashboard
import Testing

/// Issue 17: a TERM with no terminfo entry on this host (xterm-kitty, alacritty, wezterm over ssh)
/// falls back to the closest entry that exists, with one line saying so, instead of refusing.
@Suite(.timeLimit(.minutes(1))) struct TerminalTypeTests {
    @Test func aMissingEntryFallsBackInOrder() throws {
        let known: Set<String> = ["xterm", "vt100"]
        let choice = try TerminfoProbe.choose("xterm-kitty") { known.contains($0) ? .usable : .missing }
        #expect(choice.name == "xterm")
        #expect(choice.note == "TERM=xterm-kitty has no terminfo entry on this host; drawing as xterm")
        let direct = try TerminfoProbe.choose("vt100") { known.contains($0) ? .usable : .missing }
        #expect(direct.name == "vt100" && direct.note == nil)
    }

    @Test func aTerminalThatCannotAddressTheCursorIsStillRefused() {
        #expect(throws: TerminalError.self) { try TerminfoProbe.choose("dumb") { $0 == "dumb" ? .noCursorAddressing : .usable } }
    }

    @Test func noFallbackAtAllIsAClearError() {
        do {
            _ = try TerminfoProbe.choose("xterm-kitty") { _ in .missing }
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("'xterm-kitty' is not known on this host"))
        }
    }

    @Test func theRealProbeFindsTheFallbacksHere() throws {
        let choice = try TerminfoProbe.choose("xterm-no-such-terminal-type")
        #expect(TerminfoProbe.fallbacks.contains(choice.name))
        #expect(choice.note?.contains("xterm-no-such-terminal-type") == true)
    }
}
