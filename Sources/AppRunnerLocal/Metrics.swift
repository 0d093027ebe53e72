import FoundationEssentials

/// App Runner's service metrics (namespace `AWS/AppRunner`, dimensions `ServiceName` + `ServiceID`), computed
/// on read from a service's activity: one sample every 10 seconds while it serves, none while it is paused,
/// deleted or not yet running (so periods without samples have no datapoint), the same on every read.
enum AppRunnerMetric: String, CaseIterable, Sendable {
    case requests = "Requests"
    case status2xx = "2xxStatusResponses"
    case status4xx = "4xxStatusResponses"
    case status5xx = "5xxStatusResponses"
    case requestLatency = "RequestLatency"
    case activeInstances = "ActiveInstances"
    case cpuUtilization = "CPUUtilization"
    case memoryUtilization = "MemoryUtilization"
    case concurrency = "Concurrency"

    static let namespace = "AWS/AppRunner"
    static let sampleSeconds: Int64 = 10
}

/// The source of one service's samples.
struct MetricSource: Sendable {
    var serviceId: String
    var activity: ServiceActivity
    var maxConcurrency: Int

    /// Samples of `metric` with `from <= time < until` (seconds since 1970), in time order.
    func samples(_ metric: AppRunnerMetric, from: Int64, until: Int64) -> [(time: Int64, value: Double)] {
        guard let earliest = activity.serving.map(\.from).min() else { return [] }
        let step = AppRunnerMetric.sampleSeconds
        var time = max(from, Int64(earliest.timeIntervalSince1970.rounded(.up)))
        time += (step - time % step) % step
        var result: [(time: Int64, value: Double)] = []
        while time < until {
            let date = Date(timeIntervalSince1970: Double(time))
            if let stretch = activity.serving(at: date) {
                result.append((time, value(metric, at: time, instances: stretch.instances.count, failing: activity.failing(at: date) != nil)))
            } else if let next = activity.serving.first(where: { $0.from > date }) {
                // Skip a pause (or any gap) in one step.
                let resume = Int64(next.from.timeIntervalSince1970.rounded(.up))
                time = max(time + step, resume + (step - resume % step) % step)
                continue
            } else {
                break
            }
            time += step
        }
        return result
    }

    func value(_ metric: AppRunnerMetric, at time: Int64, instances: Int, failing: Bool) -> Double {
        let hash = StableHash.of(serviceId, String(time))
        let requests = instances * (3 + Int(hash % 12))
        let errors = failing ? (requests + 1) / 2 : 0
        let clientErrors = failing ? 0 : ((hash >> 8) % 10 == 0 ? 1 : 0)
        switch metric {
        case .requests: return Double(requests)
        case .status2xx: return Double(requests - errors - clientErrors)
        case .status4xx: return Double(clientErrors)
        case .status5xx: return Double(errors)
        case .requestLatency: return Double(failing ? 800 + (hash >> 12) % 700 : 20 + (hash >> 12) % 80)
        case .activeInstances: return Double(instances)
        case .cpuUtilization: return Double((failing ? 40 : 3) + (hash >> 20) % 25)
        case .memoryUtilization: return Double(25 + (hash >> 28) % 15)
        case .concurrency: return Double(min(max(1, maxConcurrency), 1 + Int((hash >> 36) % 8)))
        }
    }
}

/// A CloudWatch statistic: Sum, Average, Maximum, Minimum, SampleCount, or a percentile `pNN` (nearest rank).
enum MetricStatistic: Sendable, Equatable {
    case sum, average, maximum, minimum, sampleCount
    case percentile(Double)

    init?(_ text: String) {
        switch text {
        case "Sum": self = .sum
        case "Average": self = .average
        case "Maximum": self = .maximum
        case "Minimum": self = .minimum
        case "SampleCount": self = .sampleCount
        default:
            guard text.hasPrefix("p"), let value = Double(text.dropFirst()), (0...100).contains(value) else { return nil }
            self = .percentile(value)
        }
    }

    func apply(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        switch self {
        case .sum: return values.reduce(0, +)
        case .average: return values.reduce(0, +) / Double(values.count)
        case .maximum: return values.max()
        case .minimum: return values.min()
        case .sampleCount: return Double(values.count)
        case .percentile(let p):
            let sorted = values.sorted()
            let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
            return sorted[min(sorted.count - 1, max(0, rank - 1))]
        }
    }

    /// Datapoints of `samples` per `period` seconds (aligned to multiples of the period), in time order.
    func datapoints(_ samples: [(time: Int64, value: Double)], period: Int64) -> [(time: Int64, value: Double)] {
        var buckets: [Int64: [Double]] = [:]
        for sample in samples { buckets[sample.time - sample.time % period, default: []].append(sample.value) }
        return buckets.keys.sorted().compactMap { start in
            buckets[start].flatMap(apply).map { (start, $0) }
        }
    }
}
