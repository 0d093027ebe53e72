import AWSCore
import AppRunner
import ArgumentParser
import Foundation

/// A failure the CLI itself reports (not one answered by the service).
public struct CLIError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// No service has the given name (exit 1).
        case notFound = "ServiceNotFound"
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
        case .notFound, .operationFailed, .timeout, .configuration, .failure: return ExitStatus.failure
        }
    }
}

/// The user interrupted a command (SIGINT); exits 130.
public struct CLIInterrupted: Error, Sendable {}

/// How an error is reported: one line on stderr with code, message and request id, and an exit status.
enum ErrorReport {
    static func line(for error: any Error) -> String {
        switch error {
        case let error as any AppRunnerServiceError:
            return format(code: error.code, message: error.message, requestId: error.requestId)
        case let error as AWSResponseError:
            return format(code: error.code, message: error.message, requestId: error.requestId)
        case let error as AWSValidationError:
            return format(code: "ValidationException", message: error.message, requestId: nil)
        case let error as CLIError:
            return format(code: error.kind.rawValue, message: error.message, requestId: nil)
        case let error as AWSCredentialsError:
            return format(code: "NoCredentials", message: error.description, requestId: nil)
        case let error as AWSConfigurationError:
            return format(code: "ConfigurationError", message: error.description, requestId: nil)
        case let error as AWSClientError:
            return format(code: "ClientError", message: error.description, requestId: nil)
        case let error as AppRunnerClientError:
            return format(code: "ClientError", message: error.description, requestId: nil)
        case is CLIInterrupted:
            return "runnerdeck: interrupted"
        default:
            return format(code: "Error", message: String(describing: error), requestId: nil)
        }
    }

    static func format(code: String, message: String, requestId: String?) -> String {
        let flat = message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        var text = "runnerdeck: \(code): \(flat)"
        if let requestId, !requestId.isEmpty {
            text += " (request id: \(requestId))"
        }
        return text
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
