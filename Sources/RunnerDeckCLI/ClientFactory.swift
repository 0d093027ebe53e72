import AWSCore
import AppRunner
import AppRunnerLocal
import CloudWatch
import CloudWatchLogs
import FoundationEssentials

/// Builds the API clients for the global options: App Runner, CloudWatch Logs and CloudWatch, all with
/// one resolved configuration (region, profile, credentials, retries) and each service's own endpoint
/// (`--endpoint-url` or `AWS_ENDPOINT_URL` for all three; `AWS_ENDPOINT_URL_APPRUNNER`,
/// `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS`, `AWS_ENDPOINT_URL_CLOUDWATCH` for one).
enum ClientFactory {
    /// `--demo` → Local App Runner's demo fleet in process; otherwise AWS (or `--endpoint-url`)
    /// through AWSCore: configuration resolved, requests signed, User-Agent `runnerdeck/<version>`.
    /// `configurations` shares one resolution between the clients of a command.
    public static func makeAPI(_ globals: GlobalOptions, environment: CLIEnvironment,
                               configurations: ResolvedConfigurations = ResolvedConfigurations()) async throws -> any AppRunnerAPI {
        if globals.demo {
            return try await LocalAppRunner.demo()
        }
        return AppRunnerClient(transport: try await transport(.appRunner, globals, environment, configurations))
    }

    /// CloudWatch Logs (not with `--demo`: the in-process demo has no logs).
    static func makeLogsAPI(_ globals: GlobalOptions, environment: CLIEnvironment,
                            configurations: ResolvedConfigurations = ResolvedConfigurations()) async throws -> any CloudWatchLogsAPI {
        try refuseDemo(globals, "logs")
        return CloudWatchLogsClient(transport: try await transport(.cloudWatchLogs, globals, environment, configurations))
    }

    /// CloudWatch metrics (not with `--demo`).
    static func makeMetricsAPI(_ globals: GlobalOptions, environment: CLIEnvironment,
                               configurations: ResolvedConfigurations = ResolvedConfigurations()) async throws -> any CloudWatchAPI {
        try refuseDemo(globals, "metrics")
        return CloudWatchClient(transport: try await transport(.cloudWatch, globals, environment, configurations))
    }

    private static func refuseDemo(_ globals: GlobalOptions, _ what: String) throws {
        if globals.demo {
            throw CLIError(.usage, "\(what) are not available with --demo (the in-process demo has no CloudWatch); point --endpoint-url at `runnerdeck serve` instead")
        }
    }

    /// The configuration of `service`: App Runner's resolved once per process and options, then
    /// `forService` (same credentials provider, the service's own endpoint).
    static func configuration(_ service: AWSServiceInfo, _ globals: GlobalOptions, environment: CLIEnvironment,
                              _ configurations: ResolvedConfigurations) async throws -> AWSClientConfiguration {
        do {
            let base = try await configurations.base(globals, environment: environment.variables)
            if globals.noVerifySSL, await configurations.firstWarning() {
                environment.standardError.write("warning: --no-verify-ssl: TLS certificates are not verified; anyone on the path can read and change the requests\n")
            }
            return service == .appRunner ? base : try base.forService(service, endpointURL: globals.endpointURL)
        } catch let error as AWSConfigurationError {
            throw CLIError(.configuration, error.description)
        }
    }

    private static func transport(_ service: AWSServiceInfo, _ globals: GlobalOptions, _ environment: CLIEnvironment,
                                  _ configurations: ResolvedConfigurations) async throws -> AWSJSONClient {
        let configuration = try await configuration(service, globals, environment: environment, configurations)
        var debug: (@Sendable (String) -> Void)?
        if globals.debug {
            let sink = environment.standardError
            debug = { text in
                sink.write("[debug] " + DebugLogHandler.redact(text).replacingEvery("\n", with: "\n  ") + "\n")
            }
            sink.write("[debug] \(service.signingName): profile \(configuration.profile) region \(configuration.region) endpoint \(configuration.endpoint.absoluteString) credentials from \(configuration.credentialSource) max attempts \(configuration.maxAttempts)\n")
        }
        let client = AWSJSONClient(
            service: service,
            region: configuration.region,
            endpoint: configuration.endpoint,
            credentials: configuration.credentialProvider,
            userAgent: "runnerdeck/\(runnerDeckVersion)",
            retry: AWSRetryStrategy(maxAttempts: configuration.maxAttempts),
            timeouts: globals.timeouts,
            environment: configuration.environment,
            tls: configuration.tls,
            debug: debug
        )
        await OpenClients.current.add(client)
        return client
    }
}

/// App Runner's configuration, resolved once for a command (its ``CommandContext`` holds one), so the
/// three services share one credential provider (one credential fetch, one MFA prompt). A profile's
/// configurations in other regions (a fleet's targets, the dashboard's `:region`) keep its provider too.
actor ResolvedConfigurations {
    private var last: (key: [String?], variables: [String: String], configuration: AWSClientConfiguration)?
    /// The credential provider (and where it gets credentials) of each profile and credential option.
    private var providers: [[String?]: (provider: any AWSCredentialProvider, source: String)] = [:]
    /// Asks for MFA codes (`mfa_serial`) until the dashboard takes the screen.
    nonisolated let mfaPrompt = MFAPrompt()
    private var warned = false

    func base(_ globals: GlobalOptions, environment variables: [String: String]) throws -> AWSClientConfiguration {
        let key = [globals.profile, globals.region, globals.endpointURL, globals.mfaCode, globals.caBundle, String(globals.noSignRequest),
                   String(globals.noVerifySSL)]
        if let last, last.key == key, last.variables == variables { return last.configuration }
        var configuration = try AWSClientConfiguration.resolve(
            service: .appRunner, profile: globals.profile, region: globals.region,
            endpointURL: globals.endpointURL, signRequests: !globals.noSignRequest, caBundle: globals.caBundle,
            verifyCertificates: !globals.noVerifySSL, environment: variables,
            mfaCode: mfaPrompt.provider(code: globals.mfaCode, profile: globals.profile ?? variables["AWS_PROFILE"] ?? variables["AWS_DEFAULT_PROFILE"] ?? "default")
        )
        let credentials = [globals.profile ?? variables["AWS_PROFILE"] ?? variables["AWS_DEFAULT_PROFILE"], globals.mfaCode, String(globals.noSignRequest)]
        if let shared = providers[credentials] {
            configuration.credentialProvider = shared.provider
            configuration.credentialSource = shared.source
        } else {
            providers[credentials] = (configuration.credentialProvider, configuration.credentialSource)
        }
        last = (key, variables, configuration)
        return configuration
    }

    /// True the first time only: a warning is printed once per command, not once per client.
    func firstWarning() -> Bool {
        defer { warned = true }
        return !warned
    }
}

/// The HTTP clients made during a command, shut down when it ends (async-http-client requires it).
/// Each command run binds its own (commands run side by side in the tests never close each other's).
actor OpenClients {
    @TaskLocal static var current = OpenClients()
    private var clients: [AWSJSONClient] = []

    func add(_ client: AWSJSONClient) {
        clients.append(client)
    }

    func shutdownAll() async {
        let open = clients
        clients = []
        for client in open {
            try? await client.shutdown()
        }
    }
}
