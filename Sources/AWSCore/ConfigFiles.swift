import FoundationEssentials

/// The AWS CLI's shared files, `~/.aws/config` and `~/.aws/credentials` (paths from `AWS_CONFIG_FILE`
/// and `AWS_SHARED_CREDENTIALS_FILE`), parsed as the CLI reads them.
///
/// In `config`, profiles are `[default]` and `[profile name]`, and `[services name]` sections hold
/// per-service settings; in `credentials`, sections are bare profile names. Indented lines after a
/// `key =` with no value are sub-settings, stored as `key.sub` (e.g. `apprunner.endpoint_url`).
struct AWSSharedConfig: Sendable, Hashable {
    /// Profile settings from the config file, by profile name.
    var configProfiles: [String: [String: String]]
    /// Profile settings from the credentials file, by profile name.
    var credentialProfiles: [String: [String: String]]
    /// `[services name]` sections of the config file.
    public var services: [String: [String: String]]
    /// `[sso-session name]` sections of the config file (IAM Identity Center sign-in settings).
    var ssoSessions: [String: [String: String]] = [:]
    var configPath: String
    var credentialsPath: String

    public init(configProfiles: [String: [String: String]] = [:], credentialProfiles: [String: [String: String]] = [:],
                services: [String: [String: String]] = [:], configPath: String = "", credentialsPath: String = "") {
        self.configProfiles = configProfiles
        self.credentialProfiles = credentialProfiles
        self.services = services
        self.configPath = configPath
        self.credentialsPath = credentialsPath
    }

    /// The home directory: `HOME` from `environment`, else the process's.
    static func homeDirectory(environment: [String: String]) -> String {
        if let home = environment["HOME"], !home.isEmpty { return home }
        return SystemIO.homeDirectory()
    }

    static func expand(_ path: String, environment: [String: String]) -> String {
        if path == "~" { return homeDirectory(environment: environment) }
        if path.hasPrefix("~/") { return homeDirectory(environment: environment) + String(path.dropFirst(1)) }
        return path
    }

    static func configPath(environment: [String: String]) -> String {
        if let path = environment["AWS_CONFIG_FILE"], !path.isEmpty { return expand(path, environment: environment) }
        return homeDirectory(environment: environment) + "/.aws/config"
    }

    static func credentialsPath(environment: [String: String]) -> String {
        if let path = environment["AWS_SHARED_CREDENTIALS_FILE"], !path.isEmpty { return expand(path, environment: environment) }
        return homeDirectory(environment: environment) + "/.aws/credentials"
    }

    /// Reads both files; a missing file is empty, an unreadable one an error.
    public static func load(environment: [String: String]) throws -> AWSSharedConfig {
        let configPath = configPath(environment: environment)
        let credentialsPath = credentialsPath(environment: environment)
        var result = AWSSharedConfig(configPath: configPath, credentialsPath: credentialsPath)
        if let text = try readIfPresent(configPath) {
            for (section, values) in parseINI(text) {
                let name = section.trimmingWhitespace
                if name == "default" {
                    result.configProfiles["default", default: [:]].merge(values) { _, new in new }
                } else if name.hasPrefix("profile ") || name.hasPrefix("profile\t") {
                    let profile = name.dropFirst("profile".count).trimmingWhitespace
                    result.configProfiles[profile, default: [:]].merge(values) { _, new in new }
                } else if name.hasPrefix("services ") {
                    let services = name.dropFirst("services".count).trimmingWhitespace
                    result.services[services, default: [:]].merge(values) { _, new in new }
                } else if name.hasPrefix("sso-session ") {
                    let session = name.dropFirst("sso-session".count).trimmingWhitespace
                    result.ssoSessions[session, default: [:]].merge(values) { _, new in new }
                }
                // Other sections (plain names in config) are not profiles: the CLI ignores them too.
            }
        }
        if let text = try readIfPresent(credentialsPath) {
            for (section, values) in parseINI(text) {
                let name = section.trimmingWhitespace
                result.credentialProfiles[name, default: [:]].merge(values) { _, new in new }
            }
        }
        return result
    }

