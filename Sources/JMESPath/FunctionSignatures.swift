/// The built-in functions, with their signatures.
enum Function: String, Sendable, CaseIterable {
    case abs, avg, contains, ceil, floor, join, keys, length, map, max, merge, min, reverse, sort, sum, type, values
    case endsWith = "ends_with", startsWith = "starts_with", maxBy = "max_by", minBy = "min_by"
    case notNull = "not_null", sortBy = "sort_by", toArray = "to_array", toString = "to_string", toNumber = "to_number"

    /// The types one argument may have.
    enum ArgumentType: String {
        case any, number, string, boolean, array, object, null, expref
        case arrayNumber = "array[number]", arrayString = "array[string]"
    }

    static func resolve(_ name: String, offset: Int) throws -> Function {
        guard let function = Function(rawValue: name) else {
            throw JMESPathError(.unknownFunction, "unknown function \(name)()", offset: offset)
        }
        return function
    }

    /// One entry per parameter; `variadic` repeats the last one.
    private var signature: (parameters: [[ArgumentType]], variadic: Bool) {
        switch self {
        case .abs, .ceil, .floor: return ([[.number]], false)
        case .avg, .sum: return ([[.arrayNumber]], false)
        case .contains: return ([[.array, .string], [.any]], false)
        case .endsWith, .startsWith: return ([[.string], [.string]], false)
        case .join: return ([[.string], [.arrayString]], false)
        case .keys, .values: return ([[.object]], false)
        case .length: return ([[.string, .array, .object]], false)
        case .map: return ([[.expref], [.array]], false)
        case .max, .min, .sort: return ([[.arrayNumber, .arrayString]], false)
        case .maxBy, .minBy, .sortBy: return ([[.array], [.expref]], false)
        case .merge: return ([[.object]], true)
        case .notNull: return ([[.any]], true)
        case .reverse: return ([[.string, .array]], false)
        case .toArray, .toString, .toNumber, .type: return ([[.any]], false)
        }
    }

    func checkArity(_ count: Int, offset: Int) throws {
        let (parameters, variadic) = signature
        if variadic ? count >= parameters.count : count == parameters.count { return }
        let expected = variadic ? "at least \(parameters.count)" : "\(parameters.count)"
        throw JMESPathError(.invalidArity, "\(rawValue)() takes \(expected) argument\(parameters.count == 1 ? "" : "s"), got \(count)", offset: offset)
    }

    func checkTypes(_ arguments: [Argument], offset: Int) throws {
        let (parameters, _) = signature
        for (position, argument) in arguments.enumerated() {
            let allowed = parameters[Swift.min(position, parameters.count - 1)]
            guard !allowed.contains(where: { Self.matches(argument, $0) }) else { continue }
            let got: String
            switch argument {
            case .expref: got = "expression"
            case .value(let value): got = value.typeName
            }
            throw JMESPathError(
                .invalidType,
                "\(rawValue)() argument \(position + 1) must be \(allowed.map(\.rawValue).joined(separator: " or ")), got \(got)",
                offset: offset
            )
        }
    }

    private static func matches(_ argument: Argument, _ type: ArgumentType) -> Bool {
        guard case .value(let value) = argument else { return type == .expref }
        switch (type, value) {
        case (.any, _), (.number, .number), (.string, .string), (.boolean, .bool), (.array, .array),
             (.object, .object), (.null, .null):
            return true
        case (.arrayNumber, .array(let items)):
            return items.allSatisfy { if case .number = $0 { return true } else { return false } }
        case (.arrayString, .array(let items)):
            return items.allSatisfy { if case .string = $0 { return true } else { return false } }
        default:
            return false
        }
    }
}
