import AppRunner
import ArgumentParser
import CloudWatch
import CloudWatchLogs
import FoundationEssentials
import JMESPath

/// What a running command needs: the environment, the chosen format and colour, and the API.
struct CommandContext: Sendable {
    let environment: CLIEnvironment
    let globals: GlobalOptions
    let format: OutputFormat
    let color: Bool
    /// One configuration resolution for every client of the command.
    let configurations = ResolvedConfigurations()
    /// The profile's `output` and `cli_timestamp_format` (after `--output` and `AWS_DEFAULT_OUTPUT`).
    let settings: OutputSettings
    var timestamps: TimestampFormat { settings.timestamps }

    init(globals: GlobalOptions, environment: CLIEnvironment = .current) {
        self.environment = environment
        self.globals = globals
        self.settings = OutputSettings(globals: globals, environment: environment.variables)
        self.format = globals.outputFormat(stdoutIsTerminal: environment.outputIsTerminal, configured: settings.output)
        self.color = format == .table && globals.usesColor(isTerminal: environment.outputIsTerminal, environment: environment.variables)
    }

    /// The App Runner API for these options (the environment's override, Local App Runner for
    /// `--demo`, else AWS through AWSCore).
    func makeAPI() async throws -> any AppRunnerAPI {
        if let problem = settings.problem { throw problem }
        if let factory = environment.makeAPI {
            return try await factory(globals)
        }
        return try await ClientFactory.makeAPI(globals, environment: environment, configurations: configurations)
    }

    /// CloudWatch Logs for these options (the environment's override, else AWS or `--endpoint-url`).
    func makeLogsAPI() async throws -> any CloudWatchLogsAPI {
        if let factory = environment.makeLogsAPI {
            return try await factory(globals)
        }
        return try await ClientFactory.makeLogsAPI(globals, environment: environment, configurations: configurations)
    }

    /// CloudWatch metrics for these options (the environment's override, else AWS or `--endpoint-url`).
    func makeMetricsAPI() async throws -> any CloudWatchAPI {
        if let factory = environment.makeMetricsAPI {
            return try await factory(globals)
        }
        return try await ClientFactory.makeMetricsAPI(globals, environment: environment, configurations: configurations)
    }

    func write(_ text: String) { environment.standardOutput.write(text) }
    func writeError(_ text: String) { environment.standardError.write(text) }

    func writeJSON<T: Encodable>(_ value: T) throws {
        guard globals.compiledQuery != nil else { return write(try CLIJSON.render(value, timestamps: timestamps)) }
        try writeJSON(tree: try CLIJSON.tree(value, timestamps: timestamps))
    }

    /// A JSON tree the command built itself (e.g. service summaries with their account and region).
    func writeJSON(tree: JSONNode) throws {
        guard let query = globals.compiledQuery else {
            var text = ""
            tree.write(to: &text, depth: 0)
            return write(text + "\n")
        }
        // As the AWS CLI: the query reads the JSON the command would print (member names, timestamps
        // as text), and its result is printed as JSON, or as text with --output text. It reads the
        // tree that JSON would be written from, so a query costs no writing and reading of text.
        let result = try query.search(JMESValue(tree))
        write((globals.output ?? settings.output) == .text ? QueryText.render(result) : result.jsonText(pretty: true) + "\n")
    }
}
