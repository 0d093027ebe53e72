import AsyncHTTPClient
import FoundationEssentials

/// Which variant of a service's endpoint to use: FIPS, dual-stack (IPv6), both or neither.
public struct AWSEndpointVariant: Sendable, Hashable {
    public var useFIPS: Bool
    public var useDualStack: Bool

    public init(useFIPS: Bool = false, useDualStack: Bool = false) {
        self.useFIPS = useFIPS
        self.useDualStack = useDualStack
    }

    /// `AWS_USE_FIPS_ENDPOINT` → the profile's `use_fips_endpoint`, and `AWS_USE_DUALSTACK_ENDPOINT` →
    /// `use_dualstack_endpoint`: `true` or `false` (any case); another value is an error rather than
    /// silently false.
    static func resolve(profile: String, config: AWSSharedConfig, environment: [String: String]) throws -> AWSEndpointVariant {
        func flag(_ variable: String, _ key: String) throws -> Bool {
            guard let text = nonEmpty(environment[variable]) ?? config.value(key, profile: profile) else { return false }
            switch text.trimmingWhitespace.lowercased() {
            case "true": return true
            case "false": return false
            default: throw AWSConfigurationError.invalidSetting(name: key, value: text, reason: "it must be true or false")
            }
        }
        return AWSEndpointVariant(useFIPS: try flag("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint"),
                                  useDualStack: try flag("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint"))
    }
}

/// Endpoint resolution as the AWS CLI does it.
enum AWSEndpointResolver {
    /// `https://<prefix>.<region>.<the partition's DNS suffix>` (`amazonaws.com`, `amazonaws.com.cn`...),
    /// for a service without a rule set.
    static func defaultEndpoint(prefix: String, region: String) -> String {
        let suffix = AWSPartitions.standard.partition(for: region)?.record?["dnsSuffix"]?.string ?? "amazonaws.com"
        return "https://\(prefix).\(region).\(suffix)"
    }

    /// The endpoint of `service` in `region`: from its endpoint rule set (as botocore resolves it), else
    /// `https://<prefix>.<region>.<the partition's DNS suffix>`.
    static func defaultEndpoint(service: AWSServiceInfo, region: String, variant: AWSEndpointVariant) throws -> String {
        guard let rules = service.endpointRules else { return defaultEndpoint(prefix: service.endpointPrefix, region: region) }
        do {
            return try rules.resolve(region: region, useFIPS: variant.useFIPS, useDualStack: variant.useDualStack).url
        } catch let error as AWSEndpointError {
            throw AWSConfigurationError.noEndpoint(service: service.serviceId, region: region, reason: error.description)
        }
    }

    /// `AppRunner` → `APPRUNNER`, `Elastic Beanstalk` → `ELASTIC_BEANSTALK`.
    static func environmentSuffix(serviceId: String) -> String {
        serviceId.uppercased().replacingEvery(" ", with: "_").replacingEvery("-", with: "_")
    }

    /// The `[services]` key of a service: `AppRunner` → `apprunner`, `Elastic Beanstalk` → `elastic_beanstalk`.
    static func servicesKey(serviceId: String) -> String {
        environmentSuffix(serviceId: serviceId).lowercased()
    }

    /// A configured endpoint, unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` (or the profile's
    /// `ignore_configured_endpoint_urls`) is true: `AWS_ENDPOINT_URL_<SERVICE>` → `AWS_ENDPOINT_URL` →
    /// the profile's `[services]` section → the profile's `endpoint_url`.
    static func configuredEndpoint(service: AWSServiceInfo, profile: String, config: AWSSharedConfig, environment: [String: String]) -> String? {
        if let ignore = nonEmpty(environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]) {
            if ignore.lowercased() == "true" { return nil }
        } else if config.value("ignore_configured_endpoint_urls", profile: profile)?.lowercased() == "true" {
            return nil
        }
        if let url = nonEmpty(environment["AWS_ENDPOINT_URL_\(environmentSuffix(serviceId: service.serviceId))"]) { return url }
        if let url = nonEmpty(environment["AWS_ENDPOINT_URL"]) { return url }
        if let url = config.serviceValue("endpoint_url", serviceKey: servicesKey(serviceId: service.serviceId), profile: profile) { return url }
        return config.value("endpoint_url", profile: profile)
    }
}

