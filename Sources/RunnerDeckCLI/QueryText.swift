import JMESPath

/// `--output text` of a `--query` result, as the AWS CLI's text formatter writes any JSON value: a
/// scalar on its own line; a list of scalars on one line, tab-separated; a list of objects one row per
/// object, its scalar members in key order (the keys of all rows); nested lists and objects on the
/// following lines under their key, upper-cased. Scalars print as Python's `str()` does (True, None, 1.0).
enum QueryText {
    static func render(_ value: JMESValue) -> String {
        var out = ""
        format(value, identifier: nil, scalarKeys: nil, into: &out)
        return out
    }

    private static func isScalar(_ value: JMESValue) -> Bool {
        switch value {
        case .array, .object: return false
        default: return true
        }
    }

    static func scalarText(_ value: JMESValue) -> String {
        switch value {
        case .null: return "None"
        case .bool(let flag): return flag ? "True" : "False"
        case .string(let text): return text
        case .number, .array, .object: return value.jsonText()
        }
    }

    private static func format(_ value: JMESValue, identifier: String?, scalarKeys: [String]?, into out: inout String) {
        switch value {
        case .object(let object):
            formatObject(object, identifier: identifier, scalarKeys: scalarKeys, into: &out)
        case .array(let elements):
            formatList(elements, identifier: identifier, into: &out)
        default:
            out += scalarText(value) + "\n"
        }
    }

    private static func formatList(_ elements: [JMESValue], identifier: String?, into out: inout String) {
        guard !elements.isEmpty else { return }
        if elements.contains(where: { if case .object = $0 { return true } else { return false } }) {
            var keys = Set<String>()
            for case .object(let object) in elements {
                for (key, member) in object.members where isScalar(member) { keys.insert(key) }
            }
            let sorted = keys.sorted()
            for element in elements { format(element, identifier: identifier, scalarKeys: sorted, into: &out) }
        } else if elements.contains(where: { if case .array = $0 { return true } else { return false } }) {
            let scalars = elements.filter(isScalar)
            if !scalars.isEmpty { formatScalars(scalars, identifier: identifier, into: &out) }
            for element in elements where !isScalar(element) { format(element, identifier: identifier, scalarKeys: nil, into: &out) }
        } else {
            formatScalars(elements, identifier: identifier, into: &out)
        }
    }

    private static func formatScalars(_ elements: [JMESValue], identifier: String?, into out: inout String) {
        if let identifier {
            for element in elements { out += identifier.uppercased() + "\t" + scalarText(element) + "\n" }
        } else {
            out += elements.map(scalarText).joined(separator: "\t") + "\n"
        }
    }

    private static func formatObject(_ object: JMESObject, identifier: String?, scalarKeys: [String]?, into out: inout String) {
        var scalars: [String] = []
        var nested: [(String, JMESValue)] = []
        if let scalarKeys {
            for key in scalarKeys { scalars.append(scalarText(object[key] ?? .null)) }
            for (key, member) in object.members.sorted(by: { $0.0 < $1.0 }) where !scalarKeys.contains(key) { nested.append((key, member)) }
        } else {
            for (key, member) in object.members.sorted(by: { $0.0 < $1.0 }) {
                if isScalar(member) { scalars.append(scalarText(member)) } else { nested.append((key, member)) }
            }
        }
        if !scalars.isEmpty {
            out += ((identifier.map { [$0.uppercased()] } ?? []) + scalars).joined(separator: "\t") + "\n"
        }
        for (key, member) in nested { format(member, identifier: key, scalarKeys: nil, into: &out) }
    }
}
