import FoundationEssentials

/// Supplies the code of an MFA device (`mfa_serial`) when a role needs one: the terminal prompt or
/// `--mfa-code` of the CLI. It is called only when no cached credentials of the role are valid.
public typealias MFACodeProvider = @Sendable (_ serialNumber: String) async throws -> String

/// Assumed-role credentials cached where the AWS CLI keeps them, `~/.aws/cli/cache/<key>.json`, so a
/// second start within their lifetime does not ask for an MFA code again (in either tool).
///
/// The key is botocore's `AssumeRoleCredentialFetcher._create_cache_key`: the SHA-1 of
/// `json.dumps(args, sort_keys=True)` of the call's arguments (`RoleArn`, `RoleSessionName` only when
/// configured, `ExternalId`, `SerialNumber`, `DurationSeconds`). The document is STS's answer:
/// `{"Credentials": {"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}}`. Entries with
/// less than 15 minutes left are not used (botocore's expiry window).
enum AssumeRoleCache {
    static let expiryWindow: TimeInterval = 15 * 60

    static func key(roleArn: String, sessionName: String?, externalId: String?, serialNumber: String?, durationSeconds: Int?) -> String {
        var args: [String: JSONCacheValue] = ["RoleArn": .string(roleArn)]
        if let sessionName { args["RoleSessionName"] = .string(sessionName) }
        if let externalId { args["ExternalId"] = .string(externalId) }
        if let serialNumber { args["SerialNumber"] = .string(serialNumber) }
        if let durationSeconds { args["DurationSeconds"] = .number(Double(durationSeconds)) }
        return SSOSettings.sha1Hex(PythonJSON.dumps(.object(args)))
    }

    /// Cached credentials under `key` with at least 15 minutes left, else nil.
    static func read(key: String, environment: [String: String], now: Date) -> AWSCredentials? {
        guard let document = JSONCacheFile.read(directory: JSONCacheFile.cliDirectory(environment: environment), key: key),
              case .object(let credentials)? = document["Credentials"],
              let accessKey = credentials["AccessKeyId"]?.string, let secret = credentials["SecretAccessKey"]?.string,
              let expiration = credentials["Expiration"]?.string.flatMap(JSONCacheFile.parseDate),
              expiration.timeIntervalSince(now) >= expiryWindow else { return nil }
        return AWSCredentials(accessKeyId: accessKey, secretAccessKey: secret, sessionToken: credentials["SessionToken"]?.string, expiration: expiration)
    }

    static func write(_ credentials: AWSCredentials, key: String, environment: [String: String]) throws {
        var members: [String: JSONCacheValue] = ["AccessKeyId": .string(credentials.accessKeyId), "SecretAccessKey": .string(credentials.secretAccessKey)]
        if let token = credentials.sessionToken { members["SessionToken"] = .string(token) }
        if let expiration = credentials.expiration { members["Expiration"] = .string(JSONCacheFile.formatDate(expiration)) }
        try JSONCacheFile.write(["Credentials": .object(members)], directory: JSONCacheFile.cliDirectory(environment: environment), key: key)
    }
}

extension AWSClientConfiguration {
    /// The `mfa_serial` of the role chain of `profile` (following `source_profile`), nil when no role in
    /// it needs an MFA code; the dashboard asks for the code before it takes the screen.
    public static func mfaSerial(profile: String?, environment: [String: String]) -> String? {
        guard let config = try? AWSSharedConfig.load(environment: environment) else { return nil }
        var name = awsProfileName(profile, environment: environment)
        var visited: Set<String> = []
        while visited.insert(name).inserted, let settings = config.profile(name), nonEmpty(settings["role_arn"]) != nil {
            if let serial = nonEmpty(settings["mfa_serial"]) { return serial }
            guard let source = nonEmpty(settings["source_profile"]) else { return nil }
            name = source
        }
        return nil
    }
}
