import AWSCore
import AppRunner
import Foundation
import Testing

@testable import AppRunnerLocal

/// The typed store: every kind of record survives a reopen, a record that cannot be encoded refuses
/// the change instead of deleting what the file holds, and concurrent calls are all stored.
@Suite(.timeLimit(.minutes(2))) struct PersistenceTests {
    let clock = ManualClock()

    func plane(_ path: String, clock: ManualClock? = nil) throws -> LocalAppRunner {
        try LocalAppRunner(options: LocalOptions(operationSeconds: 10, domainValidationSeconds: 20), path: path, clock: clock ?? self.clock)
    }

    func image(_ name: String, private isPrivate: Bool = false, tags: [AppRunner.Tag]? = nil) -> CreateServiceRequest {
        CreateServiceRequest(serviceName: name, sourceConfiguration: SourceConfiguration(
            imageRepository: ImageRepository(imageIdentifier: "public.ecr.aws/aws-containers/hello-app-runner:latest", imageRepositoryType: .ecrPublic)),
            tags: tags,
            networkConfiguration: isPrivate ? NetworkConfiguration(ingressConfiguration: IngressConfiguration(isPubliclyAccessible: false)) : nil)
    }

    /// A state file in the temporary directory, removed (with its WAL and lock) when `body` ends.
    func withStateFile(_ body: (String) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("store-\(UUID().uuidString).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        try await body(path)
    }

    @Test func recordKindsKeepTheNamesStoredFilesUse() {
        // Files written before the kinds were typed hold these strings; renaming one would orphan its rows.
        #expect(RecordKind.allCases.map(\.rawValue) == [
            "service", "operation", "autoscaling", "connection", "vpcconnector", "ingress", "observability", "servicetags", "meta",
        ])
    }

    @Test func aRecordThatCannotBeEncodedIsNotDeleted() async throws {
        try await withStateFile { path in
            var first: LocalAppRunner? = try plane(path)
            let arn = try #require(try await first?.createService(image("kept-service")).service.serviceArn)
            clock.advance(by: 11)
            // A domain associated at an infinite time cannot be encoded (JSON has no infinity): the change
            // must be refused, and the service already in the file must stay there.
            clock.advance(by: .infinity)
            do {
                _ = try await first?.associateCustomDomain(AssociateCustomDomainRequest(serviceArn: arn, domainName: "lost.example.com"))
                Issue.record("expected InternalServiceErrorException")
            } catch let error as InternalServiceErrorException {
                #expect(error.message.contains("could not be stored"))
            }
            // Memory went back to the file: no domain.
            let domains = try await first?.describeCustomDomains(DescribeCustomDomainsRequest(serviceArn: arn)).customDomains
            #expect(domains?.isEmpty == true)
            first = nil
            // The shared clock is at infinity now: reopen on a clock shortly after the start.
            let second = try plane(path, clock: ManualClock(Date(timeIntervalSince1970: 1_700_000_100)))
            let service = try await second.describeService(DescribeServiceRequest(serviceArn: arn)).service
            #expect(service.serviceName == "kept-service")
            #expect(service.status == .running)
        }
    }

    /// One record of every kind, tagged; returns the ARNs (service, auto scaling, observability,
    /// connection, VPC connector, VPC ingress connection).
    func populate(_ plane: LocalAppRunner) async throws -> [String] {
        let team = [AppRunner.Tag(key: "team", value: "store")]
        let scaling = try await plane.createAutoScalingConfiguration(CreateAutoScalingConfigurationRequest(
            autoScalingConfigurationName: "stored", maxConcurrency: 40, minSize: 2, maxSize: 4, tags: team))
            .autoScalingConfiguration.autoScalingConfigurationArn ?? ""
        _ = try await plane.updateDefaultAutoScalingConfiguration(UpdateDefaultAutoScalingConfigurationRequest(autoScalingConfigurationArn: scaling))
        let observability = try await plane.createObservabilityConfiguration(CreateObservabilityConfigurationRequest(
            observabilityConfigurationName: "traced", traceConfiguration: TraceConfiguration(vendor: .awsxray), tags: team))
            .observabilityConfiguration.observabilityConfigurationArn ?? ""
        let connection = try await plane.createConnection(CreateConnectionRequest(connectionName: "github-store", providerType: .github, tags: team))
            .connection.connectionArn ?? ""
        let connector = try await plane.createVpcConnector(CreateVpcConnectorRequest(vpcConnectorName: "db", subnets: ["subnet-1"], tags: team))
            .vpcConnector.vpcConnectorArn ?? ""
        let service = try await plane.createService(image("stored-service", private: true, tags: team)).service.serviceArn
        clock.advance(by: 11)
        let ingress = try await plane.createVpcIngressConnection(CreateVpcIngressConnectionRequest(
            serviceArn: service, vpcIngressConnectionName: "corp", ingressVpcConfiguration: IngressVpcConfiguration(vpcId: "vpc-1", vpcEndpointId: "vpce-1"),
            tags: team)).vpcIngressConnection.vpcIngressConnectionArn ?? ""
        _ = try await plane.associateCustomDomain(AssociateCustomDomainRequest(serviceArn: service, domainName: "stored.example.com"))
        clock.advance(by: 3)
        return [service, scaling, observability, connection, connector, ingress]
    }

    /// What the API shows of everything `populate` made, as JSON lines.
    func snapshot(_ plane: LocalAppRunner, _ arns: [String]) async throws -> [String] {
        let service = arns[0]
        var lines: [String] = []
        let encoder = AppRunnerJSON.makeEncoder()
        encoder.outputFormatting = .sortedKeys
        func add(_ value: some Encodable) throws {
            lines.append(String(decoding: try encoder.encode(value), as: UTF8.self))
        }
        try add(await plane.describeService(DescribeServiceRequest(serviceArn: service)))
        try add(await plane.listOperations(ListOperationsRequest(serviceArn: service)))
        try add(await plane.describeCustomDomains(DescribeCustomDomainsRequest(serviceArn: service)))
        try add(await plane.listAutoScalingConfigurations(ListAutoScalingConfigurationsRequest()))
        try add(await plane.describeAutoScalingConfiguration(DescribeAutoScalingConfigurationRequest(autoScalingConfigurationArn: arns[1])))
        try add(await plane.describeObservabilityConfiguration(DescribeObservabilityConfigurationRequest(observabilityConfigurationArn: arns[2])))
        try add(await plane.listConnections(ListConnectionsRequest()))
        try add(await plane.describeVpcConnector(DescribeVpcConnectorRequest(vpcConnectorArn: arns[4])))
        try add(await plane.describeVpcIngressConnection(DescribeVpcIngressConnectionRequest(vpcIngressConnectionArn: arns[5])))
        for arn in arns {
            try add(await plane.listTagsForResource(ListTagsForResourceRequest(resourceArn: arn)))
        }
        return lines
    }

    @Test func everyKindOfRecordSurvivesAReopen() async throws {
        try await withStateFile { path in
            var arns: [String] = []
            var before: [String] = []
            do {
                let first = try plane(path)
                arns = try await populate(first)
                before = try await snapshot(first, arns)
            }
            #expect(before.count == 15)
            #expect(before.filter { $0.contains("\"team\"") }.count == 6)
            // Every kind is in the file, under its typed name.
            let kinds = try await LocalStore(path: path).loadAll().keys
            #expect(Set(kinds) == Set(RecordKind.allCases))
            let after = try await snapshot(try plane(path), arns)
            #expect(after == before)
        }
    }

    @Test func concurrentChangesAreAllStoredInOrder() async throws {
        try await withStateFile { path in
            var arns: [String] = []
            var tagsBefore: [AppRunner.Tag] = []
            do {
                let plane = try plane(path)
                arns = try await withThrowingTaskGroup(of: String.self) { group in
                    for index in 0..<24 {
                        group.addTask { try await plane.createService(self.image("parallel-\(index)")).service.serviceArn }
                    }
                    var arns: [String] = []
                    for try await arn in group { arns.append(arn) }
                    return arns
                }
                let target = arns[0]
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<16 {
                        group.addTask {
                            _ = try await plane.tagResource(TagResourceRequest(resourceArn: target, tags: [AppRunner.Tag(key: "k\(index)", value: "v")]))
                        }
                    }
                    try await group.waitForAll()
                }
                tagsBefore = try await plane.listTagsForResource(ListTagsForResourceRequest(resourceArn: target)).tags ?? []
            }
            let second = try plane(path)
            let listed = try await second.listServices(ListServicesRequest()).serviceSummaryList.map(\.serviceArn)
            #expect(listed.count == 24)
            #expect(Set(listed) == Set(arns))
            let tagsAfter = try await second.listTagsForResource(ListTagsForResourceRequest(resourceArn: try #require(arns.first))).tags ?? []
            #expect(tagsAfter.count == 16)
            #expect(tagsAfter == tagsBefore)
        }
    }
}
