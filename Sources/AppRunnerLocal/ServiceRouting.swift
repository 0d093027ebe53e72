import AWSCore
import AppRunner
import CloudWatch
import CloudWatchLogs
import FoundationEssentials
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The services one Local App Runner endpoint answers, told apart by `X-Amz-Target`: App Runner, and the
/// CloudWatch Logs and CloudWatch (metrics) of its services.
extension LocalHTTPHandler {
    static let servedServices: [AWSServiceInfo] = [.appRunner, .cloudWatchLogs, .cloudWatch]

    /// The served service whose target prefix `target` starts with (`Prefix.Operation`).
    static func service(forTarget target: String) -> AWSServiceInfo? {
        servedServices.first { target.hasPrefix($0.targetPrefix + ".") }
    }

    /// Answers one request named by `target`, in the shape the target's service answers.
    func route(target: String, body: Data, requestId: String, plane: LocalAppRunner) async -> Response {
        guard let service = Self.service(forTarget: target) else {
            return Self.error(status: 400, code: "UnknownOperationException",
                              message: target.isEmpty ? "Missing X-Amz-Target header." : "Unknown operation \(target).", requestId: requestId)
        }
        let name = String(target.dropFirst(service.targetPrefix.count + 1))
        let unknown = Self.error(status: 400, code: "UnknownOperationException", message: "Unknown operation \(target).",
                                 requestId: requestId, service: service)
        do {
            let output: Data
            switch service.targetPrefix {
            case AWSServiceInfo.cloudWatchLogs.targetPrefix:
                guard let operation = CloudWatchLogsOperation(rawValue: name) else { return unknown }
                output = try await dispatch(operation, body: body, to: plane as any CloudWatchLogsAPI)
            case AWSServiceInfo.cloudWatch.targetPrefix:
                guard let operation = CloudWatchOperation(rawValue: name) else { return unknown }
                output = try await dispatch(operation, body: body, to: plane as any CloudWatchAPI)
            default:
                guard let operation = AppRunnerOperation(rawValue: name) else { return unknown }
                output = try await dispatch(operation, body: body, to: plane as any AppRunnerAPI)
            }
            return Self.json(status: 200, body: output, requestId: requestId, contentType: service.contentType)
        } catch let error as any AWSModeledError {
            return Self.error(status: error.statusCode, code: error.code, message: error.message, requestId: requestId, service: service)
        } catch let error as AWSValidationError {
            let code = service.targetPrefix == AWSServiceInfo.appRunner.targetPrefix ? InvalidRequestException.code
                : service.awsQueryCompatible ? InvalidParameterValueException.code : CloudWatchLogs.InvalidParameterException.code
            return Self.error(status: 400, code: code, message: error.message, requestId: requestId, service: service)
        } catch let error as AWSResponseError {
            return Self.error(status: error.statusCode, code: error.code, message: error.message, requestId: requestId, service: service)
        } catch {
            logger.error("\(target) failed: \(error)")
            let code = service.awsQueryCompatible ? InternalServiceFault.code
                : service.targetPrefix == AWSServiceInfo.cloudWatchLogs.targetPrefix ? ServiceUnavailableException.code : InternalServiceErrorException.code
            return Self.error(status: 500, code: code, message: "An unexpected error occurred.", requestId: requestId, service: service)
        }
    }

    /// A fault (injected, or the rate exceeded) as the target's service answers it: CloudWatch, an AWS query
    /// service, names throttling `Throttling`.
    static func error(_ fault: FaultKind, service: AWSServiceInfo, requestId: String) -> Response {
        let answer = fault.error ?? (500, InternalServiceErrorException.code, "Injected fault.")
        let code = fault == .throttle && service.awsQueryCompatible ? "Throttling" : answer.code
        return error(status: answer.status, code: code, message: answer.message, requestId: requestId, service: service)
    }

    static func json(status: Int, body: Data, requestId: String, contentType: String) -> Response {
        var response = json(status: status, body: body, requestId: requestId)
        response.headers[.contentType] = contentType
        return response
    }

    /// An error as `service` answers it: App Runner as before; CloudWatch Logs and CloudWatch with `__type` and
    /// `message` in their content type, CloudWatch also with `x-amzn-query-error: Code;Sender` (botocore reads it).
    static func error(status: Int, code: String, message: String, requestId: String, service: AWSServiceInfo) -> Response {
        guard service.targetPrefix != AWSServiceInfo.appRunner.targetPrefix else {
            return error(status: status, code: code, message: message, requestId: requestId)
        }
        let body = errorBody(code: code, messageKey: "message", message: message)
        var response = json(status: status, body: body, requestId: requestId, errorType: code)
        response.headers[.contentType] = service.contentType
        if service.awsQueryCompatible, let name = HTTPField.Name("x-amzn-query-error") {
            response.headers[name] = AWSResponseError(code: code, message: message, statusCode: status).queryErrorHeader
        }
        return response
    }
}
