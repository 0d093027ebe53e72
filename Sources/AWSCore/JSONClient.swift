import AsyncHTTPClient
import FoundationEssentials
import JMESPath
import Logging
import NIOCore
import NIOHTTP1

/// Which proxy, if any, a request to `endpoint` goes through: `HTTPS_PROXY`/`https_proxy` for https,
/// `HTTP_PROXY`/`http_proxy` for http, unless the host matches `NO_PROXY`/`no_proxy`.
enum AWSProxySettings {
    struct Proxy: Sendable, Hashable {
        public var host: String
        public var port: Int
        var username: String?
        public var password: String?
    }

    static func proxy(for endpoint: URL, environment: [String: String]) -> (host: String, port: Int)? {
        proxySettings(for: endpoint, environment: environment).map { ($0.host, $0.port) }
    }

    static func proxySettings(for endpoint: URL, environment: [String: String]) -> Proxy? {
        guard let host = endpoint.host?.lowercased() else { return nil }
        let noProxy = nonEmpty(environment["NO_PROXY"]) ?? environment["no_proxy"] ?? ""
        if bypasses(host: host, noProxy: noProxy) { return nil }
        let raw: String?
        if endpoint.scheme?.lowercased() == "https" {
            raw = nonEmpty(environment["HTTPS_PROXY"]) ?? nonEmpty(environment["https_proxy"])
        } else {
            raw = nonEmpty(environment["HTTP_PROXY"]) ?? nonEmpty(environment["http_proxy"])
        }
        guard let raw else { return nil }
        let withScheme = raw.contains("://") ? raw : "http://\(raw)"
        guard let url = URL(string: withScheme), let proxyHost = url.host, !proxyHost.isEmpty else { return nil }
        let defaultPort = url.scheme?.lowercased() == "https" ? 443 : 80
        return Proxy(host: proxyHost, port: url.port ?? defaultPort,
                     username: url.user?.percentDecoded ?? url.user, password: url.password?.percentDecoded ?? url.password)
    }

    /// `NO_PROXY` entries: `*`, exact hosts, and domain suffixes (`.example.com` or `example.com`),
    /// optionally with a port (ignored).
    static func bypasses(host: String, noProxy: String) -> Bool {
        let host = host.lowercased().trimming(charactersIn: "[]")
        for entry in noProxy.split(separator: ",") {
            var item = entry.trimmingWhitespace.lowercased()
            if item.isEmpty { continue }
            if item == "*" { return true }
            if item.hasPrefix("["), let close = item.firstIndex(of: "]") {
                item = String(item[item.index(after: item.startIndex)..<close])
            } else if item.filter({ $0 == ":" }).count == 1, let colon = item.lastIndex(of: ":") {
                item = String(item[..<colon])
            }
            if item.hasPrefix("*.") { item = String(item.dropFirst(1)) }
            let bare = item.trimming(charactersIn: ".")
            if bare.isEmpty { continue }
            if host == bare || host.hasSuffix("." + bare) { return true }
        }
        return false
    }
}

/// AWS JSON (1.0 and 1.1) over async-http-client: one pooled HTTP client, each attempt freshly signed, AWS
/// "standard" retries with a quota, and clock-skew correction.
public final class AWSJSONClient: AWSJSONTransport {
    public let service: AWSServiceInfo
    public let region: String
    public let endpoint: URL
    public let userAgent: String
    public let retry: AWSRetryStrategy
    let credentials: any AWSCredentialProvider
    let http: HTTPClient
    let ownsHTTP: Bool
    let timeouts: AWSClientTimeouts
    let clockOffset = AWSClockOffset()
    let now: @Sendable () -> Date
    let debug: (@Sendable (String) -> Void)?
    let logger: Logger

