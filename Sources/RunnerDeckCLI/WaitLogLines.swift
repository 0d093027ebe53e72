import AWSCore
import CloudWatchLogs
import FoundationEssentials
import RunnerDeckKit

/// The deployment log under `--wait`'s progress line on a terminal: a ``LogTail`` on the service's log
/// group from the operation's start, polled every poll interval (at most ``maxPagesPerPoll``
/// FilterLogEvents calls a poll), its newest lines kept for the error message when the operation fails.
actor WaitLogLines {
    static let maxPagesPerPoll = 2
    /// How many of the newest lines a failure's message carries.
    static let linesInError = 10

    private let logs: any CloudWatchLogsAPI
    private let groups: ServiceLogGroups
    private var tail: LogTail?

    init(logs: any CloudWatchLogsAPI, groups: ServiceLogGroups) {
        self.logs = logs
        self.groups = groups
    }

    /// Starts the tail at the operation's start (only the first call counts).
    func start(at time: Date) {
        guard tail == nil else { return }
        tail = LogTail(api: logs, query: .service(groups), startTime: time, capacity: 200, maxPagesPerPoll: Self.maxPagesPerPoll)
    }

    /// The new lines since the last poll; none before ``start(at:)`` or when the poll fails (a log
    /// group that does not exist yet is normal early on: the wait goes on regardless).
    func poll() async -> [FilteredLogEvent] {
        guard let tail else { return [] }
        return (try? await tail.poll()) ?? []
    }

    /// The newest lines seen, for a failure's message.
    func lastLines() async -> [FilteredLogEvent] {
        await tail?.newest(Self.linesInError) ?? []
    }

    /// Polls every `interval` while `body` runs, printing new lines above `progress`.
    func whilePolling<T: Sendable>(every interval: Duration, progress: ProgressLine,
                                   _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let pump = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { break }
                let lines = await self.poll()
                await progress.printAbove(DeploymentLogLines.render(lines))
            }
        }
        // The pump ends before the caller's last poll, so no two polls print the same lines.
        do {
            let value = try await body()
            pump.cancel()
            await pump.value
            return value
        } catch {
            pump.cancel()
            await pump.value
            throw error
        }
    }
}

/// How `--wait` shows deployment log lines: `  HH:MM:SS  message`, one a line (a message of several
/// lines gives several), control characters made visible, in UTC like the dashboard.
enum DeploymentLogLines {
    static func render(_ events: [FilteredLogEvent]) -> String {
        var out = ""
        for event in events {
            let time = Format.clock(Date(timeIntervalSince1970: Double(event.timestamp ?? 0) / 1000))
            let message = (event.message ?? "").trimming(.newlines)
            for line in message.split(separator: "\n", omittingEmptySubsequences: false) {
                out += "  \(time)  \(sanitizeForTerminal(String(line)))\n"
            }
        }
        return out
    }

    /// The tail of a failure's message (errors are one line): `; last deployment log lines: 05:01:01
    /// message | 05:01:02 message`, or nothing when there are none.
    static func errorContext(_ events: [FilteredLogEvent]) -> String {
        guard !events.isEmpty else { return "" }
        let lines = events.map { event in
            "\(Format.clock(Date(timeIntervalSince1970: Double(event.timestamp ?? 0) / 1000))) \(sanitizeForTerminal(ErrorText.oneLine(event.message ?? "")))"
        }
        return "; last deployment log lines: " + lines.joined(separator: " | ")
    }
}
