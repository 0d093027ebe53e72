/// A compiled JMESPath expression (https://jmespath.org/specification.html), reusable and thread-safe.
///
///     let expression = try JMESPathExpression(compiling: "ServiceSummaryList[?Status=='RUNNING'].ServiceName")
///     let names = try expression.search(try JMESValue(json: data))
public struct JMESPathExpression: Sendable {
    /// The text it was compiled from.
    public let text: String
    private let root: Node

    /// Throws a `.syntax`, `.unknownFunction`, `.invalidArity` or `.invalidValue` error.
    public init(compiling text: String) throws {
        self.text = text
        self.root = try Parser.parse(text)
    }

    /// Throws an `.invalidType` error when a function gets an argument of the wrong type.
    public func search(_ value: JMESValue) throws -> JMESValue {
        try Interpreter.evaluate(root, value)
    }
}