    /// - Parameters:
    ///   - userAgent: e.g. `runnerdeck/1.2.0`; platform details are appended in parentheses when absent.
    ///   - timeouts: connect (only for the client's own `HTTPClient`), per attempt (the whole response) and
    ///     per call (all attempts); a timed-out attempt is cancelled and, within the call's deadline, retried.
    ///   - environment: proxy settings (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`).
    ///   - httpClient: a shared client to use (the caller shuts it down); by default one is made.
    ///   - tls: the trust store (a CA bundle) and whether certificates are verified, for the client's own `HTTPClient`.
    ///   - debug: receives a redacted account of every request and response (`--debug`).
    ///   - now: the clock used for signing (tests inject a skewed one).
    public init(
        service: AWSServiceInfo,
        region: String,
        endpoint: URL,
        credentials: any AWSCredentialProvider,
        userAgent: String,
        retry: AWSRetryStrategy = AWSRetryStrategy(),
        timeouts: AWSClientTimeouts = .standard,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        httpClient: HTTPClient? = nil,
        tls: AWSTLSSettings = AWSTLSSettings(),
        now: @escaping @Sendable () -> Date = { Date() },
        debug: (@Sendable (String) -> Void)? = nil,
        logger: Logger = Logger(label: "runnerdeck.aws")
    ) {
        self.service = service
        self.region = region
        self.endpoint = endpoint
        self.credentials = credentials
        self.userAgent = Self.fullUserAgent(userAgent)
        self.retry = retry
        self.timeouts = timeouts
        self.now = now
        self.debug = debug
        self.logger = logger
        if let httpClient {
            http = httpClient
            ownsHTTP = false
        } else {
            var configuration = HTTPClient.Configuration()
            // The attempt deadline is enforced around each exchange (HTTPExchange); the library's own
            // read timeout is only a backstop a second later, so the two never race to name the cause.
            configuration.timeout = .init(connect: timeouts.connect.map(Self.amount), read: timeouts.attempt.map { Self.amount($0 + 1) })
            configuration.connectionPool = .init(idleTimeout: .seconds(60))
            // A refused connection fails the attempt at once; the retry strategy decides what follows.
            configuration.connectionPool.retryConnectionEstablishment = false
            configuration.decompression = .disabled
            configuration.tlsConfiguration = tls.configuration
            if let proxy = AWSProxySettings.proxySettings(for: endpoint, environment: environment) {
                if let username = proxy.username {
                    configuration.proxy = .server(host: proxy.host, port: proxy.port, authorization: .basic(username: username, password: proxy.password ?? ""))
                } else {
                    configuration.proxy = .server(host: proxy.host, port: proxy.port)
                }
            }
            http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            ownsHTTP = true
        }
    }

    /// A client for a resolved configuration.
    public convenience init(
        configuration: AWSClientConfiguration,
        userAgent: String,
        sleeper: any AWSSleeper = TaskSleeper(),
        timeouts: AWSClientTimeouts = .standard,
        httpClient: HTTPClient? = nil,
        debug: (@Sendable (String) -> Void)? = nil,
        logger: Logger = Logger(label: "runnerdeck.aws")
    ) {
        self.init(service: configuration.service, region: configuration.region, endpoint: configuration.endpoint,
                  credentials: configuration.credentialProvider, userAgent: userAgent,
                  retry: AWSRetryStrategy(maxAttempts: configuration.maxAttempts, sleeper: sleeper),
                  timeouts: timeouts, environment: configuration.environment, httpClient: httpClient,
                  tls: configuration.tls, debug: debug, logger: logger)
    }

    static func amount(_ seconds: Double) -> TimeAmount {
        .nanoseconds(Int64(min(max(seconds, 0), 1e9) * 1_000_000_000))
    }

    static func fullUserAgent(_ given: String) -> String {
        if given.contains("(") { return given }
        #if os(Linux)
        let os = "linux"
        #elseif os(macOS)
        let os = "macos"
        #else
        let os = "other"
        #endif
        return "\(given) (os/\(os) lang/swift md/aws-json-1.0)"
    }

    public func shutdown() async throws {
        if ownsHTTP { try await http.shutdown() }
    }

    /// The clock offset learnt from skew errors, in seconds (server minus local).
    var clockSkew: Double {
        get async { await clockOffset.seconds }
    }

