import AWSCore
import AppRunner
import ArgumentParser
import FoundationEssentials
import RunnerDeckKit

/// A failure the CLI itself reports (not one answered by the service).
struct CLIError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// No such service, operation, domain or log group: what the service answers for it (exit 254).
        case notFound = "ResourceNotFoundException"
        /// Several services have the given name (exit 252: name it by ARN).
        case ambiguous = "AmbiguousServiceName"
        /// Bad input the argument parser could not catch (exit 252).
        case usage = "UsageError"
        /// The followed operation failed (exit 255, as an AWS CLI waiter that reaches a failure state).
        case operationFailed = "OperationFailed"
        /// The followed operation failed and was rolled back (exit 4).
        case rolledBack = "OperationRolledBack"
        /// `--timeout` passed before the operation ended; it carries on (exit 3).
        case timeout = "WaitTimeout"
        /// Region, profile, endpoint or credentials settings are missing or wrong (exit 253).
        case configuration = "ConfigurationError"
        /// Anything else that stops the command (exit 255).
        case failure = "Error"
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(kind.rawValue): \(message)" }

    var exitStatus: Int32 {
        switch kind {
        case .ambiguous, .usage: return ExitStatus.usage
        case .configuration: return ExitStatus.configuration
        case .notFound: return ExitStatus.serviceError
        case .timeout: return ExitStatus.stillRunning
        case .rolledBack: return ExitStatus.rolledBack
        case .operationFailed, .failure: return ExitStatus.other
        }
    }
}

/// The user interrupted a command (SIGINT); exits 130. While waiting for an operation, the
/// operation itself carries on in App Runner: the message says so, with its id.
struct CLIInterrupted: Error, Sendable {
    public var operationId: String?
    public var serviceName: String?

    public init(operationId: String? = nil, serviceName: String? = nil) {
        self.operationId = operationId
        self.serviceName = serviceName
    }
}

/// How an error is reported: one line on stderr with code, message and request id, and an exit status.
enum ErrorReport {
    /// The code and message of `error` (a CLI error by its kind).
    static func text(for error: any Error) -> ErrorText {
        if let error = error as? CLIError { return ErrorText(code: error.kind.rawValue, message: error.message) }
        return ErrorText(error)
    }

    static func line(for error: any Error) -> String {
        switch error {
        case let error as CLIError:
            return format(text(for: error))
        case let error as CLIInterrupted:
            guard let id = error.operationId else { return "runnerdeck: interrupted" }
            let service = error.serviceName ?? "the service"
            return "runnerdeck: interrupted: stopped waiting; operation \(id) carries on in App Runner (follow it with: runnerdeck operations \(service))"
        default:
            return format(ErrorText(error))
        }
    }

    /// `subject` names what failed when a command reads several things (a fleet's target).
    static func format(_ text: ErrorText, subject: String? = nil) -> String {
        var line = "runnerdeck: \(subject.map { "\($0): " } ?? "")\(text.code): \(text.message)"
        if let requestId = text.requestId, !requestId.isEmpty {
            line += " (request id: \(requestId))"
        }
        return line
    }

    /// The exit status of `error`'s class (see ``ExitStatus``).
    static func exitStatus(for error: any Error) -> Int32 {
        switch error {
        case let error as CLIError: return error.exitStatus
        case is AWSValidationError: return ExitStatus.usage
        case is AWSCredentialsError, is AWSConfigurationError: return ExitStatus.configuration
        case is any AWSModeledError, is AWSResponseError: return ExitStatus.serviceError
        case is CLIInterrupted, is CancellationError: return ExitStatus.interrupted
        default: return ExitStatus.other
        }
    }
}
