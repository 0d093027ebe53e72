import Foundation
import JMESPath

/// Conversions between JMESValue and what Foundation's `JSONSerialization` reads and writes, for tests that
/// compare the two (the library itself does not use full Foundation).
extension JMESValue {
    /// From what `JSONSerialization.jsonObject` returns (dictionaries have no order: keys sorted).
    init(foundation value: Any) throws {
        switch value {
        case is NSNull:
            self = .null
        case let text as String:
            self = .string(text)
        case let flag as Bool where type(of: value) == Bool.self:
            self = .bool(flag)
        case let int as Int where type(of: value) == Int.self:
            self = .number(Double(int))
        case let double as Double where type(of: value) == Double.self:
            self = .number(double, float: true)
        case let number as NSNumber:
            let kind = String(cString: number.objCType)
            if kind == "c" || kind == "B" {
                self = .bool(number.boolValue)
            } else {
                self = .number(number.doubleValue, float: kind == "d" || kind == "f")
            }
        case let items as [Any]:
            self = .array(try items.map { try JMESValue(foundation: $0) })
        case let dictionary as [String: Any]:
            let pairs = try dictionary.keys.sorted().map { key in
                (key, try JMESValue(foundation: dictionary[key] ?? NSNull()))
            }
            self = .object(JMESObject(pairs))
        default:
            throw JMESPathError(.invalidValue, "not a JSON value: \(type(of: value))", offset: 0)
        }
    }

    /// A value for `JSONSerialization` (member order is lost in its dictionaries).
    var foundationValue: Any {
        switch self {
        case .null: return NSNull()
        case .bool(let value): return value
        case .number(let value, let float):
            return !float && value.rounded() == value && abs(value) < 9_007_199_254_740_992 ? Int(value) as Any : value
        case .string(let text): return text
        case .array(let items): return items.map(\.foundationValue)
        case .object(let object):
            var dictionary: [String: Any] = [:]
            for (key, value) in object.members { dictionary[key] = value.foundationValue }
            return dictionary
        }
    }
}
