import AsyncHTTPClient
import FoundationEssentials
import JMESPath
import NIOCore
import NIOHTTP1
import NIOSSL

/// Why credentials could not be had, worded for an operator.
public enum AWSCredentialsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The provider does not apply here (nothing configured for it); a chain moves on to the next.
    case notFound(String)
    /// The provider is configured but failed; a chain stops and reports it.
    case failed(provider: String, reason: String)
    /// No provider in a chain had credentials; what each one said, in order.
    case noCredentials([Attempt])

    public struct Attempt: Sendable, Hashable {
        public var provider: String
        public var reason: String
        public init(provider: String, reason: String) {
            self.provider = provider
            self.reason = reason
        }
    }

    public var description: String {
        switch self {
        case .notFound(let reason): return reason
        case .failed(let provider, let reason): return "credentials from \(provider): \(reason)"
        case .noCredentials(let attempts):
            let lines = attempts.map { "  - \($0.provider): \($0.reason)" }.joined(separator: "\n")
            return "unable to locate AWS credentials; tried in order:\n\(lines)\n(configure with 'aws configure', set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or use --profile)"
        }
    }
}

/// The HTTP client credential sources use by default: process-wide (never shut down, like
/// `HTTPClient.shared`), failing fast on a refused connection (no connect retries inside the pool).
public enum AWSCredentialHTTPClient {
    public static let shared: HTTPClient = make(tlsConfiguration: nil)

    static func make(tlsConfiguration: TLSConfiguration?) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(2), read: .seconds(30))
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.tlsConfiguration = tlsConfiguration
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }
}

/// A small HTTP helper for credential sources (STS, container endpoint, instance metadata).
struct CredentialHTTP: Sendable {
    let client: HTTPClient

    struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    func send(_ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: Data? = nil, timeout: TimeAmount) async throws -> Response {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let seconds = Double(timeout.nanoseconds) / 1e9
        let response = try await HTTPExchange(client: client, endpoint: url)
            .perform(request, within: seconds, onTimeout: .timeout(endpoint: url, deadline: .attempt, seconds: seconds), maxBodyBytes: 1 << 20)
        return Response(status: response.status, headers: response.headers, body: response.body)
    }
}

/// Dates in credential documents: ISO 8601 with or without fractional seconds.
func parseISO8601(_ text: String) -> Date? {
    DateText.iso8601(text.trimming(.whitespacesAndNewlines))
}

/// Credentials from a JSON document with `AccessKeyId`, `SecretAccessKey`, `Token`/`SessionToken` and
/// `Expiration` (container endpoint, instance metadata, `credential_process`).
func credentialsFromJSON(_ data: Data, provider: String) throws -> AWSCredentials {
    guard let object = (try? JMESValue(json: data))?.asObject else {
        let text = String(decoding: data.prefix(200), as: UTF8.self)
        throw AWSCredentialsError.failed(provider: provider, reason: "the response is not a JSON object: \(text)")
    }
    guard let key = object["AccessKeyId"]?.asString, !key.isEmpty,
          let secret = object["SecretAccessKey"]?.asString, !secret.isEmpty else {
        throw AWSCredentialsError.failed(provider: provider, reason: "the response lacks AccessKeyId or SecretAccessKey")
    }
    let token = object["Token"]?.asString ?? object["SessionToken"]?.asString
    var expiration: Date?
    if let text = object["Expiration"]?.asString {
        guard let date = parseISO8601(text) else {
            throw AWSCredentialsError.failed(provider: provider, reason: "Expiration '\(text)' is not an ISO 8601 time")
        }
        expiration = date
    }
    return AWSCredentials(accessKeyId: key, secretAccessKey: secret, sessionToken: token?.isEmpty == true ? nil : token, expiration: expiration)
}

/// STS over its query protocol: `AssumeRole` (signed) and `AssumeRoleWithWebIdentity` (unsigned).
struct STSClient: Sendable {
    public var endpoint: URL
    public var region: String
    let http: CredentialHTTP
    let now: @Sendable () -> Date

    public init(endpoint: URL, region: String, httpClient: HTTPClient = AWSCredentialHTTPClient.shared, now: @escaping @Sendable () -> Date = { Date() }) {
        self.endpoint = endpoint
        self.region = region
        self.http = CredentialHTTP(client: httpClient)
        self.now = now
    }

