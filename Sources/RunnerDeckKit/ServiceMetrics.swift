import CloudWatch
import FoundationEssentials

/// App Runner's metrics in CloudWatch (namespace `AWS/AppRunner`, dimensions `ServiceName` + `ServiceID`).
public enum AppRunnerMetric: String, Sendable, CaseIterable, Hashable {
    case requests = "Requests"
    case status2xx = "2xxStatusResponses"
    case status4xx = "4xxStatusResponses"
    case status5xx = "5xxStatusResponses"
    case requestLatency = "RequestLatency"
    case activeInstances = "ActiveInstances"
    case cpuUtilization = "CPUUtilization"
    case memoryUtilization = "MemoryUtilization"
    case concurrency = "Concurrency"

    /// The statistic shown for it: sums for counts, p50 for latency, averages for the rest.
    public var defaultStat: String {
        switch self {
        case .requests, .status2xx, .status4xx, .status5xx: return "Sum"
        case .requestLatency: return "p50"
        case .activeInstances, .cpuUtilization, .memoryUtilization, .concurrency: return "Average"
        }
    }

    /// A value as the views show it: `-` for no datapoint, counts whole, latency in ms, utilisation in percent.
    public func display(_ value: Double?) -> String {
        guard let value else { return "-" }
        switch self {
        case .cpuUtilization, .memoryUtilization: return Format.percent(value)
        case .requestLatency: return Format.number(value) + " ms"
        default: return Format.number(value)
        }
    }

    /// The unit of a value, for display (`ms`, `%`, or empty for counts).
    public var unitSuffix: String {
        switch self {
        case .requestLatency: return " ms"
        case .cpuUtilization, .memoryUtilization: return "%"
        default: return ""
        }
    }
}

/// One metric and statistic.
public struct MetricSpec: Sendable, Hashable {
    public var metric: AppRunnerMetric
    public var stat: String

    public init(_ metric: AppRunnerMetric, stat: String? = nil) {
        self.metric = metric
        self.stat = stat ?? metric.defaultStat
    }

    /// `Requests`, `RequestLatency p50`.
    public var label: String { stat == metric.defaultStat && stat != "p50" ? metric.rawValue : "\(metric.rawValue) \(stat)" }

    /// Requests, 5xx, latency p50, active instances, CPU and memory: what the views show.
    public static let overview: [MetricSpec] = [
        MetricSpec(.requests), MetricSpec(.status5xx), MetricSpec(.requestLatency),
        MetricSpec(.activeInstances), MetricSpec(.cpuUtilization), MetricSpec(.memoryUtilization),
    ]
}

/// Values of one metric in consecutive period buckets; nil where CloudWatch had no datapoint (a gap,
/// not a zero).
public struct MetricSeries: Sendable, Hashable {
    /// Start of the first bucket.
    public var start: Date
    /// Bucket length in seconds.
    public var period: Int
    public var values: [Double?]

    public init(start: Date, period: Int, values: [Double?]) {
        self.start = start
        self.period = period
        self.values = values
    }

    /// The newest value that is not a gap.
    public var last: Double? { values.last { $0 != nil } ?? nil }
    /// The sum of the values that are not gaps; nil when all are gaps.
    public var total: Double? {
        let present = values.compactMap { $0 }
        return present.isEmpty ? nil : present.reduce(0, +)
    }
    /// Start of bucket `index`.
    public func bucketStart(_ index: Int) -> Date { start.addingTimeInterval(Double(index * period)) }
}

/// ONE GetMetricData request for several services × metrics, and its answer aligned to buckets.
///
/// Query ids are `m<service index>_<metric index>`, so the answer maps back without labels. Buckets
/// run from `start` rounded down to the period to `end` rounded up; a datapoint lands in the bucket
/// holding its timestamp; buckets without one stay nil.
public struct ServiceMetrics: Sendable, Hashable {
    public static let namespace = "AWS/AppRunner"
    /// GetMetricData takes at most 500 queries.
    public static let maxQueries = 500

    public var services: [ServiceIdentity]
    public var metrics: [MetricSpec]
    public var period: Int
    /// Start of the first bucket (aligned to the period).
    public var start: Date
    /// End of the last bucket (aligned to the period).
    public var end: Date

