import AppRunner
import ArgumentParser
import BuildInfo
import FoundationEssentials
import RunnerDeckKit

/// The version sent in the User-Agent (`--version` adds the commit).
let runnerDeckVersion = BuildInfo.version

/// `runnerdeck`: the dashboard by default, plus `serve` and the scripting commands.
struct RunnerDeckCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "runnerdeck",
        abstract: "A terminal dashboard and scripting CLI for AWS App Runner.",
        discussion: """
            Without a command, runnerdeck opens the dashboard on the App Runner of the current AWS profile and \
            region (or, with --demo, on Local App Runner's demo fleet in process). The commands share the \
            options --profile, --region, --endpoint-url, --output table|json|text, --no-color, --debug and --demo.

            Exit status: 0 success, 1 `domains --check` found a record to fix, 3 a wait gave up at --timeout, \
            4 the operation rolled back, 130 interrupted, 252 usage, 253 configuration or credentials, 254 the \
            service answered an error, 255 anything else. Errors are one line on stderr with the error code, \
            message and request id.

            Examples:
              runnerdeck --demo
              runnerdeck services --query 'ServiceSummaryList[].ServiceName' --output text
              runnerdeck deploy web-api --wait --timeout 900
              runnerdeck logs web-api --operation latest
              runnerdeck metrics web-api --since 24h --period 3600
              runnerdeck call ListAutoScalingConfigurations
              runnerdeck --generate-completion-script zsh > _runnerdeck
            """,
        version: BuildInfo.description,
        subcommands: RunnerDeckCommand.subcommandTypes,
        defaultSubcommand: DashboardCommand.self
    )

    public init() {}

    /// Every subcommand.
    static var subcommandTypes: [any ParsableCommand.Type] {
        [
            DashboardCommand.self,
            ServicesCommand.self, DescribeCommand.self, OperationsCommand.self, DomainsCommand.self,
            PauseCommand.self, ResumeCommand.self, DeployCommand.self, DeleteCommand.self,
            WaitCommand.self, LogsCommand.self, MetricsCommand.self,
            CallCommand.self, ServeCommand.self, LoginCommand.self,
        ]
    }
}

extension RunnerDeckCommand {
    /// Every word that names a command: the names and their aliases (`list-services` for `services`, so
    /// scripts port by replacing `aws apprunner` with `runnerdeck`).
    static var commandWords: Set<String> {
        Set(subcommandTypes.flatMap { [$0.configuration.commandName].compactMap { $0 } + $0.configuration.aliases })
    }
}

/// Exit codes by class, as the AWS CLI documents them (its "return codes"), plus two of RunnerDeck's own
/// for waits (see the README's table). The dashboard itself ends with 0, or 1 after an error.
enum ExitStatus {
    public static let success: Int32 = 0
    /// The dashboard (not a scripting command) could not start or stopped on an error.
    public static let failure: Int32 = 1
    /// `--wait`/`wait` gave up at `--timeout`; the operation carries on in App Runner.
    static let stillRunning: Int32 = 3
    /// The waited-for operation ended in a rollback: the change did not land, the previous version runs.
    static let rolledBack: Int32 = 4
    static let interrupted: Int32 = 130
    /// The command line is invalid: unknown command or option, a bad value, a request the model refuses.
    public static let usage: Int32 = 252
    /// The configuration or the credentials are missing or wrong (profile, region, endpoint, sign-in).
    static let configuration: Int32 = 253
    /// The service answered with an error (not found, invalid state, throttled, access denied…).
    static let serviceError: Int32 = 254
    /// Anything else: the network, a failed operation, an unexpected answer.
    static let other: Int32 = 255
}

/// Parses the process's arguments, runs the command and returns the process exit status.
/// The executable's `main.swift` calls this and nothing else.
public func runRunnerDeck() async -> Int32 {
    let arguments = Array(CommandLine.arguments.dropFirst())
    EventLoopThreads.chooseForProcess(arguments: arguments, environment: ProcessInfo.processInfo.environment)
    return await runRunnerDeck(arguments: arguments, environment: nil)
}

/// Parses `arguments` and runs the command; tests pass an `environment` that captures the output
/// and supplies the API.
func runRunnerDeck(arguments: [String], environment: CLIEnvironment? = nil) async -> Int32 {
    if let environment {
        return await CLIEnvironment.$current.withValue(environment) { await runParsed(arguments) }
    }
    return await runParsed(arguments)
}

private func runParsed(_ arguments: [String]) async -> Int32 {
    let clients = OpenClients()
    let status = await OpenClients.$current.withValue(clients) { await runCommand(arguments) }
    await clients.shutdownAll()
    return status
}

