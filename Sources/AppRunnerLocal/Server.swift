import AWSCore
import AppRunner
import Dispatch
import FoundationEssentials
import HTTPTypes
import Hummingbird
import HummingbirdCore
import JMESPath
import Logging
import NIOCore
import UnixSignals

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What `runnerdeck serve` serves.
public struct LocalServerConfiguration: Sendable {
    public enum Seed: String, Sendable, CaseIterable {
        case demo
        case none
    }

    public var host: String
    /// 0 picks a free port.
    public var port: Int
    /// SQLite file; nil keeps state in memory.
    public var statePath: String?
    public var seed: Seed
    /// The default partition's region and account (also those of unsigned requests and of the demo fleet);
    /// a signed request is served in the region its scope names.
    public var options: LocalOptions
    /// With credentials every request must be SigV4-signed with them (and carry their session token, when
    /// they have one); without, anything is accepted.
    public var credentials: AWSCredentials?
    /// How many accounts are served, told apart by the key that signed (see ``LocalAccounts``); more than one
    /// needs `credentials`.
    public var accounts: Int
    /// Rates beyond which requests are answered ThrottlingException; nil throttles none.
    public var throttle: ThrottlePlan?
    /// The clock signatures are checked against (their `X-Amz-Date` must be within 5 minutes of it).
    public var clock: any WallClock
    /// Largest request body accepted (413 beyond).
    public var maxBodyBytes: Int
    /// Faults injected into valid requests (`--faults RATE[:kinds]`); nil injects none.
    public var faults: FaultPlan?
    /// Seed of the fault decisions (the same seed, the same sequence); nil picks one.
    public var faultSeed: UInt64?
    /// File that gets one line per request (`--access-log`); nil writes none.
    public var accessLogPath: String?
    /// Connections, deadlines and buffered bytes the endpoint allows.
    public var limits: FrontDoorLimits

    public init(host: String = "127.0.0.1", port: Int = 0, statePath: String? = nil, seed: Seed = .none,
                options: LocalOptions = LocalOptions(), credentials: AWSCredentials? = nil, accounts: Int = 1, throttle: ThrottlePlan? = nil,
                clock: any WallClock = SystemClock(), maxBodyBytes: Int = 1 << 20, faults: FaultPlan? = nil, faultSeed: UInt64? = nil,
                accessLogPath: String? = nil, limits: FrontDoorLimits = FrontDoorLimits()) {
        self.accounts = accounts
        self.throttle = throttle
        self.accessLogPath = accessLogPath
        self.limits = limits
        self.faults = faults
        self.faultSeed = faultSeed
        self.host = host
        self.port = port
        self.statePath = statePath
        self.seed = seed
        self.options = options
        self.credentials = credentials
        self.clock = clock
        self.maxBodyBytes = maxBodyBytes
    }

}

public enum LocalServerError: Error, CustomStringConvertible, Sendable {
    case unauthenticatedNonLoopback(String)
    /// The state file cannot be opened or read (path, reason).
    case unusableState(String, String)
    /// The socket could not be bound (host, port, reason).
    case cannotListen(String, Int, String)
    /// The access log cannot be written (path, reason).
    case unusableAccessLog(String, String)
    /// The accounts asked for cannot be served (reason).
    case unusableAccounts(String)

    /// Why a bind failed, in words (never NIO's function names).
    static func bindReason(_ error: any Error) -> String {
        if let error = error as? IOError {
            switch error.errnoCode {
            case EADDRINUSE: return "the address is already in use (another process listens there; pick another --port, or 0 for a free one)"
            case EACCES: return "permission denied (ports below 1024 need privileges)"
            case EADDRNOTAVAIL: return "the address is not one of this machine's"
            default: return String(cString: strerror(error.errnoCode)).lowercased()
            }
        }
        if error is SocketAddressError { return "the host name does not resolve to an address" }
        return "the socket could not be opened"
    }

    public var description: String {
        switch self {
        case .unauthenticatedNonLoopback(let host):
            return "refusing to serve on \(host) without credentials: pass --access-key-id and --secret-access-key, or bind 127.0.0.1"
        case .unusableState(let path, let reason):
            return "cannot use the state file \(path): \(reason)"
        case .cannotListen(let host, let port, let reason):
            return "cannot listen on \(host):\(port): \(reason)"
        case .unusableAccessLog(let path, let reason):
            return "cannot write the access log \(path): \(reason)"
        case .unusableAccounts(let reason):
            return "cannot serve these accounts: \(reason)"
        }
    }
}