/// Everything a client needs, resolved from options, the environment and the shared files.
public struct AWSClientConfiguration: Sendable {
    public var service: AWSServiceInfo
    public var region: String
    public var endpoint: URL
    /// The profile in effect (`--profile`, `AWS_PROFILE`, else `default`).
    public var profile: String
    /// Cached; explicit credentials, or the AWS CLI's chain.
    public var credentialProvider: any AWSCredentialProvider
    /// Where the credentials come from, for `--debug` ("explicit" or "credential chain").
    public var credentialSource: String
    public var maxAttempts: Int
    /// Whether `endpoint` came from an option or configuration rather than the default.
    var endpointIsCustom: Bool
    /// The environment used (proxy settings are read from it).
    public var environment: [String: String]
    /// FIPS and dual-stack, for the endpoints resolved from rule sets (this one's and `forService`'s).
    public var endpointVariant: AWSEndpointVariant
    /// The CA bundle and certificate verification (`--ca-bundle`, `AWS_CA_BUNDLE`, `ca_bundle`, `--no-verify-ssl`).
    public var tls: AWSTLSSettings

    public init(service: AWSServiceInfo, region: String, endpoint: URL, profile: String, credentialProvider: any AWSCredentialProvider,
                credentialSource: String, maxAttempts: Int, endpointIsCustom: Bool, environment: [String: String],
                endpointVariant: AWSEndpointVariant = AWSEndpointVariant(), tls: AWSTLSSettings = AWSTLSSettings()) {
        self.service = service
        self.region = region
        self.endpoint = endpoint
        self.profile = profile
        self.credentialProvider = credentialProvider
        self.credentialSource = credentialSource
        self.maxAttempts = maxAttempts
        self.endpointIsCustom = endpointIsCustom
        self.environment = environment
        self.endpointVariant = endpointVariant
        self.tls = tls
    }

    /// Resolves in the AWS CLI's order.
    ///
    /// - Region: `region` → `AWS_REGION` → `AWS_DEFAULT_REGION` → profile `region`; none is an error.
    /// - Endpoint: `endpointURL` → ``AWSEndpointResolver/configuredEndpoint(service:profile:config:environment:)``
    ///   → the service's endpoint rule set for the region, FIPS and dual-stack (``AWSEndpointVariant``).
    /// - Max attempts: `maxAttempts` → `AWS_MAX_ATTEMPTS` → profile `max_attempts` → 3.
    /// - Credentials: `credentials` → ``AWSCredentialProviderChain/standard(profile:environment:httpClient:)``, cached;
    ///   none with `signRequests` false (`--no-sign-request`): requests go unsigned.
    /// - TLS: ``AWSTLSSettings/resolve(caBundle:verifyCertificates:profile:config:environment:)``.
    public static func resolve(
        service: AWSServiceInfo,
        profile: String? = nil,
        region: String? = nil,
        endpointURL: String? = nil,
        credentials: AWSCredentials? = nil,
        maxAttempts: Int? = nil,
        signRequests: Bool = true,
        caBundle: String? = nil,
        verifyCertificates: Bool = true,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        httpClient: HTTPClient = AWSCredentialHTTPClient.shared,
        mfaCode: MFACodeProvider? = nil
    ) throws -> AWSClientConfiguration {
        let profileName = awsProfileName(profile, environment: environment)
        let config = try AWSSharedConfig.load(environment: environment)
        if nonEmpty(profile) != nil, credentials == nil, !config.hasProfile(profileName) {
            throw AWSConfigurationError.profileNotFound(profileName)
        }
        guard let resolvedRegion = nonEmpty(region) ?? nonEmpty(environment["AWS_REGION"]) ?? nonEmpty(environment["AWS_DEFAULT_REGION"])
            ?? config.value("region", profile: profileName) else {
            throw AWSConfigurationError.noRegion(profile: profileName)
        }
        guard Self.isPlausibleRegion(resolvedRegion) else {
            throw AWSConfigurationError.invalidSetting(name: "region", value: resolvedRegion, reason: "a region looks like us-east-1")
        }
        let variant = try AWSEndpointVariant.resolve(profile: profileName, config: config, environment: environment)
        let tls = try AWSTLSSettings.resolve(caBundle: caBundle, verifyCertificates: verifyCertificates, profile: profileName,
                                             config: config, environment: environment)
        let (endpoint, endpointIsCustom) = try Self.endpoint(for: service, endpointURL: endpointURL, region: resolvedRegion, profile: profileName,
                                                             config: config, environment: environment, variant: variant)
        let attempts: Int
        if let maxAttempts {
            attempts = maxAttempts
        } else if let text = nonEmpty(environment["AWS_MAX_ATTEMPTS"]) ?? config.value("max_attempts", profile: profileName) {
            guard let value = Int(text.trimmingWhitespace) else {
                throw AWSConfigurationError.invalidSetting(name: "max_attempts", value: text, reason: "it must be a whole number")
            }
            attempts = value
        } else {
            attempts = 3
        }
        guard attempts >= 1 else {
            throw AWSConfigurationError.invalidSetting(name: "max_attempts", value: String(attempts), reason: "it must be at least 1")
        }
        let provider: any AWSCredentialProvider
        let source: String
        if !signRequests {
            provider = AnonymousCredentialProvider()
            source = "none (--no-sign-request: requests are not signed)"
        } else if let credentials {
            provider = StaticCredentialProvider(credentials)
            source = "explicit"
        } else {
            // The credential sources' requests (STS...) trust what the client's do, unless a client was given.
            let credentialHTTP = httpClient === AWSCredentialHTTPClient.shared ? AWSCredentialHTTPClient.client(for: tls) : httpClient
            provider = AWSCredentialProviderChain.defaultChain(profile: profile, explicit: nil, environment: environment, httpClient: credentialHTTP, mfaCode: mfaCode)
            source = "credential chain (profile \(profileName))"
        }
        return AWSClientConfiguration(service: service, region: resolvedRegion, endpoint: endpoint, profile: profileName,
                                      credentialProvider: provider, credentialSource: source, maxAttempts: attempts,
                                      endpointIsCustom: endpointIsCustom, environment: environment, endpointVariant: variant, tls: tls)
    }

