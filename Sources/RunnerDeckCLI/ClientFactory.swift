import AWSCore
import AppRunner
import Foundation

/// Builds the App Runner API for the global options.
public enum ClientFactory {
    /// `--demo` → Local App Runner's demo fleet in process; otherwise AWS (or `--endpoint-url`)
    /// through AWSCore: configuration resolved, requests signed, User-Agent `runnerdeck/<version>`.
    public static func makeAPI(_ globals: GlobalOptions, environment: CLIEnvironment) async throws -> any AppRunnerAPI {
        if globals.demo {
            throw CLIError(.failure, "--demo is not available in this build yet (Local App Runner has not landed)")
        }
        let settings = try ClientSettings.resolve(globals, environment: environment.variables)
        var debug: (@Sendable (String) -> Void)?
        if globals.debug {
            let sink = environment.standardError
            debug = { text in
                sink.write("[debug] " + DebugLogHandler.redact(text).replacingOccurrences(of: "\n", with: "\n  ") + "\n")
            }
            sink.write("[debug] region \(settings.region) endpoint \(settings.endpoint.absoluteString) credentials from \(settings.credentialSource)\n")
        }
        let client = AWSJSONClient(
            service: .appRunner,
            region: settings.region,
            endpoint: settings.endpoint,
            credentials: settings.credentials,
            userAgent: "runnerdeck/\(runnerDeckVersion)",
            environment: environment.variables,
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

/// Region, endpoint and credentials for a command.
///
/// INTERIM: AWSCore's configuration resolver (profiles, credential_process, assume-role, web identity,
/// container and IMDS credentials) has not landed yet; until it does, this resolves the part the CLI
/// needs to reach AWS or `runnerdeck serve`: the option, then the AWS CLI's environment variables.
struct ClientSettings {
    var region: String
    var endpoint: URL
    var credentials: any AWSCredentialProvider
    var credentialSource: String

    static func resolve(_ globals: GlobalOptions, environment: [String: String]) throws -> ClientSettings {
        func value(_ name: String) -> String? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            return text
        }
        guard let region = globals.region ?? value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") else {
            throw CLIError(.usage, "no region: use --region or set AWS_REGION")
        }
        let ignoreConfigured = value("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")?.lowercased() == "true"
        let configured = ignoreConfigured ? nil : (value("AWS_ENDPOINT_URL_APPRUNNER") ?? value("AWS_ENDPOINT_URL"))
        let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        let text = globals.endpointURL ?? configured ?? "https://apprunner.\(region).\(suffix)"
        guard let endpoint = URL(string: text), endpoint.host != nil else {
            throw CLIError(.usage, "invalid endpoint URL '\(text)'")
        }
        guard let key = value("AWS_ACCESS_KEY_ID"), let secret = value("AWS_SECRET_ACCESS_KEY") else {
            throw CLIError(.failure, "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (profiles arrive with AWSCore's credential chain)")
        }
        let credentials = AWSCredentials(accessKeyId: key, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN"))
        return ClientSettings(region: region, endpoint: endpoint, credentials: StaticCredentialProvider(credentials), credentialSource: "environment")
    }
}
