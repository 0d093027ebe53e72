import FoundationEssentials

extension Function {
    /// Calls the function with arguments whose count the parser checked.
    func call(_ arguments: [Argument], offset: Int) throws -> JMESValue {
        try checkTypes(arguments, offset: offset)
        let values = arguments.map { argument -> JMESValue in
            if case .value(let value) = argument { return value }
            return .null
        }
        let first = values[0]
        switch self {
        case .abs: return .number(Swift.abs(first.numberValue), float: first.isFloat)
        case .ceil: return .number(first.numberValue.rounded(.up))
        case .floor: return .number(first.numberValue.rounded(.down))
        case .avg:
            let numbers = first.arrayValue.map(\.numberValue)
            return numbers.isEmpty ? .null : .number(numbers.reduce(0, +) / Double(numbers.count), float: true)
        case .sum: return .number(first.arrayValue.reduce(0) { $0 + $1.numberValue }, float: first.arrayValue.contains(where: \.isFloat))
        case .contains:
            switch first {
            case .string(let text):
                guard case .string(let search) = values[1] else { return .bool(false) }
                return .bool(search.isEmpty || text.contains(search))
            default:
                return .bool(first.arrayValue.contains(values[1]))
            }
        case .endsWith: return .bool(first.stringValue.unicodeScalars.elementsEqualSuffix(values[1].stringValue.unicodeScalars))
        case .startsWith: return .bool(first.stringValue.unicodeScalars.starts(with: values[1].stringValue.unicodeScalars))
        case .join: return .string(values[1].arrayValue.map(\.stringValue).joined(separator: first.stringValue))
        case .keys: return .array(first.objectValue.keys.map { .string($0) })
        case .values: return .array(first.objectValue.values)
        case .length:
            switch first {
            case .string(let text): return .number(Double(text.unicodeScalars.count))
            case .array(let items): return .number(Double(items.count))
            default: return .number(Double(first.objectValue.members.count))
            }
        case .map:
            guard case .expref(let node) = arguments[0] else { return .null }
            return .array(try values[1].arrayValue.map { try Interpreter.evaluate(node, $0) })
        case .max: return first.arrayValue.max(by: Self.ascending) ?? .null
        case .min: return first.arrayValue.min(by: Self.ascending) ?? .null
        case .sort: return .array(first.arrayValue.sorted(by: Self.ascending))
        case .maxBy, .minBy, .sortBy:
            guard case .expref(let node) = arguments[1] else { return .null }
            let items = first.arrayValue
            let keys = try sortKeys(items, node, offset: offset)
            let order = keys.indices.sorted { Self.ascending(keys[$0], keys[$1]) || (keys[$0] == keys[$1] && $0 < $1) }
            switch self {
            case .maxBy: return order.last.map { items[$0] } ?? .null
            case .minBy: return order.first.map { items[$0] } ?? .null
            default: return .array(order.map { items[$0] })
            }
        case .merge:
            var merged = JMESObject()
            for value in values {
                for (key, member) in value.objectValue.members { merged[key] = member }
            }
            return .object(merged)
        case .notNull: return values.first { $0 != .null } ?? .null
        case .reverse:
            if case .string(let text) = first { return .string(String(String.UnicodeScalarView(text.unicodeScalars.reversed()))) }
            return .array(first.arrayValue.reversed())
        case .toArray:
            if case .array = first { return first }
            return .array([first])
        case .toString:
            if case .string = first { return first }
            return .string(first.jsonText(asciiOnly: true))
        case .toNumber:
            switch first {
            case .number: return first
            case .string(let text):
                guard let number = try? JMESValue(jsonText: text), case .number = number else { return .null }
                return number
            default: return .null
            }
        case .type: return .string(first.typeName)
        }
    }

    /// The keys `max_by`, `min_by` and `sort_by` order by: all numbers or all strings.
    private func sortKeys(_ items: [JMESValue], _ node: Node, offset: Int) throws -> [JMESValue] {
        let keys = try items.map { try Interpreter.evaluate(node, $0) }
        guard let firstKey = keys.first else { return [] }
        for key in keys {
            switch (firstKey, key) {
            case (.number, .number), (.string, .string): continue
            default:
                throw JMESPathError(.invalidType, "\(rawValue)() expression must give all numbers or all strings, got \(key.typeName)", offset: offset)
            }
        }
        return keys
    }

    /// Numbers by value, strings by code point (the caller has checked the types agree).
    private static func ascending(_ lhs: JMESValue, _ rhs: JMESValue) -> Bool {
        switch (lhs, rhs) {
        case (.number(let a, _), .number(let b, _)): return a < b
        case (.string(let a), .string(let b)): return a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
        default: return false
        }
    }
}

extension JMESValue {
    var numberValue: Double { if case .number(let value, _) = self { return value } else { return 0 } }
    var isFloat: Bool { if case .number(_, let float) = self { return float } else { return false } }
    var stringValue: String { if case .string(let value) = self { return value } else { return "" } }
    var arrayValue: [JMESValue] { if case .array(let value) = self { return value } else { return [] } }
    var objectValue: JMESObject { if case .object(let value) = self { return value } else { return JMESObject() } }
}

extension String.UnicodeScalarView {
    func elementsEqualSuffix(_ suffix: String.UnicodeScalarView) -> Bool {
        reversed().starts(with: suffix.reversed())
    }
}
