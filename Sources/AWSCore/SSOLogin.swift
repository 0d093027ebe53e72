import AsyncHTTPClient
import FoundationEssentials

/// Signing in to IAM Identity Center as `aws sso login --use-device-code` does, without a browser:
/// `RegisterClient` (the registration is cached in `~/.aws/sso/cache` as botocore caches it), then
/// `StartDeviceAuthorization`, then `CreateToken` polled every `interval` seconds (`authorization_pending`
/// waits, `slow_down` adds 5 seconds, `access_denied` and expiry end it). The token is written to the
/// CLI's cache file atomically, so `aws` and RunnerDeck share the sign-in and an interrupted login leaves
/// the old file (or none), never half of one.
public struct SSODeviceLogin: Sendable {
    /// What the operator does on any device: open `verificationURI` and enter `userCode`.
    public struct Prompt: Sendable, Hashable {
        public var verificationURI: String
        public var verificationURIComplete: String?
        public var userCode: String
    }

    public struct Result: Sendable, Hashable {
        public var startURL: String
        public var sessionName: String?
        public var expiresAt: Date
        /// The token cache file written.
        public var cachePath: String
    }

    /// botocore's: registrations with less than this left are renewed.
    static let registrationWindow: TimeInterval = 15 * 60
    static let deviceGrant = "urn:ietf:params:oauth:grant-type:device_code"

    public let settings: SSOSettings
    let client: SSOServiceClient
    let environment: [String: String]
    let clock: any WallClock

    /// The sign-in settings of `ssoSession` (a `[sso-session NAME]`) when given, else of `profile`
    /// (`--profile`, `AWS_PROFILE`, `default`), which needs `sso_session` or `sso_start_url`/`sso_region`.
    public init(profile: String?, ssoSession: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                httpClient: HTTPClient = AWSCredentialHTTPClient.shared, clock: any WallClock = SystemClock()) throws {
        let name = awsProfileName(profile, environment: environment)
        let config = try AWSSharedConfig.load(environment: environment)
        if let ssoSession = nonEmpty(ssoSession) {
            settings = try SSOSettings.forSession(ssoSession, config: config)
        } else {
            settings = try SSOSettings.forProfile(name, config: config, requireRole: false)
        }
        client = try SSOServiceClient.oidc(region: settings.region, profile: name, config: config, environment: environment, httpClient: httpClient)
        self.environment = environment
        self.clock = clock
    }

    /// Runs the flow; `prompt` is called once the operator has something to do.
    public func run(prompt: @Sendable (Prompt) -> Void) async throws -> Result {
        let directory = JSONCacheFile.ssoDirectory(environment: environment)
        let registration = try await registered(directory: directory)
        guard let clientId = registration["clientId"]?.string, let clientSecret = registration["clientSecret"]?.string else {
            throw AWSResponseError(code: "InvalidResponse", message: "RegisterClient's answer lacks clientId or clientSecret", statusCode: 200)
        }
        let authorization = try await call { try await client.startDeviceAuthorization(clientId: clientId, clientSecret: clientSecret, startURL: settings.startURL) }
        guard let deviceCode = authorization["deviceCode"]?.string, let userCode = authorization["userCode"]?.string,
              let verificationURI = authorization["verificationUri"]?.string else {
            throw AWSResponseError(code: "InvalidResponse", message: "StartDeviceAuthorization's answer lacks deviceCode, userCode or verificationUri", statusCode: 200)
        }
        let expiresIn = authorization["expiresIn"].flatMap { if case .number(let value) = $0 { return value } else { return nil } } ?? 600
        let deadline = clock.now().addingTimeInterval(expiresIn)
        var interval = authorization["interval"].flatMap { if case .number(let value) = $0 { return value } else { return nil } } ?? 5
        let request: [String: JSONCacheValue] = ["grantType": .string(Self.deviceGrant), "clientId": .string(clientId),
                                                 "clientSecret": .string(clientSecret), "deviceCode": .string(deviceCode)]
        var prompted = false
        while true {
            do {
                let token = try await client.createToken(request)
                return try save(token, registration: registration, directory: directory)
            } catch let error as SSOServiceError where error.is("AuthorizationPendingException", oauth: "authorization_pending") {
            } catch let error as SSOServiceError where error.is("SlowDownException", oauth: "slow_down") {
                interval += 5
            } catch let error as SSOServiceError where error.is("AccessDeniedException", oauth: "access_denied") {
                throw AWSResponseError(code: "AccessDeniedException", message: "the sign-in to \(settings.displayName) was denied\(error.message.isEmpty ? "" : " (\(error.message))")", statusCode: error.status)
            } catch let error as SSOServiceError where error.is("ExpiredTokenException", oauth: "expired_token") {
                throw Self.expired(settings)
            } catch let error as SSOServiceError {
                throw AWSResponseError(code: error.code, message: "CreateToken: \(error.message)", statusCode: error.status)
            } catch let error as AWSClientError {
                throw error
            }
            if !prompted {
                prompt(Prompt(verificationURI: verificationURI, verificationURIComplete: authorization["verificationUriComplete"]?.string, userCode: userCode))
                prompted = true
            }
            guard clock.now().addingTimeInterval(interval) < deadline else { throw Self.expired(settings) }
            try await clock.sleep(seconds: interval)
        }
    }

