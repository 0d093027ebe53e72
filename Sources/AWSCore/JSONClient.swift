import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

public protocol AWSCredentialProvider: Sendable {
    func credentials() async throws -> AWSCredentials
}

/// Credentials known up front (an option, a test).
public struct StaticCredentialProvider: AWSCredentialProvider {
    public let value: AWSCredentials
    public init(_ value: AWSCredentials) { self.value = value }
    public func credentials() async throws -> AWSCredentials { value }
}

/// A failure on the client's side of the wire, worded for an operator.
public enum AWSClientError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidEndpoint(String)
    case connection(endpoint: String, reason: String)
    case timeout(endpoint: String)
    case invalidResponse(String)

    public var description: String {
        switch self {
        case .invalidEndpoint(let url): return "invalid endpoint URL: \(url)"
        case .connection(let endpoint, let reason): return "could not connect to \(endpoint): \(reason)"
        case .timeout(let endpoint): return "no answer from \(endpoint) in time"
        case .invalidResponse(let reason): return "invalid response: \(reason)"
        }
    }
}

/// Which proxy, if any, a request to `endpoint` goes through: `HTTPS_PROXY`/`https_proxy` for https,
/// `HTTP_PROXY`/`http_proxy` for http, unless the host matches `NO_PROXY`/`no_proxy`.
public enum AWSProxySettings {
    public static func proxy(for endpoint: URL, environment: [String: String]) -> (host: String, port: Int)? {
        guard let host = endpoint.host?.lowercased() else { return nil }
        let noProxy = environment["NO_PROXY"] ?? environment["no_proxy"] ?? ""
        if bypasses(host: host, noProxy: noProxy) { return nil }
        let raw: String?
        if endpoint.scheme?.lowercased() == "https" {
            raw = environment["HTTPS_PROXY"] ?? environment["https_proxy"]
        } else {
            raw = environment["HTTP_PROXY"] ?? environment["http_proxy"]
        }
        guard let raw, !raw.isEmpty else { return nil }
        let withScheme = raw.contains("://") ? raw : "http://\(raw)"
        guard let url = URL(string: withScheme), let proxyHost = url.host else { return nil }
        return (proxyHost, url.port ?? 80)
    }

    /// `NO_PROXY` entries: `*`, exact hosts, and domain suffixes (`.example.com` or `example.com`).
    public static func bypasses(host: String, noProxy: String) -> Bool {
        for entry in noProxy.split(separator: ",") {
            var item = entry.trimmingCharacters(in: .whitespaces).lowercased()
            if item.isEmpty { continue }
            if item == "*" { return true }
            if let colon = item.lastIndex(of: ":"), !item.contains("]") { item = String(item[..<colon]) }
            if item.hasPrefix("*.") { item = String(item.dropFirst(1)) }
            if host == item || host == item.trimmingCharacters(in: CharacterSet(charactersIn: ".")) { return true }
            let suffix = item.hasPrefix(".") ? item : "." + item
            if host.hasSuffix(suffix) { return true }
        }
        return false
    }
}

