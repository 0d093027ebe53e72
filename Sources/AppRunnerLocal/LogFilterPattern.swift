import AWSCore
import FoundationEssentials

/// The simple CloudWatch Logs filter patterns: terms that must all appear (`ERROR timeout`), quoted phrases
/// (`"Health check failed"`), and terms that must not appear (`-200`). Matching is case-sensitive, as in
/// CloudWatch. JSON (`{ ... }`), space-delimited (`[ ... ]`), `?` alternatives and regular expressions
/// (`%...%`) are refused with InvalidParameterException rather than matched wrongly.
struct LogFilterPattern: Sendable, Equatable {
    var required: [String] = []
    var excluded: [String] = []

    struct Unsupported: Error {
        var message: String
    }

    init(_ text: String?) throws(Unsupported) {
        let text = (text ?? "").trimmingWhitespace
        if let first = text.first, ["{", "[", "?", "%"].contains(first) {
            throw Unsupported(message: "Local App Runner supports terms, quoted phrases and -exclusions in filter patterns, not: \(text)")
        }
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == " " {
                index = text.index(after: index)
                continue
            }
            var negate = false
            if text[index] == "-" {
                negate = true
                index = text.index(after: index)
                guard index < text.endIndex else { break }
            }
            var term = ""
            if text[index] == "\"" {
                index = text.index(after: index)
                guard let close = text[index...].firstIndex(of: "\"") else {
                    throw Unsupported(message: "Invalid filter pattern: unterminated quote in \(text)")
                }
                term = String(text[index..<close])
                index = text.index(after: close)
            } else {
                let end = text[index...].firstIndex(of: " ") ?? text.endIndex
                term = String(text[index..<end])
                index = end
            }
            guard !term.isEmpty else { continue }
            if negate { excluded.append(term) } else { required.append(term) }
        }
    }

    func matches(_ message: String) -> Bool {
        // firstRange(of:), not contains(_:): in this module (GRDB's files import Foundation) that would be
        // Foundation's StringProtocol.contains.
        required.allSatisfy { message.firstRange(of: $0) != nil } && !excluded.contains { message.firstRange(of: $0) != nil }
    }
}
