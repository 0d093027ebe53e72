import Foundation
import Testing
@testable import AWSCore

/// The helpers that replace full-Foundation APIs in Sources/ give what those APIs gave (tests may use
/// full Foundation: they are not linked into the binary).
@Suite(.timeLimit(.minutes(1)))
struct EssentialsHelpersTests {
    static let texts = [
        "", " ", "\t", "plain", "  both  ", "\ttab\t", "\n\nnewlines\r\n", " \u{00A0}no-break\u{2003}", "\u{3000}ideographic\u{3000}",
        "\u{2028}line\u{2029}", "\u{85}next\u{0B}\u{0C}", " \u{301}combining", "a b\tc", "\r\n", "é \n",
    ]

    @Test func trimmingMatchesCharacterSets() {
        for text in Self.texts {
            #expect(text.trimming(.whitespaces) == text.trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
            #expect(text.trimmingWhitespace == text.trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
            #expect(text.trimming(.newlines) == text.trimmingCharacters(in: .newlines), "\(text.debugDescription)")
            #expect(text.trimming(.whitespacesAndNewlines) == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(text.debugDescription)")
            #expect(text.dropFirst().trimmingWhitespace == text.dropFirst().trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
        }
        #expect("[::1]".trimming(charactersIn: "[]") == "[::1]".trimmingCharacters(in: CharacterSet(charactersIn: "[]")))
        #expect("..a.b..".trimming(charactersIn: ".") == "a.b")
    }