/// Whether the server got as far as listening (to tell a bind failure from a later one).
private actor ListeningFlag {
    var listening = false
    func set() { listening = true }
}

/// Serves Local App Runner over AWS JSON 1.0 until cancelled or sent SIGINT/SIGTERM.
/// `onReady` receives `http://HOST:PORT` once the socket listens.
public func runLocalServer(
    _ configuration: LocalServerConfiguration,
    logger: Logger = Logger(label: "runnerdeck.serve"),
    onReady: @escaping @Sendable (String) -> Void
) async throws {
    // Without credentials, loopback only, by what the host resolves to; the socket is then bound to
    // the address checked (not to the name, which could resolve differently a moment later).
    var bindHost = configuration.host
    if configuration.credentials == nil {
        switch Loopback.check(configuration.host) {
        case .failure(let refusal): throw refusal
        case .success(let addresses): bindHost = addresses.first ?? configuration.host
        }
    }
    let accounts: LocalAccounts
    do {
        accounts = try LocalAccounts(firstAccountId: configuration.options.accountId, credentials: configuration.credentials, count: configuration.accounts)
    } catch {
        throw LocalServerError.unusableAccounts("\(error)")
    }
    MemoryReturn.limitArenas()
    let trimmer = Task { await MemoryReturn.trimPeriodically() }
    defer { trimmer.cancel() }
    let accessLog = try configuration.accessLogPath.map { try AccessLog(path: $0) }
    let fleet: LocalFleet
    do {
        fleet = try LocalFleet(options: configuration.options, path: configuration.statePath, logger: logger)
    } catch {
        throw LocalServerError.unusableState(configuration.statePath ?? ":memory:", "\(error)")
    }
    if configuration.seed == .demo {
        try await fleet.defaultPlane().seedDemoFleetIfEmpty()
    }
    await fleet.startTickers()
    let handler = LocalHTTPHandler(fleet: fleet, configuration: configuration, logger: logger)
    // With credentials, SigV4 sits in front of the handler (see SigV4Authentication): any region, every account's key.
    let authentication = configuration.credentials.map { _ in
        SigV4Authentication<LocalRequestContext>(
            verifier: SigV4Verifier(credentials: accounts.credentials, region: nil,
                                    service: AWSServiceInfo.appRunner.signingName, clock: configuration.clock),
            maxBodyBytes: configuration.maxBodyBytes, defaultRegion: configuration.options.region)
    }
    let scopes = RequestScopes(accounts: accounts, defaultPartition: fleet.defaultPartition)
    let throttle = configuration.throttle.map { RequestThrottle(plan: $0) }
    let faults = configuration.faults.map { FaultResponder(injector: FaultInjector(plan: $0, seed: configuration.faultSeed)) }
    // SIGTERM/SIGINT also release silent faults, so the graceful shutdown does not wait on them.
    let stopSources = faults.map { faults in
        [SIGTERM, SIGINT].map { signalNumber -> any DispatchSourceSignal in
            let source = DispatchSource.makeSignalSource(signal: signalNumber)
            source.setEventHandler { faults.stopping.set() }
            source.resume()
            return source
        }
    } ?? []
    defer { stopSources.forEach { $0.cancel() } }
    if let plan = configuration.faults {
        logger.notice("injecting faults: \(plan)")
    }
    let host = configuration.host
    let limits = configuration.limits
    let budget = BodyBudget(limit: limits.maxBufferedBodyBytes)
    let listening = ListeningFlag()
    let app = Application(
        responder: CallbackResponder<LocalRequestContext> { request, context in
            // Authentication first, then the rate; an injected fault is what an endpoint does to a valid request.
            let serve: @Sendable (Request, LocalRequestContext) async throws -> Response = { request, context in
                let scope = scopes.scope(of: request)
                if let throttle, !throttle.admit(scope.partition, api: scope.service.signingName) {
                    return LocalHTTPHandler.error(FaultKind.throttle, service: scope.service, requestId: LocalIDs.uuid())
                }
                guard let faults else { return await handler.respond(request, partition: scope.partition) }
                return try await faults.respond(request, context: context) { await handler.respond($0, partition: scope.partition) }
            }
            let authenticated: @Sendable (Request, LocalRequestContext) async throws -> Response = { request, context in
                // Bodies buffered across connections are bounded before any is read.
                try await budget.admit(request, maxBodyBytes: configuration.maxBodyBytes) { request in
                    guard let authentication else { return try await serve(request, context) }
                    return try await authentication.handle(request, context: context, next: serve)
                }
            }
            // The access log sees every request as the client did: refused, faulted or answered.
            guard let accessLog else { return try await authenticated(request, context) }
            let peer = context.channel.remoteAddress?.ipAddress ?? "-"
            return try await accessLog.record(request, context: context, channelPeer: peer, next: authenticated)
        },
        // Deadlines per connection (head, body, keep-alive) and AWS-shaped answers to bad framing; the
        // idle timeout is a last resort for a connection the guard does not see (it reads nothing).
        server: .http1(configuration: .init(additionalChannelHandlers: [ConnectionGuard(limits: limits)], idleTimeout: .seconds(300))),
        configuration: .init(address: .hostname(bindHost, port: configuration.port), serverName: "RunnerDeck-LocalAppRunner",
                             availableConnectionsDelegate: MaximumAvailableConnections(limits.maxConnections)),
        onServerRunning: { channel in
            await listening.set()
            let port = channel.localAddress?.port ?? configuration.port
            let shownHost = host.contains(":" as Character) ? "[\(host)]" : host
            onReady("http://\(shownHost):\(port)")
        },
        logger: logger
    )
    do {
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    } catch {
        await fleet.stopTickers()
        if await !listening.listening, !Task.isCancelled {
            throw LocalServerError.cannotListen(host, configuration.port, LocalServerError.bindReason(error))
        }
        throw error
    }
    await fleet.stopTickers()
}

