import AppRunner
import ArgumentParser
import Foundation

/// The version printed by `--version` and sent in the User-Agent.
public let runnerDeckVersion = "0.1.0"

/// `runnerdeck`: the dashboard by default, plus `serve` and the scripting commands.
public struct RunnerDeckCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "runnerdeck",
        abstract: "A terminal dashboard and scripting CLI for AWS App Runner.",
        discussion: """
            Without a subcommand, runnerdeck opens the dashboard on the App Runner of the current AWS \
            profile and region (or, with --demo, on Local App Runner's demo fleet in process).
            """,
        version: runnerDeckVersion,
        subcommands: RunnerDeckCommand.subcommandTypes,
        defaultSubcommand: nil
    )

    public init() {}

    /// Every subcommand; files in this module add theirs here.
    static var subcommandTypes: [any ParsableCommand.Type] {
        [ServeCommand.self]
    }
}

/// Exit codes of every command: 0 success, 1 API or operation failure, 2 usage error, 130 interrupted.
public enum ExitStatus {
    public static let success: Int32 = 0
    public static let failure: Int32 = 1
    public static let usage: Int32 = 2
    public static let interrupted: Int32 = 130
}

/// Parses the arguments, runs the command and returns the process exit status.
/// The executable's `main.swift` calls this and nothing else.
public func runRunnerDeck(arguments: [String] = Array(CommandLine.arguments.dropFirst())) async -> Int32 {
    do {
        var command = try RunnerDeckCommand.parseAsRoot(arguments)
        if var asyncCommand = command as? any AsyncParsableCommand {
            try await asyncCommand.run()
        } else {
            try command.run()
        }
        return ExitStatus.success
    } catch {
        let code = RunnerDeckCommand.exitCode(for: error)
        if code == .success {
            // --help, --version and completion scripts.
            RunnerDeckCommand.exit(withError: error)
        }
        if let exit = error as? ExitCode {
            return exit.rawValue
        }
        let message = RunnerDeckCommand.fullMessage(for: error)
        if !message.isEmpty {
            FileHandle.standardError.write(Data((message + "\n").utf8))
        }
        return code == .validationFailure ? ExitStatus.usage : code.rawValue
    }
}
