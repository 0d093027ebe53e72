import FoundationEssentials

/// A JSON document as a tree that keeps the order of object members and the exact text of every
/// scalar, for ``JSONKeyOrder``: reading a document's key orders, and putting recorded orders back into
/// what Foundation's encoder wrote. Only documents that coders produced or accepted pass through it.
enum OrderedJSON {
    indirect enum Node {
        /// Members in document order: the decoded key, and the key's text as written.
        case object([(key: String, text: Substring, value: Node)])
        case array([Node])
        /// A string, number, true, false or null, as written.
        case scalar(Substring)
    }

    /// Key orders of every object, by coding path (see ``JSONKeyOrder/path(_:)``); empty when `data` is
    /// not JSON (the decoder will say why).
    static func keyOrders(_ data: Data) -> [String: [String]] {
        guard let text = String(data: data, encoding: .utf8), let root = parse(text) else { return [:] }
        var orders: [String: [String]] = [:]
        func walk(_ node: Node, _ path: [String]) {
            switch node {
            case .object(let members):
                orders[path.joined(separator: "\u{1}")] = members.map(\.key)
                for member in members { walk(member.value, path + [member.key]) }
            case .array(let elements):
                for (index, element) in elements.enumerated() { walk(element, path + ["#\(index)"]) }
            case .scalar:
                break
            }
        }
        walk(root, [])
        return orders
    }

    /// `data` with the members of the objects at the paths of `orders` put in that order (members not
    /// listed keep theirs, after the listed ones); `data` itself when there is nothing to change.
    static func reordering(_ data: Data, by orders: [String: [String]]) -> Data {
        guard !orders.isEmpty, let text = String(data: data, encoding: .utf8), let root = parse(text) else { return data }
        var out = ""
        func write(_ node: Node, _ path: [String]) {
            switch node {
            case .object(var members):
                if let order = orders[path.joined(separator: "\u{1}")] {
                    let rank = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
                    members = members.enumerated().sorted { (rank[$0.element.key] ?? .max, $0.offset) < (rank[$1.element.key] ?? .max, $1.offset) }
                        .map(\.element)
                }
                out += "{"
                for (index, member) in members.enumerated() {
                    if index > 0 { out += "," }
                    out += member.text + ":"
                    write(member.value, path + [member.key])
                }
                out += "}"
            case .array(let elements):
                out += "["
                for (index, element) in elements.enumerated() {
                    if index > 0 { out += "," }
                    write(element, path + ["#\(index)"])
                }
                out += "]"
            case .scalar(let text):
                out += text
            }
        }
        write(root, [])
        return Data(out.utf8)
    }

    // MARK: Parsing

    static func parse(_ text: String) -> Node? {
        var parser = Parser(text: text)
        guard let node = parser.value(depth: 0) else { return nil }
        parser.skipSpace()
        return parser.index == text.endIndex ? node : nil
    }

    struct Parser {
        let text: String
        var index: String.Index
        /// Deeper documents are not read (the decoder refuses them too).
        static let maxDepth = 512

        init(text: String) {
            self.text = text
            self.index = text.startIndex
        }

        mutating func skipSpace() {
            while index < text.endIndex, text[index] == " " || text[index] == "\n" || text[index] == "\r" || text[index] == "\t" {
                index = text.index(after: index)
            }
        }

        mutating func value(depth: Int) -> Node? {
            guard depth < Self.maxDepth else { return nil }
            skipSpace()
            guard index < text.endIndex else { return nil }
            switch text[index] {
            case "{": return object(depth: depth)
            case "[": return array(depth: depth)
            case "\"": return string().map { .scalar($0.text) }
            default: return scalar()
            }
        }