    static func expired(_ settings: SSOSettings) -> AWSResponseError {
        AWSResponseError(code: "ExpiredTokenException", message: "the device authorization for \(settings.displayName) expired before it was approved; run the login again", statusCode: 400)
    }

    /// SSO service errors as ``AWSResponseError`` (what the CLI prints).
    func call(_ body: () async throws -> [String: JSONCacheValue]) async throws -> [String: JSONCacheValue] {
        do {
            return try await body()
        } catch let error as SSOServiceError {
            throw AWSResponseError(code: error.code, message: error.message, statusCode: error.status)
        }
    }

    /// The cached client registration, or a new one (cached).
    func registered(directory: String) async throws -> [String: JSONCacheValue] {
        let scopes: JSONCacheValue = settings.registrationScopes.isEmpty ? .null : .array(settings.registrationScopes.map { .string($0) })
        let key = SSOSettings.sha1Hex(PythonJSON.dumps(.object([
            "tool": .string("botocore"), "startUrl": .string(settings.startURL), "region": .string(settings.region),
            "scopes": scopes, "session_name": settings.sessionName.map { .string($0) } ?? .null,
        ])))
        if let cached = JSONCacheFile.read(directory: directory, key: key), cached["clientId"]?.string != nil,
           let expires = cached["expiresAt"]?.string.flatMap(JSONCacheFile.parseDate),
           expires.timeIntervalSince(clock.now()) >= Self.registrationWindow {
            return cached
        }
        let name = settings.sessionName ?? "anonymous-\(Int(clock.now().timeIntervalSince1970))"
        let response = try await call { try await client.registerClient(name: "runnerdeck-client-\(name)", scopes: settings.registrationScopes) }
        guard let clientId = response["clientId"], let clientSecret = response["clientSecret"],
              case .number(let expiresAt)? = response["clientSecretExpiresAt"] else {
            throw AWSResponseError(code: "InvalidResponse", message: "RegisterClient's answer lacks clientId, clientSecret or clientSecretExpiresAt", statusCode: 200)
        }
        var registration: [String: JSONCacheValue] = ["clientId": clientId, "clientSecret": clientSecret,
                                                      "expiresAt": .string(JSONCacheFile.formatDate(Date(timeIntervalSince1970: expiresAt)))]
        if !settings.registrationScopes.isEmpty { registration["scopes"] = scopes }
        try JSONCacheFile.write(registration, directory: directory, key: key)
        return registration
    }

    func save(_ response: [String: JSONCacheValue], registration: [String: JSONCacheValue], directory: String) throws -> Result {
        guard let accessToken = response["accessToken"]?.string, case .number(let expiresIn)? = response["expiresIn"] else {
            throw AWSResponseError(code: "InvalidResponse", message: "CreateToken's answer lacks accessToken or expiresIn", statusCode: 200)
        }
        let now = clock.now()
        let expiresAt = now.addingTimeInterval(expiresIn)
        var document: [String: JSONCacheValue] = [
            "startUrl": .string(settings.startURL), "region": .string(settings.region), "accessToken": .string(accessToken),
            "expiresAt": .string(JSONCacheFile.formatDate(expiresAt)), "receivedAt": .string(JSONCacheFile.formatDate(now)),
            "clientId": registration["clientId"] ?? .null, "clientSecret": registration["clientSecret"] ?? .null,
            "registrationExpiresAt": registration["expiresAt"] ?? .null,
        ]
        if let refreshToken = response["refreshToken"] { document["refreshToken"] = refreshToken }
        try JSONCacheFile.write(document, directory: directory, key: settings.tokenCacheKey)
        return Result(startURL: settings.startURL, sessionName: settings.sessionName, expiresAt: expiresAt,
                      cachePath: directory + "/" + settings.tokenCacheKey + ".json")
    }
}
