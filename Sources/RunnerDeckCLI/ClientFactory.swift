import AWSCore
import AppRunner
import AppRunnerLocal
import Foundation

/// Builds the App Runner API for the global options.
enum ClientFactory {
    /// `--demo` → Local App Runner's demo fleet in process; otherwise AWS (or `--endpoint-url`)
    /// through AWSCore: configuration resolved, requests signed, User-Agent `runnerdeck/<version>`.
    public static func makeAPI(_ globals: GlobalOptions, environment: CLIEnvironment) async throws -> any AppRunnerAPI {
        if globals.demo {
            return try await LocalAppRunner.demo()
        }
        let configuration: AWSClientConfiguration
        do {
            configuration = try AWSClientConfiguration.resolve(
                service: .appRunner, profile: globals.profile, region: globals.region,
                endpointURL: globals.endpointURL, environment: environment.variables
            )
        } catch let error as AWSConfigurationError {
            throw CLIError(.configuration, error.description)
        }
        var debug: (@Sendable (String) -> Void)?
        if globals.debug {
            let sink = environment.standardError
            debug = { text in
                sink.write("[debug] " + DebugLogHandler.redact(text).replacingOccurrences(of: "\n", with: "\n  ") + "\n")
            }
            sink.write("[debug] profile \(configuration.profile) region \(configuration.region) endpoint \(configuration.endpoint.absoluteString) credentials from \(configuration.credentialSource) max attempts \(configuration.maxAttempts)\n")
        }
        let client = AWSJSONClient(
            service: .appRunner,
            region: configuration.region,
            endpoint: configuration.endpoint,
            credentials: configuration.credentialProvider,
            userAgent: "runnerdeck/\(runnerDeckVersion)",
            retry: AWSRetryStrategy(maxAttempts: configuration.maxAttempts),
            timeouts: globals.timeouts,
            environment: configuration.environment,
            debug: debug
        )
        await OpenClients.shared.add(client)
        return AppRunnerClient(transport: client)
    }
}

/// The HTTP clients made during a command, shut down when it ends (async-http-client requires it).
actor OpenClients {
    static let shared = OpenClients()
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