    /// STS's endpoint: `AWS_ENDPOINT_URL_STS` → `AWS_ENDPOINT_URL` → profile (`[services]` `sts.endpoint_url`)
    /// → STS's endpoint rule set (regional, FIPS and dual-stack as configured). Region: `AWS_REGION` → `AWS_DEFAULT_REGION` → profile → us-east-1.
    public static func resolve(profile: String, config: AWSSharedConfig, environment: [String: String], httpClient: HTTPClient = AWSCredentialHTTPClient.shared) throws -> STSClient {
        let region = nonEmpty(environment["AWS_REGION"]) ?? nonEmpty(environment["AWS_DEFAULT_REGION"])
            ?? config.value("region", profile: profile) ?? "us-east-1"
        let service = AWSServiceInfo(signingName: "sts", endpointPrefix: "sts", targetPrefix: "", apiVersion: "2011-06-15", serviceId: "STS",
                                     endpointRules: .sts)
        let text = try AWSEndpointResolver.configuredEndpoint(service: service, profile: profile, config: config, environment: environment)
            ?? AWSEndpointResolver.defaultEndpoint(service: service, region: region,
                                                   variant: AWSEndpointVariant.resolve(profile: profile, config: config, environment: environment))
        guard let url = URL(string: text), url.host != nil else { throw AWSConfigurationError.invalidEndpoint(text) }
        return STSClient(endpoint: url, region: region, httpClient: httpClient)
    }

    func assumeRole(roleArn: String, sessionName: String, externalId: String? = nil, durationSeconds: Int? = nil,
                    serialNumber: String? = nil, tokenCode: String? = nil, using credentials: AWSCredentials) async throws -> AWSCredentials {
        var parameters = [("Action", "AssumeRole"), ("Version", "2011-06-15"), ("RoleArn", roleArn), ("RoleSessionName", sessionName)]
        if let externalId { parameters.append(("ExternalId", externalId)) }
        if let durationSeconds { parameters.append(("DurationSeconds", String(durationSeconds))) }
        if let serialNumber { parameters.append(("SerialNumber", serialNumber)) }
        if let tokenCode { parameters.append(("TokenCode", tokenCode)) }
        return try await call(parameters, signedWith: credentials, provider: "assume-role \(roleArn)")
    }

    func assumeRoleWithWebIdentity(roleArn: String, sessionName: String, token: String) async throws -> AWSCredentials {
        let parameters = [("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), ("RoleArn", roleArn),
                          ("RoleSessionName", sessionName), ("WebIdentityToken", token)]
        return try await call(parameters, signedWith: nil, provider: "web identity \(roleArn)")
    }

    func call(_ parameters: [(String, String)], signedWith credentials: AWSCredentials?, provider: String) async throws -> AWSCredentials {
        let body = Data(parameters.map { "\(SigV4Signer.uriEncode($0.0))=\(SigV4Signer.uriEncode($0.1))" }.joined(separator: "&").utf8)
        var headers: [SigV4Signer.Header] = [
            (name: "Host", value: SigV4Signer.hostHeader(for: endpoint)),
            (name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8"),
        ]
        if let credentials {
            headers = SigV4Signer(credentials: credentials, region: region, service: "sts").sign(method: "POST", url: endpoint, headers: headers, body: body, date: now())
        }
        let response: CredentialHTTP.Response
        do {
            response = try await http.send(.POST, endpoint.absoluteString, headers: headers.map { ($0.name, $0.value) }, body: body, timeout: .seconds(30))
        } catch let error as AWSClientError {
            throw AWSCredentialsError.failed(provider: provider, reason: error.description)
        }
        let xml = response.text
        guard (200..<300).contains(response.status) else {
            let code = Self.xmlValue("Code", in: xml) ?? "HTTP \(response.status)"
            let message = Self.xmlValue("Message", in: xml) ?? String(xml.prefix(200))
            throw AWSCredentialsError.failed(provider: provider, reason: "STS answered \(code): \(message)")
        }
        guard let credentialsXML = Self.xmlValue("Credentials", in: xml),
              let key = Self.xmlValue("AccessKeyId", in: credentialsXML),
              let secret = Self.xmlValue("SecretAccessKey", in: credentialsXML) else {
            throw AWSCredentialsError.failed(provider: provider, reason: "STS's answer holds no credentials: \(xml.prefix(200))")
        }
        let expiration = Self.xmlValue("Expiration", in: credentialsXML).flatMap(parseISO8601)
        return AWSCredentials(accessKeyId: key, secretAccessKey: secret, sessionToken: Self.xmlValue("SessionToken", in: credentialsXML), expiration: expiration)
    }

    /// The text of the first `<name>…</name>` element (entities decoded); enough for STS's flat answers.
    static func xmlValue(_ name: String, in xml: String) -> String? {
        guard let open = xml.firstRange(of: "<\(name)>"),
              let close = xml[open.upperBound...].firstRange(of: "</\(name)>") else { return nil }
        let raw = String(xml[open.upperBound..<close.lowerBound]).trimming(.whitespacesAndNewlines)
        return raw.replacingEvery("&lt;", with: "<").replacingEvery("&gt;", with: ">")
            .replacingEvery("&quot;", with: "\"").replacingEvery("&apos;", with: "'")
            .replacingEvery("&#xD;", with: "\r").replacingEvery("&amp;", with: "&")
    }
}

func nonEmpty(_ value: String?) -> String? {
    guard let value, !value.isEmpty else { return nil }
    return value
}
