import AsyncHTTPClient
import FoundationEssentials

/// Role credentials of an IAM Identity Center profile (`sso_account_id`, `sso_role_name`): the cached
/// access token (``SSOTokenStore``), then the portal's `GetRoleCredentials`.
struct SSOCredentialProvider: AWSCredentialProvider {
    let profile: String
    let environment: [String: String]
    let httpClient: HTTPClient
    let now: @Sendable () -> Date

    init(profile: String, environment: [String: String], httpClient: HTTPClient = AWSCredentialHTTPClient.shared,
         now: @escaping @Sendable () -> Date = { Date() }) {
        self.profile = profile
        self.environment = environment
        self.httpClient = httpClient
        self.now = now
    }

    func credentials() async throws -> AWSCredentials {
        let config: AWSSharedConfig
        do {
            config = try AWSSharedConfig.load(environment: environment)
        } catch {
            throw AWSCredentialsError.failed(provider: "profile \(profile) (SSO)", reason: "\(error)")
        }
        return try await credentials(config: config)
    }

    func credentials(config: AWSSharedConfig) async throws -> AWSCredentials {
        let provider = "profile \(profile) (SSO)"
        let settings: SSOSettings
        let portal: SSOServiceClient
        do {
            settings = try SSOSettings.forProfile(profile, config: config, requireRole: true)
            portal = try SSOServiceClient.portal(region: settings.region, profile: profile, config: config, environment: environment, httpClient: httpClient)
        } catch {
            throw AWSCredentialsError.failed(provider: provider, reason: "\(error)")
        }
        let token = try await SSOTokenStore.shared.token(settings: settings, profile: profile, config: config, environment: environment,
                                                          httpClient: httpClient, now: now)
        guard let accountId = settings.accountId, let roleName = settings.roleName else {
            throw AWSCredentialsError.failed(provider: provider, reason: "sso_account_id and sso_role_name are required")
        }
        do {
            return try await portal.roleCredentials(accountId: accountId, roleName: roleName, accessToken: token.accessToken)
        } catch let error as SSOServiceError where error.code == "UnauthorizedException" || error.status == 401 {
            throw AWSCredentialsError.failed(provider: provider, reason: "the SSO portal refused the sign-in of \(settings.displayName) (\(error)); \(Self.loginHint(profile))")
        } catch let error as SSOServiceError {
            throw AWSCredentialsError.failed(provider: provider, reason: "GetRoleCredentials for role \(roleName) in account \(accountId): \(error)")
        } catch let error as AWSClientError {
            throw AWSCredentialsError.failed(provider: provider, reason: "GetRoleCredentials: \(error.description)")
        }
    }

    /// The commands that sign in again.
    static func loginHint(_ profile: String) -> String {
        "run 'runnerdeck login --profile \(profile)' (or 'aws sso login --profile \(profile)')"
    }
}

/// The access tokens of IAM Identity Center sessions, read from the token cache `aws sso login` and
/// `runnerdeck login` write. For the sso-session form, a token with under 15 minutes left is refreshed
/// with its refresh token (SSO OIDC `CreateToken`, grant `refresh_token`) and the cache written back in
/// the CLI's format, as botocore's `SSOTokenProvider` does; a failed refresh keeps the old token while it
/// is still valid. Concurrent callers for one cache file share one load and refresh.
actor SSOTokenStore {
    static let shared = SSOTokenStore()
    /// botocore's refresh window.
    static let refreshWindow: TimeInterval = 15 * 60
    private var inFlight: [String: Task<SSOToken, any Error>] = [:]

    func token(settings: SSOSettings, profile: String, config: AWSSharedConfig, environment: [String: String],
               httpClient: HTTPClient, now: @escaping @Sendable () -> Date) async throws -> SSOToken {
        let directory = JSONCacheFile.ssoDirectory(environment: environment)
        let path = directory + "/" + settings.tokenCacheKey
        if let running = inFlight[path] { return try await running.value }
        let task = Task {
            try await Self.load(settings: settings, profile: profile, directory: directory, refresh: {
                try SSOServiceClient.oidc(region: settings.region, profile: profile, config: config, environment: environment, httpClient: httpClient)
            }, now: now)
        }
        inFlight[path] = task
        defer { inFlight[path] = nil }
        return try await task.value
    }

    static func load(settings: SSOSettings, profile: String, directory: String, refresh makeClient: @Sendable () throws -> SSOServiceClient,
                     now: @Sendable () -> Date) async throws -> SSOToken {
        let provider = "profile \(profile) (SSO)"
        let key = settings.tokenCacheKey
        guard let document = JSONCacheFile.read(directory: directory, key: key) else {
            throw AWSCredentialsError.failed(provider: provider, reason: "not signed in to \(settings.displayName): \(SSOCredentialProvider.loginHint(profile)) (no token in \(directory)/\(key).json)")
        }
        guard var token = SSOToken(document: document) else {
            throw AWSCredentialsError.failed(provider: provider, reason: "the cached token of \(settings.displayName) is invalid: \(SSOCredentialProvider.loginHint(profile)) (\(directory)/\(key).json lacks accessToken or expiresAt)")
        }
        var refreshFailure = ""
        if settings.sessionName != nil, token.expiresAt.timeIntervalSince(now()) < refreshWindow {
            do {
                if let fresh = try await refreshed(token, settings: settings, client: makeClient(), now: now) {
                    try JSONCacheFile.write(fresh.document, directory: directory, key: key)
                    token = fresh
                }
            } catch {
                refreshFailure = " and could not be refreshed (\(error))"
            }
        }
        guard token.expiresAt > now() else {
            throw AWSCredentialsError.failed(provider: provider, reason: "the SSO sign-in to \(settings.displayName) expired at \(JSONCacheFile.formatDate(token.expiresAt))\(refreshFailure); \(SSOCredentialProvider.loginHint(profile))")
        }
        return token
    }

    /// The refreshed token, nil when it cannot be refreshed (no refresh token or registration, or the
    /// registration expired).
    static func refreshed(_ token: SSOToken, settings: SSOSettings, client: SSOServiceClient, now: @Sendable () -> Date) async throws -> SSOToken? {
        guard let refreshToken = token.refreshToken, let clientId = token.clientId, let clientSecret = token.clientSecret,
              let registrationExpiry = token.document["registrationExpiresAt"], let registrationExpiresAt = token.registrationExpiresAt,
              registrationExpiresAt > now() else { return nil }
        let response = try await client.createToken([
            "grantType": .string("refresh_token"), "clientId": .string(clientId), "clientSecret": .string(clientSecret),
            "refreshToken": .string(refreshToken),
        ])
        guard let accessToken = response["accessToken"]?.string, case .number(let expiresIn)? = response["expiresIn"] else {
            throw SSOServiceError(code: "InvalidResponse", oauthError: nil, message: "CreateToken's answer lacks accessToken or expiresIn", status: 200)
        }
        var document: [String: JSONCacheValue] = [
            "startUrl": .string(settings.startURL), "region": .string(settings.region), "accessToken": .string(accessToken),
            "expiresAt": .string(JSONCacheFile.formatDate(now().addingTimeInterval(expiresIn))),
            "clientId": .string(clientId), "clientSecret": .string(clientSecret), "registrationExpiresAt": registrationExpiry,
        ]
        if let newRefresh = response["refreshToken"] { document["refreshToken"] = newRefresh }
        return SSOToken(document: document)
    }
}
