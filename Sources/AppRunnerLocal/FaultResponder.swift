import AWSCore
import AppRunner
import FoundationEssentials
import HTTPTypes
import Hummingbird
import NIOCore
import NIOPosix
import Synchronization

/// The request context of Local App Runner's endpoint: Hummingbird's basic one plus the connection,
/// so an injected fault can cut it.
struct LocalRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

/// Applies a ``FaultDecision`` to one request (`runnerdeck serve --faults`). Faults come after
/// authentication: a fault is what a healthy-looking AWS endpoint does to a valid request.
struct FaultResponder: Sendable {
    let injector: FaultInjector
    /// How long a silent fault holds the connection before giving up on it.
    var silentSeconds: Double = 300
    /// Set when the server is asked to stop: silent faults let go at once, so a graceful shutdown
    /// does not wait for them.
    let stopping = StopFlag()

    struct Cut: Error {}

    /// Answers the request with the fault, or passes it to `next` (after a delay for latency faults).
    func respond(_ request: Request, context: LocalRequestContext,
                 next: (Request) async throws -> Response) async throws -> Response {
        guard let decision = injector.next() else { return try await next(request) }
        let requestId = LocalIDs.uuid()
        switch decision.kind {
        case .throttle, .internalError, .unavailable:
            let target = HTTPField.Name("X-Amz-Target").flatMap { request.headers[$0] } ?? ""
            return LocalHTTPHandler.error(decision.kind, service: LocalHTTPHandler.service(forTarget: target) ?? .appRunner, requestId: requestId)
        case .latency:
            try await Task.sleep(nanoseconds: UInt64(decision.delay * 1_000_000_000))
            return try await next(request)
        case .silent:
            // Never answers; the client's deadline, the server stopping or `silentSeconds` ends it.
            let until = ContinuousClock.now + .milliseconds(Int64(silentSeconds * 1000))
            while ContinuousClock.now < until, !stopping.isSet, !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 100_000_000)
            }
            Self.reset(context.channel)
            throw Cut()
        case .reset:
            Self.reset(context.channel)
            throw Cut()
        case .truncate:
            let full = try await next(request)
            let collector = BodyCollector()
            try await full.body.write(CollectingWriter(collector: collector))
            let bytes = collector.buffer
            let half = bytes.getSlice(at: bytes.readerIndex, length: bytes.readableBytes / 2) ?? ByteBuffer()
            var headers = full.headers
            headers[.contentLength] = String(bytes.readableBytes)
            let channel = context.channel
            return Response(status: full.status, headers: headers, body: ResponseBody(contentLength: bytes.readableBytes) { writer in
                try await writer.write(half)
                channel.close(promise: nil)
                throw Cut()
            })
        }
    }

    /// Closes the connection at once with a reset (SO_LINGER 0), as a crashed peer or a middlebox would.
    static func reset(_ channel: any Channel) {
        guard let provider = channel as? any SocketOptionProvider else {
            channel.close(promise: nil)
            return
        }
        provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in
            channel.close(promise: nil)
        }
    }
}

/// Collects a response body written by Hummingbird's body writers.
final class BodyCollector: @unchecked Sendable {
    // Written by one writer at a time (the body is written once, in order).
    var buffer = ByteBuffer()
}

struct CollectingWriter: ResponseBodyWriter {
    let collector: BodyCollector

    mutating func write(_ buffer: ByteBuffer) async throws {
        collector.buffer.writeImmutableBuffer(buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

/// A flag set once, read from any thread.
final class StopFlag: Sendable {
    private let value = Mutex(false)

    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}
