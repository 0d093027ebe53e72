import FoundationEssentials
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What one `serve` lets the network hold: connections, how long a request may take to arrive, and
/// how many body bytes may be buffered across all connections at once.
public struct FrontDoorLimits: Sendable {
    /// Connections served at once; further ones wait in the listen backlog (`--max-connections`).
    public var maxConnections: Int
    /// Seconds a connection has to send a request's whole head, from when it opens (`--header-timeout`).
    public var headerSeconds: Double
    /// Seconds a request has to send its whole body, once its head is in (`--body-timeout`).
    public var bodySeconds: Double
    /// Seconds a kept-alive connection may wait for its next request.
    public var keepAliveSeconds: Double
    /// Body bytes buffered across all connections; a request that would go beyond is answered 503
    /// (retryable) without its body being read.
    public var maxBufferedBodyBytes: Int

    public init(maxConnections: Int = FrontDoorLimits.defaultMaxConnections(), headerSeconds: Double = 10, bodySeconds: Double = 30,
                keepAliveSeconds: Double = 60, maxBufferedBodyBytes: Int = 32 << 20) {
        self.maxConnections = max(1, maxConnections)
        self.headerSeconds = headerSeconds
        self.bodySeconds = bodySeconds
        self.keepAliveSeconds = keepAliveSeconds
        self.maxBufferedBodyBytes = maxBufferedBodyBytes
    }

    /// Below the process's descriptor limit (the state file, the log, the listener and SQLite need some),
    /// so the server never reaches EMFILE: three quarters of the soft limit, at most 1,024.
    public static func defaultMaxConnections() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return 1024 }
        let soft = Int(clamping: limit.rlim_cur)
        return max(8, min(1024, soft * 3 / 4 - 16))
    }
}

/// The bytes of request bodies being read or held, across every connection.
final class BodyBudget: Sendable {
    let limit: Int
    private let used = Mutex(0)

    init(limit: Int) { self.limit = limit }

    /// Reserves `bytes`, or returns false when that would go beyond the limit.
    func reserve(_ bytes: Int) -> Bool {
        used.withLock { used in
            guard bytes <= limit - used else { return false }
            used += bytes
            return true
        }
    }

    func release(_ bytes: Int) {
        used.withLock { $0 = max(0, $0 - bytes) }
    }

    /// Runs `next` with the request's body bytes reserved (its Content-Length, or `maxBodyBytes` when it
    /// announces none and is chunked); answers 503 at once when the budget is spent.
    func admit(_ request: Request, maxBodyBytes: Int, next: (Request) async throws -> Response) async throws -> Response {
        let announced = request.headers[.contentLength].flatMap { Int($0) }
        let chunked = request.headers[.transferEncoding]?.lowercased().firstRange(of: "chunked") != nil
        let bytes = min(maxBodyBytes, announced ?? (chunked ? maxBodyBytes : 0))
        guard bytes > 0 else { return try await next(request) }
        guard reserve(bytes) else {
            var refusal = LocalHTTPHandler.error(status: 503, code: "ServiceUnavailableException",
                                                 message: "Too many request bodies are being received at once; retry shortly.", requestId: LocalIDs.uuid())
            refusal.headers[.connection] = "close"  // the body is not read
            return refusal
        }
        defer { release(bytes) }
        return try await next(request)
    }
}

