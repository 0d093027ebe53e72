import AppRunner
import ArgumentParser
import Dashboard
import Foundation

/// `runnerdeck [dashboard]`: the full-screen dashboard (the default command).
struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Open the full-screen dashboard (the default when no command is given).",
        discussion: """
            Examples:
              runnerdeck                                  # the current profile and region
              runnerdeck --demo                           # Local App Runner's demo fleet, no account needed
              runnerdeck --profile prod --region eu-west-1 --read-only
              runnerdeck --endpoint-url http://127.0.0.1:8080 --refresh 5
            """
    )

    @OptionGroup var globals: GlobalOptions

    @Flag(name: .customLong("read-only"), help: "Turn every action that changes something off.")
    var readOnly: Bool = false

    @Option(help: ArgumentHelp("Seconds between refreshes while nothing is in progress (default 10).", valueName: "seconds"))
    var refresh: Double?

    func validate() throws {
        if let refresh, !(refresh >= 1 && refresh <= 3600) {
            throw ValidationError("--refresh must be between 1 and 3600 seconds")
        }
    }

    func run() async throws {
        throw CLIError(.failure, "the dashboard is not available in this build yet")
    }
}
