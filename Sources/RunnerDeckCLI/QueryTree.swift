import FoundationEssentials
import JMESPath

extension JMESValue {
    /// The value `--query` reads, straight from the tree the JSON output would be written from (no text
    /// written and read back): the same member names, order and timestamp text.
    init(_ node: JSONNode) {
        switch node.content {
        case .empty: self = .null
        case .string(let text): self = .string(text)
        case .scalar(let text):
            switch text {
            case "null": self = .null
            case "true": self = .bool(true)
            case "false": self = .bool(false)
            default:
                if text.hasPrefix("\""), let value = try? JMESValue(json: Data(text.utf8)) {
                    self = value  // a date written as a string
                } else if let number = Double(text) {
                    self = .number(number, float: text.contains(".") || text.contains("e") || text.contains("E"))
                } else {
                    self = .string(text)
                }
            }
        case .object(let members): self = .object(JMESObject(members.map { ($0.0, JMESValue($0.1)) }))
        case .array(let items): self = .array(items.map { JMESValue($0) })
        }
    }
}
