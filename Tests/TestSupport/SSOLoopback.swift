import Foundation

/// A loopback IAM Identity Center on one ``TestServer``: the SSO portal (`GET /federation/credentials`)
/// and SSO OIDC (`POST /client/register`, `/device_authorization`, `/token`), speaking REST JSON as AWS
/// does (errors with `x-amzn-ErrorType` and the OAuth `error` member). Point `AWS_ENDPOINT_URL_SSO` and
/// `AWS_ENDPOINT_URL_SSO_OIDC` at ``url`` (``environment``).
///
/// Access tokens it issues are `access-N`, refresh tokens `refresh-N`; the portal accepts only issued
/// (or ``State/accept(accessToken:)``ed) access tokens and answers role credentials whose key is
/// `ASIA-<account>-<role>-<access token>`.
public final class SSOLoopback: Sendable {
    public actor State {
        public private(set) var accessTokens: Set<String> = []
        public private(set) var refreshTokens: Set<String> = []
        /// The answers of the next device-code `CreateToken` calls (`authorization_pending`, `slow_down`,
        /// `access_denied`, `expired_token`); when empty, a token is issued.
        public var deviceAnswers: [String] = []
        /// `expiresIn` of issued access tokens.
        public var tokenLifetime = 3600
        /// Whether a refresh answers a new refresh token too.
        public var rotateRefreshTokens = true
        public var interval = 5
        private var issued = 0
        private var clients = 0

        public func accept(accessToken: String) { accessTokens.insert(accessToken) }
        public func accept(refreshToken: String) { refreshTokens.insert(refreshToken) }
        public func revokeRefreshTokens() { refreshTokens = [] }
        public func script(_ answers: [String]) { deviceAnswers = answers }
        public func set(tokenLifetime: Int? = nil, rotateRefreshTokens: Bool? = nil, interval: Int? = nil) {
            if let tokenLifetime { self.tokenLifetime = tokenLifetime }
            if let rotateRefreshTokens { self.rotateRefreshTokens = rotateRefreshTokens }
            if let interval { self.interval = interval }
        }

        func issue(refresh: Bool) -> TestServer.Answer {
            issued += 1
            accessTokens.insert("access-\(issued)")
            var answer: [String: Any] = ["accessToken": "access-\(issued)", "tokenType": "Bearer", "expiresIn": tokenLifetime]
            if refresh {
                refreshTokens.insert("refresh-\(issued)")
                answer["refreshToken"] = "refresh-\(issued)"
            }
            return SSOLoopback.json(answer)
        }

        func nextDeviceAnswer() -> String? { deviceAnswers.isEmpty ? nil : deviceAnswers.removeFirst() }

        func register() -> Int {
            clients += 1
            return clients
        }

        func useRefreshToken(_ token: String) -> Bool {
            guard refreshTokens.contains(token) else { return false }
            if rotateRefreshTokens { refreshTokens.remove(token) }
            return true
        }
    }

    public let server: TestServer
    public let state: State

    private init(server: TestServer, state: State) {
        self.server = server
        self.state = state
    }

    public var url: String { server.url }

    /// `AWS_ENDPOINT_URL_SSO` and `AWS_ENDPOINT_URL_SSO_OIDC` pointing here.
    public var environment: [String: String] { ["AWS_ENDPOINT_URL_SSO": server.url, "AWS_ENDPOINT_URL_SSO_OIDC": server.url] }

    public static func start() async throws -> SSOLoopback {
        let state = State()
        let server = try await TestServer.start { request, _ in await answer(request, state: state) }
        return SSOLoopback(server: server, state: state)
    }

    /// The requests to one path, in order.
    public func requests(to path: String) async -> [TestServer.Received] {
        await server.requests.filter { $0.path == path }
    }

    public func stop() { server.stop() }

    static func json(_ object: [String: Any], status: Int = 200, type: String? = nil) -> TestServer.Answer {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        var headers = [("Content-Type", "application/json")]
        if let type { headers.append(("x-amzn-ErrorType", type)) }
        return TestServer.Answer(status: status, headers: headers, body: String(decoding: data, as: UTF8.self))
    }

    static func oauthError(_ error: String, status: Int = 400) -> TestServer.Answer {
        let types = ["authorization_pending": "AuthorizationPendingException", "slow_down": "SlowDownException",
                     "access_denied": "AccessDeniedException", "expired_token": "ExpiredTokenException", "invalid_grant": "InvalidGrantException"]
        return json(["error": error, "error_description": "\(error) (loopback)"], status: status, type: types[error] ?? "InvalidRequestException")
    }

    static func answer(_ request: TestServer.Received, state: State) async -> TestServer.Answer {
        let body = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any] ?? [:]
        switch (request.method, request.path) {
        case ("GET", "/federation/credentials"):
            var query: [String: String] = [:]
            for pair in request.query.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
                if parts.count == 2 { query[parts[0]] = parts[1] }
            }
            guard let token = request.header("x-amz-sso_bearer_token"), await state.accessTokens.contains(token) else {
                return json(["message": "Session token not found or invalid"], status: 401, type: "UnauthorizedException")
            }
            guard let role = query["role_name"], let account = query["account_id"] else {
                return json(["message": "role_name and account_id are required"], status: 400, type: "InvalidRequestException")
            }
            let expiration = Int((Date().timeIntervalSince1970 + 3600) * 1000)
            let key = "ASIA-\(account)-\(role)-\(token)"
            return json(["roleCredentials": ["accessKeyId": key, "secretAccessKey": "secret-\(key)", "sessionToken": "session-\(key)", "expiration": expiration]])
        case ("POST", "/client/register"):
            let number = await state.register()
            let now = Int(Date().timeIntervalSince1970)
            return json(["clientId": "client-\(number)", "clientSecret": "client-secret-\(number)", "clientIdIssuedAt": now,
                         "clientSecretExpiresAt": now + 90 * 86_400])
        case ("POST", "/device_authorization"):
            guard body["clientId"] is String, body["clientSecret"] is String, body["startUrl"] is String else {
                return json(["error": "invalid_request"], status: 400, type: "InvalidRequestException")
            }
            return json(["deviceCode": "device-code-1", "userCode": "WDJB-MJHT", "verificationUri": "http://127.0.0.1/device",
                         "verificationUriComplete": "http://127.0.0.1/device?user_code=WDJB-MJHT", "expiresIn": 600, "interval": await state.interval])
        case ("POST", "/token"):
            switch body["grantType"] as? String {
            case "refresh_token":
                guard let refresh = body["refreshToken"] as? String, await state.useRefreshToken(refresh) else { return oauthError("invalid_grant") }
                return await state.issue(refresh: await state.rotateRefreshTokens)
            case "urn:ietf:params:oauth:grant-type:device_code":
                if let scripted = await state.nextDeviceAnswer() { return oauthError(scripted) }
                return await state.issue(refresh: true)
            default:
                return oauthError("unsupported_grant_type")
            }
        default:
            return json(["message": "no route \(request.method) \(request.path)"], status: 404, type: "ResourceNotFoundException")
        }
    }
}