    /// The same settings for another service: region, profile, the credential provider itself (so
    /// credentials are fetched and cached once for all the clients), max attempts and environment; the
    /// endpoint is resolved for `service`: `endpointURL` (e.g. `--endpoint-url`, which applies to every
    /// service), else that service's configured endpoint (`AWS_ENDPOINT_URL_<SERVICE ID>`...), else its default.
    public func forService(_ service: AWSServiceInfo, endpointURL: String? = nil) throws -> AWSClientConfiguration {
        let config = try AWSSharedConfig.load(environment: environment)
        let (endpoint, custom) = try Self.endpoint(for: service, endpointURL: endpointURL, region: region, profile: profile,
                                                   config: config, environment: environment, variant: endpointVariant)
        return AWSClientConfiguration(service: service, region: region, endpoint: endpoint, profile: profile,
                                      credentialProvider: credentialProvider, credentialSource: credentialSource, maxAttempts: maxAttempts,
                                      endpointIsCustom: custom, environment: environment, endpointVariant: endpointVariant, tls: tls)
    }

    /// `endpointURL`, else the configured endpoint of `service`, else its rule set's (a configured
    /// endpoint wins over FIPS and dual-stack); and whether it is not the default.
    static func endpoint(for service: AWSServiceInfo, endpointURL: String?, region: String, profile: String, config: AWSSharedConfig,
                         environment: [String: String], variant: AWSEndpointVariant) throws -> (URL, Bool) {
        let configured = nonEmpty(endpointURL) ?? AWSEndpointResolver.configuredEndpoint(service: service, profile: profile, config: config, environment: environment)
        let endpointText = try configured ?? AWSEndpointResolver.defaultEndpoint(service: service, region: region, variant: variant)
        guard let endpoint = URL(string: endpointText), let scheme = endpoint.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = endpoint.host, !host.isEmpty else {
            throw AWSConfigurationError.invalidEndpoint(endpointText)
        }
        return (endpoint, configured != nil)
    }

    static func isPlausibleRegion(_ region: String) -> Bool {
        !region.isEmpty && region.count <= 64 && region.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }
}

extension AWSClientConfiguration {
    /// A setting of the profile in effect (`profile`, `AWS_PROFILE`, else `default`) in the shared config
    /// file, e.g. the AWS CLI's `output` or `cli_timestamp_format`; nil when unset or unreadable.
    public static func profileSetting(_ key: String, profile: String?, environment: [String: String]) -> String? {
        guard let config = try? AWSSharedConfig.load(environment: environment) else { return nil }
        return nonEmpty(config.value(key, profile: awsProfileName(profile, environment: environment)))
    }
}
