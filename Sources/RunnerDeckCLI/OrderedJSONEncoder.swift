import FoundationEssentials

/// A JSON encoder that keeps members in the order `encode(to:)` writes them (the model's member
/// order for the generated shapes, as botocore prints them) and prints like Python's
/// `json.dumps(indent=4, ensure_ascii=False)`. Foundation's JSONEncoder on Linux does not keep order.
struct OrderedJSONEncoder {
    var dateText: @Sendable (Date) -> String
    /// One line, like `json.dumps(value)` without `indent` (for a stream of documents, one a line).
    var compact = false

    func encode<T: Encodable>(_ value: T) throws -> String {
        var out = ""
        try tree(value).write(to: &out, depth: compact ? nil : 0)
        return out
    }

    /// `value` as a tree of JSON values, before it is written (what `--query` reads, without text).
    func tree<T: Encodable>(_ value: T) throws -> JSONNode {
        let root = JSONNode()
        try JSONNodeEncoder.store(value, into: root, path: [], dateText: dateText)
        return root
    }
}

/// A JSON value under construction: a scalar's text, an object's members in order, or an array.
final class JSONNode {
    enum Content {
        case empty
        /// JSON text: a number, true, false, null, or a date as the encoder's `dateText` wrote it.
        case scalar(String)
        /// A string, not yet quoted.
        case string(String)
        case object([(String, JSONNode)])
        case array([JSONNode])
    }

    var content: Content = .empty

    func append(key: String, _ node: JSONNode) {
        if case .object(var members) = content {
            content = .empty
            members.append((key, node))
            content = .object(members)
        } else {
            content = .object([(key, node)])
        }
    }

    func append(_ node: JSONNode) {
        if case .array(var items) = content {
            content = .empty
            items.append(node)
            content = .array(items)
        } else {
            content = .array([node])
        }
    }