private func runCommand(_ arguments: [String]) async -> Int32 {
    let environment = CLIEnvironment.current
    var command: any ParsableCommand
    do {
        command = try RunnerDeckCommand.parseAsRoot(awsStyleServiceArn(hoistingGlobalOptions(arguments)))
    } catch {
        if let hint = unknownCommandHint(arguments) {
            environment.standardError.write(hint + "\n")
            return ExitStatus.usage
        }
        return reportParserError(error, environment: environment)
    }
    if let refusal = ReadOnly.refusal(for: command) {
        environment.standardError.write(ErrorReport.line(for: refusal) + "\n")
        return refusal.exitStatus
    }
    do {
        if var asyncCommand = command as? any AsyncParsableCommand {
            try await asyncCommand.run()
        } else {
            try command.run()
        }
        return ExitStatus.success
    } catch let exit as ExitCode {
        return exit.rawValue
    } catch let error as ValidationError {
        return reportParserError(error, environment: environment)
    } catch let error as CleanExit {
        return reportParserError(error, environment: environment)
    } catch where String(reflecting: type(of: error)).hasPrefix("ArgumentParser.") {
        // Help requested through the parsed command, and the parser's other errors.
        return reportParserError(error, environment: environment)
    } catch {
        environment.standardError.write(ErrorReport.line(for: error) + "\n")
        // The classes are for scripts; the dashboard says 1 for any error it could not show itself.
        if command is DashboardCommand, ErrorReport.exitStatus(for: error) != ExitStatus.interrupted { return ExitStatus.failure }
        return ErrorReport.exitStatus(for: error)
    }
}

/// `runnerdeck servcies` → "unknown command 'servcies'; did you mean 'services'?" (a word where a
/// command would be that is close to one; anything else is the dashboard's to refuse).
func unknownCommandHint(_ arguments: [String]) -> String? {
    guard let word = arguments.first, !word.hasPrefix("-") else { return nil }
    let commands = RunnerDeckCommand.subcommandTypes.compactMap { $0.configuration.commandName }
    guard !RunnerDeckCommand.commandWords.contains(word) else { return nil }
    let near = Suggestions.nearest(to: word, in: commands, limit: 3, maxDistance: 2)
    guard !near.isEmpty else { return nil }
    return "runnerdeck: UsageError: unknown command '\(word)'; did you mean \(near.map { "'\($0)'" }.joined(separator: " or "))? (runnerdeck --help lists the commands)"
}

/// Help, version and completion scripts go to stdout with 0; usage errors to stderr with 2.
private func reportParserError(_ error: any Error, environment: CLIEnvironment) -> Int32 {
    let code = RunnerDeckCommand.exitCode(for: error)
    let message = RunnerDeckCommand.fullMessage(for: error)
    if code == .success {
        if !message.isEmpty { environment.standardOutput.write(message + "\n") }
        return ExitStatus.success
    }
    if !message.isEmpty { environment.standardError.write(message + "\n") }
    return code == .validationFailure ? ExitStatus.usage : code.rawValue
}

/// `--service-arn ARN` (the AWS CLI's spelling) becomes the service argument of the commands that take one,
/// so `aws apprunner describe-service --service-arn ARN` runs as `runnerdeck describe-service --service-arn ARN`.
func awsStyleServiceArn(_ arguments: [String]) -> [String] {
    let takers: Set<String> = ["describe", "describe-service", "operations", "list-operations", "domains", "describe-custom-domains",
                               "pause", "pause-service", "resume", "resume-service", "deploy", "start-deployment", "delete", "delete-service",
                               "logs", "metrics"]
    guard let command = arguments.first, takers.contains(command) else { return arguments }
    var result: [String] = [command]
    var index = 1
    while index < arguments.count {
        let argument = arguments[index]
        if argument == "--service-arn", index + 1 < arguments.count {
            result.append(arguments[index + 1])
            index += 2
            continue
        }
        if argument.hasPrefix("--service-arn=") {
            result.append(String(argument.dropFirst("--service-arn=".count)))
        } else {
            result.append(argument)
        }
        index += 1
    }
    return result
}

/// Lets global options come before the command, as with `aws`: `runnerdeck --region eu-west-1 services`
/// becomes `runnerdeck services --region eu-west-1`. Arguments without a command are left alone
/// (they go to the dashboard).
func hoistingGlobalOptions(_ arguments: [String]) -> [String] {
    let withValue: Set<String> = ["--profile", "--region", "--profiles", "--regions", "--endpoint-url", "--output", "--query", "--cli-read-timeout", "--cli-connect-timeout", "--mfa-code", "--ca-bundle"]
    let flags: Set<String> = ["--no-color", "--debug", "--demo", "--read-only", "--no-sign-request", "--no-verify-ssl"]
    let commands = RunnerDeckCommand.commandWords
    var leading: [String] = []
    var index = 0
    while index < arguments.count {
        let argument = arguments[index]
        let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
        if flags.contains(argument) || (withValue.contains(name) && argument.contains("=")) {
            leading.append(argument)
            index += 1
        } else if withValue.contains(argument), index + 1 < arguments.count {
            leading.append(contentsOf: arguments[index...(index + 1)])
            index += 2
        } else {
            break
        }
    }
    guard !leading.isEmpty, index < arguments.count, commands.contains(arguments[index]) else { return arguments }
    // A command with subcommands (`wait operation`) takes the options after the subcommand.
    var path = [arguments[index]]
    let type = RunnerDeckCommand.subcommandTypes.first { $0.configuration.commandName == arguments[index] || $0.configuration.aliases.contains(arguments[index]) }
    let subcommands = Set((type?.configuration.subcommands ?? []).compactMap { $0.configuration.commandName })
    if index + 1 < arguments.count, subcommands.contains(arguments[index + 1]) {
        path.append(arguments[index + 1])
        index += 1
    }
    return path + leading + arguments[(index + 1)...]
}
