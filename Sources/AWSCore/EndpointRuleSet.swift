import FoundationEssentials

/// A value of an endpoint rule set (its JSON, and what its functions compute): strings, booleans,
/// numbers (function arguments such as `substring`'s indices), arrays and records.
public indirect enum AWSEndpointValue: Sendable, Hashable, Decodable {
    case string(String)
    case bool(Bool)
    case number(Double)
    case array([AWSEndpointValue])
    case record([String: AWSEndpointValue])
    case null

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([AWSEndpointValue].self) {
            self = .array(value)
        } else {
            self = .record(try container.decode([String: AWSEndpointValue].self))
        }
    }

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var record: [String: AWSEndpointValue]? {
        if case .record(let value) = self { return value }
        return nil
    }

    var array: [AWSEndpointValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// As a template inserts it (booleans as botocore prints them).
    var templateText: String {
        switch self {
        case .string(let value): return value
        case .bool(let value): return value ? "True" : "False"
        case .number(let value): return value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
        case .array, .record, .null: return ""
        }
    }
}

/// Why no endpoint came out of a rule set.
public enum AWSEndpointError: Error, Sendable, Hashable, CustomStringConvertible {
    /// An error rule matched: the rule set's own words (e.g. "FIPS and DualStack are enabled, but this
    /// partition does not support one or both").
    case rejected(String)
    /// No rule matched the parameters.
    case noMatch(String)
    /// The rule set (or a parameter) is not what the interpreter understands.
    case invalid(String)

    public var description: String {
        switch self {
        case .rejected(let message): return message
        case .noMatch(let parameters): return "no endpoint found for parameters: \(parameters)"
        case .invalid(let detail): return "the endpoint rule set cannot be evaluated: \(detail)"
        }
    }
}

/// The endpoint a rule set chose: URL, properties (e.g. `authSchemes`) and headers.
public struct AWSResolvedEndpoint: Sendable, Hashable {
    public var url: String
    public var properties: [String: AWSEndpointValue]
    public var headers: [String: [String]]
}

/// One service's endpoint rule set (botocore's `endpoint-rule-set-1.json`, version 1.0), evaluated as
/// botocore's `EndpointProvider` does: rules in order, a rule's conditions all truthy (an `assign`
/// binds a condition's value for the rest of the rule), `tree` rules descend, the first `endpoint`
/// wins, an `error` rule ends resolution with its message.
public final class AWSEndpointRuleSet: Sendable, Hashable, CustomStringConvertible {
    /// Which rule set this is (e.g. `apprunner`); equality is by name.
    public let name: String
    private let parsed: Result<Parsed, AWSEndpointError>

    struct Parameter: Sendable, Decodable {
        var type: String
        var builtIn: String?
        var `default`: AWSEndpointValue?
        var required: Bool?
    }

    struct Parsed: Sendable, Decodable {
        var version: String
        var parameters: [String: Parameter]
        var rules: [AWSEndpointValue]
    }

    /// Parses `json`; a rule set that does not parse fails each resolution with the reason.
    public init(name: String, json: String) {
        self.name = name
        do {
            parsed = .success(try JSONDecoder().decode(Parsed.self, from: Data(json.utf8)))
        } catch {
            parsed = .failure(.invalid("\(name): \(error)"))
        }
    }

    public var description: String { "endpoint rule set \(name)" }

    public static func == (lhs: AWSEndpointRuleSet, rhs: AWSEndpointRuleSet) -> Bool { lhs.name == rhs.name }

    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    /// The names of the built-ins the rule set reads (`AWS::Region`, `AWS::UseFIPS`...), by parameter.
    public var builtIns: [String: String] {
        guard case .success(let rules) = parsed else { return [:] }
        return rules.parameters.compactMapValues(\.builtIn)
    }

    /// Resolves with the SDK's built-ins: `AWS::Region`, `AWS::UseFIPS`, `AWS::UseDualStack`,
    /// `AWS::STS::UseGlobalEndpoint` (false: regional STS endpoints, botocore's default). `SDK::Endpoint`
    /// is left unset: a configured endpoint bypasses the rule set.
    public func resolve(region: String, useFIPS: Bool, useDualStack: Bool,
                        partitions: AWSPartitions = .standard) throws -> AWSResolvedEndpoint {
        let values: [String: AWSEndpointValue] = [
            "AWS::Region": .string(region), "AWS::UseFIPS": .bool(useFIPS), "AWS::UseDualStack": .bool(useDualStack),
            "AWS::STS::UseGlobalEndpoint": .bool(false),
        ]
        var parameters: [String: AWSEndpointValue] = [:]
        for (name, builtIn) in builtIns {
            if let value = values[builtIn] { parameters[name] = value }
        }
        return try resolve(parameters: parameters, partitions: partitions)
    }

    /// Resolves with explicit parameter values (by parameter name); defaults fill the others.
    public func resolve(parameters input: [String: AWSEndpointValue], partitions: AWSPartitions = .standard) throws -> AWSResolvedEndpoint {
        let rules = try parsed.get()
        guard rules.version == "1.0" else { throw AWSEndpointError.invalid("\(name): rule set version \(rules.version)") }
        var scope: [String: AWSEndpointValue] = [:]
        for (parameterName, parameter) in rules.parameters {
            if let value = input[parameterName], value != .null {
                let fits: Bool
                switch (parameter.type.lowercased(), value) {
                case ("string", .string), ("boolean", .bool), ("stringarray", .array): fits = true
                default: fits = false
                }
                guard fits else { throw AWSEndpointError.invalid("Value (\(parameterName)) is the wrong type. Must be \(parameter.type).") }
                scope[parameterName] = value
            } else if let value = parameter.default, value != .null {
                scope[parameterName] = value
            } else if parameter.required == true {
                throw AWSEndpointError.invalid("Cannot find value for required parameter \(parameterName)")
            }
        }
        let evaluator = AWSEndpointRuleEvaluator(partitions: partitions)
        if let endpoint = try evaluator.evaluate(rules.rules, scope: scope) { return endpoint }
        let text = scope.keys.sorted().map { "\($0): \(scope[$0]?.templateText ?? "")" }.joined(separator: ", ")
        throw AWSEndpointError.noMatch(text)
    }
}

