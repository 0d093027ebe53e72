import AWSCore
import AppRunner
import CloudWatch
import CloudWatchLogs
import Foundation
import Testing

@testable import AppRunnerLocal

/// Local App Runner's CloudWatch Logs and CloudWatch: deployment logs that advance with the clock, a
/// rollback's log, application logs and metrics that follow the service's state, paging, patterns, retention.
@Suite(.timeLimit(.minutes(5))) struct LocalLogsTests {
    let clock = ManualClock()

    func plane(path: String? = nil, retention: LogRetention = LogRetention()) throws -> LocalAppRunner {
        var options = LocalOptions(operationSeconds: 10)
        options.logRetention = retention
        return try LocalAppRunner(options: options, path: path, clock: clock)
    }

    func create(_ plane: LocalAppRunner, _ name: String, scaling: String? = nil, health: HealthCheckConfiguration? = nil) async throws -> Service {
        try await plane.createService(CreateServiceRequest(
            serviceName: name,
            sourceConfiguration: SourceConfiguration(imageRepository: ImageRepository(
                imageIdentifier: "public.ecr.aws/aws-containers/hello-app-runner:latest",
                imageConfiguration: ImageConfiguration(port: "8000"), imageRepositoryType: .ecrPublic)),
            healthCheckConfiguration: health, autoScalingConfigurationArn: scaling)).service
    }

    func messages(_ plane: LocalAppRunner, _ group: String, streams: [String]? = nil, pattern: String? = nil,
                  start: Int64? = nil) async throws -> [String] {
        try await events(plane, group, streams: streams, pattern: pattern, start: start).compactMap(\.message)
    }

    /// Every event, following nextToken (bounded).
    func events(_ plane: LocalAppRunner, _ group: String, streams: [String]? = nil, pattern: String? = nil,
                start: Int64? = nil, limit: Int? = nil) async throws -> [FilteredLogEvent] {
        var result: [FilteredLogEvent] = []
        var token: String?
        for _ in 0..<1_000 {
            let page = try await plane.filterLogEvents(FilterLogEventsRequest(
                logGroupName: group, logStreamNames: streams, startTime: start, filterPattern: pattern, nextToken: token, limit: limit))
            result += page.events ?? []
            token = page.nextToken
            if token == nil { return result }
        }
        Issue.record("FilterLogEvents did not stop paging")
        return result
    }

    func metric(_ plane: LocalAppRunner, _ service: Service, _ name: String, stat: String, period: Int = 10,
                from: Date, to: Date) async throws -> [Double] {
        let output = try await plane.getMetricData(GetMetricDataInput(
            metricDataQueries: [MetricDataQuery(id: "m", metricStat: MetricStat(
                metric: Metric(namespace: "AWS/AppRunner", metricName: name, dimensions: [
                    Dimension(name: "ServiceName", value: service.serviceName), Dimension(name: "ServiceID", value: service.serviceId)]),
                period: period, stat: stat))],
            startTime: from, endTime: to, scanBy: .timestampAscending))
        return output.metricDataResults?.first?.values ?? []
    }

    /// Waits for the create, then pauses and resumes `times` times, each operation to its end.
    func pauseAndResume(_ plane: LocalAppRunner, _ service: Service, times: Int) async throws {
        clock.advance(by: 11)
        for _ in 0..<times {
            _ = try await plane.pauseService(PauseServiceRequest(serviceArn: service.serviceArn))
            clock.advance(by: 11)
            _ = try await plane.resumeService(ResumeServiceRequest(serviceArn: service.serviceArn))
            clock.advance(by: 11)
        }
    }

    @Test func aDeploymentsLogLinesAppearInOrderAsTheClockAdvances() async throws {
        let plane = try plane()
        let service = try await create(plane, "logged-service")
        clock.advance(by: 11)
        let group = ServiceLogGroups.service(service)
        let deployment = try await plane.startDeployment(StartDeploymentRequest(serviceArn: service.serviceArn)).operationId
        let stream = ServiceLogGroups.deploymentStream(deployment)
        clock.advance(by: 0.5)
        let early = try await messages(plane, group, streams: [stream])
        #expect(early.isEmpty)
        let events = try await messages(plane, group, streams: ["events"])
        #expect(events.suffix(2) == ["[AppRunner] Deployment with ID : \(deployment) started. Triggering event : MANUAL_DEPLOYMENT",
                                     "[AppRunner] Service status is set to OPERATION_IN_PROGRESS."])
        clock.advance(by: 3)
        let pulled = try await messages(plane, group, streams: [stream])
        #expect(pulled == ["[AppRunner] Pulling image public.ecr.aws/aws-containers/hello-app-runner:latest from ECR Public repository.",
                           "[AppRunner] Successfully pulled your application image from ECR Public."])
        clock.advance(by: 7)
        let all = try await messages(plane, group, streams: [stream])
        #expect(all.count == 6)
        #expect(all.firstIndex(of: "[AppRunner] Performing health check on protocol `TCP` [Port: '8000'].") == 3)
        #expect(all.last == "[AppRunner] Successfully routed incoming traffic to application.")
        let after = try await messages(plane, group, streams: ["events"])
        #expect(after.suffix(2) == ["[AppRunner] Service update completed successfully.", "[AppRunner] Service status is set to RUNNING."])
        // The create's own log is there too, in its own stream, before.
        let streams = try await plane.describeLogStreams(DescribeLogStreamsRequest(logGroupName: group)).logStreams ?? []
        #expect(streams.count == 3)
        #expect(streams.map(\.logStreamName).contains(stream))
    }

    /// The demo's history is backdated: each operation's deployment log moves with it (its first line at
    /// the operation's start, not at the time the demo was seeded).
    @Test func theDemosDeploymentLogsStartWhenTheirOperationsStarted() async throws {
        let plane = try await LocalAppRunner.demo(clock: clock, operationSeconds: 6)
        await plane.stopTicker()
        var checked = 0
        for record in await plane.services.values.map(\.service) where record.status == .running {
            guard let operation = try await plane.listOperations(ListOperationsRequest(serviceArn: record.serviceArn)).operationSummaryList?.last, let id = operation.id, let started = operation.startedAt else { continue }
            let page = try await plane.filterLogEvents(FilterLogEventsRequest(logGroupName: ServiceLogGroups.service(record),
                                                                              logStreamNames: [ServiceLogGroups.deploymentStream(id)]))
            let first = try #require(page.events?.first?.timestamp)
            #expect(abs(Double(first) / 1000 - started.timeIntervalSince1970) < 6, "\(record.serviceName)")
            checked += 1
        }
        #expect(checked >= 3)
    }
    @Test func anHTTPHealthCheckNamesItsPath() async throws {
        let plane = try plane()
        let service = try await create(plane, "http-checked", health: HealthCheckConfiguration(protocol: .http, path: "/healthz"))
        clock.advance(by: 11)
        let lines = try await messages(plane, ServiceLogGroups.service(service), pattern: "\"Performing health check\"")
        #expect(lines == ["[AppRunner] Performing health check on protocol `HTTP` [Path: '/healthz'], [Port: '8000']."])
    }

    @Test func aRollbackLogsTheFailingHealthCheckAndTheRollback() async throws {
        let plane = try plane()
        let service = try await create(plane, "rolled-back")
        clock.advance(by: 11)
        let healthy = clock.now()
        try await plane.failNextDeployment(of: service.serviceArn)
        let deployment = try await plane.startDeployment(StartDeploymentRequest(serviceArn: service.serviceArn)).operationId
        clock.advance(by: 21)
        let lines = try await messages(plane, ServiceLogGroups.service(service), streams: [ServiceLogGroups.deploymentStream(deployment)])
        let failedCheck = "[AppRunner] Health check failed on protocol `TCP` [Port: '8000']. Check your configured port number. For more information, see the application logs."
        let failed = "[AppRunner] Deployment with ID : \(deployment) failed. Failure reason : Health check failed."
        let rolledBack = "[AppRunner] Rollback completed successfully. Incoming traffic is routed to the previous deployment."
        #expect(lines.contains(failedCheck) && lines.contains(failed) && lines.last == rolledBack)
        #expect((lines.firstIndex(of: failedCheck) ?? 99) < (lines.firstIndex(of: failed) ?? 0))
        // The application log shows the new instance failing its checks and 5xx answers meanwhile.
        let application = ServiceLogGroups.application(service)
        let checks = try await messages(plane, application, pattern: "\"Health check failed\"")
        #expect(!checks.isEmpty)
        let fiveHundreds = try await messages(plane, application, pattern: "HTTP/1.1 -\" 200 \" -\" 404 \"")
        #expect(!fiveHundreds.isEmpty && fiveHundreds.allSatisfy { $0.contains("\" 502 0 ") || $0.contains("\" 503 0 ") })
        // And the metrics: 5xx during the failing deployment, none before it.
        let spike = try await metric(plane, service, "5xxStatusResponses", stat: "Sum", period: 60,
                                     from: healthy, to: clock.now())
        #expect(spike.reduce(0, +) > 0)
        let before = try await metric(plane, service, "5xxStatusResponses", stat: "Sum", from: healthy.addingTimeInterval(-11), to: healthy)
        #expect(before.allSatisfy { $0 == 0 })
    }

    @Test func metricsAreAbsentWhilePausedAndActiveInstancesStayInBounds() async throws {
        let plane = try plane()
        let scaling = try await plane.createAutoScalingConfiguration(CreateAutoScalingConfigurationRequest(
            autoScalingConfigurationName: "bounded", maxConcurrency: 50, minSize: 2, maxSize: 3)).autoScalingConfiguration
        let service = try await create(plane, "paused-metrics", scaling: scaling.autoScalingConfigurationArn)
        clock.advance(by: 11)
        let running = clock.now()
        clock.advance(by: 120)
        _ = try await plane.pauseService(PauseServiceRequest(serviceArn: service.serviceArn))
        clock.advance(by: 11)
        let paused = clock.now()
        clock.advance(by: 300)
        let served = try await metric(plane, service, "Requests", stat: "Sum", from: running, to: running.addingTimeInterval(120))
        #expect(served.count >= 11 && served.allSatisfy { $0 > 0 })
        let whilePaused = try await metric(plane, service, "Requests", stat: "Sum", from: paused, to: clock.now())
        #expect(whilePaused.reduce(0, +) == 0)
        let instances = try await metric(plane, service, "ActiveInstances", stat: "Maximum", period: 60, from: running, to: clock.now())
        let lowest = try await metric(plane, service, "ActiveInstances", stat: "Minimum", period: 60, from: running, to: clock.now())
        #expect(!instances.isEmpty && instances.allSatisfy { (2...3).contains($0) } && lowest.allSatisfy { (2...3).contains($0) })
        // No application log lines while paused either.
        let lines = try await events(plane, ServiceLogGroups.application(service), start: LocalAppRunner.milliseconds(paused))
        #expect(lines.isEmpty)
        let listed = try await plane.listMetrics(ListMetricsInput(namespace: "AWS/AppRunner", metricName: "ActiveInstances",
                                                                  dimensions: [DimensionFilter(name: "ServiceName", value: "paused-metrics")]))
        #expect(listed.metrics?.count == 1)
    }

    @Test func getMetricDataPagesByMaxDatapointsAndScansBothWays() async throws {
        let plane = try plane()
        let service = try await create(plane, "paged-metrics")
        clock.advance(by: 11)
        let from = clock.now()
        clock.advance(by: 600)
        let query = MetricDataQuery(id: "p90", metricStat: MetricStat(
            metric: Metric(namespace: "AWS/AppRunner", metricName: "RequestLatency", dimensions: [
                Dimension(name: "ServiceName", value: service.serviceName), Dimension(name: "ServiceID", value: service.serviceId)]),
            period: 60, stat: "p90"))
        let whole = try await plane.getMetricData(GetMetricDataInput(metricDataQueries: [query], startTime: from, endTime: clock.now()))
        let all = whole.metricDataResults?.first?.timestamps ?? []
        #expect(all.count >= 10 && all == all.sorted(by: >))
        var paged: [Date] = []
        var token: String?
        for _ in 0..<100 {
            let page = try await plane.getMetricData(GetMetricDataInput(metricDataQueries: [query], startTime: from, endTime: clock.now(),
                                                                        nextToken: token, maxDatapoints: 3))
            #expect((page.metricDataResults?.first?.timestamps?.count ?? 0) <= 3)
            paged += page.metricDataResults?.first?.timestamps ?? []
            token = page.nextToken
            if token == nil { break }
        }
        #expect(paged == all)
        await #expect(throws: InvalidParameterValueException.self) {
            var bad = query
            bad.metricStat?.stat = "Median"
            _ = try await plane.getMetricData(GetMetricDataInput(metricDataQueries: [bad], startTime: from, endTime: clock.now()))
        }
    }

    @Test func filterLogEventsPagesAndMatchesTermsAndPhrases() async throws {
        let plane = try plane()
        let service = try await create(plane, "filtered-logs")
        try await pauseAndResume(plane, service, times: 3)
        let group = ServiceLogGroups.service(service)
        let whole = try await events(plane, group)
        let paged = try await events(plane, group, limit: 3)
        #expect(whole.count > 20)
        #expect(paged.map(\.eventId) == whole.map(\.eventId))
        #expect(whole.map { $0.timestamp ?? 0 } == whole.map { $0.timestamp ?? 0 }.sorted())
        let pauses = try await messages(plane, group, pattern: "pause completed")
        #expect(pauses == Array(repeating: "[AppRunner] Service pause completed successfully.", count: 3))
        let phrase = try await messages(plane, group, pattern: "\"status is set to PAUSED\"")
        #expect(phrase.count == 3)
        let excluded = try await messages(plane, group, pattern: "status -RUNNING -OPERATION_IN_PROGRESS")
        #expect(excluded.count == 3)
        await #expect(throws: CloudWatchLogs.InvalidParameterException.self) {
            _ = try await messages(plane, group, pattern: "{ $.level = \"ERROR\" }")
        }
        // Application logs page the same way.
        let application = ServiceLogGroups.application(service)
        let lines = try await events(plane, application)
        let pagedLines = try await events(plane, application, limit: 7)
        #expect(!lines.isEmpty && pagedLines.map(\.eventId) == lines.map(\.eventId))
    }

    @Test func logsAreTheSameAfterAReopenAndRetentionBoundsTheStore() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("logs-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let group: String
        let application: String
        let first: [FilteredLogEvent]
        let firstApplication: [FilteredLogEvent]
        do {
            let plane = try plane(path: path, retention: LogRetention(maxEventsPerGroup: 25))
            let service = try await create(plane, "retained-logs")
            try await pauseAndResume(plane, service, times: 10)
            group = ServiceLogGroups.service(service)
            application = ServiceLogGroups.application(service)
            first = try await events(plane, group)
            firstApplication = try await events(plane, application)
            #expect(first.count == 25)
            #expect(try await plane.store.logEventCount() == 25)
            #expect(first.last?.message == "[AppRunner] Service status is set to RUNNING.")
        }
        let reopened = try plane(path: path, retention: LogRetention(maxEventsPerGroup: 25))
        let again = try await events(reopened, group)
        let againApplication = try await events(reopened, application)
        #expect(again.map(\.eventId) == first.map(\.eventId))
        #expect(againApplication.map(\.message) == firstApplication.map(\.message) && !againApplication.isEmpty)
    }

    @Test func getLogEventsReadsAStreamFromEitherEnd() async throws {
        let plane = try plane()
        let service = try await create(plane, "read-stream")
        clock.advance(by: 11)
        let group = ServiceLogGroups.service(service)
        let newest = try await plane.getLogEvents(GetLogEventsRequest(logGroupName: group, logStreamName: "events", limit: 2))
        #expect(newest.events?.compactMap(\.message) == ["[AppRunner] Service creation completed successfully.",
                                                         "[AppRunner] Service status is set to RUNNING."])
        let older = try await plane.getLogEvents(GetLogEventsRequest(logGroupName: group, logStreamName: "events",
                                                                     nextToken: newest.nextBackwardToken, limit: 2))
        #expect(older.events?.compactMap(\.message) == ["[AppRunner] Service creation started.",
                                                        "[AppRunner] Service status is set to OPERATION_IN_PROGRESS."])
        let end = try await plane.getLogEvents(GetLogEventsRequest(logGroupName: group, logStreamName: "events",
                                                                   nextToken: newest.nextForwardToken))
        #expect(end.events?.isEmpty == true && end.nextForwardToken == newest.nextForwardToken)
        await #expect(throws: CloudWatchLogs.ResourceNotFoundException.self) {
            _ = try await plane.getLogEvents(GetLogEventsRequest(logGroupName: "/aws/apprunner/nope/0/service", logStreamName: "events"))
        }
    }
}