/// One per connection, between HTTP decoding and the request handler: cuts a connection that does not
/// send its request head within `headerSeconds` (from opening, or `keepAliveSeconds` after the last
/// answer) or its body within `bodySeconds`, whether it is silent or sends a byte now and then; and gives
/// what the HTTP layer refuses (bad framing, an oversized head) an AWS-shaped JSON body.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let limits: FrontDoorLimits
    private var deadline: Scheduled<Void>?
    private var parseFailure: String?
    private var closeAfterResponse = false

    init(limits: FrontDoorLimits) { self.limits = limits }

    func handlerAdded(context: ChannelHandlerContext) {
        arm(context, seconds: limits.headerSeconds)
        // Small reads: what a connection has sent but the handler has not taken stays in the kernel's
        // socket buffer (the request stream applies back-pressure), not in ours, so many connections
        // sending large bodies at once cost little memory.
        try? context.channel.syncOptions?.setOption(ChannelOptions.recvAllocator,
                                                    value: AdaptiveRecvByteBufferAllocator(minimum: 1024, initial: 4096, maximum: 16384))
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: arm(context, seconds: limits.bodySeconds)
        case .body: break
        case .end: disarm()  // the request is in; the handler takes the time it needs
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? HTTPParserError { parseFailure = Self.words(for: error) }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where parseFailure != nil && head.status == .badRequest:
            // The HTTP layer's own refusal (an empty 400): answer as AWS does, with a JSON body.
            let body = Self.errorBody(message: parseFailure ?? "")
            parseFailure = nil
            head.headerFields[.contentType] = "application/x-amz-json-1.0"
            head.headerFields[.contentLength] = String(body.readableBytes)
            if let name = HTTPField.Name("x-amzn-ErrorType") { head.headerFields[name] = "SerializationException" }
            if let name = HTTPField.Name("x-amzn-RequestId") { head.headerFields[name] = LocalIDs.uuid() }
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(body)), promise: promise)
        case .head(let head):
            // An answer given before the body was read closes the connection: the unread body is not
            // drained (a refused client could otherwise still make the server read megabytes).
            closeAfterResponse = head.headerFields[.connection]?.lowercased() == "close"
            context.write(data, promise: promise)
        case .end:
            if closeAfterResponse {
                let channel = context.channel
                let written = context.eventLoop.makePromise(of: Void.self)
                written.futureResult.cascade(to: promise)
                written.futureResult.whenComplete { _ in channel.close(promise: nil) }
                context.write(data, promise: written)
                context.flush()
                return
            }
            context.write(data, promise: promise)
            arm(context, seconds: limits.keepAliveSeconds)
        default:
            context.write(data, promise: promise)
        }
    }

    private func arm(_ context: ChannelHandlerContext, seconds: Double) {
        disarm()
        guard seconds > 0 else { return }
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: .milliseconds(Int64(seconds * 1000))) {
            channel.close(promise: nil)
        }
    }

    private func disarm() {
        deadline?.cancel()
        deadline = nil
    }

    static func errorBody(message: String) -> ByteBuffer {
        ByteBuffer(bytes: LocalHTTPHandler.errorBody(code: "SerializationException", message: message))
    }

    /// What the HTTP parser refused, in words.
    static func words(for error: HTTPParserError) -> String {
        switch error {
        case .headerOverflow:
            return "The request's header section is larger than the endpoint accepts (80 KiB)."
        case .invalidContentLength, .unexpectedContentLength:
            return "The request's Content-Length is not a valid length."
        case .invalidChunkSize, .invalidEOFState:
            return "The request's body framing (Transfer-Encoding, chunk sizes) is not valid HTTP/1.1."
        case .invalidMethod, .invalidURL, .invalidPath, .invalidVersion, .unknown:
            return "The request line is not valid HTTP/1.1."
        default:
            return "The request is not valid HTTP/1.1."
        }
    }
}

/// Gives memory back to the system after a burst. glibc keeps freed memory in per-thread arenas;
/// after many connections sent large bodies at once, `serve` would keep hundreds of megabytes it no
/// longer uses. Fewer arenas and a trim every few seconds bring it back near where it started.
/// (glibc's `mallopt` and `malloc_trim` are looked up at run time: `<malloc.h>` is not in Swift's Glibc
/// module; elsewhere both are skipped.)
enum MemoryReturn {
    private typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    private typealias MallocTrim = @convention(c) (Int) -> Int32

    private static func symbol<T>(_ name: String, as type: T.Type) -> T? {
        guard let handle = dlopen(nil, RTLD_NOW), let address = dlsym(handle, name) else { return nil }
        return unsafeBitCast(address, to: type)
    }

    /// Called once when `serve` starts.
    static func limitArenas() {
        let arenaMax: Int32 = -8  // M_ARENA_MAX
        _ = symbol("mallopt", as: Mallopt.self)?(arenaMax, 2)
    }

    /// Trims free memory every `seconds` until cancelled.
    static func trimPeriodically(every seconds: Double = 5) async {
        let trim = symbol("malloc_trim", as: MallocTrim.self)
        while !Task.isCancelled {
            try? await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
            _ = trim?(0)
        }
    }
}
