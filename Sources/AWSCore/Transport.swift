import FoundationEssentials

/// Identifies an AWS JSON (1.0 or 1.1) service on the wire.
public struct AWSServiceInfo: Sendable, Hashable {
    /// SigV4 signing name, e.g. `apprunner`.
    public var signingName: String
    /// Host prefix of the default endpoint, e.g. `apprunner`.
    public var endpointPrefix: String
    /// Prefix of the `X-Amz-Target` header, e.g. `AppRunner`.
    public var targetPrefix: String
    /// API version, e.g. `2020-05-15`.
    public var apiVersion: String
    /// Service id used for `AWS_ENDPOINT_URL_<ID>` (upper-cased, spaces to underscores), e.g. `AppRunner`.
    public var serviceId: String
    /// The AWS JSON protocol version, `1.0` or `1.1`: the request's `Content-Type` is
    /// `application/x-amz-json-<version>`.
    public var jsonVersion: String
    /// The model's `awsQueryCompatible` trait (a former query service, e.g. CloudWatch): requests carry
    /// `x-amzn-query-mode: true` and an error's code is the query code of its `x-amzn-query-error` header.
    public var awsQueryCompatible: Bool
    /// The service's endpoint rule set; without one the endpoint is `https://<endpointPrefix>.<region>.<dnsSuffix>`.
    public var endpointRules: AWSEndpointRuleSet?

    public init(signingName: String, endpointPrefix: String, targetPrefix: String, apiVersion: String, serviceId: String,
                jsonVersion: String = "1.0", awsQueryCompatible: Bool = false, endpointRules: AWSEndpointRuleSet? = nil) {
        self.signingName = signingName
        self.endpointPrefix = endpointPrefix
        self.targetPrefix = targetPrefix
        self.apiVersion = apiVersion
        self.serviceId = serviceId
        self.jsonVersion = jsonVersion
        self.awsQueryCompatible = awsQueryCompatible
        self.endpointRules = endpointRules
    }

    /// `application/x-amz-json-1.0` or `application/x-amz-json-1.1`.
    public var contentType: String { "application/x-amz-json-\(jsonVersion)" }
}

/// The seam between a generated service client and the wire.
///
/// `send` posts one AWS JSON request (`X-Amz-Target: <targetPrefix>.<operation>`) and returns the
/// body of a 2xx response. Any other outcome throws, a service error as ``AWSResponseError``.
public protocol AWSJSONTransport: Sendable {
    func send(operation: String, body: Data) async throws -> Data
}

/// An error answered by an AWS service.
public struct AWSResponseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The error code with any namespace (`…#`) and suffix (`:…`) removed, e.g. `InvalidStateException`.
    public var code: String
    public var message: String
    public var statusCode: Int
    /// The `x-amzn-RequestId` of the response, when there was one.
    public var requestId: String?

    public init(code: String, message: String, statusCode: Int, requestId: String? = nil) {
        self.code = code
        self.message = message
        self.statusCode = statusCode
        self.requestId = requestId
    }

    public var description: String {
        var text = "\(code): \(message)"
        if let requestId { text += " (request id \(requestId))" }
        return text
    }

    /// The `x-amzn-query-error` header a query-compatible service (``AWSServiceInfo/awsQueryCompatible``)
    /// answers this error with: `<code>;Sender`, or `<code>;Receiver` for a 5xx. For a server.
    public var queryErrorHeader: String {
        "\(code);\(statusCode >= 500 ? "Receiver" : "Sender")"
    }

    /// Normalises an AWS error code: drops everything up to `#` and everything after `:`.
    static func sanitizeCode(_ raw: String) -> String {
        var code = Substring(raw)
        if let hash = code.lastIndex(of: "#") { code = code[code.index(after: hash)...] }
        if let colon = code.firstIndex(of: ":") { code = code[..<colon] }
        return code.trimmingWhitespace
    }
}

/// A member failed the model's constraints before anything was sent (or when a request arrived).
public struct AWSValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Dotted path of the member, e.g. `CreateServiceInput.SourceConfiguration.ImageRepository.ImageIdentifier`.
    public var member: String
    public var reason: String

    public init(member: String, reason: String) {
        self.member = member
        self.reason = reason
    }

    public var message: String { "1 validation error detected: Value at '\(member)' failed to satisfy constraint: \(reason)" }
    public var description: String { message }
}
