import AWSCore
import AppRunner
import CloudWatchLogs
import Dispatch
import FoundationEssentials
import Logging
import RunnerDeckKit
import Synchronization

/// Figures for issue 10's views, for the bench executable: frame times of the detail view (sparklines,
/// a deployment log, the timeline) and of the Logs view holding 10,000 lines; the memory of following
/// a million lines; the API calls an open detail view makes per minute.
public enum LogsBenchmarks {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    /// Median and worst milliseconds of render + diff, alternating two states so every frame differs.
    static func frameTimes(_ states: (DashboardState, DashboardState), ui: UIState, width: Int, height: Int, iterations: Int) -> (Double, Double) {
        let renderer = DashboardRenderer(glyphs: .unicode)
        var painter = DiffPainter()
        var sink = ANSIByteSink()
        var times: [Double] = []
        for i in 0..<max(1, iterations) {
            let start = DispatchTime.now().uptimeNanoseconds
            let frame = renderer.render(state: i % 2 == 0 ? states.0 : states.1, ui: ui, now: now.addingTimeInterval(Double(i)), width: width, height: height)
            sink.reset()
            painter.paint(frame, to: &sink)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)
        }
        times.sort()
        return (times[times.count / 2], times.last ?? 0)
    }

    /// A deploying service as the detail view holds it: 20 operations, 200 deployment log lines, an
    /// hour of six metrics, and (for the Logs view) `logLines` lines.
    static func state(logLines: Int) -> (DashboardState, String) {
        var state = DashboardBenchmarks.state(services: 20, now: now)
        let row = state.services[3]
        let arn = row.arn
        var operations: [OperationSummary] = []
        for i in 0..<20 {
            let started = now.addingTimeInterval(Double(-600 - i * 3600))
            let ended: Date? = i == 0 ? nil : now.addingTimeInterval(Double(-300 - i * 3600))
            operations.append(OperationSummary(id: String(cFormat: "%032x", 0xbeef + i), type: i == 0 ? .startDeployment : .updateService,
                                               status: i == 0 ? .inProgress : .succeeded, targetArn: arn, startedAt: started, endedAt: ended))
        }
        var detail = ServiceDetailState(serviceArn: arn, service: row.service, operations: operations, loaded: true)
        detail.deploymentLog = DeploymentLog(operationId: operations[0].id, lines: (0..<200).map {
            DeploymentLog.Line(time: now.addingTimeInterval(Double($0 - 200)), message: "[AppRunner] deployment step \($0) of the new image, pulling layers and checking health")
        })
        let start = now.addingTimeInterval(-3600)
        var series: [MetricSeries?] = []
        for index in MetricSpec.overview.indices {
            let values: [Double?] = (0..<60).map { minute in minute % 17 == 0 ? nil : Double((minute * (index + 3)) % 50) }
            series.append(MetricSeries(start: start, period: 60, values: values))
        }
        detail.metrics = ServiceMetricsState(specs: MetricSpec.overview, series: series)
        state.detail = detail
        var logs = LogsViewState(target: LogsTarget(serviceArn: arn, serviceName: row.name, source: .service), start: start)
        for i in 0..<logLines {
            let status = i % 53 == 0 ? 500 : 200
            let message = "10.0.\(i % 250).\(i % 17) - - \"GET /api/orders/\(i) HTTP/1.1\" \(status) \(i % 4000) \"-\" \"curl/8.5.0\""
            logs.lines.append(LogsViewState.Line(time: start.addingTimeInterval(Double(i) * 0.3), stream: i % 7 == 0 ? "events" : "deploy 0000beef", message: message))
        }
        state.logs = logs
        return (state, arn)
    }

    /// Frame times of the detail view and of the Logs view (following, and with a search active) at
    /// `width`x`height`, with a 10,000-line log.
    public static func frames(width: Int, height: Int, logLines: Int = 10_000, iterations: Int = 200) -> String {
        let (state, arn) = state(logLines: logLines)
        var next = state
        next.detail?.deploymentLog.lines.append(DeploymentLog.Line(time: now, message: "[AppRunner] one more line"))
        next.logs?.lines.append(LogsViewState.Line(time: now, stream: "events", message: "[AppRunner] one more line"))
        var ui = UIState()
        ui.view = .detail
        ui.openServiceArn = arn
        let detail = frameTimes((state, next), ui: ui, width: width, height: height, iterations: iterations)
        ui.view = .logs
        ui.logs.target = state.logs?.target
        let logs = frameTimes((state, next), ui: ui, width: width, height: height, iterations: iterations)
        ui.logs.search = "orders/42"
        let searched = frameTimes((state, next), ui: ui, width: width, height: height, iterations: iterations)
        return String(cFormat: "%dx%d: detail view (sparklines, 200-line deployment log, 20 operations) %.3f ms median (max %.3f); "
                      + "Logs view following %d lines %.3f ms (max %.3f); with a search counting matches in all of them %.3f ms (max %.3f)",
                      width, height, detail.0, detail.1, logLines, logs.0, logs.1, searched.0, searched.1)
    }

    /// Follows a synthetic log of `total` lines through a ``LogTail`` (1,000 events a page, 3 pages a
    /// poll) into the Logs view's state, as the store does; `rss` is read at each power of ten.
    public static func follow(total: Int = 1_000_000, rss: () -> Double) async throws -> String {
        let api = EndlessLog()
        let tail = LogTail(api: api, query: LogTailQuery(logGroupName: "/aws/apprunner/bench/0/application"), startTime: now, capacity: 1, maxPagesPerPoll: 3)
        var logs = LogsViewState(target: LogsTarget(serviceArn: "arn:aws:apprunner:us-east-1:1:service/bench/0", serviceName: "bench", source: .application), start: now)
        var read = 0
        var checkpoint = 10_000
        var samples: [String] = []
        while read < total {
            let fresh = try await tail.poll()
            logs.lines.append(contentsOf: fresh.map(DashboardStore.logLine))
            read += fresh.count
            if read >= checkpoint {
                samples.append(String(cFormat: "%d lines: %.1f MiB", checkpoint, rss()))
                checkpoint *= 10
            }
        }
        return "RSS while following (10,000 lines held): " + samples.joined(separator: ", ")
    }

    /// The calls an open detail view makes over `minutes` of its own clock, by operation, while the
    /// service is idle, then while a deployment of `deploySeconds` runs. `advance` moves the clock that
    /// both the store and the API use; `deploy` starts the deployment; `calls` reads the counts.
    public static func detailCalls(api: any AppRunnerAPI, cloudWatch: CloudWatchClients, clock: any WallClock, serviceArn: String,
                                   minutes: Double, advance: @Sendable (Double) -> Void,
                                   deploy: @Sendable () async throws -> Void, calls: @Sendable () async -> [String: Int]) async throws -> String {
        let store = DashboardStore(api: api, cloudWatch: cloudWatch, context: DashboardContext(region: "us-east-1"), clock: clock,
                                   logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
        await store.setFocus(StoreFocus(view: .detail, serviceArn: serviceArn))
        func window() async -> (Int, String) {
            let before = await calls()
            let start = clock.now()
            while clock.now().timeIntervalSince(start) < minutes * 60 {
                await store.refresh()
                advance(await store.nextDelay())
            }
            let after = await calls()
            let delta = after.map { ($0.key, $0.value - (before[$0.key] ?? 0)) }.filter { $0.1 > 0 }.sorted { $0.1 > $1.1 }
            let total = delta.reduce(0) { $0 + $1.1 }
            return (total, delta.map { "\($0.0) \(String(cFormat: "%.1f", Double($0.1) / minutes))" }.joined(separator: ", "))
        }
        let idle = await window()
        try await deploy()
        let deploying = await window()
        return "open detail view, calls per minute: idle \(String(cFormat: "%.1f", Double(idle.0) / minutes)) (\(idle.1)); "
            + "deploying \(String(cFormat: "%.1f", Double(deploying.0) / minutes)) (\(deploying.1))"
    }
}