    static func readIfPresent(_ path: String) throws -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        // Character devices such as /dev/null read too, which the AWS CLI accepts.
        do throws(SystemIO.Failure) {
            return String(decoding: try SystemIO.readFile(path), as: UTF8.self)
        } catch {
            throw AWSConfigurationError.unreadableFile(path: path, reason: error.call == "open" ? "permission denied or not a file" : error.reason)
        }
    }

    /// Sections in file order (a repeated section appears twice; callers merge).
    static func parseINI(_ text: String) -> [(String, [String: String])] {
        var sections: [(String, [String: String])] = []
        var current: String?
        var values: [String: String] = [:]
        var parentKey: String?
        func flush() {
            if let current { sections.append((current, values)) }
            values = [:]
            parentKey = nil
        }
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            let line = String(rawLine)
            let trimmed = line.trimmingWhitespace
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            if trimmed.hasPrefix("[") {
                flush()
                guard let close = trimmed.firstIndex(of: "]") else { current = nil; continue }
                current = String(trimmed[trimmed.index(after: trimmed.startIndex)..<close]).trimmingWhitespace
                continue
            }
            guard current != nil, let equals = trimmed.firstIndex(of: "=") else { continue }
            let key = trimmed[..<equals].trimmingWhitespace.lowercased()
            var value = trimmed[trimmed.index(after: equals)...].trimmingWhitespace
            // An inline comment needs white space before `#` or `;` (as in botocore).
            for marker in [" #", "\t#", " ;", "\t;"] {
                if let range = value.firstRange(of: marker) { value = value[..<range.lowerBound].trimmingWhitespace }
            }
            let indented = line.first == " " || line.first == "\t"
            if indented, let parentKey {
                values["\(parentKey).\(key)"] = value
            } else if value.isEmpty {
                parentKey = key
                values[key] = ""
            } else {
                parentKey = nil
                values[key] = value
            }
        }
        flush()
        return sections
    }

    /// The settings of a profile: the config file's, overridden by the credentials file's (as the CLI does).
    public func profile(_ name: String) -> [String: String]? {
        let config = configProfiles[name]
        let credentials = credentialProfiles[name]
        if config == nil && credentials == nil { return nil }
        return (config ?? [:]).merging(credentials ?? [:]) { _, fromCredentials in fromCredentials }
    }

    func hasProfile(_ name: String) -> Bool { profile(name) != nil }

    /// A setting of a profile (`nil` when absent or empty).
    public func value(_ key: String, profile name: String) -> String? {
        guard let value = profile(name)?[key.lowercased()], !value.isEmpty else { return nil }
        return value
    }

    /// A per-service setting: `[services <profile.services>]` → `<service key>.<key>`.
    func serviceValue(_ key: String, serviceKey: String, profile name: String) -> String? {
        guard let servicesName = value("services", profile: name), let section = services[servicesName],
              let value = section["\(serviceKey.lowercased()).\(key.lowercased())"], !value.isEmpty else { return nil }
        return value
    }
}

/// The profile name in effect: the option, else `AWS_PROFILE` (or `AWS_DEFAULT_PROFILE`), else `default`.
func awsProfileName(_ option: String?, environment: [String: String]) -> String {
    if let option, !option.isEmpty { return option }
    if let name = environment["AWS_PROFILE"], !name.isEmpty { return name }
    if let name = environment["AWS_DEFAULT_PROFILE"], !name.isEmpty { return name }
    return "default"
}

/// A configuration that cannot work, worded for an operator.
public enum AWSConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    case unreadableFile(path: String, reason: String)
    case profileNotFound(String)
    case noRegion(profile: String)
    case invalidEndpoint(String)
    case invalidSetting(name: String, value: String, reason: String)
    /// The service's endpoint rule set gives no endpoint (e.g. FIPS in a partition without FIPS endpoints).
    case noEndpoint(service: String, region: String, reason: String)

    public var description: String {
        switch self {
        case .unreadableFile(let path, let reason): return "cannot read \(path): \(reason)"
        case .profileNotFound(let name): return "the config profile (\(name)) could not be found"
        case .noRegion(let profile):
            return "you must specify a region: use --region, set AWS_REGION, or add 'region' to the profile '\(profile)' (aws configure)"
        case .invalidEndpoint(let url): return "invalid endpoint URL '\(url)': it must be an absolute http or https URL"
        case .invalidSetting(let name, let value, let reason): return "invalid \(name) '\(value)': \(reason)"
        case .noEndpoint(let service, let region, let reason): return "no \(service) endpoint for region \(region): \(reason)"
        }
    }
}
