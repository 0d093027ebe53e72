import FoundationEssentials

// The runtime of the services Scripts/generate.py generates from botocore's models (App Runner,
// CloudWatch Logs, CloudWatch): what every generated shape, enum and exception conforms to, and the
// checks generated validation calls. App Runner names these with its own prefix (typealiases).

/// A structure of a service model: Codable under the model's wire names, with the model's
/// constraints as `validate(path:)`.
public protocol AWSShape: Codable, Sendable, Hashable {
    /// Checks the model's constraints (length, range, pattern, enum), naming the failing member.
    /// `path` is the path of this value; pass `""` for a request.
    func validate(path: String) throws
}

/// A string enum of a service model that keeps values it does not know.
public protocol AWSEnum: Codable, Sendable, Hashable, CustomStringConvertible {
    init(rawValue: String)
    /// The value as the model spells it.
    var rawValue: String { get }
    /// The value as the service sends it (lower case for some enums).
    var wireValue: String { get }
    static var allKnown: [Self] { get }
}

extension AWSEnum {
    public var description: String { rawValue }
    /// False for a value the model does not list.
    public var isKnown: Bool { Self.allKnown.contains(self) }
}

/// A modeled exception of a service; catch a concrete one, e.g. `catch let error as InvalidStateException`.
public protocol AWSModeledError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The error code on the wire (the model's `error.code`, else the shape's name).
    static var code: String { get }
    static var statusCode: Int { get }
    var message: String { get }
    var requestId: String? { get }
    init(message: String, requestId: String?)
}

extension AWSModeledError {
    public var code: String { Self.code }
    public var statusCode: Int { Self.statusCode }
    public var description: String {
        var text = "\(Self.code): \(message)"
        if let requestId { text += " (request id \(requestId))" }
        return text
    }
    /// The same error in the generic form (for printing or for serving it).
    public var responseError: AWSResponseError {
        AWSResponseError(code: Self.code, message: message, statusCode: Self.statusCode, requestId: requestId)
    }
}

extension AWSResponseError {
    /// The modeled exception for this error's code among `modeled` (by wire code); otherwise the error
    /// itself, code kept.
    public func typed(_ modeled: [String: any AWSModeledError.Type]) -> any Error {
        guard let type = modeled[code] else { return self }
        return type.init(message: message, requestId: requestId)
    }
}

/// A model pattern, matched against the whole value.
public final class AWSPattern: Sendable {
    public let pattern: String
    // nonisolated(unsafe): a Regex is immutable once made (AnyRegexOutput is what keeps it from being Sendable).
    private nonisolated(unsafe) let regex: Regex<AnyRegexOutput>?

    /// Compiled as Swift `Regex` (no ICU) with the settings `NSRegularExpression` had: `.` matches line
    /// separators, and classes match Unicode scalars, not characters.
    public init(_ pattern: String) {
        self.pattern = pattern
        self.regex = (try? Regex("(?:\(pattern))")).map { $0.dotMatchesNewlines().matchingSemantics(.unicodeScalar) }
    }

    /// False when the pattern does not compile here (then nothing is rejected by it).
    public var isUsable: Bool { regex != nil }

    /// True when the pattern matches the whole value. As with ICU's `$`, a value may also end in one
    /// line terminator after what the pattern matches.
    public func matches(_ value: String) -> Bool {
        guard let regex else { return true }
        if value.wholeMatch(of: regex) != nil { return true }
        guard let last = value.last, ["\n", "\r", "\r\n", "\u{85}", "\u{2028}", "\u{2029}"].contains(last) else { return false }
        return value.dropLast().wholeMatch(of: regex) != nil
    }
}

/// The checks generated validation calls.
public enum AWSValidation {
    static func member(_ path: String) -> String {
        path.hasPrefix(".") ? String(path.dropFirst()) : path
    }

    public static func length(_ count: Int, min: Int?, max: Int?, path: String) throws {
        if let min, count < min {
            throw AWSValidationError(member: member(path), reason: "Member must have length greater than or equal to \(min)")
        }
        if let max, count > max {
            throw AWSValidationError(member: member(path), reason: "Member must have length less than or equal to \(max)")
        }
    }

    /// For the model's `integer` (Int) and `long` (Int64) members alike.
    public static func range<Value: BinaryInteger>(_ value: Value, min: Int64?, max: Int64?, path: String) throws {
        let value = Int64(clamping: value)
        if let min, value < min {
            throw AWSValidationError(member: member(path), reason: "Member must have value greater than or equal to \(min)")
        }
        if let max, value > max {
            throw AWSValidationError(member: member(path), reason: "Member must have value less than or equal to \(max)")
        }
    }

    public static func pattern(_ value: String, _ pattern: AWSPattern, path: String) throws {
        if !pattern.matches(value) {
            throw AWSValidationError(member: member(path), reason: "Member must satisfy regular expression pattern: \(pattern.pattern)")
        }
    }

    public static func known<E: AWSEnum>(_ value: E, path: String) throws {
        if !value.isKnown {
            let values = E.allKnown.map(\.rawValue).joined(separator: ", ")
            throw AWSValidationError(member: member(path), reason: "Member must satisfy enum value set: [\(values)]")
        }
    }
}
