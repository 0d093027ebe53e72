import AWSCore
import AppRunner
import ArgumentParser
import CloudWatchLogs
import FoundationEssentials
import RunnerDeckKit

/// `runnerdeck logs SERVICE`
struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print a service's logs from CloudWatch Logs, or follow them.",
        discussion: """
            Reads App Runner's log groups of the service: /aws/apprunner/NAME/ID/service (service events and \
            one deployment/OPERATION stream per operation) or, with --application, .../application (what the \
            instances write). Lines are printed as `aws logs tail` prints them: ISO time, stream, message. \
            With --output json: FilterLogEvents' {"events": [...]} as CloudWatch returns them; with --follow, \
            one event a line (JSON Lines).

            --follow polls FilterLogEvents every 2 seconds from the newest event seen (at most 5 calls a \
            poll) until Ctrl-C (exit 130).

            Examples:
              runnerdeck logs web-api
              runnerdeck logs web-api --operation latest
              runnerdeck logs web-api --application --since 1h --filter ERROR
              runnerdeck logs web-api --application --follow
              runnerdeck logs web-api --since 2026-11-30T05:00:00Z --output json | \\
                  jq -r '.events[].message'
            """
    )

    @OptionGroup var globals: GlobalOptions
    @Argument(help: "The service's name or ARN.") var service: String
    @Flag(help: "The application's logs (what the instances write) instead of the service's.") var application: Bool = false
    @Option(help: ArgumentHelp("Only this operation's deployment log: an operation id, or `latest`.", valueName: "id|latest"))
    var operation: String?
    @Option(help: ArgumentHelp("From this long ago (10m, 3h, 2d, 1h30m) or this time (ISO 8601); default 10m, or the operation's start with --operation.",
                               valueName: "span|time"))
    var since: String?
    @Flag(help: "Keep printing new events until Ctrl-C.") var follow: Bool = false
    @Option(help: ArgumentHelp("A CloudWatch Logs filter pattern (e.g. ERROR, \"health check\").", valueName: "pattern"))
    var filter: String?

    /// How many FilterLogEvents pages one poll reads at most (`--follow`), and a whole read without it.
    static let followPagesPerPoll = 5
    static let readPages = 200

    func validate() throws {
        if let since { _ = try SinceOption.validated(since, option: "--since") }
        if let operation {
            guard !operation.trimmingWhitespace.isEmpty else {
                throw ValidationError("--operation needs an operation id or `latest`")
            }
            if application {
                throw ValidationError("--operation picks a deployment log of the service group; it does not go with --application")
            }
        }
        if let filter, filter.count > 1024 {
            throw ValidationError("--filter is at most 1024 characters (CloudWatch's limit), got \(filter.count)")
        }
    }

    func run() async throws {
        let context = CommandContext(globals: globals)
        let api = try await context.makeAPI()
        let (arn, identity) = try await ServiceResolver(api: api).resolveIdentity(service)
        let groups = ServiceLogGroups(identity)
        let now = Date()
        var start = now.addingTimeInterval(-600)
        var operationId: String?
        if let operation {
            let summary = try await ServiceResolver(api: api).operation(operation, serviceArn: arn)
            operationId = summary.id ?? operation
            start = summary.startedAt ?? start
        }
        if let since { start = try SinceOption.validated(since, option: "--since", now: now) }
        let query = LogTailQuery.service(groups, kind: application ? .application : .service, operationId: operationId,
                                         filterPattern: filter.flatMap { $0.isEmpty ? nil : $0 })
        let logs = try await context.makeLogsAPI()
        let tail = LogTail(api: logs, query: query, startTime: start, capacity: 1,
                           maxPagesPerPoll: follow ? Self.followPagesPerPoll : Self.readPages)
        let printer = LogLinePrinter(context: context, streaming: follow)
        do {
            try await read(tail, printer: printer, context: context)
        } catch let error as CloudWatchLogs.ResourceNotFoundException {
            throw CLIError(.notFound, "\(groups.serviceName) has no \(application ? "application" : "service") logs yet: log group \(query.logGroupName) does not exist (\(error.message))")
        }
    }

    /// Prints what the tail reads: once, or until interrupted with --follow.
    private func read(_ tail: LogTail, printer: LogLinePrinter, context: CommandContext) async throws {
        if !follow {
            let events = try await tail.poll()
            try printer.finish(events)
            if await tail.isBehind {
                context.writeError("runnerdeck: stopped after \(Self.readPages) pages of FilterLogEvents; narrow --since or --filter for the rest\n")
            }
            return
        }
        let environment = context.environment
        _ = try await Interrupt.run(enabled: environment.handlesSignals, source: environment.interrupts) {
            while true {
                try printer.print(try await tail.poll())
                if await !tail.isBehind { try await Task.sleep(for: environment.pollInterval) }
            }
        }
    }
}

/// `--since`: a span back from now or an ISO 8601 time, with the error in words.
enum SinceOption {
    static func validated(_ text: String, option: String, now: Date = Date()) throws -> Date {
        guard let start = TimeSpan.start(text, now: now) else {
            throw ValidationError("\(option) takes a span like 10m, 3h, 2d or 1h30m, or a time like 2026-11-30T05:00:00Z; got '\(text)'")
        }
        guard start <= now else {
            throw ValidationError("\(option) \(text) is in the future")
        }
        return start
    }
}

/// Prints log events: `aws logs tail` lines, or JSON (one document, or one event a line when streaming).
struct LogLinePrinter: Sendable {
    let context: CommandContext
    let streaming: Bool

    func print(_ events: [FilteredLogEvent]) throws {
        guard !events.isEmpty else { return }
        if context.format == .json {
            for event in events { context.write(try CLIJSON.renderLine(event)) }
        } else {
            context.write(events.map { LogLineFormat.awsTail($0, color: context.color) }.joined())
        }
    }

    /// Without --follow: everything at once (json: FilterLogEvents' shape).
    func finish(_ events: [FilteredLogEvent]) throws {
        if context.format == .json {
            try context.writeJSON(FilterLogEventsResponse(events: events))
        } else {
            try print(events)
        }
    }
}

/// How the CLI prints one log event.
enum LogLineFormat {
    /// `aws logs tail`'s detailed format: `<ISO 8601 time, UTC> <stream> <message>` and a newline
    /// unless the message ends with one; on a colour terminal the time green and the stream cyan.
    static func awsTail(_ event: FilteredLogEvent, color: Bool) -> String {
        let time = isoTime(milliseconds: event.timestamp ?? 0)
        let stream = event.logStreamName ?? ""
        let message = event.message ?? ""
        var line = color ? "\(ANSIColor.green.wrap(time)) \(ANSIColor.cyan.wrap(stream)) \(message)" : "\(time) \(stream) \(message)"
        if !line.hasSuffix("\n") { line += "\n" }
        return line
    }

    /// Python's `datetime.fromtimestamp(ms / 1000, timezone.utc).isoformat()`: `2026-11-30T05:18:31.123000+00:00`.
    static func isoTime(milliseconds: Int64) -> String {
        let seconds = milliseconds.quotient(dividingBy: 1000)
        let date = Date(timeIntervalSince1970: Double(seconds.quotient) + Double(seconds.remainder) / 1000)
        return CLIJSON.timestamp(date, timeZone: TimeZone(identifier: "UTC"))
    }
}

extension Int64 {
    /// Floor division: the remainder is never negative.
    fileprivate func quotient(dividingBy divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let (q, r) = quotientAndRemainder(dividingBy: divisor)
        return r < 0 ? (q - 1, r + divisor) : (q, r)
    }
}
