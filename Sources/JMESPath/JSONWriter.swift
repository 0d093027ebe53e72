import FoundationEssentials

extension JMESValue {
    /// The value as JSON text: compact (`{"a":1,"b":[1,2]}`, as `to_string` writes it) or pretty
    /// (four-space indent and `": "`, as `aws … --output json` and the project's CLI print).
    public func jsonText(pretty: Bool = false) -> String {
        var out = ""
        write(to: &out, pretty: pretty, ascii: false, depth: 0)
        return out
    }

    /// Compact JSON with `/` written as `\/`, as Foundation's `JSONSerialization` writes it (bodies that
    /// must stay byte for byte what they were when it wrote them).
    public func jsonText(escapingSlashes: Bool) -> String {
        var out = ""
        write(to: &out, pretty: false, ascii: false, slashes: escapingSlashes, depth: 0)
        return out
    }

    /// Compact JSON with non-ASCII characters as `\u` escapes (Python's default, which `to_string` follows).
    func jsonText(asciiOnly: Bool) -> String {
        var out = ""
        write(to: &out, pretty: false, ascii: asciiOnly, depth: 0)
        return out
    }

    /// `jsonText(pretty:)` as UTF-8 bytes.
    public func jsonData(pretty: Bool = false) -> Data {
        Data(jsonText(pretty: pretty).utf8)
    }

    private func write(to out: inout String, pretty: Bool, ascii: Bool, slashes: Bool = false, depth: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .number(let value, let float): out += Self.numberText(value, float: float)
        case .string(let text): Self.quote(text, ascii: ascii, slashes: slashes, into: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                Self.newline(&out, pretty: pretty, depth: depth + 1)
                item.write(to: &out, pretty: pretty, ascii: ascii, slashes: slashes, depth: depth + 1)
            }
            Self.newline(&out, pretty: pretty, depth: depth)
            out += "]"
        case .object(let object):
            if object.members.isEmpty { out += "{}"; return }
            out += "{"
            for (index, member) in object.members.enumerated() {
                if index > 0 { out += "," }
                Self.newline(&out, pretty: pretty, depth: depth + 1)
                Self.quote(member.key, ascii: ascii, slashes: slashes, into: &out)
                out += pretty ? ": " : ":"
                member.value.write(to: &out, pretty: pretty, ascii: ascii, slashes: slashes, depth: depth + 1)
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

    /// Integers without a fraction (`3`), floats with one (`3.0`), in the shortest form that reads back.
    static func numberText(_ value: Double, float: Bool) -> String {
        guard value.isFinite else { return "null" }
        if !float, isExactInteger(value) { return String(Int64(value)) }
        return "\(value)"
    }

    /// A JSON string literal; non-ASCII characters are written as they are unless `ascii`, `/` as `\/` when `slashes`.
    static func quote(_ text: String, ascii: Bool = false, slashes: Bool = false, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/" where slashes: out += "\\/"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 || (ascii && scalar.value > 0x7F && scalar.value <= 0xFFFF) {
                    escape(scalar.value, into: &out)
                } else if ascii && scalar.value > 0xFFFF {
                    let offset = scalar.value - 0x10000
                    escape(0xD800 + (offset >> 10), into: &out)
                    escape(0xDC00 + (offset & 0x3FF), into: &out)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    private static func escape(_ unit: UInt32, into out: inout String) {
        let hex = String(unit, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }
}
