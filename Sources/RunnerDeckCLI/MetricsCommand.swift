import AWSCore
import AppRunner
import ArgumentParser
import CloudWatch
import FoundationEssentials
import RunnerDeckKit

/// `runnerdeck metrics SERVICE`
struct MetricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Show a service's CloudWatch metrics with sparklines.",
        discussion: """
            One GetMetricData call (namespace AWS/AppRunner, dimensions ServiceName and ServiceID) for \
            Requests, 5xxStatusResponses, RequestLatency p50, ActiveInstances, CPUUtilization and \
            MemoryUtilization, in buckets of --period seconds. The table shows each metric's last value and \
            a sparkline (gaps where CloudWatch has no datapoint), and the share of requests answered 5xx. \
            With --output json: GetMetricData's response ({"MetricDataResults": [...]}).

            Examples:
              runnerdeck metrics web-api
              runnerdeck metrics web-api --since 24h --period 3600
              runnerdeck metrics web-api --output json | \\
                  jq '.MetricDataResults[] | {Label, Values}'
            """
    )

    @OptionGroup var globals: GlobalOptions
    @Argument(help: "The service's name or ARN.") var service: String
    @Option(help: ArgumentHelp("How far back: 3h, 30m, 2d (default 3h).", valueName: "span")) var since: String = "3h"
    @Option(help: ArgumentHelp("Seconds a bucket covers: a multiple of 60 (default 300).", valueName: "seconds")) var period: Int = 300

    /// At most this many buckets (GetMetricData answers at most 100,800 datapoints a call).
    static let maxBuckets = 1_440
    /// The sparkline's width at most.
    static let sparklineWidth = 40

    func validate() throws {
        guard let seconds = TimeSpan.seconds(since) else {
            throw ValidationError("--since takes a span like 30m, 3h or 2d; got '\(since)'")
        }
        guard period >= 60, period % 60 == 0 else {
            throw ValidationError("--period is a number of seconds, a multiple of 60 and at least 60; got \(period)")
        }
        let buckets = Int((seconds / Double(period)).rounded(.up))
        guard buckets <= Self.maxBuckets else {
            throw ValidationError("--since \(since) in buckets of --period \(period) makes \(buckets) buckets; at most \(Self.maxBuckets): use a longer --period")
        }
    }

    func run() async throws {
        let context = CommandContext(globals: globals)
        let api = try await context.makeAPI()
        let target = try await ServiceResolver(api: api).resolveIdentity(service).identity
        let window = ServiceMetrics(services: [target], period: period, last: TimeSpan.seconds(since) ?? 10_800, now: Date())
        guard let request = window.request() else {
            throw CLIError(.usage, "nothing to ask CloudWatch for")
        }
        let metrics = try await context.makeMetricsAPI()
        let pages = try await metrics.getMetricDataPaginator(request).collect(maxPages: 10)
        if context.format == .json {
            try context.writeJSON(MetricsTable.merged(pages))
            return
        }
        let ascii = Sparkline.prefersASCII(environment: context.environment.variables)
        let table = MetricsTable(window: window, series: window.align(pages), ascii: ascii)
        context.write(table.listing().render(context.format, color: context.color))
    }
}

/// The rows of `runnerdeck metrics`: metric, last value, sparkline; then the 5xx share.
struct MetricsTable: Sendable {
    let window: ServiceMetrics
    let series: [ServiceMetrics.Key: MetricSeries]
    let ascii: Bool

    func listing(service: Int = 0) -> Listing {
        let width = min(window.bucketCount, MetricsCommand.sparklineWidth)
        var rows: [[TableCell]] = []
        for (index, spec) in window.metrics.enumerated() {
            let values = series[ServiceMetrics.Key(service: service, metric: index)]
            rows.append([
                TableCell(spec.label),
                TableCell(spec.metric.display(values?.last)),
                TableCell(Sparkline.render(values?.values ?? [], width: width, ascii: ascii)),
            ])
        }
        if let requests = series(.requests, service), let fiveXX = series(.status5xx, service) {
            let share = ServiceMetrics.fiveXXShare(requests: requests, fiveXX: fiveXX)
            rows.append([TableCell("5xx share"), TableCell(share.map { Format.percent(share: $0) } ?? "-",
                                                           color: (share ?? 0) > 0.01 ? .red : nil), TableCell("")])
        }
        return Listing(headers: ["Metric", "Last", "Trend"], rows: rows)
    }

    private func series(_ metric: AppRunnerMetric, _ service: Int) -> MetricSeries? {
        guard let index = window.metrics.firstIndex(where: { $0.metric == metric }) else { return nil }
        return series[ServiceMetrics.Key(service: service, metric: index)]
    }

    /// The pages of a GetMetricData answer as one response: each query's datapoints in order.
    static func merged(_ pages: [GetMetricDataOutput]) -> GetMetricDataOutput {
        var results: [MetricDataResult] = []
        var indexById: [String: Int] = [:]
        var messages: [MessageData] = []
        for page in pages {
            messages += page.messages ?? []
            for result in page.metricDataResults ?? [] {
                guard let id = result.id, let index = indexById[id] else {
                    if let id = result.id { indexById[id] = results.count }
                    results.append(result)
                    continue
                }
                results[index].timestamps = (results[index].timestamps ?? []) + (result.timestamps ?? [])
                results[index].values = (results[index].values ?? []) + (result.values ?? [])
                results[index].statusCode = result.statusCode ?? results[index].statusCode
            }
        }
        return GetMetricDataOutput(metricDataResults: results, messages: messages)
    }
}