    @Test func replacingEveryMatchesReplacingOccurrences() {
        let cases: [(String, String, String)] = [
            ("a\nb\r\nc", "\n", "\n  "), ("a\tb", "\t", " "), ("x", "", "y"), ("aaa", "aa", "b"), ("*.example.com", "*", "wildcard"),
            ("A-B C", " ", "_"), ("no match", "z", "y"), ("e\u{301}e", "e", "E"),
        ]
        for (text, target, replacement) in cases {
            #expect(text.replacingEvery(target, with: replacement) == text.replacingOccurrences(of: target, with: replacement),
                    "\(text.debugDescription) \(target.debugDescription)")
        }
    }

    @Test func caseInsensitiveSearch() {
        let message = "Error: Connection REFUSED; error again"
        #expect(message.caseInsensitiveRanges(of: "error").map { String(message[$0]) } == ["Error", "error"])
        #expect(message.containsCaseInsensitive("refused"))
        #expect(!message.containsCaseInsensitive("refusal"))
        #expect(!message.containsCaseInsensitive(""))
        #expect("Ünïcode".containsCaseInsensitive("üNÏ"))
        #expect("cafe\u{301}-api".containsCaseInsensitive("CAFE", ignoringDiacritics: true))
        #expect("api".containsCaseInsensitive("a\u{301}pi", ignoringDiacritics: true))
    }

    @Test func cFormatMatchesStringFormat() {
        #expect(String(cFormat: "%02x", UInt8(10)) == String(format: "%02x", UInt8(10)))
        #expect(String(cFormat: "%.3f", 1.0005) == String(format: "%.3f", 1.0005))
        #expect(String(cFormat: "%.1f%%", 99.95) == String(format: "%.1f%%", 99.95))
        #expect(String(cFormat: "%013lld%020lld", Int64(1_763_800_000_000), Int64(42)) == String(format: "%013lld%020lld", Int64(1_763_800_000_000), Int64(42)))
        #expect(String(cFormat: "%016llx%016llx", UInt64.max, UInt64(7)) == String(format: "%016llx%016llx", UInt64.max, UInt64(7)))
        #expect(String(cFormat: "%%%02X", UInt8(0xAF)) == "%AF")
        #expect(String(cFormat: "\\u%04x", UInt16(0xE9)) == "\\u00e9")
        #expect(String(cFormat: "%+.2f ms", -0.5) == String(format: "%+.2f ms", -0.5))
        let long = String(cFormat: "%0300d", 7)
        #expect(long.count == 300 && long.hasSuffix("7"))
    }

    @Test func datesMatchTheFormatters() throws {
        let iso = ISO8601DateFormatter()
        let common = DateFormatter()
        common.locale = Locale(identifier: "en_US_POSIX")
        common.timeZone = TimeZone(identifier: "UTC")
        common.dateFormat = "dd/MMM/yyyy:HH:mm:ss Z"
        for seconds in [0, 1_796_011_200.987, 951_782_400, 4_102_444_799.5, -86_401, 1_709_164_800] as [Double] {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(DateText.iso8601String(date) == iso.string(from: date), "\(seconds)")
            #expect(DateText.commonLogTime(date) == common.string(from: date), "\(seconds)")
        }
        #expect(DateText.iso8601("2026-11-30T05:00:00.5+01:00") == Date(timeIntervalSince1970: 1_796_011_200.5))
        #expect(DateText.iso8601("2026-11-30T05:00:00Z") == iso.date(from: "2026-11-30T05:00:00Z"))
        #expect(DateText.iso8601("2026-11-30T05:00:00+0100") == iso.date(from: "2026-11-30T05:00:00+0100"))
        #expect(DateText.iso8601("2026-11-30T05:00:00") == nil)
        #expect(DateText.iso8601("yesterday") == nil)

        let now = Date(timeIntervalSince1970: 1_796_011_200)
        for text in ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Sun Nov 6 08:49:37 1994",
                     "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Nov 1994 08:49:37 +0000", "Sun, 6 Nov 1994 08:49:37 GMT", "sun, 06 nov 1994 08:49:37 gmt",
                     "Thu, 29 Feb 2024 23:59:59 GMT", "Sunday, 06-Nov-1994 08:49:37 GMT"] {
            #expect(DateText.httpDate(text, now: now) == Date(timeIntervalSince1970: text.contains("2024") ? 1_709_251_199 : 784_111_777), "\(text)")
        }
        #expect(DateText.httpDate("Sun, 06 Nov 1994 09:49:37 +0100", now: now) == Date(timeIntervalSince1970: 784_111_777))
        for text in ["yesterday", "", "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 PST"] {
            #expect(DateText.httpDate(text, now: now) == nil, "\(text)")
        }
    }

    @Test func modelPatternsMatchAsICUDid() {
        let name = AWSPattern("[A-Za-z0-9][A-Za-z0-9-_]{3,39}")
        #expect(name.isUsable && name.matches("my-service") && !name.matches("my service") && !name.matches("ab"))
        // ICU's `$` also matched before one final line terminator.
        #expect(name.matches("my-service\n") && name.matches("my-service\r\n") && !name.matches("my-service\n\n"))
        let anchored = AWSPattern("^\\d{12}$")
        #expect(anchored.matches("123456789012") && anchored.matches("123456789012\n") && !anchored.matches("1234567890123"))
        let lookahead = AWSPattern("^(?!aws:).+")
        #expect(lookahead.matches("team") && !lookahead.matches("aws:team"))
        // `.` matches line separators.
        #expect(AWSPattern(".*").matches("two\nlines"))
        #expect(!AWSPattern("[").isUsable && AWSPattern("[").matches("anything"))
    }

    @Test func civilDaysRoundTrip() {
        for day in stride(from: -800_000, through: 800_000, by: 997) {
            let (year, month, dayOfMonth) = DateText.civil(day)
            #expect(DateText.days(year: year, month: month, day: dayOfMonth) == day)
        }
    }

    @Test func systemIOReadsWritesAndReportsErrors() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("essentials-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("log").path
        let descriptor = try SystemIO.openForAppending(path, mode: 0o600)
        try SystemIO.write(Array("one\n".utf8), to: descriptor)
        try SystemIO.write(Array(repeating: UInt8(ascii: "x"), count: 200_000), to: descriptor)
        SystemIO.close(descriptor)
        let again = try SystemIO.openForAppending(path)
        try SystemIO.write(Array("two\n".utf8), to: again)
        SystemIO.close(again)
        let data = try SystemIO.readFile(path)
        #expect(data.count == 4 + 200_000 + 4 && data.prefix(4) == Data("one\n".utf8) && data.suffix(4) == Data("two\n".utf8))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try SystemIO.readFile("/dev/null").isEmpty)
        #expect(throws: SystemIO.Failure.self) { try SystemIO.readFile(directory.appendingPathComponent("missing").path) }
        do throws(SystemIO.Failure) {
            _ = try SystemIO.readFile(directory.appendingPathComponent("missing").path)
        } catch {
            #expect(error.call == "open" && error.reason == "No such file or directory" && error.description == "open: No such file or directory")
        }
        #expect(SystemIO.homeDirectory() == NSHomeDirectory())
    }

    @Test func childProcessCollectsOutputStatusAndSignals() async throws {
        let outcome = try await ChildProcess.shell("printf out; printf err >&2; read line; echo \"[$line][$MARK]\"; exit 3", environment: ["MARK": "m"])
        #expect(outcome.status == 3)
        #expect(String(decoding: outcome.output, as: UTF8.self) == "out[][m]\n")
        #expect(String(decoding: outcome.errorOutput, as: UTF8.self) == "err")
        let killed = try await ChildProcess.shell("kill -TERM $$", environment: [:])
        #expect(killed.status == SIGTERM)
        let big = try await ChildProcess.shell("head -c 300000 /dev/zero; head -c 300000 /dev/zero >&2", environment: ["PATH": "/usr/bin:/bin"])
        #expect(big.status == 0 && big.output.count == 300_000 && big.errorOutput.count == 300_000)
    }
}
