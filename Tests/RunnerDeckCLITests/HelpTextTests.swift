import ArgumentParser
@testable import RunnerDeckCLI
import Foundation
import Testing

/// Issue 18 item 8: help piped at 80 columns never breaks an example in the middle of a command.
@Suite struct HelpTextTests {
    static func allCommands() -> [any ParsableCommand.Type] {
        var result: [any ParsableCommand.Type] = []
        var queue = RunnerDeckCommand.subcommandTypes
        while let next = queue.first {
            queue.removeFirst()
            result.append(next)
            queue += next.configuration.subcommands
        }
        return result
    }

    @Test func examplesStayWholeAt80Columns() {
        var checked = 0
        for command in Self.allCommands() {
            // Example lines, and the lines a trailing backslash continues.
            var examples: [Substring] = []
            var continued = false
            for line in command.configuration.discussion.split(separator: "\n") {
                let starts = ["  runnerdeck", "  aws ", "  echo "].contains { line.hasPrefix($0) }
                if starts || continued { examples.append(line) }
                continued = (starts || continued) && line.hasSuffix("\\")
                #expect(!(starts || continued) || line.count <= 78, "\(line) is wider than 78 columns")
            }
            let help = RunnerDeckCommand.helpMessage(for: command, columns: 80)
            let lines = Set(help.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) })
            for example in examples {
                let text = example.trimmingCharacters(in: .whitespaces)
                #expect(lines.contains(text), "\(command.configuration.commandName ?? "?"): '\(text)' is broken at 80 columns")
                checked += 1
            }
        }
        #expect(checked >= 20)
    }
}
