import AWSCore
import FoundationEssentials
import AppRunner

/// An error as an operator reads it: a code, a message on one line, and the request id when AWS
/// answered. The CLI prints it as `runnerdeck: CODE: message (request id: …)`, the dashboard as
/// `CODE: message` in its status line and Activity log.
public struct ErrorText: Sendable, Hashable, CustomStringConvertible {
    public var code: String
    public var message: String
    public var requestId: String?

    public init(code: String, message: String, requestId: String? = nil) {
        self.code = code
        self.message = ErrorText.oneLine(message)
        self.requestId = requestId
    }

    public init(_ error: any Error) {
        switch error {
        case let error as any AppRunnerServiceError:
            self.init(code: error.code, message: error.message, requestId: error.requestId)
        case let error as AWSResponseError:
            self.init(code: error.code, message: error.message, requestId: error.requestId)
        case let error as AWSValidationError:
            self.init(code: "ValidationException", message: error.message)
        case let error as AWSCredentialsError:
            self.init(code: "NoCredentials", message: error.description)
        case let error as AWSConfigurationError:
            self.init(code: "ConfigurationError", message: error.description)
        case let error as AWSClientError:
            self.init(code: "ClientError", message: error.description)
        case let error as AppRunnerClientError:
            self.init(code: "ClientError", message: error.description)
        case let error as OperationFollowerError:
            self.init(code: "WaitTimeout", message: error.description)
        case let error as any CustomStringConvertible:
            self.init(code: "Error", message: error.description)
        default:
            self.init(code: "Error", message: "\(error)")
        }
    }

    /// True for throttling answers, which an operator reads differently from a failure.
    public var isThrottling: Bool {
        let lower = code.lowercased()
        return lower.contains("throttl") || lower == "toomanyrequestsexception" || lower == "requestlimitexceeded"
    }

    /// `CODE: message` (throttling named as such).
    public var description: String {
        isThrottling ? "throttled (\(code): \(message))" : "\(code): \(message)"
    }

    /// Line breaks and runs of white space become one space, so a message never breaks a row.
    public static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: { $0.isNewline || $0 == "\t" }).map { $0.trimmingWhitespace }
            .filter { !$0.isEmpty }.joined(separator: " ")
    }
}

/// Control characters in a value from the service (which could hold escape sequences) shown as `?`,
/// so nothing a service returns can drive the terminal.
public func sanitizeForTerminal(_ text: String) -> String {
    String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
        scalar.properties.generalCategory == .control ? "?" : scalar
    }))
}
