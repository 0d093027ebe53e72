import FoundationEssentials

/// A JSON value as JMESPath sees it. Objects keep their members in the order they were received.
/// Numbers are `Double`s; integers up to 2^53 stay exact. `float` says the number was written with a
/// fraction or exponent (or came from a float operation such as `avg`), so `2.0` is written back as `2.0`
/// the way Python's json (the AWS CLI) does; it plays no part in comparisons.
public enum JMESValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double, float: Bool = false)
    case string(String)
    case array([JMESValue])
    case object(JMESObject)

    /// JMESPath's type name (`type()`, error messages).
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// False for null, false, "", [] and {}; true otherwise (0 included).
    var isTruthy: Bool {
        switch self {
        case .null: return false
        case .bool(let value): return value
        case .number: return true
        case .string(let text): return !text.isEmpty
        case .array(let items): return !items.isEmpty
        case .object(let object): return !object.members.isEmpty
        }
    }

    public static func == (lhs: JMESValue, rhs: JMESValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a, _), .number(let b, _)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a == b
        default: return false
        }
    }

    /// A member of an object (null for a missing key or a value that is not an object).
    public subscript(key: String) -> JMESValue {
        if case .object(let object) = self { return object[key] ?? .null }
        return .null
    }
}

/// An object's members in order; keys are unique.
public struct JMESObject: Sendable, Equatable {
    public private(set) var members: [(key: String, value: JMESValue)]

    public init() { members = [] }

    /// Members in order; a repeated key keeps its first position and takes the last value.
    public init(_ pairs: [(String, JMESValue)]) {
        members = []
        members.reserveCapacity(pairs.count)
        if pairs.count <= 8 {
            for (key, value) in pairs { self[key] = value }
            return
        }
        var positions: [String: Int] = [:]
        for (key, value) in pairs {
            if let position = positions[key] {
                members[position].value = value
            } else {
                positions[key] = members.count
                members.append((key, value))
            }
        }
    }

    public subscript(key: String) -> JMESValue? {
        get { members.first(where: { $0.key == key })?.value }
        set {
            if let position = members.firstIndex(where: { $0.key == key }) {
                if let newValue { members[position].value = newValue } else { members.remove(at: position) }
            } else if let newValue {
                members.append((key, newValue))
            }
        }
    }

    public var keys: [String] { members.map(\.key) }
    public var values: [JMESValue] { members.map(\.value) }

    /// Equal when they hold the same keys with equal values, in any order.
    public static func == (lhs: JMESObject, rhs: JMESObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        for (key, value) in lhs.members {
            guard let other = rhs[key], other == value else { return false }
        }
        return true
    }
}

extension JMESValue {
    /// The text of a string (nil for other values).
    public var asString: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The members of an object (nil for other values).
    public var asObject: JMESObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    /// The value of a number (nil for other values).
    public var asNumber: Double? {
        if case .number(let value, _) = self { return value }
        return nil
    }

    static func isExactInteger(_ value: Double) -> Bool {
        value.rounded() == value && abs(value) < 9_007_199_254_740_992
    }
}