/// AWS JSON 1.0 over async-http-client: one pooled HTTP client, each attempt freshly signed, AWS
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
    let requestTimeout: TimeAmount
    let clockOffset = AWSClockOffset()
    let now: @Sendable () -> Date
    let debug: (@Sendable (String) -> Void)?
    let logger: Logger

    /// - Parameters:
    ///   - debug: receives a redacted account of every request and response (`--debug`).
    ///   - now: the clock used for signing (tests inject a skewed one).
    public init(
        service: AWSServiceInfo,
        region: String,
        endpoint: URL,
        credentials: any AWSCredentialProvider,
        userAgent: String,
        retry: AWSRetryStrategy = AWSRetryStrategy(),
        connectTimeout: TimeAmount = .seconds(10),
        requestTimeout: TimeAmount = .seconds(60),
        environment: [String: String] = ProcessInfo.processInfo.environment,
        httpClient: HTTPClient? = nil,
        now: @escaping @Sendable () -> Date = { Date() },
        debug: (@Sendable (String) -> Void)? = nil,
        logger: Logger = Logger(label: "runnerdeck.aws")
    ) {
        self.service = service
        self.region = region
        self.endpoint = endpoint
        self.credentials = credentials
        self.userAgent = userAgent
        self.retry = retry
        self.requestTimeout = requestTimeout
        self.now = now
        self.debug = debug
        self.logger = logger
        if let httpClient {
            http = httpClient
            ownsHTTP = false
        } else {
            var configuration = HTTPClient.Configuration()
            configuration.timeout = .init(connect: connectTimeout, read: requestTimeout)
            configuration.connectionPool = .init(idleTimeout: .seconds(60))
            if let proxy = AWSProxySettings.proxy(for: endpoint, environment: environment) {
                configuration.proxy = .server(host: proxy.host, port: proxy.port)
            }
            http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            ownsHTTP = true
        }
    }

    public func shutdown() async throws {
        if ownsHTTP { try await http.shutdown() }
    }

    public func send(operation: String, body: Data) async throws -> Data {
        var attempt = 0
        var spent = 0
        while true {
            attempt += 1
            do {
                let data = try await attemptOnce(operation: operation, body: body)
                await retry.quota.succeeded(refunding: spent)
                return data
            } catch {
                let unwrapped = (error as? AWSResponseErrorWithDate)?.error ?? error
                let kind = AWSRetryClassifier.classify(unwrapped)
                guard kind != .notRetryable, attempt < retry.maxAttempts else { throw unwrapped }
                if kind == .clockSkew {
                    // Re-signed at once with the corrected clock; skew is not the endpoint failing.
                    guard await learnSkew(from: error) else { throw unwrapped }
                    continue
                }
                guard let cost = await retry.quota.acquire(for: kind) else {
                    logger.debug("retry quota exhausted; not retrying \(operation)")
                    throw unwrapped
                }
                spent += cost
                let delay = retry.backoff.delay(afterAttempt: attempt)
                logger.debug("retrying \(operation) after \(unwrapped) in \(delay) s (attempt \(attempt + 1) of \(retry.maxAttempts))")
                try await retry.sleeper.sleep(seconds: delay)
            }
        }
    }

    private func learnSkew(from error: any Error) async -> Bool {
        guard let skew = error as? AWSResponseErrorWithDate, let serverDate = skew.serverDate else { return false }
        await clockOffset.set(serverDate.timeIntervalSince(now()))
        return true
    }

    func attemptOnce(operation: String, body: Data) async throws -> Data {
        let creds = try await credentials.credentials()
        let signer = SigV4Signer(credentials: creds, region: region, service: service.signingName)
        let hostHeader: String
        if let port = endpoint.port {
            hostHeader = "\(endpoint.host ?? ""):\(port)"
        } else {
            hostHeader = endpoint.host ?? ""
        }
        let path = endpoint.path.isEmpty ? "/" : endpoint.path
        let date = now().addingTimeInterval(await clockOffset.seconds)
        let headers = signer.sign(method: "POST", path: path, headers: [
            (name: "Host", value: hostHeader),
            (name: "Content-Type", value: "application/x-amz-json-1.0"),
            (name: "X-Amz-Target", value: "\(service.targetPrefix).\(operation)"),
        ], body: body, date: date)
        var request = HTTPClientRequest(url: endpoint.absoluteString)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.headers.add(name: "User-Agent", value: userAgent)
        request.body = .bytes(ByteBuffer(bytes: body))
        if let debug {
            debug("request \(service.targetPrefix).\(operation) POST \(endpoint.absoluteString)\n\(Self.redacted(headers))\n\(String(decoding: body, as: UTF8.self))")
        }

        let response: HTTPClientResponse
        let data: Data
        do {
            response = try await http.execute(request, timeout: requestTimeout)
            let buffer = try await response.body.collect(upTo: 64 << 20)
            data = Data(buffer.readableBytesView)
        } catch let error as HTTPClientError {
            if error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
                throw AWSClientError.timeout(endpoint: endpoint.absoluteString)
            }
            throw AWSClientError.connection(endpoint: endpoint.absoluteString, reason: "\(error)")
        } catch let error as CancellationError {
            throw error
        } catch {
            throw AWSClientError.connection(endpoint: endpoint.absoluteString, reason: Self.reason(error))
        }
        let requestId = response.headers.first(name: "x-amzn-RequestId")
        if let debug {
            debug("response \(response.status.code) request-id \(requestId ?? "-")\n\(String(decoding: data.prefix(64 << 10), as: UTF8.self))")
        }
        if (200..<300).contains(Int(response.status.code)) { return data }
        let parsed = Self.parseError(status: Int(response.status.code), headers: response.headers, body: data)
        if AWSRetryClassifier.isClockSkew(parsed) {
            let serverDate = response.headers.first(name: "Date").flatMap(Self.parseHTTPDate)
            throw AWSResponseErrorWithDate(error: parsed, serverDate: serverDate)
        }
        throw parsed
    }

    /// The AWS JSON 1.0 error of a non-2xx response.
    public static func parseError(status: Int, headers: HTTPHeaders, body: Data) -> AWSResponseError {
        let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
        let requestId = headers.first(name: "x-amzn-RequestId")
        let rawCode = headers.first(name: "x-amzn-ErrorType") ?? (object?["__type"] as? String) ?? (object?["code"] as? String)
        let message = (object?["message"] as? String) ?? (object?["Message"] as? String)
        guard let rawCode, !rawCode.isEmpty else {
            let text = String(decoding: body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return AWSResponseError(code: "HTTP\(status)", message: message ?? (text.isEmpty ? "HTTP status \(status) without an error body" : text),
                                    statusCode: status, requestId: requestId)
        }
        return AWSResponseError(code: AWSResponseError.sanitizeCode(rawCode), message: message ?? "", statusCode: status, requestId: requestId)
    }

    static func redacted(_ headers: [(name: String, value: String)]) -> String {
        headers.map { header -> String in
            switch header.name.lowercased() {
            case "authorization":
                let visible = header.value.components(separatedBy: "Signature=").first ?? ""
                return "\(header.name): \(visible)Signature=<redacted>"
            case "x-amz-security-token":
                return "\(header.name): <redacted>"
            default:
                return "\(header.name): \(header.value)"
            }
        }.joined(separator: "\n")
    }

    static func reason(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        return text
    }

    static func parseHTTPDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}

/// A clock-skew error together with the service's `Date`, so the next attempt can be re-signed.
public struct AWSResponseErrorWithDate: Error, Sendable, CustomStringConvertible {
    public var error: AWSResponseError
    public var serverDate: Date?
    public var description: String { error.description }
}
