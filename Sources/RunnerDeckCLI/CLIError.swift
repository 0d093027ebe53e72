import AWSCore
import AppRunner
import ArgumentParser
import Foundation
import RunnerDeckKit

/// A failure the CLI itself reports (not one answered by the service).
struct CLIError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// No service has the given name (exit 1).
        case notFound = "ServiceNotFound"
        /// The service has no such log group (yet) in CloudWatch Logs (exit 1).
        case logGroupNotFound = "ResourceNotFoundException"
        /// Several services have the given name (exit 2: name it by ARN).
        case ambiguous = "AmbiguousServiceName"
        /// Bad input the argument parser could not catch (exit 2).
        case usage = "UsageError"
        /// The followed operation did not succeed (exit 1).
        case operationFailed = "OperationFailed"
        /// `--timeout` passed before the operation ended (exit 1).
        case timeout = "WaitTimeout"
        /// Region, profile, endpoint or credentials settings are missing or wrong (exit 1).
        case configuration = "ConfigurationError"
        /// Anything else that stops the command (exit 1).
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
        case .notFound, .logGroupNotFound, .operationFailed, .timeout, .configuration, .failure: return ExitStatus.failure
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
    static func line(for error: any Error) -> String {
        switch error {
        case let error as CLIError:
            return format(ErrorText(code: error.kind.rawValue, message: error.message))
        case let error as CLIInterrupted:
            guard let id = error.operationId else { return "runnerdeck: interrupted" }
            let service = error.serviceName ?? "the service"
            return "runnerdeck: interrupted: stopped waiting; operation \(id) carries on in App Runner (follow it with: runnerdeck operations \(service))"
        default:
            return format(ErrorText(error))
        }
    }

    static func format(_ text: ErrorText) -> String {
        var line = "runnerdeck: \(text.code): \(text.message)"
        if let requestId = text.requestId, !requestId.isEmpty {
            line += " (request id: \(requestId))"
        }
        return line
    }

    static func exitStatus(for error: any Error) -> Int32 {
        switch error {
        case let error as CLIError: return error.exitStatus
        case is AWSValidationError: return ExitStatus.usage
        case is CLIInterrupted: return ExitStatus.interrupted
        case is CancellationError: return ExitStatus.interrupted
        default: return ExitStatus.failure
        }
    }
}