    /// Indented by `depth` levels of 4 spaces, or on one line when `depth` is nil.
    func write(to out: inout String, depth: Int?) {
        guard let depth else {
            writeCompact(to: &out)
            return
        }
        switch content {
        case .empty:
            out += "null"
        case .scalar(let text):
            out += text
        case .string(let text):
            out += JSONNode.quote(text)
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{"
            for (index, member) in members.enumerated() {
                out += index == 0 ? "\n" : ",\n"
                out += String(repeating: " ", count: (depth + 1) * 4)
                out += JSONNode.quote(member.0) + ": "
                member.1.write(to: &out, depth: depth + 1)
            }
            out += "\n" + String(repeating: " ", count: depth * 4) + "}"
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (index, item) in items.enumerated() {
                out += index == 0 ? "\n" : ",\n"
                out += String(repeating: " ", count: (depth + 1) * 4)
                item.write(to: &out, depth: depth + 1)
            }
            out += "\n" + String(repeating: " ", count: depth * 4) + "]"
        }
    }

    /// Python's `json.dumps` separators: `, ` and `: `.
    private func writeCompact(to out: inout String) {
        switch content {
        case .empty:
            out += "null"
        case .scalar(let text):
            out += text
        case .string(let text):
            out += JSONNode.quote(text)
        case .object(let members):
            out += "{" + members.map { member in
                var item = JSONNode.quote(member.0) + ": "
                member.1.writeCompact(to: &item)
                return item
            }.joined(separator: ", ") + "}"
        case .array(let items):
            out += "[" + items.map { item in
                var text = ""
                item.writeCompact(to: &text)
                return text
            }.joined(separator: ", ") + "]"
        }
    }

    /// A JSON string as Python writes it with `ensure_ascii=False`.
    static func quote(_ text: String) -> String {
        var out = "\""
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
        return out + "\""
    }
}

struct JSONNodeEncoder: Encoder {
    let node: JSONNode
    let codingPath: [any CodingKey]
    let dateText: @Sendable (Date) -> String
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    static func store<T: Encodable>(_ value: T, into node: JSONNode, path: [any CodingKey], dateText: @escaping @Sendable (Date) -> String) throws {
        switch value {
        case let date as Date: node.content = .scalar(dateText(date))
        case let string as String: node.content = .string(string)
        case let bool as Bool: node.content = .scalar(bool ? "true" : "false")
        case let int as Int: node.content = .scalar(String(int))
        case let int as Int64: node.content = .scalar(String(int))
        case let int as Int32: node.content = .scalar(String(int))
        case let double as Double: node.content = .scalar(double.isFinite ? String(double) : "null")
        case let float as Float: node.content = .scalar(float.isFinite ? String(float) : "null")
        case let map as [String: String]:
            // Dictionaries have no order of their own: sorted, so output is stable.
            node.content = .object([])
            for key in map.keys.sorted() {
                let child = JSONNode()
                child.content = .string(map[key] ?? "")
                node.append(key: key, child)
            }
        default:
            try value.encode(to: JSONNodeEncoder(node: node, codingPath: path, dateText: dateText))
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.content {} else { node.content = .object([]) }
        return KeyedEncodingContainer(KeyedContainer<Key>(node: node, codingPath: codingPath, dateText: dateText))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = node.content {} else { node.content = .array([]) }
        return UnkeyedContainer(node: node, codingPath: codingPath, dateText: dateText)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleContainer(node: node, codingPath: codingPath, dateText: dateText)
    }

    struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let node: JSONNode
        let codingPath: [any CodingKey]
        let dateText: @Sendable (Date) -> String

        mutating func encodeNil(forKey key: Key) throws {
            let child = JSONNode()
            child.content = .scalar("null")
            node.append(key: key.stringValue, child)
        }

        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
            let child = JSONNode()
            try JSONNodeEncoder.store(value, into: child, path: codingPath + [key], dateText: dateText)
            node.append(key: key.stringValue, child)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
            let child = JSONNode()
            node.append(key: key.stringValue, child)
            return JSONNodeEncoder(node: child, codingPath: codingPath + [key], dateText: dateText).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            let child = JSONNode()
            node.append(key: key.stringValue, child)
            return JSONNodeEncoder(node: child, codingPath: codingPath + [key], dateText: dateText).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder {
            let child = JSONNode()
            node.append(key: "super", child)
            return JSONNodeEncoder(node: child, codingPath: codingPath, dateText: dateText)
        }

        mutating func superEncoder(forKey key: Key) -> any Encoder {
            let child = JSONNode()
            node.append(key: key.stringValue, child)
            return JSONNodeEncoder(node: child, codingPath: codingPath + [key], dateText: dateText)
        }
    }

    struct UnkeyedContainer: UnkeyedEncodingContainer {
        let node: JSONNode
        let codingPath: [any CodingKey]
        let dateText: @Sendable (Date) -> String
        var count: Int {
            if case .array(let items) = node.content { return items.count }
            return 0
        }

        mutating func encodeNil() throws {
            let child = JSONNode()
            child.content = .scalar("null")
            node.append(child)
        }

        mutating func encode<T: Encodable>(_ value: T) throws {
            let child = JSONNode()
            try JSONNodeEncoder.store(value, into: child, path: codingPath, dateText: dateText)
            node.append(child)
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
            let child = JSONNode()
            node.append(child)
            return JSONNodeEncoder(node: child, codingPath: codingPath, dateText: dateText).container(keyedBy: keyType)
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
            let child = JSONNode()
            node.append(child)
            return JSONNodeEncoder(node: child, codingPath: codingPath, dateText: dateText).unkeyedContainer()
        }

        mutating func superEncoder() -> any Encoder {
            let child = JSONNode()
            node.append(child)
            return JSONNodeEncoder(node: child, codingPath: codingPath, dateText: dateText)
        }
    }

    struct SingleContainer: SingleValueEncodingContainer {
        let node: JSONNode
        let codingPath: [any CodingKey]
        let dateText: @Sendable (Date) -> String

        mutating func encodeNil() throws { node.content = .scalar("null") }

        mutating func encode<T: Encodable>(_ value: T) throws {
            try JSONNodeEncoder.store(value, into: node, path: codingPath, dateText: dateText)
        }
    }
}
