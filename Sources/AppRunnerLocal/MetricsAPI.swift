import AppRunner
import CloudWatch
import FoundationEssentials

/// CloudWatch (metrics) as Local App Runner serves it: GetMetricData over MetricStat queries, ListMetrics.
extension LocalAppRunner: CloudWatchAPI {
    static let metricsRetentionSeconds: Int64 = 15 * 86_400

    /// The metric sources of every service that has served, by (ServiceName, ServiceID).
    func metricSources() async throws -> (now: Date, sources: [String: (name: String, source: MetricSource)]) {
        try await transaction { now in
            var result: [String: (name: String, source: MetricSource)] = [:]
            for record in services.values {
                let service = record.service
                let scaling = scalings[service.autoScalingConfigurationSummary.autoScalingConfigurationArn ?? defaultScalingArn]?.value
                let activity = activity(of: record)
                guard !activity.serving.isEmpty else { continue }
                result[service.serviceId] = (service.serviceName, MetricSource(serviceId: service.serviceId, activity: activity,
                                                                               maxConcurrency: scaling?.maxConcurrency ?? 100))
            }
            return (now, result)
        }
    }

    static func badParameter(_ message: String) -> InvalidParameterValueException {
        InvalidParameterValueException(message: message)
    }

    public func getMetricData(_ input: GetMetricDataInput) async throws -> GetMetricDataOutput {
        guard input.endTime > input.startTime else { throw Self.badParameter("The parameter StartTime must be less than the parameter EndTime.") }
        let (now, sources) = try await metricSources()
        let nowSeconds = Int64(now.timeIntervalSince1970)
        let from = max(Int64(input.startTime.timeIntervalSince1970.rounded(.down)), nowSeconds - Self.metricsRetentionSeconds)
        let until = min(Int64(input.endTime.timeIntervalSince1970.rounded(.up)), nowSeconds + 1)
        let ascending = input.scanBy == .timestampAscending
        var all: [(query: MetricDataQuery, points: [(time: Int64, value: Double)])] = []
        for query in input.metricDataQueries {
            if query.expression != nil { throw Self.badParameter("Local App Runner does not evaluate metric math expressions (query \(query.id)).") }
            guard let stat = query.metricStat else { throw Self.badParameter("The query \(query.id) must have a MetricStat.") }
            guard stat.period > 0, stat.period % 60 == 0 || [1, 5, 10, 30].contains(stat.period) else {
                throw Self.badParameter("The parameter Period must be 1, 5, 10, 30 or a multiple of 60 (query \(query.id)).")
            }
            guard let statistic = MetricStatistic(stat.stat) else { throw Self.badParameter("Unrecognized statistic \(stat.stat) (query \(query.id)).") }
            guard query.returnData != false else { continue }
            var points: [(time: Int64, value: Double)] = []
            if let (metric, source) = Self.resolve(stat.metric, in: sources) {
                points = statistic.datapoints(source.samples(metric, from: from, until: until), period: Int64(stat.period))
            }
            all.append((query, ascending ? points : points.reversed()))
        }
        // MaxDatapoints bounds a page across all queries; NextToken is how many were returned before.
        let budget = max(1, input.maxDatapoints ?? 100_800)
        var skip = 0
        if let token = input.nextToken {
            guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8), text.hasPrefix("datapoints:"),
                  let offset = Int(text.dropFirst("datapoints:".count)), offset >= 0 else {
                throw InvalidNextToken(message: "The specified NextToken is invalid.")
            }
            skip = offset
        }
        let before = skip
        var left = budget
        var returned = 0
        var more = false
        var results: [MetricDataResult] = []
        for (query, points) in all {
            let skipped = min(skip, points.count)
            skip -= skipped
            let taken = Array(points.dropFirst(skipped).prefix(left))
            left -= taken.count
            returned += taken.count
            let partial = skipped + taken.count < points.count
            more = more || partial
            results.append(MetricDataResult(id: query.id, label: query.label ?? query.metricStat?.metric.metricName ?? query.id,
                                            timestamps: taken.map { Date(timeIntervalSince1970: Double($0.time)) },
                                            values: taken.map(\.value), statusCode: partial ? .partialData : .complete))
        }
        let next = more ? Data("datapoints:\(before + returned)".utf8).base64EncodedString() : nil
        return GetMetricDataOutput(metricDataResults: results, nextToken: next, messages: [])
    }

    /// The service metric a MetricStat names: namespace AWS/AppRunner, exactly ServiceName and ServiceID.
    static func resolve(_ metric: Metric, in sources: [String: (name: String, source: MetricSource)]) -> (AppRunnerMetric, MetricSource)? {
        guard metric.namespace == AppRunnerMetric.namespace, let name = metric.metricName, let known = AppRunnerMetric(rawValue: name) else { return nil }
        let dimensions = metric.dimensions ?? []
        guard dimensions.count == 2, let id = dimensions.first(where: { $0.name == "ServiceID" })?.value,
              let entry = sources[id], dimensions.contains(where: { $0.name == "ServiceName" && $0.value == entry.name }) else { return nil }
        return (known, entry.source)
    }

    public func listMetrics(_ input: ListMetricsInput) async throws -> ListMetricsOutput {
        let (_, sources) = try await metricSources()
        var metrics: [Metric] = []
        for (id, entry) in sources.sorted(by: { ($0.value.name, $0.key) < ($1.value.name, $1.key) }) {
            let dimensions = [Dimension(name: "ServiceID", value: id), Dimension(name: "ServiceName", value: entry.name)]
            for metric in AppRunnerMetric.allCases {
                metrics.append(Metric(namespace: AppRunnerMetric.namespace, metricName: metric.rawValue, dimensions: dimensions))
            }
        }
        let selected = metrics.filter { metric in
            if let namespace = input.namespace, metric.namespace != namespace { return false }
            if let name = input.metricName, metric.metricName != name { return false }
            for filter in input.dimensions ?? [] {
                guard let dimension = metric.dimensions?.first(where: { $0.name == filter.name }) else { return false }
                if let value = filter.value, dimension.value != value { return false }
            }
            return true
        }
        do {
            let page = try PageToken.page(selected, maxResults: 500, nextToken: input.nextToken)
            return ListMetricsOutput(metrics: page.items, nextToken: page.next)
        } catch {
            throw InvalidNextToken(message: "The specified NextToken is invalid.")
        }
    }
}
