import AWSCore
import AppRunner
import CloudWatch
import CloudWatchLogs
import Foundation
import RunnerDeckKit
import Testing
@testable import RunnerDeckCLI

/// A command run in process with App Runner (the recording double) and CloudWatch Logs / CloudWatch
/// (real clients over loopback) injected; `interrupts` and the sinks let a test watch a `--follow`.
struct Observatory {
    let out = CapturingSink()
    let err = CapturingSink()
    var api: any AppRunnerAPI
    var logs: LogsLoopback?
    var metricsServer: TestServer?
    var terminal = false
    var variables: [String: String] = [:]
    var interrupts: InterruptSource?

    func run(_ arguments: [String]) async -> Run {
        let logsTransport = logs.map { LoopbackClient.transport(.cloudWatchLogs, server: $0.server) }
        let metricsTransport = metricsServer.map { LoopbackClient.transport(.cloudWatch, server: $0) }
        var logsFactory: LogsAPIFactory?
        if let logsTransport { logsFactory = { _ in CloudWatchLogsClient(transport: logsTransport) } }
        var metricsFactory: MetricsAPIFactory?
        if let metricsTransport { metricsFactory = { _ in CloudWatchClient(transport: metricsTransport) } }
        let api = self.api
        let environment = CLIEnvironment(
            standardOutput: out, standardError: err, outputIsTerminal: terminal, errorIsTerminal: terminal, variables: variables,
            makeAPI: { _ in api }, makeLogsAPI: logsFactory, makeMetricsAPI: metricsFactory,
            pollInterval: .milliseconds(1), interrupts: interrupts
        )
        let status = await runRunnerDeck(arguments: arguments, environment: environment)
        try? await logsTransport?.shutdown()
        try? await metricsTransport?.shutdown()
        return Run(status: status, out: out.text, err: err.text)
    }
}

