@testable import AWSCore
import AppRunner
@testable import AppRunnerLocal
import CloudWatchLogs
import Foundation
import Logging
import Testing

/// Issue 13, Local App Runner: one endpoint answers for every region (the SigV4 scope's) and, with
/// `accounts`, for several accounts told apart by the key that signed; `throttle` answers ThrottlingException
/// beyond a rate per account, region and API.
@Suite(.timeLimit(.minutes(2))) struct FleetEndpointTests {
    static let base = AWSCredentials(accessKeyId: "AKIDFLEET", secretAccessKey: "fleet-secret")
    static let image = SourceConfiguration(imageRepository: ImageRepository(
        imageIdentifier: "public.ecr.aws/aws-containers/hello-app-runner:latest", imageRepositoryType: .ecrPublic))

    /// Clients of one endpoint, closed together.
    final class Clients: @unchecked Sendable {
        let endpoint: URL
        private var transports: [AWSJSONClient] = []
        init(_ endpoint: URL) { self.endpoint = endpoint }

        func transport(_ service: AWSServiceInfo, _ credentials: AWSCredentials, _ region: String) -> AWSJSONClient {
            let transport = AWSJSONClient(service: service, region: region, endpoint: endpoint, credentials: StaticCredentialProvider(credentials),
                                          userAgent: "runnerdeck/test", retry: AWSRetryStrategy(maxAttempts: 1), environment: [:])
            transports.append(transport)
            return transport
        }

        func apprunner(_ credentials: AWSCredentials, _ region: String) -> AppRunnerClient {
            AppRunnerClient(transport: transport(.appRunner, credentials, region))
        }

        func shutdown() async {
            for transport in transports { try? await transport.shutdown() }
        }
    }

    func names(_ api: AppRunnerClient) async throws -> [String] {
        try await api.listServices(ListServicesRequest()).serviceSummaryList.compactMap(\.serviceName).sorted()
    }

    @Test func accountsAreDerivedFromTheFirstInOrder() throws {
        let accounts = try LocalAccounts(firstAccountId: "123456789012", credentials: Self.base, count: 3)
        #expect(accounts.entries.map(\.accountId) == ["123456789012", "123456789013", "123456789014"])
        #expect(accounts.entries.map { $0.credentials?.accessKeyId } == ["AKIDFLEET", "AKIDFLEET2", "AKIDFLEET3"])
        #expect(accounts.entries.map { $0.credentials?.secretAccessKey } == ["fleet-secret", "fleet-secret2", "fleet-secret3"])
        #expect(accounts.accountId(forAccessKey: "AKIDFLEET3") == "123456789014")
        #expect(accounts.accountId(forAccessKey: "AKIDOTHER") == nil)
        let withToken = try LocalAccounts(firstAccountId: "000000000001", credentials: AWSCredentials(accessKeyId: "K", secretAccessKey: "S", sessionToken: "T"), count: 2)
        #expect(withToken.entries.map { $0.credentials?.sessionToken } == ["T", "T2"])
        #expect(throws: LocalAccountsError.self) { try LocalAccounts(firstAccountId: "999999999999", credentials: Self.base, count: 2) }
        #expect(throws: LocalAccountsError.self) { try LocalAccounts(firstAccountId: "123456789012", credentials: nil, count: 2) }
        #expect(try LocalAccounts(firstAccountId: "123456789012", credentials: nil, count: 1).entries.count == 1)
    }

    @Test func regionsAndAccountsArePartitionsThatSurviveARestart() async throws {
        let directory = try TempDir()
        defer { directory.remove() }
        let state = directory.url.appendingPathComponent("fleet.sqlite").path
        let configuration = LocalServerConfiguration(statePath: state, options: LocalOptions(operationSeconds: 0.2), credentials: Self.base, accounts: 2)
        let second = AWSCredentials(accessKeyId: "AKIDFLEET2", secretAccessKey: "fleet-secret2")

        var server = try await startLocalServer(configuration)
        var clients = Clients(server.endpoint)
        let east = clients.apprunner(Self.base, "us-east-1")
        let west = clients.apprunner(Self.base, "eu-west-1")
        let otherEast = clients.apprunner(second, "us-east-1")
        let inEast = try await east.createService(CreateServiceRequest(serviceName: "east-web", sourceConfiguration: Self.image)).service
        let inWest = try await west.createService(CreateServiceRequest(serviceName: "west-web", sourceConfiguration: Self.image)).service
        let otherAccount = try await otherEast.createService(CreateServiceRequest(serviceName: "east-web", sourceConfiguration: Self.image)).service
        #expect(inEast.serviceArn.hasPrefix("arn:aws:apprunner:us-east-1:123456789012:service/east-web/"))
        #expect(inWest.serviceArn.hasPrefix("arn:aws:apprunner:eu-west-1:123456789012:service/west-web/"))
        #expect(otherAccount.serviceArn.hasPrefix("arn:aws:apprunner:us-east-1:123456789013:service/east-web/"))
        #expect(inWest.serviceUrl?.hasSuffix(".eu-west-1.awsapprunner.com") == true)
        #expect(try await names(east) == ["east-web"])
        #expect(try await names(west) == ["west-web"])
        #expect(try await names(otherEast) == ["east-web"])
        #expect(try await otherEast.listServices(ListServicesRequest()).serviceSummaryList.map(\.serviceArn) == [otherAccount.serviceArn])
        // Another region's ARN is not found here, as on AWS.
        do {
            _ = try await east.describeService(DescribeServiceRequest(serviceArn: inWest.serviceArn))
            Issue.record("another region's service was found")
        } catch is AppRunner.ResourceNotFoundException {}
        // Each partition has its own DefaultConfiguration, in its region and account.
        let scalings = try await west.listAutoScalingConfigurations(ListAutoScalingConfigurationsRequest()).autoScalingConfigurationSummaryList
        #expect(scalings.map(\.autoScalingConfigurationArn).allSatisfy { $0?.hasPrefix("arn:aws:apprunner:eu-west-1:123456789012:") == true })
        let chosen = try await west.createAutoScalingConfiguration(CreateAutoScalingConfigurationRequest(autoScalingConfigurationName: "west-scale"))
        _ = try await west.updateDefaultAutoScalingConfiguration(UpdateDefaultAutoScalingConfigurationRequest(
            autoScalingConfigurationArn: chosen.autoScalingConfiguration.autoScalingConfigurationArn ?? ""))
        // The logs of a service are in its region.
        let westLogs = CloudWatchLogsClient(transport: clients.transport(.cloudWatchLogs, Self.base, "eu-west-1"))
        let eastLogs = CloudWatchLogsClient(transport: clients.transport(.cloudWatchLogs, Self.base, "us-east-1"))
        let westGroups = try await westLogs.describeLogGroups(DescribeLogGroupsRequest(logGroupNamePrefix: "/aws/apprunner/"))
        #expect(westGroups.logGroups?.compactMap(\.logGroupName) == [ServiceLogGroups.application(inWest), ServiceLogGroups.service(inWest)])
        #expect(westGroups.logGroups?.first?.logGroupArn?.hasPrefix("arn:aws:logs:eu-west-1:123456789012:log-group:") == true)
        let eastGroups = try await eastLogs.describeLogGroups(DescribeLogGroupsRequest(logGroupNamePrefix: "/aws/apprunner/"))
        #expect(eastGroups.logGroups?.compactMap(\.logGroupName) == [ServiceLogGroups.application(inEast), ServiceLogGroups.service(inEast)])
        do {
            _ = try await eastLogs.getLogEvents(GetLogEventsRequest(logGroupName: ServiceLogGroups.service(inWest), logStreamName: "events"))
            Issue.record("another region's log group was found")
        } catch is CloudWatchLogs.ResourceNotFoundException {}
        await clients.shutdown()
        server.stop()
        _ = await server.task.result

        // A restart keeps every partition apart, the chosen default included. (The stopped server lets go
        // of the state file once its last connection has closed, a moment after it returns.)
        var restarted: RunningLocalServer?
        try await waitUntil("the state file to be free for a restart", timeout: 10, interval: 0.05) {
            restarted = try? await startLocalServer(configuration)
            return restarted != nil
        }
        guard let restarted else { return }
        server = restarted
        defer { server.stop() }
        clients = Clients(server.endpoint)
        defer { Task { [clients] in await clients.shutdown() } }
        #expect(try await names(clients.apprunner(Self.base, "us-east-1")) == ["east-web"])
        #expect(try await names(clients.apprunner(Self.base, "eu-west-1")) == ["west-web"])
        #expect(try await names(clients.apprunner(second, "us-east-1")) == ["east-web"])
        #expect(try await names(clients.apprunner(second, "eu-west-1")) == [])
        let defaults = try await clients.apprunner(Self.base, "eu-west-1").listAutoScalingConfigurations(ListAutoScalingConfigurationsRequest())
            .autoScalingConfigurationSummaryList.filter { $0.isDefault == true }.compactMap(\.autoScalingConfigurationName)
        #expect(defaults == ["west-scale"])
        let eastDefaults = try await clients.apprunner(Self.base, "us-east-1").listAutoScalingConfigurations(ListAutoScalingConfigurationsRequest())
            .autoScalingConfigurationSummaryList.filter { $0.isDefault == true }.compactMap(\.autoScalingConfigurationName)
        #expect(eastDefaults == ["DefaultConfiguration"])
        // An unknown key is refused as before; a scope that names no region is refused before the body.
        do {
            _ = try await clients.apprunner(AWSCredentials(accessKeyId: "AKIDFLEET3", secretAccessKey: "fleet-secret3"), "us-east-1")
                .listServices(ListServicesRequest())
            Issue.record("an unknown key was accepted")
        } catch let error as AWSResponseError {
            #expect(error.code == "UnrecognizedClientException")
        }
        do {
            _ = try await clients.apprunner(Self.base, "Not_A_Region").listServices(ListServicesRequest())
            Issue.record("a scope without a region was accepted")
        } catch let error as AWSResponseError {
            #expect(error.code == "InvalidSignatureException")
            #expect(error.statusCode == 403)
        }
    }

    @Test func aFileFromBeforePartitionsLoadsAndEachPartitionLoadsOnlyItsOwn() async throws {
        let directory = try TempDir()
        defer { directory.remove() }
        let path = directory.url.appendingPathComponent("legacy.sqlite").path
        let east = LocalOptions(operationSeconds: 0.1)
        var chosen = ""
        do {
            let plane = try LocalAppRunner(options: east, path: path)
            _ = try await plane.createService(CreateServiceRequest(serviceName: "old-service", sourceConfiguration: Self.image))
            chosen = try await plane.createAutoScalingConfiguration(CreateAutoScalingConfigurationRequest(autoScalingConfigurationName: "old-scale"))
                .autoScalingConfiguration.autoScalingConfigurationArn ?? ""
            _ = try await plane.updateDefaultAutoScalingConfiguration(UpdateDefaultAutoScalingConfigurationRequest(autoScalingConfigurationArn: chosen))
            // Written as files before partitions did: the chosen default under the key `defaultScaling`.
            try await plane.store.save([RecordChange(kind: .meta, id: plane.metaDefaultScaling, json: nil),
                                        RecordChange(kind: .meta, id: LocalAppRunner.legacyMetaDefaultScaling, json: try AppRunnerJSON.encode(chosen))])
        }
        do {
            let reopened = try LocalAppRunner(options: east, path: path)
            #expect(try await reopened.listServices(ListServicesRequest()).serviceSummaryList.compactMap(\.serviceName) == ["old-service"])
            let defaults = try await reopened.listAutoScalingConfigurations(ListAutoScalingConfigurationsRequest())
                .autoScalingConfigurationSummaryList.filter { $0.isDefault == true }.compactMap(\.autoScalingConfigurationArn)
            #expect(defaults == [chosen])
        }
        // A fleet on the file: the records are the default partition's, another account and region have none.
        let fleet = try LocalFleet(options: east, path: path, logger: Logger(label: "test"))
        let own = try await fleet.plane(east.partition)
        #expect(try await own.listServices(ListServicesRequest()).serviceSummaryList.compactMap(\.serviceName) == ["old-service"])
        for other in [LocalPartition(accountId: "123456789013", region: "us-east-1"), LocalPartition(accountId: "123456789012", region: "eu-west-1")] {
            let plane = try await fleet.plane(other)
            #expect(try await plane.listServices(ListServicesRequest()).serviceSummaryList.isEmpty)
            let scalings = try await plane.listAutoScalingConfigurations(ListAutoScalingConfigurationsRequest()).autoScalingConfigurationSummaryList
            #expect(scalings.compactMap(\.autoScalingConfigurationArn) == [LoadedState.builtInScalingArn(east.on(other))])
            #expect(scalings.first?.isDefault == true)
        }
    }

    @Test func theDefaultRegionIsServedWhateverItsName() async throws {
        // `--region local` worked before every region was served; it still does, apart from the others.
        let server = try await startLocalServer(LocalServerConfiguration(options: LocalOptions(region: "local", operationSeconds: 0.2), credentials: Self.base))
        defer { server.stop() }
        let clients = Clients(server.endpoint)
        defer { Task { [clients] in await clients.shutdown() } }
        let local = clients.apprunner(Self.base, "local")
        let created = try await local.createService(CreateServiceRequest(serviceName: "local-web", sourceConfiguration: Self.image)).service
        #expect(created.serviceArn.hasPrefix("arn:aws:apprunner:local:123456789012:service/local-web/"))
        #expect(try await names(local) == ["local-web"])
        #expect(try await names(clients.apprunner(Self.base, "eu-west-1")) == [])
        #expect(LocalPartition.isServed(region: "local", defaultRegion: "local"))
        #expect(!LocalPartition.isServed(region: "local", defaultRegion: "us-east-1"))
        for name in ["us-east-1", "us-gov-west-1", "cn-north-1", "ap-southeast-3"] { #expect(LocalPartition.isRegionName(name), "\(name)") }
        for name in ["", "local", "US-EAST-1", "us-east", "us--1", "eu_west_1", "us-east-1a", "-east-1"] { #expect(!LocalPartition.isRegionName(name), "\(name)") }
    }

    @Test func theThrottleAnswersThrottlingExceptionPerAccountAndRegion() async throws {
        let server = try await startLocalServer(LocalServerConfiguration(
            options: LocalOptions(operationSeconds: 0.2), credentials: Self.base, accounts: 2, throttle: try ThrottlePlan(parsing: ["2"])))
        defer { server.stop() }
        let clients = Clients(server.endpoint)
        defer { Task { [clients] in await clients.shutdown() } }
        let east = clients.apprunner(Self.base, "us-east-1")
        var throttled: AWSResponseError?
        for _ in 0..<20 where throttled == nil {
            do {
                _ = try await east.listServices(ListServicesRequest())
            } catch let error as AWSResponseError {
                throttled = error
            }
        }
        #expect(throttled?.code == "ThrottlingException")
        #expect(throttled?.statusCode == 400)
        #expect(throttled?.message == "Rate exceeded")
        #expect(throttled.map { AWSRetryClassifier.classify($0) } == .throttling)
        // Other partitions have buckets of their own.
        _ = try await clients.apprunner(Self.base, "eu-west-1").listServices(ListServicesRequest())
        _ = try await clients.apprunner(AWSCredentials(accessKeyId: "AKIDFLEET2", secretAccessKey: "fleet-secret2"), "us-east-1")
            .listServices(ListServicesRequest())
        // The bucket refills at the rate.
        try await Task.sleep(nanoseconds: 1_100_000_000)
        _ = try await east.listServices(ListServicesRequest())
    }

    @Test func throttlePlansParseAndTheMostSpecificRuleWins() throws {
        let plan = try ThrottlePlan(parsing: ["5", "eu-west-1=1", "123456789013=0.5", "123456789013/eu-west-1=0"])
        #expect(plan.rate(account: "123456789012", region: "us-east-1") == 5)
        #expect(plan.rate(account: "123456789012", region: "eu-west-1") == 1)
        #expect(plan.rate(account: "123456789013", region: "us-east-1") == 0.5)
        #expect(plan.rate(account: "123456789013", region: "eu-west-1") == 0)
        #expect(try ThrottlePlan(parsing: ["eu-west-1=1"]).rate(account: "123456789012", region: "us-east-1") == nil)
        for bad in ["", "fast", "-1", "eu-west-1=", "=3", "eu-west-1=x", "nan", "1", "1"] {
            let list = bad == "1" ? ["1", "1"] : [bad]
            #expect(throws: ThrottlePlanError.self, "\(list)") { try ThrottlePlan(parsing: list) }
        }
    }

    @Test func aTokenBucketAllowsABurstThenTheRate() {
        var bucket = TokenBucket(rate: 2, now: 100)
        #expect((0..<3).map { _ in bucket.take(now: 100) } == [true, true, false])
        #expect(bucket.take(now: 100.4) == false)
        #expect(bucket.take(now: 100.6) == true)
        #expect(bucket.take(now: 110) == true)
        #expect(bucket.take(now: 110) == true)
        #expect(bucket.take(now: 110) == false)
        var closed = TokenBucket(rate: 0, now: 0)
        #expect(closed.take(now: 0) == false)
        #expect(closed.take(now: 1_000) == false)
        var slow = TokenBucket(rate: 0.5, now: 0)
        #expect([slow.take(now: 0), slow.take(now: 1), slow.take(now: 2)] == [true, false, true])
    }
}
