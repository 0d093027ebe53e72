import Crypto
import FoundationEssentials

/// The IAM Identity Center (SSO) settings of a profile, as the AWS CLI v2 reads them: either
/// `sso_session = NAME` with a `[sso-session NAME]` section (`sso_start_url`, `sso_region`,
/// `sso_registration_scopes`), or the legacy form with `sso_start_url`/`sso_region` in the profile.
public struct SSOSettings: Sendable, Hashable {
    public var startURL: String
    /// The region of the Identity Center instance (the portal and OIDC endpoints).
    public var region: String
    /// The `[sso-session NAME]` in use; nil for the legacy form.
    public var sessionName: String?
    /// `sso_registration_scopes`, comma-separated in the file.
    public var registrationScopes: [String]
    /// `sso_account_id` and `sso_role_name` of the profile (nil when only signing in to a session).
    public var accountId: String?
    public var roleName: String?

    public init(startURL: String, region: String, sessionName: String? = nil, registrationScopes: [String] = [],
                accountId: String? = nil, roleName: String? = nil) {
        self.startURL = startURL
        self.region = region
        self.sessionName = sessionName
        self.registrationScopes = registrationScopes
        self.accountId = accountId
        self.roleName = roleName
    }

    /// The name the token cache file is derived from (and operators recognise): the session name, else the start URL.
    public var displayName: String { sessionName ?? startURL }

    /// The token cache file's name without `.json`, as the AWS CLI derives it: the SHA-1 (hex) of the
    /// session name for the sso-session form, of the start URL for the legacy form.
    public var tokenCacheKey: String { Self.sha1Hex(sessionName ?? startURL) }

    static func sha1Hex(_ text: String) -> String {
        Insecure.SHA1.hash(data: Data(text.utf8)).map { String(cFormat: "%02x", $0) }.joined()
    }

    /// Whether a profile is configured for SSO credentials (botocore: `sso_account_id` or `sso_role_name`).
    static func isSSOProfile(_ settings: [String: String]) -> Bool {
        nonEmpty(settings["sso_account_id"]) != nil || nonEmpty(settings["sso_role_name"]) != nil
    }

    /// The settings of profile `name`; `requireRole` demands `sso_account_id` and `sso_role_name`
    /// (credentials), without it only the sign-in settings are needed (`runnerdeck login`).
    /// Errors are worded as the AWS CLI words them.
    static func forProfile(_ name: String, config: AWSSharedConfig, requireRole: Bool) throws -> SSOSettings {
        guard let profile = config.profile(name) else { throw AWSConfigurationError.profileNotFound(name) }
        var merged = profile
        var required = ["sso_start_url", "sso_region"]
        if let session = nonEmpty(profile["sso_session"]) {
            guard let section = config.ssoSessions[session] else {
                throw AWSConfigurationError.invalidSetting(name: "sso_session", value: session,
                                                           reason: "the specified sso-session does not exist (no [sso-session \(session)] in \(config.configPath))")
            }
            for (key, value) in section {
                if let own = merged[key], own != value {
                    throw AWSConfigurationError.invalidSetting(name: key, value: own,
                                                               reason: "the value is inconsistent between profile (\(own)) and sso-session (\(value))")
                }
                merged[key] = value
            }
        }
        if requireRole { required += ["sso_account_id", "sso_role_name"] }
        let missing = required.filter { nonEmpty(merged[$0]) == nil }
        guard missing.isEmpty, let startURL = nonEmpty(merged["sso_start_url"]), let region = nonEmpty(merged["sso_region"]) else {
            throw AWSConfigurationError.invalidSetting(name: "profile", value: name,
                                                       reason: "it is configured to use SSO but is missing required configuration: \(missing.joined(separator: ", "))")
        }
        return SSOSettings(startURL: startURL, region: region, sessionName: nonEmpty(profile["sso_session"]),
                           registrationScopes: parseScopes(merged["sso_registration_scopes"]),
                           accountId: nonEmpty(merged["sso_account_id"]), roleName: nonEmpty(merged["sso_role_name"]))
    }

    /// The settings of `[sso-session NAME]` (for `runnerdeck login --sso-session NAME`).
    static func forSession(_ session: String, config: AWSSharedConfig) throws -> SSOSettings {
        guard let section = config.ssoSessions[session] else {
            throw AWSConfigurationError.invalidSetting(name: "sso-session", value: session,
                                                       reason: "the specified sso-session does not exist (no [sso-session \(session)] in \(config.configPath))")
        }
        let missing = ["sso_start_url", "sso_region"].filter { nonEmpty(section[$0]) == nil }
        guard missing.isEmpty, let startURL = nonEmpty(section["sso_start_url"]), let region = nonEmpty(section["sso_region"]) else {
            throw AWSConfigurationError.invalidSetting(name: "sso-session", value: session,
                                                       reason: "missing the following required SSO configuration values: \(missing.joined(separator: ", "))")
        }
        return SSOSettings(startURL: startURL, region: region, sessionName: session,
                           registrationScopes: parseScopes(section["sso_registration_scopes"]))
    }

    static func parseScopes(_ raw: String?) -> [String] {
        (raw ?? "").split(separator: ",").map { $0.trimmingWhitespace }.filter { !$0.isEmpty }
    }
}