@Suite(.timeLimit(.minutes(3))) struct LogsCommandTests {
    /// A service in the double and its log groups.
    static func service() async throws -> (RecordingAppRunner, String, ServiceLogGroups) {
        let (double, _) = try await makeDouble()
        let arn = try await double.addService("web-api")
        return (double, arn, try #require(ServiceLogGroups(serviceArn: arn)))
    }

    /// Milliseconds `secondsAgo` before now, on a whole second plus 123 ms.
    static func msAgo(_ secondsAgo: Double) -> Int64 {
        Int64((Date().timeIntervalSince1970 - secondsAgo).rounded(.down)) * 1000 + 123
    }

    @Test func linesAsAwsLogsTailPrintsThemAndJSONAsCloudWatchReturnsThem() async throws {
        let (double, _, groups) = try await Self.service()
        let logs = try await LogsLoopback.start(pageSize: 2)
        defer { logs.stop() }
        let (t1, t2, t3) = (Self.msAgo(300), Self.msAgo(200), Self.msAgo(100))
        await logs.append([
            LogsLoopback.Event(group: groups.service, stream: "events", timestamp: Self.msAgo(3_600), message: "too old", id: "0"),
            LogsLoopback.Event(group: groups.service, stream: "events", timestamp: t1, message: "[AppRunner] Service update started.", id: "1"),
            LogsLoopback.Event(group: groups.service, stream: "deployment/op", timestamp: t2, message: "[AppRunner] Pulling image\n", id: "2"),
            LogsLoopback.Event(group: groups.application, stream: "instance/i-1", timestamp: t3, message: "GET / 200", id: "3"),
        ])
        let table = await Observatory(api: double.client, logs: logs).run(["logs", "web-api", "--output", "table"])
        #expect(table.status == 0, "\(table.err)")
        #expect(table.out == """
            \(LogLineFormat.isoTime(milliseconds: t1)) events [AppRunner] Service update started.
            \(LogLineFormat.isoTime(milliseconds: t2)) deployment/op [AppRunner] Pulling image

            """)
        #expect(table.out.hasPrefix(LogLineFormat.isoTime(milliseconds: t1)) && table.out.contains(".123000+00:00 "))
        let request = try #require(await logs.filterRequests().first)
        #expect(request["logGroupName"] as? String == groups.service)
        let start = try #require((request["startTime"] as? NSNumber)?.int64Value)
        #expect(abs(start - Self.msAgo(600)) < 5_000)  // default --since 10m

        let json = await Observatory(api: double.client, logs: logs).run(["logs", "web-api", "--application", "--output", "json"])
        #expect(json.status == 0, "\(json.err)")
        let events = try #require(try json.json()["events"] as? [[String: Any]])
        #expect(events.count == 1)
        #expect(events.first?["message"] as? String == "GET / 200" && events.first?["eventId"] as? String == "3")
        #expect((events.first?["timestamp"] as? NSNumber)?.int64Value == t3)
        #expect(json.out.hasPrefix("{\n    \"events\": [\n        {\n            \"logStreamName\": \"instance/i-1\","))

        let filtered = await Observatory(api: double.client, logs: logs).run(["logs", "web-api", "--since", "2h", "--filter", "started", "--output", "text"])
        #expect(filtered.out.split(separator: "\n").count == 1 && filtered.out.contains("Service update started."))
        let last = try #require(await logs.filterRequests().last)
        #expect(last["filterPattern"] as? String == "started")
        #expect(abs(((last["startTime"] as? NSNumber)?.int64Value ?? 0) - Self.msAgo(7_200)) < 5_000)
    }

    @Test func anOperationsDeploymentLogFromItsStart() async throws {
        let (double, arn, groups) = try await Self.service()
        let deploy = await runCLI(["deploy", "web-api", "--output", "json"], api: double.client)
        let operationId = try #require(try deploy.json()["OperationId"] as? String)
        let logs = try await LogsLoopback.start()
        defer { logs.stop() }
        await logs.append([
            LogsLoopback.Event(group: groups.service, stream: "deployment/\(operationId)", timestamp: Self.msAgo(1), message: "[AppRunner] Deployment started.", id: "d"),
            LogsLoopback.Event(group: groups.service, stream: "events", timestamp: Self.msAgo(1), message: "other", id: "e"),
        ])
        let latest = await Observatory(api: double.client, logs: logs).run(["logs", "web-api", "--operation", "latest", "--output", "text"])
        #expect(latest.status == 0, "\(latest.err)")
        #expect(latest.out.contains("deployment/\(operationId) [AppRunner] Deployment started.") && !latest.out.contains("other"))
        let request = try #require(await logs.filterRequests().last)
        #expect(request["logStreamNames"] as? [String] == ["deployment/\(operationId)"])
        let operations = try await double.client.listOperations(ListOperationsRequest(serviceArn: arn))
        let startedAt = try #require(operations.operationSummaryList?.first?.startedAt)
        #expect((request["startTime"] as? NSNumber)?.int64Value == LogTailCursor.milliseconds(startedAt))

        let noApplicationLogs = await Observatory(api: double.client, logs: logs).run(["logs", "web-api", "--application"])
        #expect(noApplicationLogs.status == 254)
        #expect(noApplicationLogs.err.hasPrefix("runnerdeck: ResourceNotFoundException: web-api has no application logs yet: log group \(groups.application) does not exist"),
                "\(noApplicationLogs.err)")

        let byId = await Observatory(api: double.client, logs: logs).run(["logs", "web-api", "--operation", operationId, "--output", "text"])
        #expect(byId.status == 0 && byId.out == latest.out)
        let unknown = await Observatory(api: double.client, logs: logs).run(["logs", "web-api", "--operation", "nope"])
        #expect(unknown.status == 254 && unknown.err.contains("no operation nope on web-api"))
    }

    @Test func followPrintsEachEventOnceUntilInterrupted() async throws {
        let (double, _, groups) = try await Self.service()
        let logs = try await LogsLoopback.start(pageSize: 1)
        defer { logs.stop() }
        let at = Self.msAgo(10)
        await logs.append([LogsLoopback.Event(group: groups.service, stream: "events", timestamp: at, message: "first", id: "1")])
        let interrupts = InterruptSource()
        let observatory = Observatory(api: double.client, logs: logs, interrupts: interrupts)
        let running = Task { await observatory.run(["logs", "web-api", "--follow", "--output", "json"]) }
        try await waitUntil("the first event") { observatory.out.text.contains("first") }
        // Same millisecond as the watermark, and later: each printed once however many polls pass.
        await logs.append([LogsLoopback.Event(group: groups.service, stream: "events", timestamp: at, message: "second", id: "2"),
                           LogsLoopback.Event(group: groups.service, stream: "events", timestamp: at + 5, message: "third", id: "3")])
        try await waitUntil("the third event") { observatory.out.text.contains("third") }
        let polls = await logs.filterRequests().count
        try await waitUntil("more polls") { await logs.filterRequests().count > polls + 3 }
        interrupts.interrupt()
        let run = try await waitForValue(of: running, "the interrupted follow")
        #expect(run.status == 130 && run.err.contains("interrupted"))
        let lines = run.out.split(separator: "\n")
        #expect(lines.count == 3, "\(run.out)")
        let messages = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])["message"] as? String }
        #expect(messages == ["first", "second", "third"])
        #expect(lines.first?.hasPrefix("{\"logStreamName\": \"events\", \"timestamp\": \(at), ") == true)
    }

    @Test func badOptionsAreRefusedInWordsBeforeAnyCall() async throws {
        let (double, _, _) = try await Self.service()
        let cases: [([String], String)] = [
            (["logs", "web-api", "--since", "yesterday"], "--since takes a span like 10m, 3h, 2d or 1h30m, or a time like 2026-11-30T05:00:00Z; got 'yesterday'"),
            (["logs", "web-api", "--since", "0m"], "got '0m'"),
            (["logs", "web-api", "--since", "2999-01-01T00:00:00Z"], "--since 2999-01-01T00:00:00Z is in the future"),
            (["logs", "web-api", "--application", "--operation", "latest"], "does not go with --application"),
            (["logs", "web-api", "--filter", String(repeating: "x", count: 1_025)], "--filter is at most 1024 characters"),
            (["metrics", "web-api", "--period", "90"], "--period is a number of seconds, a multiple of 60 and at least 60; got 90"),
            (["metrics", "web-api", "--since", "30d", "--period", "60"], "makes 43200 buckets; at most 1440"),
            (["metrics", "web-api", "--since", "2026-11-30T05:00:00Z"], "--since takes a span like 30m, 3h or 2d"),
        ]
        for (arguments, words) in cases {
            let run = await runCLI(arguments, api: double.client)
            #expect(run.status == 252, "\(arguments)")
            #expect(run.err.contains(words), "\(arguments): \(run.err)")
        }
        #expect(await double.calls.isEmpty)
        #expect(SinceOption.validatedOrNil("90s") != nil && TimeSpan.seconds("1h30m") == 5_400 && TimeSpan.seconds("2w") == 1_209_600)
        #expect(TimeSpan.date("2026-11-30T05:00:00.5+01:00") == Date(timeIntervalSince1970: 1_796_011_200.5))
    }

    @Test func awsTailTimesAreUTCIsoformat() {
        #expect(LogLineFormat.isoTime(milliseconds: 1_795_928_400_123) == "2026-11-29T05:00:00.123000+00:00")
        #expect(LogLineFormat.isoTime(milliseconds: 1_795_928_400_000) == "2026-11-29T05:00:00+00:00")
        let event = FilteredLogEvent(logStreamName: "events", timestamp: 1_795_928_400_000, message: "hello")
        #expect(LogLineFormat.awsTail(event, color: false) == "2026-11-29T05:00:00+00:00 events hello\n")
        #expect(LogLineFormat.awsTail(event, color: true) == "\u{1B}[32m2026-11-29T05:00:00+00:00\u{1B}[0m \u{1B}[36mevents\u{1B}[0m hello\n")
    }
}

extension SinceOption {
    static func validatedOrNil(_ text: String) -> Date? { try? validated(text, option: "--since") }
}
