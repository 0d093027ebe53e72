import AWSCore
import AppRunner
import Foundation
import Testing

@testable import AppRunnerLocal

/// Details of the control plane the first suite does not pin down: exact operation timestamps,
/// identifier shapes, PAUSED refusals, rollbacks across a reopen, revision bookkeeping and domain records.
@Suite(.timeLimit(.minutes(5))) struct LifecycleDetailTests {
    let clock = ManualClock()
    let start: Date

    init() {
        start = clock.now()
    }

    func plane(path: String? = nil) throws -> LocalAppRunner {
        try LocalAppRunner(options: LocalOptions(operationSeconds: 10, domainValidationSeconds: 20), path: path, clock: clock)
    }

    func image(_ name: String, tags: [AppRunner.Tag]? = nil) -> CreateServiceRequest {
        CreateServiceRequest(serviceName: name, sourceConfiguration: SourceConfiguration(
            imageRepository: ImageRepository(imageIdentifier: "public.ecr.aws/aws-containers/hello-app-runner:latest", imageRepositoryType: .ecrPublic)),
            tags: tags)
    }

    func running(_ plane: LocalAppRunner, _ name: String, tags: [AppRunner.Tag]? = nil) async throws -> String {
        let arn = try await plane.createService(image(name, tags: tags)).service.serviceArn
        clock.advance(by: 11)
        return arn
    }

    func service(_ plane: LocalAppRunner, _ arn: String) async throws -> Service {
        try await plane.describeService(DescribeServiceRequest(serviceArn: arn)).service
    }

    func operations(_ plane: LocalAppRunner, _ arn: String) async throws -> [OperationSummary] {
        try await plane.listOperations(ListOperationsRequest(serviceArn: arn)).operationSummaryList ?? []
    }

    static func matches(_ text: String?, _ pattern: String) -> Bool {
        guard let text else { return false }
        return text.range(of: pattern, options: .regularExpression) == text.startIndex..<text.endIndex
    }

    @Test func identifiersAreShapedLikeAWS() async throws {
        let plane = try plane()
        let created = try await plane.createService(image("shaped-service"))
        let service = created.service
        #expect(Self.matches(service.serviceArn, "arn:aws:apprunner:us-east-1:123456789012:service/shaped-service/[0-9a-f]{32}"))
        #expect(service.serviceArn.hasSuffix("/" + service.serviceId))
        #expect(Self.matches(service.serviceUrl, "[a-z0-9]{10}\\.us-east-1\\.awsapprunner\\.com"))
        #expect(Self.matches(created.operationId, "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"))
        let scaling = try await plane.createAutoScalingConfiguration(CreateAutoScalingConfigurationRequest(autoScalingConfigurationName: "shaped"))
        #expect(Self.matches(scaling.autoScalingConfiguration.autoScalingConfigurationArn,
                             "arn:aws:apprunner:us-east-1:123456789012:autoscalingconfiguration/shaped/1/[0-9a-f]{32}"))
        let connection = try await plane.createConnection(CreateConnectionRequest(connectionName: "shaped", providerType: .bitbucket))
        #expect(Self.matches(connection.connection.connectionArn, "arn:aws:apprunner:us-east-1:123456789012:connection/shaped/[0-9a-f]{32}"))
    }

    @Test func defaultsAndSizeSpellings() async throws {
        let plane = try plane()
        var request = image("small-one")
        request.instanceConfiguration = InstanceConfiguration(cpu: "0.25 vCPU", memory: "0.5 GB")
        let small = try await plane.createService(request).service
        #expect(small.instanceConfiguration.cpu == "256")
        #expect(small.instanceConfiguration.memory == "512")
        let plain = try await plane.createService(image("plain-one")).service
        #expect(plain.instanceConfiguration.cpu == "1024")
        #expect(plain.instanceConfiguration.memory == "2048")
        let health = try #require(plain.healthCheckConfiguration)
        #expect(health.protocol == .tcp)
        #expect(health.interval == 5)
        #expect(health.timeout == 2)
        #expect(health.healthyThreshold == 1)
        #expect(health.unhealthyThreshold == 5)
        let summary = plain.autoScalingConfigurationSummary
        #expect(summary.autoScalingConfigurationArn?.hasSuffix(":autoscalingconfiguration/DefaultConfiguration/1/00000000000000000000000000000001") == true)
        #expect(summary.isDefault == true)
        for (cpu, memory) in [("0.5 vCPU", "2 GB"), ("4 vCPU", "4 GB"), ("2 vCPU", "3 GB"), ("3 vCPU", "6 GB")] {
            var bad = image("bad-size")
            bad.instanceConfiguration = InstanceConfiguration(cpu: cpu, memory: memory)
            await #expect(throws: InvalidRequestException.self, "\(cpu) with \(memory)") { _ = try await plane.createService(bad) }
        }
    }

    @Test func operationTimestampsFollowTheClockAndListNewestFirst() async throws {
        let plane = try plane()
        let arn = try await plane.createService(image("timed-service")).service.serviceArn
        var create = try #require(try await operations(plane, arn).first)
        #expect(create.status == .pending)
        #expect(create.startedAt == start)
        #expect(create.updatedAt == start)
        #expect(create.endedAt == nil)
        clock.advance(by: 11)
        create = try #require(try await operations(plane, arn).first)
        #expect(create.status == .succeeded)
        #expect(create.endedAt == start.addingTimeInterval(10))
        #expect(create.updatedAt == start.addingTimeInterval(10))
        let running = try await service(plane, arn)
        #expect(running.status == .running)
        #expect(running.updatedAt == start.addingTimeInterval(10))

        let deployment = try await plane.startDeployment(StartDeploymentRequest(serviceArn: arn)).operationId
        clock.advance(by: 11)
        let pause = try #require(try await plane.pauseService(PauseServiceRequest(serviceArn: arn)).operationId)
        let newest = try await plane.listOperations(ListOperationsRequest(serviceArn: arn, maxResults: 1))
        #expect(newest.operationSummaryList?.map(\.id) == [pause])
        #expect(newest.operationSummaryList?.first?.type == .pauseService)
        #expect(newest.nextToken != nil)
        let rest = try await plane.listOperations(ListOperationsRequest(serviceArn: arn, nextToken: newest.nextToken, maxResults: 1))
        #expect(rest.operationSummaryList?.map(\.id) == [deployment])
        let all = try await operations(plane, arn)
        #expect(all.map(\.type) == [.pauseService, .startDeployment, .createService])
        #expect(all.allSatisfy { $0.targetArn == arn })
        await #expect(throws: ResourceNotFoundException.self) {
            _ = try await plane.listOperations(ListOperationsRequest(serviceArn: arn + "0"))
        }
    }

    @Test func aPausedServiceRefusesChangesButCanBeDeleted() async throws {
        let plane = try plane()
        let arn = try await running(plane, "paused-service")
        _ = try await plane.associateCustomDomain(AssociateCustomDomainRequest(serviceArn: arn, domainName: "paused.example.com"))
        _ = try await plane.pauseService(PauseServiceRequest(serviceArn: arn))
        do {
            _ = try await plane.resumeService(ResumeServiceRequest(serviceArn: arn))
            Issue.record("expected InvalidStateException while pausing")
        } catch let error as InvalidStateException {
            #expect(error.message == "Service cannot be resumed in the current state: OPERATION_IN_PROGRESS.")
        }
        clock.advance(by: 11)
        #expect(try await service(plane, arn).status == .paused)
        do {
            _ = try await plane.updateService(UpdateServiceRequest(serviceArn: arn))
            Issue.record("expected InvalidStateException on a paused service")
        } catch let error as InvalidStateException {
            #expect(error.message == "Service cannot be updated in the current state: PAUSED.")
        }
        do {
            _ = try await plane.startDeployment(StartDeploymentRequest(serviceArn: arn))
            Issue.record("expected InvalidStateException on a paused service")
        } catch let error as InvalidStateException {
            #expect(error.message == "Service cannot be deployed in the current state: PAUSED.")
        }
        await #expect(throws: InvalidStateException.self) {
            _ = try await plane.disassociateCustomDomain(DisassociateCustomDomainRequest(serviceArn: arn, domainName: "paused.example.com"))
        }
        // Tags are still allowed.
        _ = try await plane.tagResource(TagResourceRequest(resourceArn: arn, tags: [AppRunner.Tag(key: "team", value: "web")]))
        let deletion = try await plane.deleteService(DeleteServiceRequest(serviceArn: arn))
        #expect(deletion.service.status == .operationInProgress)
        clock.advance(by: 11)
        let deleted = try await service(plane, arn)
        #expect(deleted.status == .deleted)
        // Created at 0 (RUNNING at 10), paused from 11 to 21, deleted from 22 to 32.
        #expect(deleted.deletedAt == start.addingTimeInterval(32))
        await #expect(throws: InvalidStateException.self) { _ = try await plane.deleteService(DeleteServiceRequest(serviceArn: arn)) }
        await #expect(throws: InvalidStateException.self) { _ = try await plane.resumeService(ResumeServiceRequest(serviceArn: arn)) }
        #expect(try await operations(plane, arn).first?.type == .deleteService)
    }

    @Test func aRollbackInFlightFinishesAfterAReopen() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rollback-\(UUID().uuidString).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        var arn = ""
        var updateId = ""
        do {
            let first = try plane(path: path)
            arn = try await running(first, "rolled-back", tags: [AppRunner.Tag(key: LocalFailureTags.failDeployments, value: "true")])
            updateId = try await first.updateService(UpdateServiceRequest(
                serviceArn: arn, instanceConfiguration: InstanceConfiguration(cpu: "4 vCPU", memory: "12 GB"))).operationId
            clock.advance(by: 12)
            #expect(try await operations(first, arn).first?.status == .rollbackInProgress)
        }
        clock.advance(by: 20)
        let second = try plane(path: path)
        let operation = try #require(try await operations(second, arn).first)
        #expect(operation.id == updateId)
        #expect(operation.status == .rollbackSucceeded)
        #expect(operation.endedAt == start.addingTimeInterval(11 + 20))
        let restored = try await service(second, arn)
        #expect(restored.status == .running)
        #expect(restored.instanceConfiguration.cpu == "1024")
        #expect(restored.instanceConfiguration.memory == "2048")
        #expect(try await second.listTagsForResource(ListTagsForResourceRequest(resourceArn: arn)).tags?.first?.key == LocalFailureTags.failDeployments)
    }

    @Test func domainRecordsAreShapedLikeACMAndDisassociationGoesThroughDeleting() async throws {
        let plane = try plane()
        let arn = try await running(plane, "domain-shapes")
        _ = try await plane.associateCustomDomain(AssociateCustomDomainRequest(serviceArn: arn, domainName: "shop.example.org", enableWWWSubdomain: false))
        _ = try await plane.associateCustomDomain(AssociateCustomDomainRequest(serviceArn: arn, domainName: "x\(String(repeating: "y", count: 60)).example.org"))
        clock.advance(by: 5)
        let domains = try await plane.describeCustomDomains(DescribeCustomDomainsRequest(serviceArn: arn)).customDomains
        let shop = try #require(domains.first { $0.domainName == "shop.example.org" })
        #expect(shop.status == .pendingCertificateDnsValidation)
        let records = try #require(shop.certificateValidationRecords)
        #expect(records.count == 2)
        #expect(Self.matches(records[0].name, "_[0-9a-f]{32}\\.shop\\.example\\.org\\."))
        #expect(Self.matches(records[1].name, "_[0-9a-f]{32}\\.2a57j7[a-z0-9]{25}\\.shop\\.example\\.org\\."))
        for record in records {
            #expect(Self.matches(record.value, "_[0-9a-f]{32}\\.[a-z]{10}\\.acm-validations\\.aws\\."))
        }
        let long = try #require(domains.first { $0.domainName.count > 64 })
        #expect(long.status == .createFailed)

        clock.advance(by: 30)
        #expect(try await plane.describeCustomDomains(DescribeCustomDomainsRequest(serviceArn: arn)).customDomains.first?.status == .active)
        let leaving = try await plane.disassociateCustomDomain(DisassociateCustomDomainRequest(serviceArn: arn, domainName: "shop.example.org"))
        #expect(leaving.customDomain.status == .deleting)
        #expect(leaving.customDomain.certificateValidationRecords?.count == 2)
        clock.advance(by: 2)
        let during = try await plane.describeCustomDomains(DescribeCustomDomainsRequest(serviceArn: arn)).customDomains
        #expect(during.first { $0.domainName == "shop.example.org" }?.status == .deleting)
        await #expect(throws: ResourceNotFoundException.self) {
            _ = try await plane.disassociateCustomDomain(DisassociateCustomDomainRequest(serviceArn: arn, domainName: "shop.example.org"))
        }
        clock.advance(by: 20)
        let after = try await plane.describeCustomDomains(DescribeCustomDomainsRequest(serviceArn: arn)).customDomains
        #expect(!after.contains { $0.domainName == "shop.example.org" })
    }

    @Test func revisionsNumberPerNameAndQuotasHold() async throws {
        let plane = try plane()
        for index in 0..<9 {
            _ = try await plane.createAutoScalingConfiguration(CreateAutoScalingConfigurationRequest(autoScalingConfigurationName: "name-\(index)"))
        }
        // DefaultConfiguration is the tenth name.
        do {
            _ = try await plane.createAutoScalingConfiguration(CreateAutoScalingConfigurationRequest(autoScalingConfigurationName: "one-too-many"))
            Issue.record("expected the name quota")
        } catch let error as ServiceQuotaExceededException {
            #expect(error.message.contains("10"))
        }
        let first = try await plane.createAutoScalingConfiguration(CreateAutoScalingConfigurationRequest(autoScalingConfigurationName: "name-0", maxConcurrency: 50))
        let second = try await plane.createAutoScalingConfiguration(CreateAutoScalingConfigurationRequest(autoScalingConfigurationName: "name-0", maxConcurrency: 60))
        #expect(first.autoScalingConfiguration.autoScalingConfigurationRevision == 2)
        let secondArn = try #require(second.autoScalingConfiguration.autoScalingConfigurationArn)
        _ = try await plane.deleteAutoScalingConfiguration(DeleteAutoScalingConfigurationRequest(autoScalingConfigurationArn: secondArn))
        let latest = try await plane.listAutoScalingConfigurations(ListAutoScalingConfigurationsRequest(autoScalingConfigurationName: "name-0", latestOnly: true))
        #expect(latest.autoScalingConfigurationSummaryList.map(\.autoScalingConfigurationRevision) == [2])
        let firstArn = try #require(first.autoScalingConfiguration.autoScalingConfigurationArn)
        let deletedAll = try await plane.deleteAutoScalingConfiguration(DeleteAutoScalingConfigurationRequest(autoScalingConfigurationArn: firstArn, deleteAllRevisions: true))
        #expect(deletedAll.autoScalingConfiguration.status == .inactive)
        let again = try await plane.createAutoScalingConfiguration(CreateAutoScalingConfigurationRequest(autoScalingConfigurationName: "name-0"))
        #expect(again.autoScalingConfiguration.autoScalingConfigurationRevision == 1)
        #expect(again.autoScalingConfiguration.latest == true)

        let defaultArn = "arn:aws:apprunner:us-east-1:123456789012:autoscalingconfiguration/DefaultConfiguration/1/00000000000000000000000000000001"
        await #expect(throws: InvalidRequestException.self) {
            _ = try await plane.deleteAutoScalingConfiguration(DeleteAutoScalingConfigurationRequest(autoScalingConfigurationArn: defaultArn))
        }
        await #expect(throws: ResourceNotFoundException.self) {
            _ = try await plane.describeAutoScalingConfiguration(DescribeAutoScalingConfigurationRequest(
                autoScalingConfigurationArn: defaultArn.replacingOccurrences(of: "0001", with: "0002")))
        }

        let connector = try await plane.createVpcConnector(CreateVpcConnectorRequest(vpcConnectorName: "shared-vpc", subnets: ["subnet-a"]))
        let connector2 = try await plane.createVpcConnector(CreateVpcConnectorRequest(vpcConnectorName: "shared-vpc", subnets: ["subnet-b"]))
        #expect(connector.vpcConnector.vpcConnectorRevision == 1)
        #expect(connector2.vpcConnector.vpcConnectorRevision == 2)
        let tracing = try await plane.createObservabilityConfiguration(CreateObservabilityConfigurationRequest(observabilityConfigurationName: "xray"))
        let tracing2 = try await plane.createObservabilityConfiguration(CreateObservabilityConfigurationRequest(observabilityConfigurationName: "xray"))
        #expect(tracing2.observabilityConfiguration.observabilityConfigurationRevision == 2)
        let oldArn = try #require(tracing.observabilityConfiguration.observabilityConfigurationArn)
        #expect(try await plane.describeObservabilityConfiguration(DescribeObservabilityConfigurationRequest(observabilityConfigurationArn: oldArn)).observabilityConfiguration.latest == false)
    }

    @Test func theDefaultMovesAndPersists() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("default-\(UUID().uuidString).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        var chosen = ""
        do {
            let first = try plane(path: path)
            let created = try await first.createAutoScalingConfiguration(CreateAutoScalingConfigurationRequest(autoScalingConfigurationName: "house-default", maxSize: 3))
            chosen = try #require(created.autoScalingConfiguration.autoScalingConfigurationArn)
            _ = try await first.updateDefaultAutoScalingConfiguration(UpdateDefaultAutoScalingConfigurationRequest(autoScalingConfigurationArn: chosen))
        }
        let second = try plane(path: path)
        let service = try await second.createService(image("uses-new-default")).service
        #expect(service.autoScalingConfigurationSummary.autoScalingConfigurationArn == chosen)
        let defaults = try await second.listAutoScalingConfigurations(ListAutoScalingConfigurationsRequest()).autoScalingConfigurationSummaryList
            .filter { $0.isDefault == true }
        #expect(defaults.map(\.autoScalingConfigurationArn) == [chosen])
        let users = try await second.listServicesForAutoScalingConfiguration(ListServicesForAutoScalingConfigurationRequest(autoScalingConfigurationArn: chosen))
        #expect(users.serviceArnList == [service.serviceArn])
    }
    @Test func theDemoFactoryHasEveryFamilyAndItsInFlightOperationsLand() async throws {
        let plane = try await LocalAppRunner.demo(clock: clock, operationSeconds: 6)
        await plane.stopTicker()
        let summaries = try await plane.listServices(ListServicesRequest()).serviceSummaryList
        #expect(summaries.count >= 12)
        var inFlight: Set<OperationType> = []
        for summary in summaries where summary.status == .operationInProgress {
            if let arn = summary.serviceArn, let type = try await operations(plane, arn).first?.type { inFlight.insert(type) }
        }
        #expect(inFlight.isSuperset(of: [.startDeployment, .pauseService, .resumeService, .createService]))
        let deleted = await plane.services.values.map(\.service).filter { $0.status == .deleted }
        #expect(deleted.count == 1)
        #expect(deleted.first?.deletedAt != nil)
        let ingresses = try await plane.listVpcIngressConnections(ListVpcIngressConnectionsRequest()).vpcIngressConnectionSummaryList
        let ingressArn = try #require(ingresses.first?.vpcIngressConnectionArn)
        #expect(try await plane.describeVpcIngressConnection(DescribeVpcIngressConnectionRequest(vpcIngressConnectionArn: ingressArn)).vpcIngressConnection.status == .available)
        let sources = await plane.services.values.map(\.service.sourceConfiguration)
        #expect(sources.contains { $0.codeRepository != nil } && sources.contains { $0.imageRepository != nil })
        clock.advance(by: 30)
        let after = try await plane.listServices(ListServicesRequest()).serviceSummaryList
        #expect(!after.contains { $0.status == .operationInProgress })
        #expect(Set(after.compactMap(\.status)).isSuperset(of: [.running, .paused, .createFailed]))
    }
    @Test func ingressUpdatesAndDeletesTakeTheirTimeFromWhenTheyStart() async throws {
        let plane = try plane()
        var request = image("private-ledger")
        request.networkConfiguration = NetworkConfiguration(ingressConfiguration: IngressConfiguration(isPubliclyAccessible: false))
        let arn = try await plane.createService(request).service.serviceArn
        clock.advance(by: 11)
        let created = try await plane.createVpcIngressConnection(CreateVpcIngressConnectionRequest(
            serviceArn: arn, vpcIngressConnectionName: "ledger-ingress", ingressVpcConfiguration: IngressVpcConfiguration(vpcId: "vpc-1", vpcEndpointId: "vpce-1")))
        let ingressArn = try #require(created.vpcIngressConnection.vpcIngressConnectionArn)
        func ingressStatus() async throws -> VpcIngressConnectionStatus? {
            try await plane.describeVpcIngressConnection(DescribeVpcIngressConnectionRequest(vpcIngressConnectionArn: ingressArn)).vpcIngressConnection.status
        }
        #expect(try await ingressStatus() == .pendingCreation)
        await #expect(throws: InvalidStateException.self) {
            _ = try await plane.updateVpcIngressConnection(UpdateVpcIngressConnectionRequest(
                vpcIngressConnectionArn: ingressArn, ingressVpcConfiguration: IngressVpcConfiguration(vpcId: "vpc-1", vpcEndpointId: "vpce-2")))
        }
        clock.advance(by: 100)
        #expect(try await ingressStatus() == .available)
        let dns = try await plane.describeCustomDomains(DescribeCustomDomainsRequest(serviceArn: arn)).vpcDNSTargets
        #expect(dns.map(\.vpcIngressConnectionArn) == [ingressArn])
        let updated = try await plane.updateVpcIngressConnection(UpdateVpcIngressConnectionRequest(
            vpcIngressConnectionArn: ingressArn, ingressVpcConfiguration: IngressVpcConfiguration(vpcId: "vpc-1", vpcEndpointId: "vpce-2")))
        #expect(updated.vpcIngressConnection.status == .pendingUpdate)
        clock.advance(by: 5)
        #expect(try await ingressStatus() == .pendingUpdate)
        clock.advance(by: 6)
        #expect(try await ingressStatus() == .available)
        #expect(try await plane.describeVpcIngressConnection(DescribeVpcIngressConnectionRequest(vpcIngressConnectionArn: ingressArn))
            .vpcIngressConnection.ingressVpcConfiguration?.vpcEndpointId == "vpce-2")
        _ = try await plane.deleteVpcIngressConnection(DeleteVpcIngressConnectionRequest(vpcIngressConnectionArn: ingressArn))
        clock.advance(by: 5)
        #expect(try await ingressStatus() == .pendingDeletion)
        clock.advance(by: 6)
        #expect(try await ingressStatus() == .deleted)
        #expect(try await plane.listVpcIngressConnections(ListVpcIngressConnectionsRequest()).vpcIngressConnectionSummaryList.isEmpty)
    }

    @Test func anUpdateAnswersWithTheWholeAutoScalingSummary() async throws {
        let plane = try plane()
        let arn = try await running(plane, "rescaled-service")
        let scaling = try await plane.createAutoScalingConfiguration(CreateAutoScalingConfigurationRequest(autoScalingConfigurationName: "rescale", maxSize: 4))
        let scalingArn = try #require(scaling.autoScalingConfiguration.autoScalingConfigurationArn)
        let answer = try await plane.updateService(UpdateServiceRequest(serviceArn: arn, autoScalingConfigurationArn: scalingArn))
        #expect(answer.service.status == .operationInProgress)
        #expect(answer.service.autoScalingConfigurationSummary.autoScalingConfigurationName == "rescale")
        #expect(answer.service.autoScalingConfigurationSummary.autoScalingConfigurationRevision == 1)
        clock.advance(by: 11)
        let users = try await plane.listServicesForAutoScalingConfiguration(ListServicesForAutoScalingConfigurationRequest(autoScalingConfigurationArn: scalingArn))
        #expect(users.serviceArnList == [arn])
    }
    @Test func aStateFileServesOneControlPlaneAtATime() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("locked-\(UUID().uuidString).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        var first: LocalAppRunner? = try plane(path: path)
        let arn = try #require(try await first?.createService(image("locked-service")).service.serviceArn)
        do {
            _ = try plane(path: path)
            Issue.record("expected the state file to be refused while in use")
        } catch let error as LocalStoreError {
            #expect("\(error)".contains("already running"))
        }
        first = nil
        let second = try plane(path: path)
        #expect(try await service(second, arn).serviceName == "locked-service")
        // A file that is not SQLite is refused, and leaves the lock free.
        let junk = path + ".junk"
        defer { for suffix in ["", ".lock"] { try? FileManager.default.removeItem(atPath: junk + suffix) } }
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: junk))
        #expect(throws: (any Error).self) { _ = try plane(path: junk) }
        #expect(throws: (any Error).self) { _ = try plane(path: junk) }
        try FileManager.default.removeItem(atPath: junk)
        _ = try plane(path: junk)
    }
    @Test func theLockFollowsTheFileNotItsName() async throws {
        // Issue 16 item 4: a second control plane on a symlink or a hard link to a file in use must be
        // refused, or each would overwrite the other's records.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("linked-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/state.sqlite"
        let holder = try plane(path: path)
        _ = try await holder.createService(image("held-service"))
        try FileManager.default.createSymbolicLink(atPath: directory + "/symlink.sqlite", withDestinationPath: path)
        try FileManager.default.linkItem(atPath: path, toPath: directory + "/hardlink.sqlite")
        for other in [directory + "/symlink.sqlite", directory + "/hardlink.sqlite"] {
            do {
                _ = try plane(path: other)
                Issue.record("expected \(other) to be refused while \(path) is in use")
            } catch let error as LocalStoreError {
                #expect("\(error)".contains("already running"))
                #expect("\(error)".contains("pid \(getpid())"))
            }
        }
        // Issue 16 item 9: no shared-memory file for SQLite to fault on (SIGBUS when it cannot be written).
        #expect(!FileManager.default.fileExists(atPath: path + "-shm"))
        #expect(try await holder.listServices(ListServicesRequest()).serviceSummaryList.count == 1)
    }
    @Test func anUnwritableSharedMemoryFileIsNeverTouched() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("shm-\(UUID().uuidString).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        // A -shm that cannot be mapped (a directory): SQLite with a shared-memory WAL index fails on it.
        try FileManager.default.createDirectory(atPath: path + "-shm", withIntermediateDirectories: false)
        let plane = try plane(path: path)
        let arn = try await plane.createService(image("no-shm")).service.serviceArn
        #expect(try await service(plane, arn).serviceName == "no-shm")
    }
    @Test func aChangeThatCannotBeStoredIsNotAccepted() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("readonly-\(UUID().uuidString).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let plane = try plane(path: path)
        let kept = try await plane.createService(image("stored-service")).service.serviceArn
        try await plane.store.setReadOnly(true)
        do {
            _ = try await plane.createService(image("unstored-service"))
            Issue.record("expected InternalServiceErrorException")
        } catch let error as InternalServiceErrorException {
            #expect(error.message.contains("could not be stored"))
        }
        await #expect(throws: InternalServiceErrorException.self) {
            _ = try await plane.tagResource(TagResourceRequest(resourceArn: kept, tags: [AppRunner.Tag(key: "lost", value: "yes")]))
        }
        // Memory matches the file: the refused service and tag are not there; reads still work.
        let names = try await plane.listServices(ListServicesRequest()).serviceSummaryList.compactMap(\.serviceName)
        #expect(names == ["stored-service"])
        #expect(try await plane.listTagsForResource(ListTagsForResourceRequest(resourceArn: kept)).tags?.isEmpty != false)
        try await plane.store.setReadOnly(false)
        _ = try await plane.createService(image("unstored-service"))
        #expect(try await plane.listServices(ListServicesRequest()).serviceSummaryList.count == 2)
    }
    @Test func aWildcardDomainIsValidatedOnItsBaseName() async throws {
        let plane = try plane()
        let arn = try await running(plane, "wildcard-service")
        _ = try await plane.associateCustomDomain(AssociateCustomDomainRequest(serviceArn: arn, domainName: "*.apps.example.net"))
        clock.advance(by: 5)
        let domain = try #require(try await plane.describeCustomDomains(DescribeCustomDomainsRequest(serviceArn: arn)).customDomains.first)
        #expect(domain.domainName == "*.apps.example.net")
        let names = (domain.certificateValidationRecords ?? []).compactMap(\.name)
        #expect(names.count == 2)
        #expect(names.allSatisfy { Self.matches($0, "_[0-9a-f]{32}\\.(2a57j7[a-z0-9]{25}\\.)?apps\\.example\\.net\\.") })
    }
}
