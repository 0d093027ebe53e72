import FoundationEssentials
import JMESPath

/// Decoding failures in AWS's words (what was expected where, and what was found), for both sides of
/// the wire of a generated service: a request Local App Runner cannot read (`SerializationException`)
/// and a response the client cannot read. Never a Swift type name.
enum WireDecoding {
    /// What was wrong with `body` as a `type`, after decoding it threw `error`.
    static func explain<T: Decodable>(_ error: any Error, decoding type: T.Type, body: Data) -> String {
        guard let error = error as? DecodingError else { return "The body could not be read." }
        switch error {
        case .typeMismatch(let expected, let context):
            return "Expected \(kind(expected)) at \(place(context.codingPath))\(found(context.debugDescription))."
        case .valueNotFound(let expected, let context):
            return "Expected \(kind(expected)) at \(place(context.codingPath)) but found null."
        case .keyNotFound(let key, let context):
            return "Member '\(key.stringValue)' is missing at \(place(context.codingPath))."
        case .dataCorrupted(let context):
            if !context.codingPath.isEmpty {
                return "The value at \(place(context.codingPath)) is not valid."
            }
            // Foundation reports a number that does not fit (1.5 or 1e400 for an integer) as invalid JSON
            // without a path: find the number whose replacement makes the body decode past it.
            guard let numbers = JSONNumbers.unusual(in: body) else { return "The body is not valid JSON." }
            /// Whether `body` decodes past its numbers once each is replaced (by "0", or as `replacements` say).
            func passes(_ replacements: [Range<Int>: String]) -> Bool {
                var patched = body
                for number in numbers.sorted(by: { $0.range.lowerBound > $1.range.lowerBound }) {
                    let offset = patched.startIndex
                    patched.replaceSubrange((number.range.lowerBound + offset)..<(number.range.upperBound + offset),
                                            with: Data((replacements[number.range] ?? "0").utf8))
                }
                do {
                    _ = try AWSModelJSON.decode(type, from: patched)
                } catch let DecodingError.dataCorrupted(other) where other.codingPath.isEmpty {
                    return false
                } catch {}
                return true
            }
            guard !numbers.isEmpty, passes([:]) else { return "The body is not valid JSON." }
            for number in numbers where !passes([number.range: number.text]) {
                return passes([number.range: "0.5"])
                    ? "The number \(number.text) at '\(number.path)' is out of range."
                    : "Expected an integer at '\(number.path)' but found \(number.text)."
            }
            return "The body is not valid JSON."
        @unknown default:
            return "The body could not be read."
        }
    }

    static func place(_ path: [any CodingKey]) -> String {
        let text = path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".").replacingEvery(".[", with: "[")
        return text.isEmpty ? "the top level" : "'\(text)'"
    }

    static func kind(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Int8.Type, is Int16.Type, is Int32.Type, is Int64.Type,
             is UInt.Type, is UInt8.Type, is UInt16.Type, is UInt32.Type, is UInt64.Type:
            return "an integer"
        case is Double.Type, is Float.Type, is Date.Type: return "a number"
        case is Bool.Type: return "a boolean"
        case is String.Type: return "a string"
        default:
            let name = String(describing: type)
            if name.hasPrefix("Array") { return "a list" }
            return "an object"
        }
    }

    /// " but found a string" from Foundation's "Expected to decode Int but found a string instead."
    static func found(_ debugDescription: String) -> String {
        guard let start = debugDescription.firstRange(of: "but found "), let end = debugDescription[start.upperBound...].firstRange(of: " instead") else {
            return ""
        }
        let what = debugDescription[start.upperBound..<end.lowerBound].lowercased()
        let words: [String: String] = ["a string": "a string", "string": "a string", "number": "a number", "a number": "a number",
                                       "a dictionary": "an object", "dictionary": "an object", "an array": "a list", "array": "a list",
                                       "bool": "a boolean", "a bool": "a boolean", "null": "null"]
        return words[what].map { " but found \($0)" } ?? ""
    }
}

/// The numbers of a JSON text that are not plain integers of 64-bit range (fractions, exponents, huge),
/// with their place. nil when the text is not well-formed JSON.
enum JSONNumbers {
    struct Number {
        var path: String
        var text: String
        var range: Range<Int>
    }

    static func unusual(in data: Data) -> [Number]? {
        let bytes = [UInt8](data)
        var index = 0
        var found: [Number] = []
        func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[index]) { index += 1 }
        }
        func string() -> String? {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { return nil }
            index += 1
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
            }
            guard index < bytes.count else { return nil }
            defer { index += 1 }
            let raw = String(decoding: bytes[start..<index], as: UTF8.self)
            return (try? JMESValue(json: Data("\"\(raw)\"".utf8)))?.asString ?? raw
        }
        func value(_ path: String, depth: Int) -> Bool {
            guard depth < 512 else { return false }
            skipSpace()
            guard index < bytes.count else { return false }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return true }
                while true {
                    skipSpace()
                    guard let key = string() else { return false }
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
                    index += 1
                    guard value(path.isEmpty ? key : "\(path).\(key)", depth: depth + 1) else { return false }
                    skipSpace()
                    guard index < bytes.count else { return false }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    guard bytes[index] == UInt8(ascii: "}") else { return false }
                    index += 1
                    return true
                }
            case UInt8(ascii: "["):
                index += 1
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return true }
                var item = 0
                while true {
                    guard value("\(path)[\(item)]", depth: depth + 1) else { return false }
                    item += 1
                    skipSpace()
                    guard index < bytes.count else { return false }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    guard bytes[index] == UInt8(ascii: "]") else { return false }
                    index += 1
                    return true
                }
            case UInt8(ascii: "\""):
                return string() != nil
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let start = index
                while index < bytes.count, "+-0123456789.eE".utf8.contains(bytes[index]) { index += 1 }
                let text = String(decoding: bytes[start..<index], as: UTF8.self)
                let fractional = text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" })
                if fractional || Int64(text) == nil {
                    found.append(Number(path: path, text: text, range: start..<index))
                }
                return true
            default:
                for word in ["true", "false", "null"] where bytes[index...].starts(with: word.utf8) {
                    index += word.utf8.count
                    return true
                }
                return false
            }
        }
        guard value("", depth: 0) else { return nil }
        skipSpace()
        return index == bytes.count ? found : nil
    }
}