    /// `period` is in seconds (at least 60 and a multiple of 60, as CloudWatch wants for regular metrics).
    public init(services: [ServiceIdentity], metrics: [MetricSpec] = MetricSpec.overview, period: Int, start: Date, end: Date) {
        self.services = services
        self.metrics = metrics
        self.period = max(60, period - period % 60)
        let p = Double(self.period)
        self.start = Date(timeIntervalSince1970: (start.timeIntervalSince1970 / p).rounded(.down) * p)
        let endAligned = Date(timeIntervalSince1970: (end.timeIntervalSince1970 / p).rounded(.up) * p)
        self.end = max(endAligned, self.start.addingTimeInterval(p))
    }

    /// The window `duration` seconds back from `now`.
    public init(services: [ServiceIdentity], metrics: [MetricSpec] = MetricSpec.overview, period: Int, last duration: TimeInterval, now: Date) {
        self.init(services: services, metrics: metrics, period: period, start: now.addingTimeInterval(-duration), end: now)
    }

    /// How many buckets the window has.
    public var bucketCount: Int { Int((end.timeIntervalSince(start) / Double(period)).rounded()) }

    /// The query id of `service` × `metric` (by index).
    public static func queryId(service: Int, metric: Int) -> String { "m\(service)_\(metric)" }

    /// The one request (nil when there are no queries or more than GetMetricData allows).
    public func request() -> GetMetricDataInput? {
        var queries: [MetricDataQuery] = []
        for (s, service) in services.enumerated() {
            for (m, spec) in metrics.enumerated() {
                let metric = Metric(namespace: Self.namespace, metricName: spec.metric.rawValue, dimensions: [
                    CloudWatch.Dimension(name: "ServiceName", value: service.serviceName),
                    CloudWatch.Dimension(name: "ServiceID", value: service.serviceId),
                ])
                queries.append(MetricDataQuery(id: Self.queryId(service: s, metric: m),
                                               metricStat: MetricStat(metric: metric, period: period, stat: spec.stat),
                                               label: "\(service.serviceName) \(spec.label)", returnData: true))
            }
        }
        guard !queries.isEmpty, queries.count <= Self.maxQueries else { return nil }
        return GetMetricDataInput(metricDataQueries: queries, startTime: start, endTime: end, scanBy: .timestampAscending)
    }

    /// The series of every query, by service and metric index, from the pages of the answer.
    public func align(_ pages: [GetMetricDataOutput]) -> [Key: MetricSeries] {
        var series: [Key: MetricSeries] = [:]
        for s in services.indices {
            for m in metrics.indices {
                series[Key(service: s, metric: m)] = MetricSeries(start: start, period: period, values: Array(repeating: nil, count: bucketCount))
            }
        }
        for page in pages {
            for result in page.metricDataResults ?? [] {
                guard let id = result.id, let key = Key(queryId: id), var target = series[key] else { continue }
                for (timestamp, value) in zip(result.timestamps ?? [], result.values ?? []) where value.isFinite {
                    let offset = timestamp.timeIntervalSince(start) / Double(period)
                    let index = Int(offset.rounded(.down))
                    guard index >= 0, index < target.values.count else { continue }
                    target.values[index] = value
                }
                series[key] = target
            }
        }
        return series
    }

    /// Identifies one series of the answer.
    public struct Key: Sendable, Hashable {
        public var service: Int
        public var metric: Int

        public init(service: Int, metric: Int) {
            self.service = service
            self.metric = metric
        }

        init?(queryId: String) {
            guard queryId.hasPrefix("m") else { return nil }
            let parts = queryId.dropFirst().split(separator: "_")
            guard parts.count == 2, let s = Int(parts[0]), let m = Int(parts[1]) else { return nil }
            self.init(service: s, metric: m)
        }
    }

    /// The share of requests answered 5xx over the window (0…1); nil without requests.
    public static func fiveXXShare(requests: MetricSeries, fiveXX: MetricSeries) -> Double? {
        guard let total = requests.total, total > 0 else { return nil }
        return min(1, max(0, (fiveXX.total ?? 0) / total))
    }
}
