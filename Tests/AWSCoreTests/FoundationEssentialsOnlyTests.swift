import AWSCore
import Foundation
import Testing

/// The project's own modules use FoundationEssentials only (issue #17): any live reference into full
/// Foundation links CoreFoundation and, through it, ICU and its 34 MB data table into the static binary.
/// So no file under Sources/ imports Foundation, FoundationNetworking, FoundationXML or
/// FoundationInternationalization, generated ones included (Scripts/generate.py writes their imports).
@Suite(.timeLimit(.minutes(1)))
struct FoundationEssentialsOnlyTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    static let banned = ["Foundation", "FoundationNetworking", "FoundationXML", "FoundationInternationalization"]

    /// The module an `import` line brings in (`import Foundation`, `@preconcurrency import Foundation`,
    /// `import struct Foundation.Date`…), or nil for any other line.
    static func importedModule(_ line: String) -> String? {
        var words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        while let first = words.first, first.hasPrefix("@") || ["public", "internal", "package", "private", "fileprivate"].contains(first) {
            words.removeFirst()
        }
        guard words.first == "import", words.count >= 2 else { return nil }
        let kinds: Set<String> = ["struct", "class", "enum", "protocol", "typealias", "func", "var", "let"]
        let path = words.count >= 3 && kinds.contains(words[1]) ? words[2] : words[1]
        return path.split(separator: ".").first.map(String.init)
    }

    @Test func importLinesAreRecognised() {
        #expect(Self.importedModule("import Foundation") == "Foundation")
        #expect(Self.importedModule("@preconcurrency import Foundation") == "Foundation")
        #expect(Self.importedModule("import struct Foundation.Date") == "Foundation")
        #expect(Self.importedModule("@_exported public import FoundationNetworking") == "FoundationNetworking")
        #expect(Self.importedModule("import FoundationEssentials") == "FoundationEssentials")
        #expect(Self.importedModule("// import Foundation") == nil)
    }

    @Test func noSourceFileImportsFullFoundation() throws {
        let files = try FileManager.default.subpathsOfDirectory(atPath: Self.sources.path).filter { $0.hasSuffix(".swift") }
        #expect(files.count > 100, "Sources/ not found at \(Self.sources.path)")
        var offenders: [String] = []
        for file in files.sorted() {
            let text = try String(contentsOf: Self.sources.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") {
                if let module = Self.importedModule(String(line)), Self.banned.contains(module) {
                    offenders.append("\(file): \(line)")
                }
            }
        }
        #expect(offenders.isEmpty, "full Foundation imported (use FoundationEssentials): \(offenders)")
    }
}
