import AWSCore
import AppRunner
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

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
    public var options: LocalOptions
    /// With credentials every request must be SigV4-signed with them; without, anything is accepted.
    public var credentials: AWSCredentials?
    /// Largest request body accepted (413 beyond).
    public var maxBodyBytes: Int

    public init(host: String = "127.0.0.1", port: Int = 0, statePath: String? = nil, seed: Seed = .none,
                options: LocalOptions = LocalOptions(), credentials: AWSCredentials? = nil, maxBodyBytes: Int = 1 << 20) {
        self.host = host
        self.port = port
        self.statePath = statePath
        self.seed = seed
        self.options = options
        self.credentials = credentials
        self.maxBodyBytes = maxBodyBytes
    }

    public var isLoopback: Bool {
        ["127.0.0.1", "localhost", "::1"].contains(host) || host.hasPrefix("127.")
    }
}

public enum LocalServerError: Error, CustomStringConvertible, Sendable {
    case unauthenticatedNonLoopback(String)
    /// The state file cannot be opened or read (path, reason).
    case unusableState(String, String)
    /// The socket could not be bound (host, port, reason).
    case cannotListen(String, Int, String)

    public var description: String {
        switch self {
        case .unauthenticatedNonLoopback(let host):
            return "refusing to serve on \(host) without credentials: pass --access-key-id and --secret-access-key, or bind 127.0.0.1"
        case .unusableState(let path, let reason):
            return "cannot use the state file \(path): \(reason)"
        case .cannotListen(let host, let port, let reason):
            return "cannot listen on \(host):\(port): \(reason)"
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
    if configuration.credentials == nil && !configuration.isLoopback {
        throw LocalServerError.unauthenticatedNonLoopback(configuration.host)
    }
    let plane: LocalAppRunner
    do {
        plane = try LocalAppRunner(options: configuration.options, path: configuration.statePath, logger: logger)
    } catch {
        throw LocalServerError.unusableState(configuration.statePath ?? ":memory:", "\(error)")
    }
    if configuration.seed == .demo {
        try await plane.seedDemoFleetIfEmpty()
    }
    await plane.startTicker()
    let handler = LocalHTTPHandler(plane: plane, configuration: configuration, logger: logger)
    let host = configuration.host
    let listening = ListeningFlag()
    let app = Application(
        responder: CallbackResponder<BasicRequestContext> { request, _ in
            await handler.respond(request)
        },
        // Idle connections (a client that stops mid-request, or an unused keep-alive) are closed after five minutes.
        server: .http1(configuration: .init(idleTimeout: .seconds(300))),
        configuration: .init(address: .hostname(host, port: configuration.port), serverName: "RunnerDeck-LocalAppRunner"),
        onServerRunning: { channel in
            await listening.set()
            let port = channel.localAddress?.port ?? configuration.port
            let shownHost = host.contains(":") ? "[\(host)]" : host
            onReady("http://\(shownHost):\(port)")
        },
        logger: logger
    )
    do {
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    } catch {
        await plane.stopTicker()
        if await !listening.listening, !Task.isCancelled {
            throw LocalServerError.cannotListen(host, configuration.port, "\(error)")
        }
        throw error
    }
    await plane.stopTicker()
}

/// Turns HTTP requests into control-plane calls and answers as AWS does.
struct LocalHTTPHandler: Sendable {
    let plane: LocalAppRunner
    let configuration: LocalServerConfiguration
    let logger: Logger

    static let skewLimit: TimeInterval = 300

    func respond(_ request: Request) async -> Response {
        let requestId = LocalIDs.uuid()
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: configuration.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            return Self.error(status: 413, code: "RequestEntityTooLargeException",
                              message: "Request body must be at most \(configuration.maxBodyBytes) bytes.", requestId: requestId)
        } catch {
            // A body that ends early or is badly framed (e.g. a broken chunk size) is the client's fault, not its size.
            return Self.error(status: 400, code: "SerializationException", message: "The request body could not be read.", requestId: requestId)
        }
        let bodyData = Data(body.readableBytesView)
        if let credentials = configuration.credentials,
           let failure = verify(request, body: bodyData, credentials: credentials) {
            return Self.error(status: 403, code: failure.code, message: failure.message, requestId: requestId)
        }
        guard request.method == .post else {
            return Self.error(status: 404, code: "UnknownOperationException", message: "App Runner answers POST requests only.", requestId: requestId)
        }
        let target = HTTPField.Name("X-Amz-Target").flatMap { request.headers[$0] } ?? ""
        let prefix = AWSServiceInfo.appRunner.targetPrefix + "."
        guard target.hasPrefix(prefix), let operation = AppRunnerOperation(rawValue: String(target.dropFirst(prefix.count))) else {
            return Self.error(status: 400, code: "UnknownOperationException",
                              message: target.isEmpty ? "Missing X-Amz-Target header." : "Unknown operation \(target).", requestId: requestId)
        }
        do {
            let output = try await dispatch(operation, body: bodyData, to: plane)
            return Self.json(status: 200, body: output, requestId: requestId)
        } catch let error as any AppRunnerServiceError {
            return Self.error(status: error.statusCode, code: error.code, message: error.message, requestId: requestId)
        } catch let error as AWSValidationError {
            return Self.error(status: 400, code: InvalidRequestException.code, message: error.message, requestId: requestId)
        } catch let error as AWSResponseError {
            return Self.error(status: error.statusCode, code: error.code, message: error.message, requestId: requestId)
        } catch {
            logger.error("\(operation.rawValue) failed: \(error)")
            return Self.error(status: 500, code: InternalServiceErrorException.code, message: "An unexpected error occurred.", requestId: requestId)
        }
    }

    struct AuthFailure {
        var code: String
        var message: String
    }

    /// SigV4 verification for `apprunner` in the served region.
    func verify(_ request: Request, body: Data, credentials: AWSCredentials) -> AuthFailure? {
        func header(_ name: String) -> String? {
            if name == "host" { return request.head.authority ?? HTTPField.Name("Host").flatMap { request.headers[$0] } }
            guard let field = HTTPField.Name(name) else { return nil }
            let values = request.headers[values: field]
            return values.isEmpty ? nil : values.joined(separator: ",")
        }
        guard let authorizationHeader = header("authorization") else {
            return AuthFailure(code: "MissingAuthenticationTokenException", message: "Missing Authentication Token")
        }
        guard let authorization = SigV4Authorization(header: authorizationHeader) else {
            return AuthFailure(code: "IncompleteSignatureException", message: "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.")
        }
        guard authorization.accessKeyId == credentials.accessKeyId else {
            return AuthFailure(code: "UnrecognizedClientException", message: "The security token included in the request is invalid.")
        }
        guard let amzDate = header("x-amz-date"), let date = SigV4Authorization.parseAmzDate(amzDate) else {
            return AuthFailure(code: "IncompleteSignatureException", message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
        }
        let now = Date()
        if date < now.addingTimeInterval(-Self.skewLimit) {
            return AuthFailure(code: "InvalidSignatureException",
                               message: "Signature expired: \(amzDate) is now earlier than \(SigV4Signer.amzDate(now.addingTimeInterval(-Self.skewLimit))) (\(SigV4Signer.amzDate(now)) - 5 min.)")
        }
        if date > now.addingTimeInterval(Self.skewLimit) {
            return AuthFailure(code: "InvalidSignatureException",
                               message: "Signature not yet current: \(amzDate) is still later than \(SigV4Signer.amzDate(now.addingTimeInterval(Self.skewLimit))) (\(SigV4Signer.amzDate(now)) + 5 min.)")
        }
        let region = configuration.options.region
        guard authorization.region == region, authorization.service == AWSServiceInfo.appRunner.signingName,
              authorization.day == String(amzDate.prefix(8)) else {
            return AuthFailure(code: "InvalidSignatureException",
                               message: "Credential should be scoped to a valid region and service: expected \(region)/\(AWSServiceInfo.appRunner.signingName).")
        }
        var headers: [(name: String, value: String)] = []
        for name in authorization.signedHeaders {
            guard let value = header(name) else {
                return AuthFailure(code: "InvalidSignatureException", message: "The request signature we calculated does not match the signature you provided. Signed header \(name) is missing.")
            }
            headers.append((name: name, value: value))
        }
        let signer = SigV4Signer(credentials: credentials, region: region, service: AWSServiceInfo.appRunner.signingName)
        let signed = SigV4Signer.Request(method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "",
                                         headers: headers, payloadHash: SigV4Signer.hexSHA256(body))
        let canonical = signer.canonicalRequest(signed)
        let expected = signer.signature(stringToSign: signer.stringToSign(canonicalRequest: canonical.text, date: date), date: date)
        guard Self.constantTimeEqual(expected, authorization.signature) else {
            return AuthFailure(code: "InvalidSignatureException",
                               message: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
        }
        return nil
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }

    static func json(status: Int, body: Data, requestId: String, errorType: String? = nil) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/x-amz-json-1.0"
        if let name = HTTPField.Name("x-amzn-RequestId") { headers[name] = requestId }
        if let errorType, let name = HTTPField.Name("x-amzn-ErrorType") { headers[name] = errorType }
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func error(status: Int, code: String, message: String, requestId: String) -> Response {
        let object: [String: String] = ["__type": code, "Message": message]
        let body = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return json(status: status, body: body, requestId: requestId, errorType: code)
    }
}
