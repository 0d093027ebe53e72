import AWSCore
import AppRunner
@testable import AppRunnerLocal
import CloudWatch
import CloudWatchLogs
import Foundation
import Testing

/// One signed endpoint serves App Runner, CloudWatch Logs and CloudWatch, each call signed for its own service.
@Suite(.timeLimit(.minutes(1))) struct LocalLogsEndpointTests {
    @Test func logsAndMetricsAreServedAndSignedForTheirOwnService() async throws {
        let credentials = AWSCredentials(accessKeyId: "AKIDLOGS", secretAccessKey: "logs-secret")
        let server = try await startLocalServer(LocalServerConfiguration(options: LocalOptions(operationSeconds: 0.2), credentials: credentials))
        defer { server.stop() }
        let endpoint = server.endpoint
        func transport(_ service: AWSServiceInfo) -> AWSJSONClient {
            AWSJSONClient(service: service, region: "us-east-1", endpoint: endpoint, credentials: StaticCredentialProvider(credentials),
                          userAgent: "runnerdeck/test", retry: AWSRetryStrategy(maxAttempts: 1), environment: [:])
        }
        let transports = [transport(.appRunner), transport(.cloudWatchLogs), transport(.cloudWatch)]
        defer { Task { for transport in transports { try? await transport.shutdown() } } }
        let apprunner = AppRunnerClient(transport: transports[0])
        let logs = CloudWatchLogsClient(transport: transports[1])
        let metrics = CloudWatchClient(transport: transports[2])

        let service = try await apprunner.createService(CreateServiceRequest(serviceName: "endpoint-logs", sourceConfiguration: SourceConfiguration(
            imageRepository: ImageRepository(imageIdentifier: "public.ecr.aws/aws-containers/hello-app-runner:latest", imageRepositoryType: .ecrPublic)))).service
        let groups = try await logs.describeLogGroups(DescribeLogGroupsRequest(logGroupNamePrefix: "/aws/apprunner/endpoint-logs/"))
        #expect(groups.logGroups?.compactMap(\.logGroupName) == [ServiceLogGroups.application(service), ServiceLogGroups.service(service)])
        let started = try await logs.filterLogEvents(FilterLogEventsRequest(logGroupName: ServiceLogGroups.service(service), filterPattern: "creation started"))
        #expect(started.events?.compactMap(\.message) == ["[AppRunner] Service creation started."])
        do {
            _ = try await logs.getLogEvents(GetLogEventsRequest(logGroupName: "/aws/apprunner/missing/0/service", logStreamName: "events"))
            Issue.record("a missing log group was found")
        } catch let error as CloudWatchLogs.ResourceNotFoundException {
            #expect(error.message == "The specified log group does not exist.")
        }
        try await Task.sleep(nanoseconds: 400_000_000)  // the create (0.2 s) has ended: the service serves
        let listed = try await metrics.listMetrics(ListMetricsInput(namespace: "AWS/AppRunner", metricName: "Requests"))
        #expect(listed.metrics?.map { $0.dimensions?.map(\.value) ?? [] } == [[service.serviceId, "endpoint-logs"]])
        do {
            _ = try await metrics.getMetricData(GetMetricDataInput(metricDataQueries: [MetricDataQuery(id: "m", expression: "SUM(METRICS())")],
                                                                   startTime: Date(timeIntervalSinceNow: -600), endTime: Date()))
            Issue.record("a metric math expression was accepted")
        } catch let error as InvalidParameterValueException {
            #expect(error.message.contains("metric math"))
        }

        // App Runner's target signed for `logs` is refused; so is a Logs target signed for `apprunner`.
        for (target, signingName) in [("AppRunner", "logs"), ("Logs_20140328", "apprunner")] {
            var info = target == "AppRunner" ? AWSServiceInfo.appRunner : AWSServiceInfo.cloudWatchLogs
            info.signingName = signingName
            let crossed = transport(info)
            defer { Task { try? await crossed.shutdown() } }
            do {
                _ = try await crossed.send(operation: target == "AppRunner" ? "ListServices" : "DescribeLogGroups", body: Data("{}".utf8))
                Issue.record("\(target) signed for \(signingName) was accepted")
            } catch let error as AWSResponseError {
                #expect(error.code == "InvalidSignatureException")
                #expect(error.message.contains(target == "AppRunner" ? "'apprunner'" : "'logs'"))
            }
        }
    }
}
