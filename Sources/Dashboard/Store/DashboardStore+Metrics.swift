import AWSCore
import CloudWatch
import FoundationEssentials
import Logging
import RunnerDeckKit

/// The services list's traffic: requests over the last hour in 5-minute buckets and their 5xx share,
/// for the visible rows only, in one GetMetricData call, at most once a minute (sooner only for rows
/// that scrolled into view without any).
extension DashboardStore {
    static let trafficInterval: TimeInterval = 60
    static let trafficWindow: TimeInterval = 3600
    static let trafficPeriod = 300

    func refreshTraffic(arns: [String], generation: Int) async {
        guard let metricsAPI, !arns.isEmpty else { return }
        let now = clock.now()
        let unseen = arns.contains { state.traffic[$0] == nil }
        if let fetched = trafficFetchedAt, now.timeIntervalSince(fetched) < Self.trafficInterval, !unseen { return }
        let services = arns.compactMap { arn in ServiceIdentity(serviceArn: arn).map { (arn, $0) } }
        guard !services.isEmpty else { return }
        let window = ServiceMetrics(services: services.map(\.1), metrics: [MetricSpec(.requests), MetricSpec(.status5xx)],
                                    period: Self.trafficPeriod, last: Self.trafficWindow, now: now)
        guard let request = window.request() else { return }
        trafficFetchedAt = now
        do {
            let pages = try await metricsAPI.getMetricDataPaginator(request).collect(maxPages: 2)
            let series = window.align(pages)
            guard generation == state.generation else { return }
            for (index, (arn, _)) in services.enumerated() {
                guard let requests = series[ServiceMetrics.Key(service: index, metric: 0)] else { continue }
                let errors = series[ServiceMetrics.Key(service: index, metric: 1)]
                state.traffic[arn] = ServiceTraffic(requests: requests.values,
                                                    fiveXXShare: errors.flatMap { ServiceMetrics.fiveXXShare(requests: requests, fiveXX: $0) })
            }
        } catch {
            // Traffic is an extra: a refusal (no cloudwatch:GetMetricData) leaves the columns empty and
            // is logged once a minute at most, never failing the refresh.
            logger.info("traffic not read", metadata: ["error": "\(ErrorText(error))"])
        }
    }

    static let detailMetricsInterval: TimeInterval = 60
    static let detailMetricsPeriod = 60

    /// The detail view's sparklines: the open service's last hour of ``MetricSpec/overview`` in 1-minute
    /// periods, one GetMetricData call at most once a minute (at once for another service).
    func refreshDetailMetrics(arn: String, generation: Int) async {
        guard let identity = ServiceIdentity(serviceArn: arn) else { return }
        let now = clock.now()
        if let fetched = detailMetricsFetched, fetched.arn == arn, now.timeIntervalSince(fetched.at) < Self.detailMetricsInterval,
           state.detail?.metrics != nil { return }
        let specs = MetricSpec.overview
        guard let metricsAPI else {
            state.detail?.metrics = ServiceMetricsState(specs: specs, series: [], unavailable: "no CloudWatch client")
            return
        }
        let window = ServiceMetrics(services: [identity], metrics: specs, period: Self.detailMetricsPeriod, last: Self.trafficWindow, now: now)
        guard let request = window.request() else { return }
        detailMetricsFetched = (arn, now)
        let result: ServiceMetricsState
        do {
            let series = window.align(try await metricsAPI.getMetricDataPaginator(request).collect(maxPages: 2))
            result = ServiceMetricsState(specs: specs, series: specs.indices.map { series[ServiceMetrics.Key(service: 0, metric: $0)] })
        } catch {
            logger.info("detail metrics not read", metadata: ["error": "\(ErrorText(error))"])
            result = ServiceMetricsState(specs: specs, series: state.detail?.metrics?.series ?? [], unavailable: ErrorText(error).description)
        }
        guard generation == state.generation, state.detail?.serviceArn == arn else { return }
        state.detail?.metrics = result
    }
}
