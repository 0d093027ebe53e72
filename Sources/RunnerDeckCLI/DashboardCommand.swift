import AWSCore
import AppRunner
import AppRunnerLocal
import ArgumentParser
import CloudWatch
import CloudWatchLogs
import Dashboard
import FoundationEssentials
import RunnerDeckKit

/// `runnerdeck [dashboard]`: the full-screen dashboard (the default command).
struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Open the full-screen dashboard (the default when no command is given).",
        discussion: """
            Examples:
              runnerdeck           # the current profile and region
              runnerdeck --demo    # Local App Runner's demo fleet, no account
              runnerdeck --profile prod --region eu-west-1 --read-only
              runnerdeck --endpoint-url http://127.0.0.1:8080 --refresh 5
            """
    )

    @OptionGroup var globals: GlobalOptions

    @Option(help: ArgumentHelp("Seconds between refreshes while nothing is in progress (default 10).", valueName: "seconds"))
    var refresh: Double?

    @Flag(name: .customLong("no-clock"), help: "No clock and no ticking refresh age in the header: an idle dashboard writes nothing between refreshes (slow links).")
    var noClock = false

    @Option(help: ArgumentHelp("DNS server the Domains view checks the records with (default: those of /etc/resolv.conf).", valueName: "host[:port]"))
    var nameserver: String?

    func validate() throws {
        if let nameserver {
            do { _ = try DomainChecker(nameserver: nameserver) } catch { throw ValidationError("--nameserver: \(error)") }
        }
        if let refresh, !(refresh >= 1 && refresh <= 3600) {
            throw ValidationError("--refresh must be between 1 and 3600 seconds")
        }
    }

    func run() async throws {
        let environment = CLIEnvironment.current
        let base = globals
        // One resolution per region and profile for App Runner, CloudWatch Logs and CloudWatch: one
        // credential provider (an assume-role or SSO sign-in happens once, not once per service).
        let configurations = ResolvedConfigurations()
        let factory: AppRunnerAPIFactory = environment.makeAPI ?? { options in
            try await ClientFactory.makeAPI(options, environment: environment, configurations: configurations)
        }
        var options = DashboardOptions(
            profile: globals.profile ?? environment.variables["AWS_PROFILE"],
            // The demo fleet lives in Local App Runner's own region, whatever the environment says.
            region: globals.demo ? LocalOptions().region
                : globals.region ?? environment.variables["AWS_REGION"] ?? environment.variables["AWS_DEFAULT_REGION"],
            endpoint: globals.demo ? "Local App Runner (demo, in process)" : globals.endpointURL,
            refreshSeconds: refresh ?? 10,
            readOnly: globals.readOnly,
            noColor: globals.noColor,
            logFile: environment.variables["RUNNERDECK_LOG_FILE"].flatMap { $0.isEmpty ? nil : $0 },
            demo: globals.demo,
            contextFixed: globals.demo ? "the demo fleet runs in one region, in process"
                : globals.endpointURL.map { "--endpoint-url \($0) serves one region and one set of credentials" },
            nameserver: nameserver
        )
        options.noClock = noClock
        // The options for `:region NAME` and `:profile NAME`, as the dashboard asks for them.
        @Sendable func chosen(_ region: String?, _ profile: String?) -> GlobalOptions {
            var chosen = base
            chosen.region = region
            // The header says "profile default" when none was chosen; asking for it keeps the
            // original resolution (environment keys included) instead of demanding a [default] section.
            chosen.profile = (profile == "default" && base.profile == nil) ? nil : profile
            return chosen
        }
        // The deployment log in the detail view; --demo's Local App Runner serves logs itself.
        var makeCloudWatch: CloudWatchMaker?
        if !globals.demo {
            let injectedLogs = environment.makeLogsAPI
            let injectedMetrics = environment.makeMetricsAPI
            makeCloudWatch = { region, profile in
                let options = chosen(region, profile)
                let logs: any CloudWatchLogsAPI
                let metrics: any CloudWatchAPI
                if let injectedLogs { logs = try await injectedLogs(options) } else {
                    logs = try await ClientFactory.makeLogsAPI(options, environment: environment, configurations: configurations)
                }
                if let injectedMetrics { metrics = try await injectedMetrics(options) } else {
                    metrics = try await ClientFactory.makeMetricsAPI(options, environment: environment, configurations: configurations)
                }
                return CloudWatchClients(logs: logs, metrics: metrics)
            }
        }
        // A role with mfa_serial asks for its code now, on the terminal, before the dashboard draws; a
        // wrong code ends here with STS's error and the terminal untouched. Later codes (the role's
        // credentials running out) are asked on the dashboard's status line.
        if !globals.demo, environment.makeAPI == nil,
           AWSClientConfiguration.mfaSerial(profile: globals.profile, environment: environment.variables) != nil {
            let configuration = try await ClientFactory.configuration(.appRunner, globals, environment: environment, configurations)
            _ = try await configuration.credentialProvider.credentials()
        }
        let questions = DashboardQuestions()
        configurations.mfaPrompt.closePrompts(askingOn: questions)
        let status = await runDashboard(options: options, makeAPI: { region, profile in
            try await factory(chosen(region, profile))
        }, makeCloudWatch: makeCloudWatch, questions: questions)
        if status != 0 { throw ExitCode(status) }
    }
}
