import Foundation

extension JMESValue {
    /// The value as JSON text: compact (`{"a":1,"b":[1,2]}`, as `to_string` writes it) or pretty
    /// (four-space indent and `": "`, as `aws … --output json` and the project's CLI print).
    public func jsonText(pretty: Bool = false) -> String {
        var out = ""
        write(to: &out, pretty: pretty, depth: 0)
        return out
    }

    /// `jsonText(pretty:)` as UTF-8 bytes.
    public func jsonData(pretty: Bool = false) -> Data {
        Data(jsonText(pretty: pretty).utf8)
    }

    private func write(to out: inout String, pretty: Bool, depth: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .number(let value): out += Self.numberText(value)
        case .string(let text): Self.quote(text, into: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                Self.newline(&out, pretty: pretty, depth: depth + 1)
                item.write(to: &out, pretty: pretty, depth: depth + 1)
            }
            Self.newline(&out, pretty: pretty, depth: depth)
            out += "]"
        case .object(let object):
            if object.members.isEmpty { out += "{}"; return }
            out += "{"
            for (index, member) in object.members.enumerated() {
                if index > 0 { out += "," }
                Self.newline(&out, pretty: pretty, depth: depth + 1)
                Self.quote(member.key, into: &out)
                out += pretty ? ": " : ":"
                member.value.write(to: &out, pretty: pretty, depth: depth + 1)
            }
            Self.newline(&out, pretty: pretty, depth: depth)
            out += "}"
        }
    }

    private static func newline(_ out: inout String, pretty: Bool, depth: Int) {
        guard pretty else { return }
        out += "\n"
        out += String(repeating: " ", count: depth * 4)
    }

    /// Integers without a fraction (`3`, not `3.0`); other numbers in the shortest form that reads back.
    static func numberText(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if isExactInteger(value) { return String(Int64(value)) }
        return "\(value)"
    }

    /// A JSON string literal; non-ASCII characters are written as they are.
    static func quote(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
