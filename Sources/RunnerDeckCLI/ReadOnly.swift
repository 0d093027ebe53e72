import AppRunner
import ArgumentParser

/// `--read-only` for the scripting commands: a command that would change something is refused before
/// it makes any call (exit 252), so a CI job or a shared shell can be given the CLI without the risk.
enum ReadOnly {
    static func refusal(for command: any ParsableCommand) -> CLIError? {
        let what: String?
        switch command {
        case let command as PauseCommand where command.globals.readOnly: what = "pause"
        case let command as ResumeCommand where command.globals.readOnly: what = "resume"
        case let command as DeployCommand where command.globals.readOnly: what = "deploy"
        case let command as DeleteCommand where command.globals.readOnly: what = "delete"
        case let command as CallCommand where command.globals.readOnly && !isReadOnly(command.operation): what = "call \(command.operation)"
        default: what = nil
        }
        return what.map { CLIError(.usage, "--read-only: \($0) changes App Runner and is refused (only Describe* and List* calls and the read commands run)") }
    }

    /// Describe* and List* operations (in either spelling: `ListServices`, `list-services`) only read.
    static func isReadOnly(_ operation: String) -> Bool {
        let lower = operation.lowercased()
        return lower.hasPrefix("describe") || lower.hasPrefix("list")
    }
}
