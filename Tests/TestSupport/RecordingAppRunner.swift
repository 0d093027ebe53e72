import AWSCore
import AppRunner
import AppRunnerLocal
import Foundation

/// The one App Runner test double: Local App Runner behind the generated ``AppRunnerClient``.
///
/// `client` is a real `AppRunnerClient` whose transport is this actor: every call is validated and
/// JSON-encoded by the client, recorded here (``calls``), then decoded, validated and answered by the
/// generated server side (`dispatch`) on ``local``, like `runnerdeck serve` does without the socket.
/// On the way it can inject what Local App Runner does not produce by itself:
/// - failures: the next N calls fail with a given service error (e.g. throttling) or client error;
/// - small pages: a default `MaxResults` for an operation whose request leaves it out;
/// - passing time: each call advances a ``ManualClock`` (a poll loop on the real clock then sees
///   Local's operations progress);
/// - response edits: a typed change to the answers of one operation (e.g. extra summaries).
public actor RecordingAppRunner: AWSJSONTransport {
    public nonisolated let local: LocalAppRunner
    /// Names of the operations sent, in order (failed ones too).
    public private(set) var calls: [String] = []
    private var failures: [any Error & Sendable] = []
    private var pageSizes: [String: Int] = [:]
    private var edits: [String: @Sendable (Data) throws -> Data] = [:]
    private let clock: ManualClock?
    private var secondsPerCall: Double

    /// - Parameters:
    ///   - local: the control plane answering the calls.
    ///   - clock: with `secondsPerCall` > 0, advanced that much by every call (after recording it).
    public init(_ local: LocalAppRunner, clock: ManualClock? = nil, secondsPerCall: Double = 0) {
        self.local = local
        self.clock = clock
        self.secondsPerCall = secondsPerCall
    }

    /// An in-memory Local App Runner whose operations take `operationSeconds` on `clock`.
    public init(clock: ManualClock, operationSeconds: Double = 30, secondsPerCall: Double = 0) throws {
        self.init(try LocalAppRunner(options: LocalOptions(operationSeconds: operationSeconds), clock: clock),
                  clock: clock, secondsPerCall: secondsPerCall)
    }

    /// The App Runner API to hand to the code under test.
    public nonisolated var client: AppRunnerClient { AppRunnerClient(transport: self) }

    /// Creates an image service on Local directly (not recorded) and, on a manual clock, moves time past
    /// its creation so it is RUNNING. Returns its ARN.
    @discardableResult
    public nonisolated func addService(_ name: String, image: String = "public.ecr.aws/nginx/nginx:latest",
                                       env: AWSMap<String>? = nil, tags: [Tag]? = nil) async throws -> String {
        let created = try await local.createService(CreateServiceRequest(
            serviceName: name,
            sourceConfiguration: SourceConfiguration(imageRepository: ImageRepository(
                imageIdentifier: image, imageConfiguration: env.map { ImageConfiguration(runtimeEnvironmentVariables: $0) },
                imageRepositoryType: .ecrPublic), autoDeploymentsEnabled: false),
            tags: tags))
        clock?.advance(by: local.options.operationSeconds + 1)
        return created.service.serviceArn
    }

    /// The status Local App Runner gives the service now (not recorded).
    public nonisolated func status(of arn: String) async throws -> ServiceStatus {
        try await local.describeService(DescribeServiceRequest(serviceArn: arn)).service.status
    }

    public func resetCalls() { calls = [] }
    public func setSecondsPerCall(_ seconds: Double) { secondsPerCall = seconds }

    /// The next `count` calls fail with `error` (an ``AWSResponseError`` reaches the client as a
    /// service error, typed when the model knows its code; anything else as it is).
    public func failNext(_ count: Int, with error: any Error & Sendable) {
        failures += Array(repeating: error, count: count)
    }

    /// The next `count` calls are throttled (400 ThrottlingException).
    public func throttleNext(_ count: Int) {
        failNext(count, with: AWSResponseError(code: "ThrottlingException", message: "Rate exceeded", statusCode: 400))
    }

    /// Requests of `operation` without `MaxResults` ask for pages of `size`.
    public func setDefaultPageSize(_ size: Int, for operation: AppRunnerOperation) {
        pageSizes[operation.rawValue] = size
    }

    /// Every answer of `operation` is decoded as `Output`, changed by `edit` and encoded again.
    public func editResponses<Output: AppRunnerShape>(of operation: AppRunnerOperation, as type: Output.Type,
                                                      _ edit: @escaping @Sendable (inout Output) -> Void) {
        edits[operation.rawValue] = { data in
            var output = try AppRunnerJSON.decode(type, from: data)
            edit(&output)
            return try AppRunnerJSON.encode(output)
        }
    }

    public func send(operation: String, body: Data) async throws -> Data {
        calls.append(operation)
        let requestId = "req-\(calls.count)"
        if let clock, secondsPerCall > 0 { clock.advance(by: secondsPerCall) }
        if !failures.isEmpty {
            let failure = failures.removeFirst()
            if var error = failure as? AWSResponseError {
                error.requestId = error.requestId ?? requestId
                throw error
            }
            throw failure
        }
        guard let known = AppRunnerOperation(rawValue: operation) else {
            throw AWSResponseError(code: "UnknownOperationException", message: "Unknown operation \(operation).", statusCode: 400, requestId: requestId)
        }
        do {
            let output = try await dispatch(known, body: try withPageSize(body, for: operation), to: local)
            return try edits[operation].map { try $0(output) } ?? output
        } catch let error as any AppRunnerServiceError {
            throw AWSResponseError(code: error.code, message: error.message, statusCode: error.statusCode, requestId: requestId)
        } catch let error as AWSValidationError {
            throw AWSResponseError(code: InvalidRequestException.code, message: error.message, statusCode: 400, requestId: requestId)
        } catch var error as AWSResponseError {
            error.requestId = error.requestId ?? requestId
            throw error
        }
    }

    private func withPageSize(_ body: Data, for operation: String) throws -> Data {
        guard let size = pageSizes[operation],
              var object = try JSONSerialization.jsonObject(with: body.isEmpty ? Data("{}".utf8) : body) as? [String: Any],
              object["MaxResults"] == nil else { return body }
        object["MaxResults"] = size
        return try JSONSerialization.data(withJSONObject: object)
    }
}
