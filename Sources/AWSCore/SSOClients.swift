import AsyncHTTPClient
import FoundationEssentials
import NIOCore
import NIOHTTP1

/// An error answered by the SSO portal or SSO OIDC (REST JSON): the code from `x-amzn-ErrorType` or
/// `__type`, and the OAuth `error` member (`authorization_pending`, `slow_down`, `access_denied`,
/// `expired_token`, `invalid_grant`) when the body has one.
struct SSOServiceError: Error, Sendable, Hashable, CustomStringConvertible {
    var code: String
    var oauthError: String?
    var message: String
    var status: Int

    /// True for `code` (e.g. `SlowDownException`) or its OAuth form (e.g. `slow_down`).
    func `is`(_ exception: String, oauth: String) -> Bool { code == exception || oauthError == oauth }

    var description: String { "\(code): \(message.isEmpty ? "HTTP \(status)" : message)" }
}

/// Resolves the endpoint of an SSO service as the AWS CLI does: `AWS_ENDPOINT_URL_<ID>`,
/// `AWS_ENDPOINT_URL`, the profile's `[services]` section or `endpoint_url`, else the region's.
private func ssoEndpoint(serviceId: String, prefix: String, region: String, profile: String, config: AWSSharedConfig,
                         environment: [String: String]) throws -> URL {
    let service = AWSServiceInfo(signingName: prefix, endpointPrefix: prefix, targetPrefix: "", apiVersion: "2019-06-10", serviceId: serviceId)
    let text = AWSEndpointResolver.configuredEndpoint(service: service, profile: profile, config: config, environment: environment)
        ?? AWSEndpointResolver.defaultEndpoint(prefix: prefix, region: region)
    guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host != nil else {
        throw AWSConfigurationError.invalidEndpoint(text)
    }
    return url
}

/// One REST JSON exchange with an SSO service (unsigned: bearer tokens and client secrets go in the request).
private func ssoExchange(_ http: CredentialHTTP, _ method: HTTPMethod, _ url: String, headers: [(String, String)],
                         body: [String: JSONCacheValue]?) async throws -> [String: JSONCacheValue] {
    var data: Data?
    var allHeaders = headers
    if let body {
        data = try JSONEncoder().encode(body)
        allHeaders.append(("Content-Type", "application/json"))
    }
    let response = try await http.send(method, url, headers: allHeaders, body: data, timeout: .seconds(30))
    let object = (try? JSONDecoder().decode([String: JSONCacheValue].self, from: response.body)) ?? [:]
    guard (200..<300).contains(response.status) else {
        let raw = response.headers.first(name: "x-amzn-ErrorType") ?? object["__type"]?.string ?? object["code"]?.string ?? "HTTP \(response.status)"
        let message = object["message"]?.string ?? object["Message"]?.string ?? object["error_description"]?.string ?? ""
        throw SSOServiceError(code: AWSResponseError.sanitizeCode(raw), oauthError: object["error"]?.string, message: message, status: response.status)
    }
    return object
}

/// An IAM Identity Center service: the SSO portal (`portal.sso.<region>.amazonaws.com`,
/// `GetRoleCredentials`) or SSO OIDC (`oidc.<region>.amazonaws.com`, `RegisterClient`,
/// `StartDeviceAuthorization`, `CreateToken`).
struct SSOServiceClient: Sendable {
    let endpoint: URL
    let http: CredentialHTTP

    /// The portal: `AWS_ENDPOINT_URL_SSO`, … else `https://portal.sso.<region>.amazonaws.com`.
    static func portal(region: String, profile: String, config: AWSSharedConfig, environment: [String: String], httpClient: HTTPClient) throws -> SSOServiceClient {
        SSOServiceClient(endpoint: try ssoEndpoint(serviceId: "SSO", prefix: "portal.sso", region: region, profile: profile, config: config, environment: environment),
                         http: CredentialHTTP(client: httpClient))
    }

    /// SSO OIDC: `AWS_ENDPOINT_URL_SSO_OIDC`, … else `https://oidc.<region>.amazonaws.com`.
    static func oidc(region: String, profile: String, config: AWSSharedConfig, environment: [String: String], httpClient: HTTPClient) throws -> SSOServiceClient {
        SSOServiceClient(endpoint: try ssoEndpoint(serviceId: "SSO OIDC", prefix: "oidc", region: region, profile: profile, config: config, environment: environment),
                         http: CredentialHTTP(client: httpClient))
    }

    func url(_ path: String) -> String {
        let base = endpoint.absoluteString
        return (base.hasSuffix("/") ? String(base.dropLast()) : base) + path
    }

    /// `GET /federation/credentials?role_name=…&account_id=…` with `x-amz-sso_bearer_token`.
    func roleCredentials(accountId: String, roleName: String, accessToken: String) async throws -> AWSCredentials {
        let url = url("/federation/credentials?role_name=\(SigV4Signer.uriEncode(roleName))&account_id=\(SigV4Signer.uriEncode(accountId))")
        let object = try await ssoExchange(http, .GET, url, headers: [("x-amz-sso_bearer_token", accessToken), ("Accept", "application/json")], body: nil)
        guard case .object(let role)? = object["roleCredentials"], let key = role["accessKeyId"]?.string, let secret = role["secretAccessKey"]?.string else {
            throw SSOServiceError(code: "InvalidResponse", oauthError: nil, message: "the portal's answer holds no roleCredentials", status: 200)
        }
        var expiration: Date?
        if case .number(let milliseconds)? = role["expiration"] { expiration = Date(timeIntervalSince1970: milliseconds / 1000) }
        return AWSCredentials(accessKeyId: key, secretAccessKey: secret, sessionToken: role["sessionToken"]?.string, expiration: expiration)
    }

    func post(_ path: String, _ body: [String: JSONCacheValue]) async throws -> [String: JSONCacheValue] {
        try await ssoExchange(http, .POST, url(path), headers: [("Accept", "application/json")], body: body)
    }

    func registerClient(name: String, scopes: [String]) async throws -> [String: JSONCacheValue] {
        var body: [String: JSONCacheValue] = ["clientName": .string(name), "clientType": .string("public")]
        if !scopes.isEmpty { body["scopes"] = .array(scopes.map { .string($0) }) }
        return try await post("/client/register", body)
    }

    func startDeviceAuthorization(clientId: String, clientSecret: String, startURL: String) async throws -> [String: JSONCacheValue] {
        try await post("/device_authorization", ["clientId": .string(clientId), "clientSecret": .string(clientSecret), "startUrl": .string(startURL)])
    }

    func createToken(_ body: [String: JSONCacheValue]) async throws -> [String: JSONCacheValue] {
        try await post("/token", body)
    }
}