    public func send(operation: String, body: Data) async throws -> Data {
        let started = ContinuousClock.now
        /// Seconds left of the call's total deadline (nil: no total deadline).
        func remaining() -> Double? {
            guard let total = timeouts.total else { return nil }
            let elapsed = started.duration(to: .now)
            return total - (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        let endpointText = endpoint.absoluteString
        var attempt = 0
        var spent = 0
        while true {
            attempt += 1
            // The attempt gets its own deadline, or what is left of the call's when that is shorter.
            var limit = timeouts.attempt
            var onTimeout = AWSClientError.timeout(endpoint: endpointText, deadline: .attempt, seconds: timeouts.attempt)
            if let left = remaining(), limit.map({ left < $0 }) ?? true {
                limit = max(0, left)
                onTimeout = .timeout(endpoint: endpointText, deadline: .total, seconds: timeouts.total)
            }
            do {
                let data = try await attemptOnce(operation: operation, body: body, attempt: attempt, within: limit, onTimeout: onTimeout)
                await retry.quota.succeeded(refunding: spent)
                return data
            } catch {
                let unwrapped = (error as? AWSResponseErrorWithDate)?.error ?? error
                let kind = AWSRetryClassifier.classify(unwrapped)
                guard kind != .notRetryable else { throw unwrapped }
                guard attempt < retry.maxAttempts else {
                    debug?("giving up on \(operation) after \(attempt) attempt(s): \(unwrapped)")
                    throw unwrapped
                }
                if kind == .clockSkew {
                    // Re-signed at once with the corrected clock; skew is not the endpoint failing.
                    guard await learnSkew(from: error) else { throw unwrapped }
                    debug?("clock skew: correcting the signing time by \(Int(await clockOffset.seconds)) s and retrying \(operation)")
                    continue
                }
                guard let cost = await retry.quota.acquire(for: kind) else {
                    logger.debug("retry quota exhausted; not retrying \(operation)")
                    debug?("retry quota exhausted; not retrying \(operation)")
                    throw unwrapped
                }
                spent += cost
                let delay = retry.backoff.delay(afterAttempt: attempt)
                if let left = remaining(), delay >= left {
                    debug?("not retrying \(operation): the \(String(cFormat: "%.3f", delay)) s backoff would pass the call's total deadline")
                    // A timed-out attempt with no time left for another is the call's deadline passing.
                    if case AWSClientError.timeout? = unwrapped as? AWSClientError {
                        throw AWSClientError.timeout(endpoint: endpointText, deadline: .total, seconds: timeouts.total)
                    }
                    throw unwrapped
                }
                logger.debug("retrying \(operation) after \(unwrapped) in \(delay) s (attempt \(attempt + 1) of \(retry.maxAttempts))")
                debug?("retrying \(operation) in \(String(cFormat: "%.3f", delay)) s (attempt \(attempt + 1) of \(retry.maxAttempts)) after: \(unwrapped)")
                try await retry.sleeper.sleep(seconds: delay)
            }
        }
    }

    private func learnSkew(from error: any Error) async -> Bool {
        guard let skew = error as? AWSResponseErrorWithDate, let serverDate = skew.serverDate else { return false }
        await clockOffset.set(serverDate.timeIntervalSince(now()))
        return true
    }

    func attemptOnce(operation: String, body: Data, attempt: Int, within limit: Double?, onTimeout: AWSClientError) async throws -> Data {
        let path = endpoint.path.isEmpty ? "/" : endpoint.path
        let date = now().addingTimeInterval(await clockOffset.seconds)
        var unsigned: [(name: String, value: String)] = [
            (name: "Host", value: SigV4Signer.hostHeader(for: endpoint)),
            (name: "Content-Type", value: service.contentType),
            (name: "X-Amz-Target", value: "\(service.targetPrefix).\(operation)"),
        ]
        if service.awsQueryCompatible { unsigned.append((name: "x-amzn-query-mode", value: "true")) }
        var headers = unsigned
        if !(credentials is AnonymousCredentialProvider) {
            let signer = SigV4Signer(credentials: try await credentials.credentials(), region: region, service: service.signingName)
            headers = signer.sign(method: "POST", path: path, query: endpoint.query ?? "", headers: unsigned, body: body, date: date)
        }
        headers.append((name: "User-Agent", value: userAgent))
        headers.append((name: "amz-sdk-request", value: "attempt=\(attempt); max=\(retry.maxAttempts)"))
        var request = HTTPClientRequest(url: endpoint.absoluteString)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        if let debug {
            debug("request \(service.targetPrefix).\(operation) (attempt \(attempt)) POST \(endpoint.absoluteString)\n\(Self.redacted(headers))\n\(String(decoding: body.prefix(64 << 10), as: UTF8.self))")
        }

        let response: HTTPExchange.Response
        do {
            response = try await HTTPExchange(client: http, endpoint: endpoint.absoluteString).perform(request, within: limit, onTimeout: onTimeout)
        } catch let error as CancellationError {
            throw error
        } catch {
            let mapped = AWSClientError.from(error, endpoint: endpoint.absoluteString)
            debug?("no response: \(mapped)")
            throw mapped
        }
        let status = response.status
        let data = response.body
        let requestId = response.headers.first(name: "x-amzn-RequestId")
        if let debug {
            let responseHeaders = response.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
            debug("response \(status) request-id \(requestId ?? "-")\n\(responseHeaders)\n\(String(decoding: data.prefix(64 << 10), as: UTF8.self))")
        }
        if (200..<300).contains(status) { return data }
        let parsed = Self.parseError(status: status, headers: response.headers, body: data, queryCompatible: service.awsQueryCompatible)
        if AWSRetryClassifier.isClockSkew(parsed) {
            let serverDate = response.headers.first(name: "Date").flatMap(Self.parseHTTPDate)
            throw AWSResponseErrorWithDate(error: parsed, serverDate: serverDate)
        }
        throw parsed
    }

    /// The AWS JSON error of a non-2xx response: code from `x-amzn-ErrorType`, else the body's
    /// `__type` (or `code`), sanitised; message from `message`/`Message`; request id from `x-amzn-RequestId`.
    /// A body that is not JSON still gives an error with the status and the start of the body.
    /// For an `awsQueryCompatible` service (`queryCompatible`), an `x-amzn-query-error: <Code>;<Sender|Receiver>`
    /// header names the code instead, as botocore reads it.
    public static func parseError(status: Int, headers: HTTPHeaders, body: Data, queryCompatible: Bool = false) -> AWSResponseError {
        let object = (try? JMESValue(json: body))?.asObject
        let requestId = headers.first(name: "x-amzn-RequestId") ?? headers.first(name: "x-amz-request-id")
        let headerCode = (queryCompatible ? queryErrorCode(headers.first(name: "x-amzn-query-error")) : nil)
            ?? headers.first(name: "x-amzn-ErrorType").flatMap(nonEmpty)
        let rawCode = headerCode ?? object?["__type"]?.asString ?? object?["code"]?.asString ?? object?["Code"]?.asString
        let message = object?["message"]?.asString ?? object?["Message"]?.asString ?? object?["errorMessage"]?.asString
        let reason = HTTPResponseStatus(statusCode: status).reasonPhrase
        guard let rawCode, !AWSResponseError.sanitizeCode(rawCode).isEmpty else {
            let text = String(decoding: body.prefix(300), as: UTF8.self).trimming(.whitespacesAndNewlines)
            let detail: String
            if let message {
                detail = message
            } else if text.isEmpty {
                detail = "HTTP \(status) \(reason) without an error body"
            } else if object == nil {
                detail = "HTTP \(status) \(reason) with a body that is not an AWS JSON error: \(text)"
            } else {
                detail = "HTTP \(status) \(reason): \(text)"
            }
            return AWSResponseError(code: "HTTP\(status)", message: detail, statusCode: status, requestId: requestId)
        }
        return AWSResponseError(code: AWSResponseError.sanitizeCode(rawCode), message: message ?? "", statusCode: status, requestId: requestId)
    }

    /// The code of an `x-amzn-query-error` header (`AlreadyExists;Sender` → `AlreadyExists`); nil unless it
    /// has exactly two parts and the first is not empty (botocore's rule).
    static func queryErrorCode(_ header: String?) -> String? {
        guard let parts = header?.split(separator: ";", omittingEmptySubsequences: false), parts.count == 2 else { return nil }
        return nonEmpty(parts[0].trimmingWhitespace)
    }

    /// Headers for a log: the signature, the security token and secrets hidden.
    public static func redacted(_ headers: [(name: String, value: String)]) -> String {
        headers.map { header -> String in
            switch header.name.lowercased() {
            case "authorization":
                let visible = header.value.components(separatedBy: "Signature=").first ?? ""
                return "\(header.name): \(visible)Signature=<redacted>"
            case "x-amz-security-token", "x-aws-ec2-metadata-token", "cookie", "proxy-authorization":
                return "\(header.name): <redacted>"
            default:
                return "\(header.name): \(header.value)"
            }
        }.joined(separator: "\n")
    }

    /// Parses an HTTP `Date` header (IMF-fixdate, and RFC 850 / asctime as fallbacks).
    public static func parseHTTPDate(_ text: String) -> Date? {
        DateText.httpDate(text)
    }
}

/// A clock-skew error together with the service's `Date`, so the next attempt can be re-signed.
struct AWSResponseErrorWithDate: Error, Sendable, CustomStringConvertible {
    var error: AWSResponseError
    var serverDate: Date?
    var description: String { error.description }
}
