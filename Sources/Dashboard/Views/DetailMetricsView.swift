import FoundationEssentials
import RunnerDeckKit

/// The detail view's last hour: one row per metric (label, last value, sparkline of 1-minute periods),
/// and the 5xx share of the hour's requests.
extension DashboardRenderer {
    func metricsLines(_ detail: ServiceDetailState, width: Int) -> [Line] {
        var lines: [Line] = [section("Last hour (1-minute periods)", width: width)]
        guard let metrics = detail.metrics else {
            lines.append([Span("  reading…", Style(.muted))])
            return lines
        }
        if metrics.series.isEmpty, let why = metrics.unavailable {
            lines.append([Span("  not available: " + ErrorText.oneLine(why), Style(.muted))])
            return lines
        }
        let labelW = 20, valueW = 10
        let sparkW = max(8, min(60, width - 2 - labelW - valueW - 2))
        for (index, spec) in metrics.specs.enumerated() {
            let series = index < metrics.series.count ? metrics.series[index] : nil
            let spark = Sparkline.render(series?.values ?? [], width: sparkW, ascii: glyphs == .ascii)
            let value = spec.metric.display(series?.last)
            let alarming = spec.metric == .status5xx && (series?.total ?? 0) > 0
            lines.append([Span("  " + Self.metricLabel(spec).padded(toWidth: labelW)), Span(value.padded(toWidth: valueW, alignRight: true) + "  ", alarming ? Style(.error, bold: true) : .plain),
                          Span(spark, alarming ? Style(.error) : Style(.info))])
        }
        if let requests = series(.requests, metrics), let errors = series(.status5xx, metrics),
           let share = ServiceMetrics.fiveXXShare(requests: requests, fiveXX: errors) {
            lines.append([Span("  " + "5xx share".padded(toWidth: labelW)),
                          Span(Format.percent(share: share).padded(toWidth: valueW, alignRight: true), share > 0.01 ? Style(.error, bold: true) : .plain)])
        }
        if let why = metrics.unavailable {
            lines.append([Span("  (newer values could not be read: \(ErrorText.oneLine(why)))", Style(.muted))])
        }
        return lines
    }

    private func series(_ metric: AppRunnerMetric, _ metrics: ServiceMetricsState) -> MetricSeries? {
        guard let index = metrics.specs.firstIndex(where: { $0.metric == metric }), index < metrics.series.count else { return nil }
        return metrics.series[index]
    }

    /// Short labels that fit the column: `Requests`, `5xx`, `Latency p50`, `Instances`, `CPU`, `Memory`.
    static func metricLabel(_ spec: MetricSpec) -> String {
        switch spec.metric {
        case .requests: return "Requests"
        case .status2xx: return "2xx"
        case .status4xx: return "4xx"
        case .status5xx: return "5xx"
        case .requestLatency: return "Latency \(spec.stat)"
        case .activeInstances: return "Instances"
        case .cpuUtilization: return "CPU"
        case .memoryUtilization: return "Memory"
        case .concurrency: return "Concurrency"
        }
    }
}