/// Turns HTTP requests into control-plane calls and answers as AWS does.
struct LocalHTTPHandler: Sendable {
    let fleet: LocalFleet
    let configuration: LocalServerConfiguration
    let logger: Logger

    enum BodyRead {
        case collected(ByteBuffer)
        case refused(Response)
    }

    /// Collects the body (up to `limit` bytes) into `request`; a body too large is answered 413, one that
    /// ends early or is badly framed (e.g. a broken chunk size) 400, as the client's fault.
    static func collectBody(_ request: inout Request, upTo limit: Int) async -> BodyRead {
        do {
            return .collected(try await request.collectBody(upTo: limit))
        } catch is NIOTooManyBytesError {
            return .refused(error(status: 413, code: "RequestEntityTooLargeException",
                                  message: "Request body must be at most \(limit) bytes.", requestId: LocalIDs.uuid()))
        } catch {
            return .refused(Self.error(status: 400, code: "SerializationException", message: "The request body could not be read.", requestId: LocalIDs.uuid()))
        }
    }

    /// Answers `request` from the control plane of `partition`.
    func respond(_ request: Request, partition: LocalPartition) async -> Response {
        let requestId = LocalIDs.uuid()
        var request = request
        let body: ByteBuffer
        switch await Self.collectBody(&request, upTo: configuration.maxBodyBytes) {
        case .collected(let buffer): body = buffer
        case .refused(let response): return response
        }
        let bodyData = Data(body.readableBytesView)
        guard request.method == .post else {
            return Self.error(status: 404, code: "UnknownOperationException", message: "App Runner answers POST requests only.", requestId: requestId)
        }
        let target = HTTPField.Name("X-Amz-Target").flatMap { request.headers[$0] } ?? ""
        let plane: LocalAppRunner
        do {
            plane = try await fleet.plane(partition)
        } catch {
            logger.error("could not open \(partition): \(error)")
            return Self.error(status: 500, code: InternalServiceErrorException.code, message: "An unexpected error occurred.", requestId: requestId)
        }
        return await route(target: target, body: bodyData, requestId: requestId, plane: plane)
    }

    static func json(status: Int, body: Data, requestId: String, errorType: String? = nil) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/x-amz-json-1.0"
        if let name = HTTPField.Name("x-amzn-RequestId") { headers[name] = requestId }
        if let errorType, let name = HTTPField.Name("x-amzn-ErrorType") { headers[name] = errorType }
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func error(status: Int, code: String, message: String, requestId: String) -> Response {
        json(status: status, body: errorBody(code: code, message: message), requestId: requestId, errorType: code)
    }

    /// An AWS JSON error body, `{"__type":…,"Message":…}`, byte for byte as Foundation's `JSONSerialization`
    /// wrote it with sorted keys: `__type` first (that sort ignores case), `/` written as `\/`.
    static func errorBody(code: String, messageKey: String = "Message", message: String) -> Data {
        let object = JMESObject([("__type", .string(code)), (messageKey, .string(message))])
        return Data(JMESValue.object(object).jsonText(escapingSlashes: true).utf8)
    }
}
