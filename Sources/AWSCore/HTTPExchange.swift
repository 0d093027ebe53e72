import AsyncHTTPClient
import FoundationEssentials
import NIOCore
import NIOHTTP1
import Synchronization

/// How long a call may take; nil means no limit.
public struct AWSClientTimeouts: Sendable, Hashable {
    /// Establishing a connection, TCP and TLS (the AWS CLI's `--cli-connect-timeout`). Applies to the
    /// HTTP client the AWS client makes itself.
    public var connect: Double?
    /// One attempt, from sending the request to the last byte of the response body (the AWS CLI's
    /// `--cli-read-timeout`, here a deadline for the whole response rather than per read, so a server
    /// that sends a byte now and then cannot hold a call).
    public var attempt: Double?
    /// The whole call: every attempt and the waits between them.
    public var total: Double?

    public init(connect: Double? = 10, attempt: Double? = 60, total: Double? = 120) {
        self.connect = connect
        self.attempt = attempt
        self.total = total
    }

    /// Connect 10 s, attempt 60 s, total 120 s.
    public static let standard = AWSClientTimeouts()
}

/// One HTTP exchange under a deadline that covers the whole response, body included; the exchange is
/// cancelled when the deadline passes. Failures come out as ``AWSClientError`` in an operator's words,
/// a body that stops early as ``AWSClientError/responseCutOff(endpoint:received:expected:)``.
struct HTTPExchange {
    struct Response: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: Data
    }

    let client: HTTPClient
    let endpoint: String

    /// `onTimeout` is thrown when `seconds` pass first (the attempt is cancelled).
    func perform(_ request: HTTPClientRequest, within seconds: Double?, onTimeout timeout: AWSClientError,
                 maxBodyBytes: Int = 64 << 20) async throws -> Response {
        let client = self.client
        let endpoint = self.endpoint
        let exchange: @Sendable () async throws -> Response = {
            try await Self.exchange(request, client: client, endpoint: endpoint, seconds: seconds, maxBodyBytes: maxBodyBytes)
        }
        guard let seconds else { return try await exchange() }
        // The deadline answers at once: the exchange is cancelled but not waited for (a library that
        // is slow to notice cancellation must not stretch the attempt past its deadline).
        let work = Task { try await exchange() }
        let outcome = FirstOutcome<Response>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                outcome.attach(continuation)
                let timer = Task {
                    try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000))
                    if outcome.finish(.failure(timeout)) { work.cancel() }
                }
                Task {
                    let result = await work.result
                    if outcome.finish(result) { timer.cancel() }
                }
            }
        } onCancel: {
            work.cancel()
            _ = outcome.finish(.failure(CancellationError()))
        }
    }

    private static func exchange(_ request: HTTPClientRequest, client: HTTPClient, endpoint: String, seconds: Double?,
                                 maxBodyBytes: Int) async throws -> Response {
        let response: HTTPClientResponse
        do {
            // The group above enforces the deadline; async-http-client's own is a backstop.
            let limit: TimeAmount = seconds.map { .nanoseconds(Int64(min($0 + 1, 1e9) * 1_000_000_000)) } ?? .hours(24 * 365)
            response = try await client.execute(request, timeout: limit)
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw AWSClientError.from(error, endpoint: endpoint)
        }
        let expected = response.headers.first(name: "Content-Length").flatMap { Int($0.trimmingWhitespace) }
        var received = 0
        var body = Data()
        do {
            for try await chunk in response.body {
                received += chunk.readableBytes
                guard received <= maxBodyBytes else {
                    throw AWSClientError.invalidResponse("the response body is larger than \(maxBodyBytes) bytes")
                }
                body.append(contentsOf: chunk.readableBytesView)
            }
        } catch let error as AWSClientError {
            throw error
        } catch {
            if Task.isCancelled { throw CancellationError() }
            let mapped = AWSClientError.from(error, endpoint: endpoint)
            if case .timeout = mapped { throw mapped }
            throw AWSClientError.responseCutOff(endpoint: endpoint, received: received, expected: expected)
        }
        if let expected, received < expected {
            throw AWSClientError.responseCutOff(endpoint: endpoint, received: received, expected: expected)
        }
        return Response(status: Int(response.status.code), headers: response.headers, body: body)
    }
}

/// Resumes a continuation with whichever outcome comes first; later ones are dropped.
final class FirstOutcome<Value: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Value, any Error>?
        /// An outcome that came before the continuation was attached.
        var early: Result<Value, any Error>?
        var done = false
    }

    private let state = Mutex(State())

    func attach(_ continuation: CheckedContinuation<Value, any Error>) {
        let early = state.withLock { state -> Result<Value, any Error>? in
            if let early = state.early { return early }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    /// True when this outcome was the first.
    func finish(_ result: Result<Value, any Error>) -> Bool {
        let (first, waiting) = state.withLock { state -> (Bool, CheckedContinuation<Value, any Error>?) in
            guard !state.done else { return (false, nil) }
            state.done = true
            guard let continuation = state.continuation else {
                state.early = result  // cancelled before the continuation was attached
                return (true, nil)
            }
            state.continuation = nil
            return (true, continuation)
        }
        waiting?.resume(with: result)
        return first
    }
}