        mutating func object(depth: Int) -> Node? {
            index = text.index(after: index)
            var members: [(key: String, text: Substring, value: Node)] = []
            skipSpace()
            if index < text.endIndex, text[index] == "}" {
                index = text.index(after: index)
                return .object(members)
            }
            while true {
                skipSpace()
                guard index < text.endIndex, text[index] == "\"", let key = string() else { return nil }
                skipSpace()
                guard index < text.endIndex, text[index] == ":" else { return nil }
                index = text.index(after: index)
                guard let value = value(depth: depth + 1) else { return nil }
                members.append((key.value, key.text, value))
                skipSpace()
                guard index < text.endIndex else { return nil }
                if text[index] == "," { index = text.index(after: index); continue }
                if text[index] == "}" { index = text.index(after: index); return .object(members) }
                return nil
            }
        }

        mutating func array(depth: Int) -> Node? {
            index = text.index(after: index)
            var elements: [Node] = []
            skipSpace()
            if index < text.endIndex, text[index] == "]" {
                index = text.index(after: index)
                return .array(elements)
            }
            while true {
                guard let element = value(depth: depth + 1) else { return nil }
                elements.append(element)
                skipSpace()
                guard index < text.endIndex else { return nil }
                if text[index] == "," { index = text.index(after: index); continue }
                if text[index] == "]" { index = text.index(after: index); return .array(elements) }
                return nil
            }
        }

        /// A string at `index`: its decoded value and its text with the quotes.
        mutating func string() -> (value: String, text: Substring)? {
            let start = index
            var scalars = String.UnicodeScalarView()
            var position = text.unicodeScalars.index(after: index)
            let end = text.unicodeScalars.endIndex
            while position < end {
                let scalar = text.unicodeScalars[position]
                if scalar == "\"" {
                    index = text.unicodeScalars.index(after: position)
                    return (String(scalars), text[start..<index])
                }
                if scalar == "\\" {
                    position = text.unicodeScalars.index(after: position)
                    guard position < end else { return nil }
                    switch text.unicodeScalars[position] {
                    case "\"": scalars.append("\"")
                    case "\\": scalars.append("\\")
                    case "/": scalars.append("/")
                    case "b": scalars.append("\u{08}")
                    case "f": scalars.append("\u{0C}")
                    case "n": scalars.append("\n")
                    case "r": scalars.append("\r")
                    case "t": scalars.append("\t")
                    case "u":
                        guard let (unit, next) = hex4(after: position) else { return nil }
                        position = next
                        if (0xD800..<0xDC00).contains(unit) {
                            // A surrogate pair: the low half follows as \uXXXX.
                            let backslash = text.unicodeScalars.index(after: position)
                            guard backslash < end, text.unicodeScalars[backslash] == "\\" else { return nil }
                            let u = text.unicodeScalars.index(after: backslash)
                            guard u < end, text.unicodeScalars[u] == "u", let (low, after) = hex4(after: u),
                                  (0xDC00..<0xE000).contains(low) else { return nil }
                            position = after
                            guard let combined = Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)) else { return nil }
                            scalars.append(combined)
                        } else {
                            guard let decoded = Unicode.Scalar(unit) else { return nil }
                            scalars.append(decoded)
                        }
                    default:
                        return nil
                    }
                } else {
                    scalars.append(scalar)
                }
                position = text.unicodeScalars.index(after: position)
            }
            return nil
        }

        /// The four hex digits after `position` (which holds the `u`), and the index of the last one.
        func hex4(after position: String.Index) -> (UInt32, String.Index)? {
            var value: UInt32 = 0
            var current = position
            for _ in 0..<4 {
                current = text.unicodeScalars.index(after: current)
                guard current < text.unicodeScalars.endIndex, let digit = UInt32(String(text.unicodeScalars[current]), radix: 16) else { return nil }
                value = value * 16 + digit
            }
            return (value, current)
        }

        /// A number, true, false or null: the text up to the next delimiter.
        mutating func scalar() -> Node? {
            let start = index
            while index < text.endIndex, !",]} \n\r\t".contains(text[index]) {
                index = text.index(after: index)
            }
            return start < index ? .scalar(text[start..<index]) : nil
        }
    }
}
