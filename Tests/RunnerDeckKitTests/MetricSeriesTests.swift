import CloudWatch
import Foundation
import RunnerDeckKit
import Testing

@Suite(.timeLimit(.minutes(1))) struct MetricSeriesTests {
    static let web = ServiceIdentity(serviceName: "web", serviceId: "aaaa")
    static let api = ServiceIdentity(serviceName: "api", serviceId: "bbbb")
    /// 2026-11-29 05:00:00 UTC, a multiple of 300 s.
    static let base = Date(timeIntervalSince1970: 1_795_928_400)

    @Test func oneRequestForEveryServiceAndMetric() throws {
        let metrics = ServiceMetrics(services: [Self.web, Self.api], period: 300,
                                     start: Self.base.addingTimeInterval(17), end: Self.base.addingTimeInterval(3_590))
        #expect(metrics.start == Self.base && metrics.end == Self.base.addingTimeInterval(3_600))
        #expect(metrics.bucketCount == 12)
        let request = try #require(metrics.request())
        #expect(request.metricDataQueries.count == 12)  // 2 services × 6 metrics
        #expect(request.startTime == Self.base && request.endTime == Self.base.addingTimeInterval(3_600))
        try request.validate(path: "")
        let first = request.metricDataQueries[0]
        #expect(first.id == "m0_0")
        let stat = try #require(first.metricStat)
        #expect(stat.metric.namespace == "AWS/AppRunner" && stat.metric.metricName == "Requests" && stat.stat == "Sum" && stat.period == 300)
        #expect(stat.metric.dimensions == [CloudWatch.Dimension(name: "ServiceName", value: "web"), CloudWatch.Dimension(name: "ServiceID", value: "aaaa")])
        let latency = try #require(request.metricDataQueries.first { $0.id == "m1_2" }?.metricStat)
        #expect(latency.metric.metricName == "RequestLatency" && latency.stat == "p50")
        #expect(latency.metric.dimensions?.first?.value == "api")
        // Bounds: nothing to ask, or more than one request may carry.
        #expect(ServiceMetrics(services: [], period: 60, start: Self.base, end: Self.base).request() == nil)
        let many = (0..<84).map { ServiceIdentity(serviceName: "s\($0)", serviceId: "\($0)") }
        #expect(ServiceMetrics(services: many, period: 60, start: Self.base, end: Self.base).request() == nil)  // 504 queries
        #expect(ServiceMetrics(services: Array(many.prefix(83)), period: 60, start: Self.base, end: Self.base).request() != nil)
        #expect(ServiceMetrics(services: [Self.web], period: 90, start: Self.base, end: Self.base).period == 60)
    }

    @Test func answersAlignToBucketsWithGapsAcrossPages() throws {
        let metrics = ServiceMetrics(services: [Self.web, Self.api], metrics: [MetricSpec(.requests), MetricSpec(.status5xx)],
                                     period: 300, start: Self.base, end: Self.base.addingTimeInterval(1_500))
        func at(_ bucket: Int, _ offset: Double = 0) -> Date { Self.base.addingTimeInterval(Double(bucket * 300) + offset) }
        let page1 = GetMetricDataOutput(metricDataResults: [
            MetricDataResult(id: "m0_0", timestamps: [at(0), at(1)], values: [10, 20]),
            MetricDataResult(id: "m0_1", timestamps: [at(1)], values: [2]),
            MetricDataResult(id: "m1_0", timestamps: [], values: []),
        ], nextToken: "t")
        let page2 = GetMetricDataOutput(metricDataResults: [
            MetricDataResult(id: "m0_0", timestamps: [at(4), at(3, 60), at(9), at(-1)], values: [40, 30, 99, 99]),  // out of window ignored
            MetricDataResult(id: "zz", timestamps: [at(0)], values: [1]),
        ])
        let series = metrics.align([page1, page2])
        let requests = try #require(series[ServiceMetrics.Key(service: 0, metric: 0)])
        #expect(requests.values == [10, 20, nil, 30, 40])
        #expect(requests.last == 40 && requests.total == 100)
        let fiveXX = try #require(series[ServiceMetrics.Key(service: 0, metric: 1)])
        #expect(fiveXX.values == [nil, 2, nil, nil, nil])
        #expect(ServiceMetrics.fiveXXShare(requests: requests, fiveXX: fiveXX) == 0.02)
        let quiet = try #require(series[ServiceMetrics.Key(service: 1, metric: 0)])
        #expect(quiet.values == [nil, nil, nil, nil, nil] && quiet.last == nil)
        #expect(ServiceMetrics.fiveXXShare(requests: quiet, fiveXX: fiveXX) == nil)
        #expect(series.count == 4)
    }

    @Test func sparklinesScaleFromZeroAndShowGapsAsSpaces() {
        #expect(Sparkline.render([0, 1, 2, 3, 4, 5, 6, 7], width: 8) == "▁▂▃▄▅▆▇█")
        #expect(Sparkline.render([0, 1, 2, 3, 4, 5, 6, 7], width: 8, ascii: true) == "_.-:=+*#")
        #expect(Sparkline.render([7, nil, 7], width: 5) == "  █ █")
        #expect(Sparkline.render([0, 0], width: 2) == "▁▁")
        #expect(Sparkline.render([5, 10], width: 2, ceiling: 20) == "▃▅")
        #expect(Sparkline.render([], width: 3) == "   ")
        #expect(Sparkline.render([1], width: 0) == "")
        // Eight values into four columns: each column the mean of two; a column of gaps stays a gap.
        #expect(Sparkline.render([0, 0, nil, nil, 7, 7, 0, 14], width: 4) == "▁ ██")
        #expect(Sparkline.render(Array(repeating: 1.0, count: 1_000), width: 30).count == 30)
    }

    @Test func asciiWhereTheLocaleIsNotUTF8() {
        #expect(Sparkline.prefersASCII(environment: [:]))
        #expect(Sparkline.prefersASCII(environment: ["LANG": "C"]))
        #expect(!Sparkline.prefersASCII(environment: ["LANG": "en_US.UTF-8"]))
        #expect(!Sparkline.prefersASCII(environment: ["LANG": "C", "LC_CTYPE": "C.utf8"]))
        #expect(Sparkline.prefersASCII(environment: ["LANG": "en_US.UTF-8", "LC_ALL": "C"]))
        #expect(!Sparkline.prefersASCII(environment: ["LANG": "en_US.UTF-8", "LC_ALL": ""]))
    }
}
