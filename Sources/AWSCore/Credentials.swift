import AsyncHTTPClient
import FoundationEssentials
import JMESPath
import NIOCore
import NIOHTTP1

/// A source of AWS credentials.
///
/// A provider with nothing configured throws ``AWSCredentialsError/notFound(_:)`` so that a chain moves
/// on; any other error means it is configured but failed.
public protocol AWSCredentialProvider: Sendable {
    func credentials() async throws -> AWSCredentials
}

/// Credentials known up front (an option, a test).
public struct StaticCredentialProvider: AWSCredentialProvider {
    public let value: AWSCredentials
    public init(_ value: AWSCredentials) { self.value = value }
    public func credentials() async throws -> AWSCredentials { value }
}

/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` (and `AWS_CREDENTIAL_EXPIRATION`).
struct EnvironmentCredentialProvider: AWSCredentialProvider {
    let environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    public func credentials() async throws -> AWSCredentials {
        let key = nonEmpty(environment["AWS_ACCESS_KEY_ID"])
        let secret = nonEmpty(environment["AWS_SECRET_ACCESS_KEY"])
        switch (key, secret) {
        case (nil, nil):
            throw AWSCredentialsError.notFound("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
        case (.some, nil):
            throw AWSCredentialsError.failed(provider: "environment", reason: "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
        case (nil, .some):
            throw AWSCredentialsError.failed(provider: "environment", reason: "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not")
        case (.some(let key), .some(let secret)):
            let token = nonEmpty(environment["AWS_SESSION_TOKEN"]) ?? nonEmpty(environment["AWS_SECURITY_TOKEN"])
            let expiration = nonEmpty(environment["AWS_CREDENTIAL_EXPIRATION"]).flatMap(parseISO8601)
            return AWSCredentials(accessKeyId: key, secretAccessKey: secret, sessionToken: token, expiration: expiration)
        }
    }
}

/// Credentials of a profile of the shared files, as the AWS CLI resolves them.
///
/// `.assumeRole` covers a profile with `role_arn` (via `source_profile`, `credential_source` or
/// `web_identity_token_file`); `.files` covers keys in the credentials file, `credential_process`, then
/// keys in the config file. The default chain places web identity from the environment between them,
/// as botocore does.
struct ProfileCredentialProvider: AWSCredentialProvider {
    enum Part: Sendable, Hashable {
        case assumeRole
        case files
        case all
    }

    let profileOption: String?
    let part: Part
    let environment: [String: String]
    let httpClient: HTTPClient
    let now: @Sendable () -> Date
    /// Asked for the code when a role profile has `mfa_serial` and no cached credentials.
    let mfaCode: MFACodeProvider?

    /// - Parameter profile: the `--profile` option; `nil` means `AWS_PROFILE`, else `default`.
    public init(profile: String? = nil, part: Part = .all, environment: [String: String] = ProcessInfo.processInfo.environment,
                httpClient: HTTPClient = AWSCredentialHTTPClient.shared, now: @escaping @Sendable () -> Date = { Date() },
                mfaCode: MFACodeProvider? = nil) {
        self.profileOption = profile
        self.part = part
        self.environment = environment
        self.httpClient = httpClient
        self.now = now
        self.mfaCode = mfaCode
    }

    var profileName: String { awsProfileName(profileOption, environment: environment) }
    var providerName: String { "profile \(profileName)" }

    public func credentials() async throws -> AWSCredentials {
        let name = profileName
        let config: AWSSharedConfig
        do {
            config = try AWSSharedConfig.load(environment: environment)
        } catch {
            throw AWSCredentialsError.failed(provider: providerName, reason: "\(error)")
        }
        guard let settings = config.profile(name) else {
            let explicit = nonEmpty(profileOption) != nil || nonEmpty(environment["AWS_PROFILE"]) != nil
            if explicit {
                throw AWSCredentialsError.failed(provider: providerName, reason: "the config profile (\(name)) could not be found in \(config.configPath) or \(config.credentialsPath)")
            }
            throw AWSCredentialsError.notFound("no profile '\(name)' in \(config.configPath) or \(config.credentialsPath)")
        }
        if part != .files, settings["role_arn"].flatMap(nonEmpty) != nil {
            return try await resolve(name, config: config, visited: [])
        }
        if part == .assumeRole {
            throw AWSCredentialsError.notFound("profile '\(name)' has no role_arn")
        }
        if let credentials = try await fileCredentials(name, config: config) { return credentials }
        throw AWSCredentialsError.notFound("profile '\(name)' has no aws_access_key_id/aws_secret_access_key, sso_account_id/sso_role_name, credential_process or role_arn")
    }

    /// A profile's credentials, following `source_profile` links.
    func resolve(_ name: String, config: AWSSharedConfig, visited: [String]) async throws -> AWSCredentials {
        guard let settings = config.profile(name) else {
            throw AWSCredentialsError.failed(provider: providerName, reason: "source profile '\(name)' could not be found")
        }
        let roleArn = settings["role_arn"].flatMap(nonEmpty)
        if let roleArn, !visited.contains(name) {
            let configuredSessionName = settings["role_session_name"].flatMap(nonEmpty)
            let sessionName = configuredSessionName ?? "runnerdeck-session-\(Int(now().timeIntervalSince1970))"
            let sts = try stsClient(profile: name, config: config)
            let duration = try settings["duration_seconds"].flatMap(nonEmpty).map { text -> Int in
                guard let value = Int(text), value > 0 else {
                    throw AWSCredentialsError.failed(provider: providerName, reason: "duration_seconds '\(text)' is not a positive number")
                }
                return value
            }
            let externalId = settings["external_id"].flatMap(nonEmpty)
            let mfaSerial = settings["mfa_serial"].flatMap(nonEmpty)
            // With MFA, credentials the AWS CLI or an earlier start cached spare the operator a code.
            let cacheKey = mfaSerial.map { AssumeRoleCache.key(roleArn: roleArn, sessionName: configuredSessionName, externalId: externalId,
                                                              serialNumber: $0, durationSeconds: duration) }
            if let cacheKey, let cached = AssumeRoleCache.read(key: cacheKey, environment: environment, now: now()) { return cached }
            if let tokenFile = settings["web_identity_token_file"].flatMap(nonEmpty) {
                let token = try WebIdentityCredentialProvider.readToken(tokenFile, provider: providerName)
                return try await sts.assumeRoleWithWebIdentity(roleArn: roleArn, sessionName: sessionName, token: token)
            }
            let source: AWSCredentials
            if let sourceProfile = settings["source_profile"].flatMap(nonEmpty) {
                if visited.contains(sourceProfile) || (sourceProfile == name && config.profileKeys(name) == nil) {
                    throw AWSCredentialsError.failed(provider: providerName, reason: "infinite loop in source_profile: \((visited + [name, sourceProfile]).joined(separator: " → "))")
                }
                source = try await resolve(sourceProfile, config: config, visited: visited + [name])
            } else if let credentialSource = settings["credential_source"].flatMap(nonEmpty) {
                source = try await sourceCredentials(credentialSource)
            } else {
                throw AWSCredentialsError.failed(provider: providerName, reason: "profile '\(name)' has role_arn but neither source_profile, credential_source nor web_identity_token_file")
            }
            var tokenCode: String?
            if let mfaSerial {
                guard let mfaCode else {
                    throw AWSCredentialsError.failed(provider: providerName, reason: "profile '\(name)' needs an MFA code for \(mfaSerial); run on a terminal to be asked for it, or pass --mfa-code")
                }
                tokenCode = try await mfaCode(mfaSerial)
            }
            let credentials = try await sts.assumeRole(roleArn: roleArn, sessionName: sessionName, externalId: externalId, durationSeconds: duration,
                                                       serialNumber: mfaSerial, tokenCode: tokenCode, using: source)
            // An unwritable cache costs a code next time, not this start.
            if let cacheKey { try? AssumeRoleCache.write(credentials, key: cacheKey, environment: environment) }
            return credentials
        }
        if let credentials = try await fileCredentials(name, config: config) { return credentials }
        throw AWSCredentialsError.failed(provider: providerName, reason: "source profile '\(name)' has no credentials")
    }

    func stsClient(profile: String, config: AWSSharedConfig) throws -> STSClient {
        do {
            return try STSClient.resolve(profile: profile, config: config, environment: environment, httpClient: httpClient)
        } catch {
            throw AWSCredentialsError.failed(provider: providerName, reason: "\(error)")
        }
    }

    func sourceCredentials(_ source: String) async throws -> AWSCredentials {
        let provider: any AWSCredentialProvider
        switch source {
        case "Environment": provider = EnvironmentCredentialProvider(environment: environment)
        case "Ec2InstanceMetadata": provider = InstanceMetadataCredentialProvider(environment: environment, httpClient: httpClient)
        case "EcsContainer": provider = ContainerCredentialProvider(environment: environment, httpClient: httpClient)
        default:
            throw AWSCredentialsError.failed(provider: providerName, reason: "credential_source '\(source)' is not one of Environment, Ec2InstanceMetadata, EcsContainer")
        }
        do {
            return try await provider.credentials()
        } catch AWSCredentialsError.notFound(let reason) {
            throw AWSCredentialsError.failed(provider: providerName, reason: "credential_source \(source): \(reason)")
        }
    }

    /// Keys in the credentials file, then IAM Identity Center (`sso_account_id`/`sso_role_name`), then
    /// `credential_process`, then keys in the config file.
    func fileCredentials(_ name: String, config: AWSSharedConfig) async throws -> AWSCredentials? {
        if let keys = AWSSharedConfig.keys(config.credentialProfiles[name]) { return keys }
        if let settings = config.profile(name), SSOSettings.isSSOProfile(settings) {
            return try await SSOCredentialProvider(profile: name, environment: environment, httpClient: httpClient, now: now).credentials(config: config)
        }
        if let command = config.value("credential_process", profile: name) {
            return try await ProcessCredentialProvider(command: command, environment: environment, name: "profile \(name) credential_process").credentials()
        }
        return AWSSharedConfig.keys(config.configProfiles[name])
    }
}

extension AWSSharedConfig {
    static func keys(_ settings: [String: String]?) -> AWSCredentials? {
        guard let settings, let key = settings["aws_access_key_id"].flatMap(nonEmpty),
              let secret = settings["aws_secret_access_key"].flatMap(nonEmpty) else { return nil }
        let token = settings["aws_session_token"].flatMap(nonEmpty) ?? settings["aws_security_token"].flatMap(nonEmpty)
        return AWSCredentials(accessKeyId: key, secretAccessKey: secret, sessionToken: token)
    }

    func profileKeys(_ name: String) -> AWSCredentials? {
        Self.keys(credentialProfiles[name]) ?? Self.keys(configProfiles[name])
    }
}

/// `credential_process`: runs the command (through `/bin/sh -c`) and reads its JSON (`Version` 1).
struct ProcessCredentialProvider: AWSCredentialProvider {
    public let command: String
    let environment: [String: String]
    let name: String

    public init(command: String, environment: [String: String] = ProcessInfo.processInfo.environment, name: String = "credential_process") {
        self.command = command
        self.environment = environment
        self.name = name
    }

    public func credentials() async throws -> AWSCredentials {
        let (status, output, errorOutput) = try await run()
        guard status == 0 else {
            let detail = errorOutput.trimming(.whitespacesAndNewlines)
            throw AWSCredentialsError.failed(provider: name, reason: "'\(command)' exited with status \(status)\(detail.isEmpty ? "" : ": \(detail.prefix(500))")")
        }
        guard let object = (try? JMESValue(json: output))?.asObject else {
            throw AWSCredentialsError.failed(provider: name, reason: "'\(command)' did not print a JSON object")
        }
        let version = object["Version"]
        guard version?.asNumber == 1 else {
            let printed = version.map { $0.asString ?? $0.jsonText() } ?? "(none)"
            throw AWSCredentialsError.failed(provider: name, reason: "'\(command)' printed Version \(printed); only Version 1 is supported")
        }
        return try credentialsFromJSON(output, provider: name)
    }

    func run() async throws -> (Int32, Data, String) {
        let environment = ProcessInfo.processInfo.environment.merging(environment) { _, injected in injected }
        do throws(SystemIO.Failure) {
            let outcome = try await ChildProcess.shell(command, environment: environment)
            return (outcome.status, outcome.output, String(decoding: outcome.errorOutput, as: UTF8.self))
        } catch {
            throw AWSCredentialsError.failed(provider: name, reason: "cannot run '\(command)': \(error.reason)")
        }
    }
}

/// `AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN` (+ `AWS_ROLE_SESSION_NAME`): STS `AssumeRoleWithWebIdentity`.
struct WebIdentityCredentialProvider: AWSCredentialProvider {
    let environment: [String: String]
    let httpClient: HTTPClient
    let now: @Sendable () -> Date

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, httpClient: HTTPClient = AWSCredentialHTTPClient.shared,
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.environment = environment
        self.httpClient = httpClient
        self.now = now
    }

    public func credentials() async throws -> AWSCredentials {
        guard let tokenFile = nonEmpty(environment["AWS_WEB_IDENTITY_TOKEN_FILE"]) else {
            throw AWSCredentialsError.notFound("AWS_WEB_IDENTITY_TOKEN_FILE is not set")
        }
        guard let roleArn = nonEmpty(environment["AWS_ROLE_ARN"]) else {
            throw AWSCredentialsError.failed(provider: "web identity", reason: "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not")
        }
        let token = try Self.readToken(tokenFile, provider: "web identity")
        let sessionName = nonEmpty(environment["AWS_ROLE_SESSION_NAME"]) ?? "runnerdeck-session-\(Int(now().timeIntervalSince1970))"
        let profile = awsProfileName(nil, environment: environment)
        let config = (try? AWSSharedConfig.load(environment: environment)) ?? AWSSharedConfig()
        let sts: STSClient
        do {
            sts = try STSClient.resolve(profile: profile, config: config, environment: environment, httpClient: httpClient)
        } catch {
            throw AWSCredentialsError.failed(provider: "web identity", reason: "\(error)")
        }
        return try await sts.assumeRoleWithWebIdentity(roleArn: roleArn, sessionName: sessionName, token: token)
    }

    static func readToken(_ path: String, provider: String) throws -> String {
        do {
            let token = String(decoding: try SystemIO.readFile(path), as: UTF8.self).trimming(.whitespacesAndNewlines)
            guard !token.isEmpty else { throw AWSCredentialsError.failed(provider: provider, reason: "the token file \(path) is empty") }
            return token
        } catch let error as AWSCredentialsError {
            throw error
        } catch let error as SystemIO.Failure {
            throw AWSCredentialsError.failed(provider: provider, reason: "cannot read the token file \(path): \(error.reason)")
        }
    }
}

/// ECS/EKS container credentials: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` against 169.254.170.2, or
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI` with `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`/`_TOKEN`.
struct ContainerCredentialProvider: AWSCredentialProvider {
    public static let host = "http://169.254.170.2"
    let environment: [String: String]
    let httpClient: HTTPClient
    let timeout: TimeAmount

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, httpClient: HTTPClient = AWSCredentialHTTPClient.shared, timeout: TimeAmount = .seconds(2)) {
        self.environment = environment
        self.httpClient = httpClient
        self.timeout = timeout
    }

    /// The URL to ask, nil when neither variable is set.
    public func endpoint() throws -> String? {
        if let relative = nonEmpty(environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"]) {
            return Self.host + (relative.hasPrefix("/") ? relative : "/" + relative)
        }
        guard let full = nonEmpty(environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"]) else { return nil }
        guard let url = URL(string: full), let scheme = url.scheme?.lowercased(), let host = url.host else {
            throw AWSCredentialsError.failed(provider: "container", reason: "AWS_CONTAINER_CREDENTIALS_FULL_URI '\(full)' is not a URL")
        }
        guard scheme == "https" || (scheme == "http" && Self.allowedHTTPHost(host)) else {
            throw AWSCredentialsError.failed(provider: "container", reason: "AWS_CONTAINER_CREDENTIALS_FULL_URI '\(full)' must use https, or http to a loopback or container-metadata address")
        }
        return full
    }

    static func allowedHTTPHost(_ host: String) -> Bool {
        let bare = host.trimming(charactersIn: "[]").lowercased()
        if bare == "localhost" || bare == "::1" || bare == "169.254.170.2" || bare == "169.254.170.23" || bare == "fd00:ec2::23" { return true }
        let octets = bare.split(separator: ".")
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    public func credentials() async throws -> AWSCredentials {
        guard let url = try endpoint() else {
            throw AWSCredentialsError.notFound("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set")
        }
        var headers: [(String, String)] = [("Accept", "application/json")]
        if let file = nonEmpty(environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]) {
            headers.append(("Authorization", try WebIdentityCredentialProvider.readToken(file, provider: "container")))
        } else if let token = nonEmpty(environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"]) {
            headers.append(("Authorization", token))
        }
        let response: CredentialHTTP.Response
        do {
            response = try await CredentialHTTP(client: httpClient).send(.GET, url, headers: headers, timeout: timeout)
        } catch let error as AWSClientError {
            throw AWSCredentialsError.failed(provider: "container", reason: error.description)
        }
        guard response.status == 200 else {
            throw AWSCredentialsError.failed(provider: "container", reason: "\(url) answered HTTP \(response.status): \(response.text.prefix(200))")
        }
        return try credentialsFromJSON(response.body, provider: "container")
    }
}

/// EC2 instance metadata (IMDSv2): a session token by `PUT /latest/api/token`, then the role and its
/// credentials. Short timeouts and one attempt, so machines outside EC2 are not held up; as in the AWS
/// CLI, `AWS_METADATA_SERVICE_TIMEOUT` (seconds, default 1) lengthens each request's deadline for a
/// slow metadata service.
struct InstanceMetadataCredentialProvider: AWSCredentialProvider {
    static let defaultEndpoint = "http://169.254.169.254"
    static let defaultTimeout: TimeAmount = .seconds(1)
    let environment: [String: String]
    let httpClient: HTTPClient
    let timeout: TimeAmount

    /// `timeout` overrides `AWS_METADATA_SERVICE_TIMEOUT`; without either, 1 second.
    init(environment: [String: String] = ProcessInfo.processInfo.environment, httpClient: HTTPClient = AWSCredentialHTTPClient.shared, timeout: TimeAmount? = nil) {
        self.environment = environment
        self.httpClient = httpClient
        self.timeout = timeout ?? Self.configuredTimeout(environment) ?? Self.defaultTimeout
    }

    /// `AWS_METADATA_SERVICE_TIMEOUT` as a deadline, nil when unset or not a positive number of seconds.
    static func configuredTimeout(_ environment: [String: String]) -> TimeAmount? {
        guard let text = nonEmpty(environment["AWS_METADATA_SERVICE_TIMEOUT"]), let seconds = Double(text),
              seconds.isFinite, seconds > 0, seconds <= 3600 else { return nil }
        return .nanoseconds(Int64(seconds * 1e9))
    }

    public var endpoint: String {
        if let configured = nonEmpty(environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"]) {
            return configured.hasSuffix("/") ? String(configured.dropLast()) : configured
        }
        if environment["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"]?.lowercased() == "ipv6" { return "http://[fd00:ec2::254]" }
        return Self.defaultEndpoint
    }

    public func credentials() async throws -> AWSCredentials {
        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() == "true" {
            throw AWSCredentialsError.notFound("disabled by AWS_EC2_METADATA_DISABLED")
        }
        let http = CredentialHTTP(client: httpClient)
        let base = endpoint
        let tokenResponse: CredentialHTTP.Response
        do {
            tokenResponse = try await http.send(.PUT, base + "/latest/api/token", headers: [("X-aws-ec2-metadata-token-ttl-seconds", "21600")], timeout: timeout)
        } catch let error as AWSClientError {
            throw AWSCredentialsError.notFound("no instance metadata service at \(base) (\(error.reason))")
        }
        guard tokenResponse.status == 200, !tokenResponse.text.isEmpty else {
            throw AWSCredentialsError.notFound("instance metadata service at \(base) refused a session token (HTTP \(tokenResponse.status))")
        }
        let tokenHeader = [("X-aws-ec2-metadata-token", tokenResponse.text.trimming(.whitespacesAndNewlines))]
        do {
            let roles = try await http.send(.GET, base + "/latest/meta-data/iam/security-credentials/", headers: tokenHeader, timeout: timeout)
            guard roles.status == 200, let role = roles.text.split(whereSeparator: \.isNewline).first.map(String.init), !role.isEmpty else {
                throw AWSCredentialsError.notFound("no IAM role is attached to this instance (HTTP \(roles.status))")
            }
            let document = try await http.send(.GET, base + "/latest/meta-data/iam/security-credentials/" + SigV4Signer.uriEncode(role), headers: tokenHeader, timeout: timeout)
            guard document.status == 200 else {
                throw AWSCredentialsError.failed(provider: "instance metadata", reason: "credentials of role \(role): HTTP \(document.status)")
            }
            if let object = (try? JMESValue(json: document.body))?.asObject, let code = object["Code"]?.asString, code != "Success" {
                throw AWSCredentialsError.failed(provider: "instance metadata", reason: "credentials of role \(role): \(code) \(object["Message"]?.asString ?? "")")
            }
            return try credentialsFromJSON(document.body, provider: "instance metadata")
        } catch let error as AWSClientError {
            throw AWSCredentialsError.failed(provider: "instance metadata", reason: error.description)
        }
    }
}

/// Tries providers in order; the first with credentials wins. When none has any, the error lists what
/// each said. A provider that is configured but fails stops the chain (as the AWS CLI does).
struct AWSCredentialProviderChain: AWSCredentialProvider {
    public struct Entry: Sendable {
        public var name: String
        public var provider: any AWSCredentialProvider
        public init(_ name: String, _ provider: any AWSCredentialProvider) {
            self.name = name
            self.provider = provider
        }
    }

    public let entries: [Entry]

    public init(_ entries: [Entry]) {
        self.entries = entries
    }

    /// The AWS CLI's order: environment (skipped when `profile` is given explicitly, as `--profile` is) →
    /// profile assume-role/web identity → web identity from the environment → profile files (keys,
    /// `credential_process`) → container → instance metadata.
    public static func standard(profile: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
                                httpClient: HTTPClient = AWSCredentialHTTPClient.shared, mfaCode: MFACodeProvider? = nil) -> AWSCredentialProviderChain {
        let name = awsProfileName(profile, environment: environment)
        var entries: [Entry] = []
        // As in the AWS CLI, an explicit --profile wins over keys in the environment.
        if nonEmpty(profile) == nil {
            entries.append(Entry("environment", EnvironmentCredentialProvider(environment: environment)))
        }
        return AWSCredentialProviderChain(entries + [
            Entry("profile \(name) (assume role)", ProfileCredentialProvider(profile: profile, part: .assumeRole, environment: environment, httpClient: httpClient, mfaCode: mfaCode)),
            Entry("web identity", WebIdentityCredentialProvider(environment: environment, httpClient: httpClient)),
            Entry("profile \(name)", ProfileCredentialProvider(profile: profile, part: .files, environment: environment, httpClient: httpClient, mfaCode: mfaCode)),
            Entry("container", ContainerCredentialProvider(environment: environment, httpClient: httpClient)),
            Entry("instance metadata", InstanceMetadataCredentialProvider(environment: environment, httpClient: httpClient)),
        ])
    }

    public func credentials() async throws -> AWSCredentials {
        try await resolve().credentials
    }

    /// The credentials and the name of the provider that gave them.
    public func resolve() async throws -> (credentials: AWSCredentials, source: String) {
        var attempts: [AWSCredentialsError.Attempt] = []
        for entry in entries {
            do {
                return (try await entry.provider.credentials(), entry.name)
            } catch AWSCredentialsError.notFound(let reason) {
                attempts.append(.init(provider: entry.name, reason: reason))
            }
        }
        throw AWSCredentialsError.noCredentials(attempts)
    }
}

/// Caches a provider's credentials; temporary ones are refreshed `refreshBefore` seconds (5 minutes)
/// before they expire. Concurrent callers share one refresh. When a refresh fails while the cached
/// credentials are still valid, those are used.
actor AWSCachedCredentialProvider: AWSCredentialProvider {
    let base: any AWSCredentialProvider
    let refreshBefore: TimeInterval
    let now: @Sendable () -> Date
    var cached: AWSCredentials?
    var refreshing: Task<AWSCredentials, any Error>?
    /// How many times the underlying provider was asked (for diagnostics and tests).
    private(set) var fetchCount = 0

    public init(_ base: any AWSCredentialProvider, refreshBefore: TimeInterval = 300, now: @escaping @Sendable () -> Date = { Date() }) {
        self.base = base
        self.refreshBefore = refreshBefore
        self.now = now
    }

    public func credentials() async throws -> AWSCredentials {
        if let cached, !needsRefresh(cached) { return cached }
        let task: Task<AWSCredentials, any Error>
        if let refreshing {
            task = refreshing
        } else {
            let base = self.base
            task = Task { try await base.credentials() }
            refreshing = task
            fetchCount += 1
        }
        do {
            let fresh = try await task.value
            if refreshing == task {
                refreshing = nil
                cached = fresh
            }
            return fresh
        } catch {
            if refreshing == task { refreshing = nil }
            if let cached, let expiration = cached.expiration, expiration > now() { return cached }
            throw error
        }
    }

    func needsRefresh(_ credentials: AWSCredentials) -> Bool {
        guard let expiration = credentials.expiration else { return false }
        return expiration.timeIntervalSince(now()) <= refreshBefore
    }

    /// Forgets the cached credentials.
    public func invalidate() {
        cached = nil
    }
}
