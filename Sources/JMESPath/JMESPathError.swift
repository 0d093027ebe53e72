/// A failure to compile or evaluate an expression (or to read JSON), with where and why.
public struct JMESPathError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case syntax = "syntax"
        case invalidType = "invalid-type"
        case invalidArity = "invalid-arity"
        case unknownFunction = "unknown-function"
        case invalidValue = "invalid-value"
        /// The JSON document given to `JMESValue(json:)` is not valid JSON.
        case invalidJSON = "invalid-json"
    }

    public let kind: Kind
    public let message: String
    /// Offset in Unicode scalars into the expression (or bytes into the JSON document).
    public let offset: Int

    public init(_ kind: Kind, _ message: String, offset: Int) {
        self.kind = kind
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(kind.rawValue) error at \(offset): \(message)" }
}