/// The rules engine: rules, conditions, references, templates; the functions are in
/// ``AWSEndpointFunctions``.
struct AWSEndpointRuleEvaluator {
    let partitions: AWSPartitions

    func evaluate(_ rules: [AWSEndpointValue], scope: [String: AWSEndpointValue]) throws -> AWSResolvedEndpoint? {
        for rule in rules {
            if let endpoint = try evaluate(rule: rule, scope: scope) { return endpoint }
        }
        return nil
    }

    private func evaluate(rule: AWSEndpointValue, scope outer: [String: AWSEndpointValue]) throws -> AWSResolvedEndpoint? {
        guard let fields = rule.record, let type = fields["type"]?.string else {
            throw AWSEndpointError.invalid("a rule without a type")
        }
        var scope = outer
        for condition in fields["conditions"]?.array ?? [] {
            let value = try self.value(condition, &scope)
            if value == nil || value == .bool(false) { return nil }
        }
        switch type {
        case "tree":
            return try evaluate(fields["rules"]?.array ?? [], scope: scope)
        case "error":
            guard let error = fields["error"], let message = try value(error, &scope) else {
                throw AWSEndpointError.invalid("an error rule without a message")
            }
            throw AWSEndpointError.rejected(message.templateText)
        case "endpoint":
            guard let endpoint = fields["endpoint"]?.record, let urlValue = endpoint["url"],
                  let url = try value(urlValue, &scope)?.string else {
                throw AWSEndpointError.invalid("an endpoint rule without a URL")
            }
            var properties: [String: AWSEndpointValue] = [:]
            for (key, property) in endpoint["properties"]?.record ?? [:] {
                properties[key] = resolveTemplates(property, scope)
            }
            var headers: [String: [String]] = [:]
            for (header, values) in endpoint["headers"]?.record ?? [:] {
                headers[header] = try (values.array ?? []).map { try value($0, &scope)?.templateText ?? "" }
            }
            return AWSResolvedEndpoint(url: url, properties: properties, headers: headers)
        default:
            throw AWSEndpointError.invalid("unknown rule type \(type): a rule must be of type tree, endpoint or error")
        }
    }

    /// A function call, a reference, a template string, or a literal; nil when unset.
    func value(_ expression: AWSEndpointValue, _ scope: inout [String: AWSEndpointValue]) throws -> AWSEndpointValue? {
        switch expression {
        case .record(let fields):
            if let function = fields["fn"]?.string {
                var arguments: [AWSEndpointValue?] = []
                for argument in fields["argv"]?.array ?? [] {
                    arguments.append(try value(argument, &scope))
                }
                let result = try AWSEndpointFunctions.call(function, arguments, partitions: partitions)
                if let assign = fields["assign"]?.string {
                    guard scope[assign] == nil else {
                        throw AWSEndpointError.invalid("Assignment \(assign) already exists in scoped variables and cannot be overwritten")
                    }
                    scope[assign] = result
                }
                return result
            }
            if let reference = fields["ref"]?.string { return scope[reference] }
            return expression
        case .string(let text):
            return .string(try template(text, scope))
        case .null:
            return nil
        default:
            return expression
        }
    }

    /// Properties: templates resolved at any depth.
    private func resolveTemplates(_ value: AWSEndpointValue, _ scope: [String: AWSEndpointValue]) -> AWSEndpointValue {
        switch value {
        case .array(let items): return .array(items.map { resolveTemplates($0, scope) })
        case .record(let fields): return .record(fields.mapValues { resolveTemplates($0, scope) })
        case .string(let text): return .string((try? template(text, scope)) ?? text)
        default: return value
        }
    }

    /// `{Name}` and `{Name#attribute}` replaced from the scope, `{{` and `}}` for braces (Python's
    /// `str.format` syntax, as botocore reads it); a string without a `{word}` is left as it is.
    func template(_ text: String, _ scope: [String: AWSEndpointValue]) throws -> String {
        guard Self.hasTemplate(text) else { return text }
        var result = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            if character == "{" || character == "}", next < text.endIndex, text[next] == character {
                result.append(character)
                index = text.index(after: next)
            } else if character == "{" {
                guard let close = text[next...].firstIndex(of: "}") else {
                    throw AWSEndpointError.invalid("an unclosed template in '\(text)'")
                }
                var value: AWSEndpointValue? = nil
                for (position, part) in text[next..<close].split(separator: "#", omittingEmptySubsequences: false).enumerated() {
                    value = position == 0 ? scope[String(part)] : value?.record?[String(part)]
                }
                guard let value else { throw AWSEndpointError.invalid("'\(text[next..<close])' is not set in template '\(text)'") }
                result += value.templateText
                index = text.index(after: close)
            } else {
                result.append(character)
                index = next
            }
        }
        return result
    }

    /// Whether `text` holds `{` letters-or-`#` `}` (botocore's test for a template).
    static func hasTemplate(_ text: String) -> Bool {
        var inside = false
        var length = 0
        for character in text.unicodeScalars {
            if character == "{" {
                inside = true
                length = 0
            } else if inside, character == "}" {
                if length > 0 { return true }
                inside = false
            } else if inside, character.isASCII, character.properties.isAlphabetic || character == "#" {
                length += 1
            } else {
                inside = false
            }
        }
        return false
    }
}