/// A log that never ends: every FilterLogEvents page is 1,000 new events, one millisecond apart, with
/// a next token (so a poll always reads its three pages).
final class EndlessLog: CloudWatchLogsAPI, Sendable {
    private let next = Mutex<Int64>(0)

    func filterLogEvents(_ input: FilterLogEventsRequest) async throws -> FilterLogEventsResponse {
        let first = next.withLock { next -> Int64 in
            defer { next += 1000 }
            return next
        }
        let base = input.startTime ?? 0
        let events = (first..<first + 1000).map { n in
            FilteredLogEvent(logStreamName: "instance/\(n % 3)", timestamp: base + n, message: "10.0.0.\(n % 250) - - \"GET /api/orders/\(n) HTTP/1.1\" 200 \(n % 4000)",
                             ingestionTime: base + n, eventId: "\(n)")
        }
        return FilterLogEventsResponse(events: events, nextToken: "page-\(first + 1000)")
    }

    func describeLogGroups(_ input: DescribeLogGroupsRequest) async throws -> DescribeLogGroupsResponse { DescribeLogGroupsResponse() }
    func describeLogStreams(_ input: DescribeLogStreamsRequest) async throws -> DescribeLogStreamsResponse { DescribeLogStreamsResponse() }
    func getLogEvents(_ input: GetLogEventsRequest) async throws -> GetLogEventsResponse { GetLogEventsResponse() }
}
