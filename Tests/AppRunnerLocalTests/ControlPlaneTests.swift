import AWSCore
import AppRunner
import Foundation
import Testing

@testable import AppRunnerLocal

/// The control plane's state machine, driven by a manual clock.
@Suite(.timeLimit(.minutes(5))) struct ControlPlaneTests {
    let clock = ManualClock()

    func plane(_ options: LocalOptions = LocalOptions(operationSeconds: 10, domainValidationSeconds: 20), path: String? = nil) throws -> LocalAppRunner {
        try LocalAppRunner(options: options, path: path, clock: clock)
    }

    func image(_ name: String, tags: [AppRunner.Tag]? = nil) -> CreateServiceRequest {
        CreateServiceRequest(serviceName: name, sourceConfiguration: SourceConfiguration(
            imageRepository: ImageRepository(imageIdentifier: "public.ecr.aws/aws-containers/hello-app-runner:latest", imageRepositoryType: .ecrPublic)),
            tags: tags)
    }

    func status(_ plane: LocalAppRunner, _ arn: String) async throws -> ServiceStatus {
        try await plane.describeService(DescribeServiceRequest(serviceArn: arn)).service.status
    }

    func operations(_ plane: LocalAppRunner, _ arn: String) async throws -> [OperationSummary] {
        try await plane.listOperations(ListOperationsRequest(serviceArn: arn)).operationSummaryList ?? []
    }

    @Test func createGoesPendingInProgressSucceededAndLandsRunning() async throws {
        let plane = try plane()
        let created = try await plane.createService(image("my-service"))
        let arn = created.service.serviceArn
        #expect(created.service.status == .operationInProgress)
        #expect(arn.hasPrefix("arn:aws:apprunner:us-east-1:123456789012:service/my-service/"))
        #expect(created.service.serviceId.count == 32)
        #expect(created.service.serviceUrl?.hasSuffix(".us-east-1.awsapprunner.com") == true)
        #expect(created.service.instanceConfiguration.cpu == "1024")
        #expect(created.service.healthCheckConfiguration?.unhealthyThreshold == 5)
        #expect(created.service.autoScalingConfigurationSummary.autoScalingConfigurationName == "DefaultConfiguration")
        #expect(try await operations(plane, arn).first?.status == .pending)
        clock.advance(by: 2)
        #expect(try await operations(plane, arn).first?.status == .inProgress)
        #expect(try await status(plane, arn) == .operationInProgress)
        clock.advance(by: 9)
        let done = try #require(try await operations(plane, arn).first)
        #expect(done.status == .succeeded)
        #expect(done.id == created.operationId)
        #expect(done.type == .createService)
        #expect(done.endedAt != nil)
        #expect(try await status(plane, arn) == .running)
    }

    @Test func changesAreRefusedWhileAnOperationRuns() async throws {
        let plane = try plane()
        let arn = try await plane.createService(image("busy-service")).service.serviceArn
        do {
            _ = try await plane.pauseService(PauseServiceRequest(serviceArn: arn))
            Issue.record("expected InvalidStateException")
        } catch let error as InvalidStateException {
            #expect(error.message == "Service cannot be paused in the current state: OPERATION_IN_PROGRESS.")
        }
        await #expect(throws: InvalidStateException.self) { _ = try await plane.deleteService(DeleteServiceRequest(serviceArn: arn)) }
        await #expect(throws: InvalidStateException.self) { _ = try await plane.startDeployment(StartDeploymentRequest(serviceArn: arn)) }
    }

    @Test func pauseResumeAndTheirIdempotentForms() async throws {
        let plane = try plane()
        let arn = try await plane.createService(image("pausable")).service.serviceArn
        clock.advance(by: 11)
        let paused = try await plane.pauseService(PauseServiceRequest(serviceArn: arn))
        #expect(paused.operationId != nil)
        clock.advance(by: 11)
        #expect(try await status(plane, arn) == .paused)
        let again = try await plane.pauseService(PauseServiceRequest(serviceArn: arn))
        #expect(again.operationId == nil)
        await #expect(throws: InvalidStateException.self) { _ = try await plane.startDeployment(StartDeploymentRequest(serviceArn: arn)) }
        await #expect(throws: InvalidStateException.self) {
            _ = try await plane.associateCustomDomain(AssociateCustomDomainRequest(serviceArn: arn, domainName: "example.com"))
        }
        let resumed = try await plane.resumeService(ResumeServiceRequest(serviceArn: arn))
        #expect(resumed.operationId != nil)
        clock.advance(by: 11)
        #expect(try await status(plane, arn) == .running)
        #expect(try await plane.resumeService(ResumeServiceRequest(serviceArn: arn)).operationId == nil)
        let types = try await operations(plane, arn).map(\.type)
        #expect(types == [.resumeService, .pauseService, .createService])
    }

    @Test func aFailedDeploymentRollsBackToRunning() async throws {
        let plane = try plane()
        let arn = try await plane.createService(image("rolling")).service.serviceArn
        clock.advance(by: 11)
        try await plane.failNextDeployment(of: arn)
        let id = try await plane.startDeployment(StartDeploymentRequest(serviceArn: arn)).operationId
        clock.advance(by: 5)
        #expect(try await operations(plane, arn).first?.status == .inProgress)
        clock.advance(by: 10)
        #expect(try await operations(plane, arn).first?.status == .rollbackInProgress)
        #expect(try await status(plane, arn) == .operationInProgress)
        clock.advance(by: 10)
        let operation = try #require(try await operations(plane, arn).first)
        #expect(operation.id == id)
        #expect(operation.status == .rollbackSucceeded)
        #expect(try await status(plane, arn) == .running)
    }

    @Test func anUpdateThatFailsKeepsThePreviousConfiguration() async throws {
        let plane = try plane()
        let arn = try await plane.createService(image("updatable", tags: [AppRunner.Tag(key: LocalFailureTags.failDeployments, value: "true")])).service.serviceArn
        clock.advance(by: 11)
        _ = try await plane.updateService(UpdateServiceRequest(serviceArn: arn, instanceConfiguration: InstanceConfiguration(cpu: "2 vCPU", memory: "4 GB")))
        clock.advance(by: 25)
        let service = try await plane.describeService(DescribeServiceRequest(serviceArn: arn)).service
        #expect(service.status == .running)
        #expect(service.instanceConfiguration.cpu == "1024")
        _ = try await plane.untagResource(UntagResourceRequest(resourceArn: arn, tagKeys: [LocalFailureTags.failDeployments]))
        _ = try await plane.updateService(UpdateServiceRequest(serviceArn: arn, instanceConfiguration: InstanceConfiguration(cpu: "2 vCPU", memory: "4 GB")))
        clock.advance(by: 11)
        let updated = try await plane.describeService(DescribeServiceRequest(serviceArn: arn)).service
        #expect(updated.instanceConfiguration.cpu == "2048")
        #expect(updated.instanceConfiguration.memory == "4096")
    }

    @Test func aFailedCreateEndsInCreateFailedAndAnUpdateFixesIt() async throws {
        let plane = try plane()
        let arn = try await plane.createService(image("broken", tags: [AppRunner.Tag(key: LocalFailureTags.failCreate, value: "true")])).service.serviceArn
        clock.advance(by: 11)
        #expect(try await status(plane, arn) == .createFailed)
        #expect(try await operations(plane, arn).first?.status == .failed)
        _ = try await plane.updateService(UpdateServiceRequest(serviceArn: arn))
        clock.advance(by: 11)
        #expect(try await status(plane, arn) == .running)
    }

    @Test func aDeletedServiceStillDescribesAsDeleted() async throws {
        let plane = try plane()
        let arn = try await plane.createService(image("goner")).service.serviceArn
        clock.advance(by: 11)
        _ = try await plane.deleteService(DeleteServiceRequest(serviceArn: arn))
        clock.advance(by: 11)
        let service = try await plane.describeService(DescribeServiceRequest(serviceArn: arn)).service
        #expect(service.status == .deleted)
        #expect(service.deletedAt != nil)
        #expect(try await plane.listServices(ListServicesRequest()).serviceSummaryList.isEmpty)
        // The name can be used again.
        _ = try await plane.createService(image("goner"))
    }

    @Test func validatesCpuMemoryAndDuplicateNames() async throws {
        let plane = try plane()
        var request = image("sized")
        request.instanceConfiguration = InstanceConfiguration(cpu: "4 vCPU", memory: "2 GB")
        await #expect(throws: InvalidRequestException.self) { _ = try await plane.createService(request) }
        _ = try await plane.createService(image("sized"))
        await #expect(throws: InvalidRequestException.self) { _ = try await plane.createService(image("sized")) }
    }

    @Test func customDomainsWaitForValidation() async throws {
        let plane = try plane()
        let arn = try await plane.createService(image("with-domains")).service.serviceArn
        clock.advance(by: 11)
        let associated = try await plane.associateCustomDomain(AssociateCustomDomainRequest(serviceArn: arn, domainName: "example.com"))
        #expect(associated.customDomain.status == .creating)
        #expect(associated.customDomain.certificateValidationRecords == nil)
        #expect(associated.dnsTarget == (try await plane.describeService(DescribeServiceRequest(serviceArn: arn)).service.serviceUrl))
        clock.advance(by: 5)
        var domain = try #require(try await plane.describeCustomDomains(DescribeCustomDomainsRequest(serviceArn: arn)).customDomains.first)
        #expect(domain.status == .pendingCertificateDnsValidation)
        let records = try #require(domain.certificateValidationRecords)
        #expect(records.count == 3)
        for record in records {
            #expect(record.type == "CNAME")
            #expect(record.status == .pendingValidation)
            #expect(record.name?.hasPrefix("_") == true && record.name?.hasSuffix(".example.com.") == true)
            #expect(record.value?.hasSuffix(".acm-validations.aws.") == true)
        }
        #expect(records.contains { $0.name?.hasSuffix(".www.example.com.") == true })
        clock.advance(by: 16)
        domain = try #require(try await plane.describeCustomDomains(DescribeCustomDomainsRequest(serviceArn: arn)).customDomains.first)
        #expect(domain.status == .bindingCertificate)
        clock.advance(by: 10)
        domain = try #require(try await plane.describeCustomDomains(DescribeCustomDomainsRequest(serviceArn: arn)).customDomains.first)
        #expect(domain.status == .active)
        #expect(domain.certificateValidationRecords?.allSatisfy { $0.status == .success } == true)

        do {
            _ = try await plane.associateCustomDomain(AssociateCustomDomainRequest(serviceArn: arn, domainName: "example.com"))
            Issue.record("expected a duplicate error")
        } catch let error as InvalidRequestException {
            #expect(error.message.contains("example.com is already associated with"))
        }
        let withoutWWW = try await plane.associateCustomDomain(AssociateCustomDomainRequest(serviceArn: arn, domainName: "api.example.com", enableWWWSubdomain: false))
        #expect(withoutWWW.customDomain.enableWWWSubdomain == false)
        clock.advance(by: 5)
        let page = try await plane.describeCustomDomains(DescribeCustomDomainsRequest(serviceArn: arn, maxResults: 1))
        #expect(page.customDomains.count == 1)
        let second = try await plane.describeCustomDomains(DescribeCustomDomainsRequest(serviceArn: arn, nextToken: page.nextToken, maxResults: 1))
        #expect(second.customDomains.first?.certificateValidationRecords?.count == 2)
        for name in ["a.example.com", "b.example.com", "c.example.com"] {
            _ = try await plane.associateCustomDomain(AssociateCustomDomainRequest(serviceArn: arn, domainName: name))
        }
        await #expect(throws: InvalidRequestException.self) {
            _ = try await plane.associateCustomDomain(AssociateCustomDomainRequest(serviceArn: arn, domainName: "f.example.com"))
        }
        let gone = try await plane.disassociateCustomDomain(DisassociateCustomDomainRequest(serviceArn: arn, domainName: "example.com"))
        #expect(gone.customDomain.status == .deleting)
        clock.advance(by: 11)
        let left = try await plane.describeCustomDomains(DescribeCustomDomainsRequest(serviceArn: arn)).customDomains.map(\.domainName)
        #expect(!left.contains("example.com"))
        do {
            _ = try await plane.disassociateCustomDomain(DisassociateCustomDomainRequest(serviceArn: arn, domainName: "nope.example.com"))
            Issue.record("expected not found")
        } catch let error as ResourceNotFoundException {
            #expect(error.message == "No custom domain nope.example.com found for the provided service")
        }
    }

    @Test func autoScalingRevisionsLatestDefaultAndQuotas() async throws {
        let plane = try plane()
        let first = try await plane.createAutoScalingConfiguration(CreateAutoScalingConfigurationRequest(autoScalingConfigurationName: "busy", maxSize: 10))
        let second = try await plane.createAutoScalingConfiguration(CreateAutoScalingConfigurationRequest(autoScalingConfigurationName: "busy", maxSize: 20))
        #expect(first.autoScalingConfiguration.autoScalingConfigurationRevision == 1)
        #expect(second.autoScalingConfiguration.autoScalingConfigurationRevision == 2)
        #expect(second.autoScalingConfiguration.latest == true)
        let firstArn = try #require(first.autoScalingConfiguration.autoScalingConfigurationArn)
        #expect(try await plane.describeAutoScalingConfiguration(DescribeAutoScalingConfigurationRequest(autoScalingConfigurationArn: firstArn)).autoScalingConfiguration.latest == false)
        for _ in 0..<3 {
            _ = try await plane.createAutoScalingConfiguration(CreateAutoScalingConfigurationRequest(autoScalingConfigurationName: "busy"))
        }
        do {
            _ = try await plane.createAutoScalingConfiguration(CreateAutoScalingConfigurationRequest(autoScalingConfigurationName: "busy"))
            Issue.record("expected the revision quota")
        } catch let error as ServiceQuotaExceededException {
            #expect(error.message == "you exceeded your account's revision quota: 5")
        }
        let list = try await plane.listAutoScalingConfigurations(ListAutoScalingConfigurationsRequest())
        let defaults = list.autoScalingConfigurationSummaryList.filter { $0.isDefault == true }
        #expect(defaults.map(\.autoScalingConfigurationName) == ["DefaultConfiguration"])
        #expect(defaults.first?.autoScalingConfigurationArn?.hasSuffix("autoscalingconfiguration/DefaultConfiguration/1/00000000000000000000000000000001") == true)

        var request = image("scaled")
        request.autoScalingConfigurationArn = firstArn
        let service = try await plane.createService(request).service
        await #expect(throws: InvalidRequestException.self) {
            _ = try await plane.deleteAutoScalingConfiguration(DeleteAutoScalingConfigurationRequest(autoScalingConfigurationArn: firstArn))
        }
        #expect(try await plane.listServicesForAutoScalingConfiguration(ListServicesForAutoScalingConfigurationRequest(autoScalingConfigurationArn: firstArn)).serviceArnList == [service.serviceArn])
        let moved = try await plane.updateDefaultAutoScalingConfiguration(UpdateDefaultAutoScalingConfigurationRequest(autoScalingConfigurationArn: firstArn))
        #expect(moved.autoScalingConfiguration.isDefault == true)
        let after = try await plane.listAutoScalingConfigurations(ListAutoScalingConfigurationsRequest())
        #expect(after.autoScalingConfigurationSummaryList.filter { $0.isDefault == true }.map(\.autoScalingConfigurationArn) == [firstArn])
    }

    @Test func everyResourceFamilyAndTags() async throws {
        let plane = try plane()
        let connection = try await plane.createConnection(CreateConnectionRequest(connectionName: "github-x", providerType: .github, tags: [AppRunner.Tag(key: "a", value: "1")]))
        #expect(connection.connection.status == .pendingHandshake)
        let connectionArn = try #require(connection.connection.connectionArn)
        #expect(try await plane.listTagsForResource(ListTagsForResourceRequest(resourceArn: connectionArn)).tags == [AppRunner.Tag(key: "a", value: "1")])
        _ = try await plane.tagResource(TagResourceRequest(resourceArn: connectionArn, tags: [AppRunner.Tag(key: "b", value: "2"), AppRunner.Tag(key: "a", value: "3")]))
        #expect(try await plane.listTagsForResource(ListTagsForResourceRequest(resourceArn: connectionArn)).tags == [AppRunner.Tag(key: "a", value: "3"), AppRunner.Tag(key: "b", value: "2")])
        #expect(try await plane.deleteConnection(DeleteConnectionRequest(connectionArn: connectionArn)).connection?.status == .deleted)
        await #expect(throws: ResourceNotFoundException.self) {
            _ = try await plane.listTagsForResource(ListTagsForResourceRequest(resourceArn: connectionArn))
        }

        let connector = try await plane.createVpcConnector(CreateVpcConnectorRequest(vpcConnectorName: "vpc-one", subnets: ["subnet-1"]))
        #expect(connector.vpcConnector.status == .active)
        #expect(connector.vpcConnector.vpcConnectorRevision == 1)
        let observability = try await plane.createObservabilityConfiguration(CreateObservabilityConfigurationRequest(
            observabilityConfigurationName: "tracing", traceConfiguration: TraceConfiguration(vendor: .awsxray)))
        #expect(observability.observabilityConfiguration.latest == true)

        var request = image("private-svc")
        request.networkConfiguration = NetworkConfiguration(ingressConfiguration: IngressConfiguration(isPubliclyAccessible: false))
        let arn = try await plane.createService(request).service.serviceArn
        clock.advance(by: 11)
        let ingress = try await plane.createVpcIngressConnection(CreateVpcIngressConnectionRequest(
            serviceArn: arn, vpcIngressConnectionName: "ingress-one", ingressVpcConfiguration: IngressVpcConfiguration(vpcId: "vpc-1", vpcEndpointId: "vpce-1")))
        #expect(ingress.vpcIngressConnection.status == .pendingCreation)
        let ingressArn = try #require(ingress.vpcIngressConnection.vpcIngressConnectionArn)
        clock.advance(by: 11)
        #expect(try await plane.describeVpcIngressConnection(DescribeVpcIngressConnectionRequest(vpcIngressConnectionArn: ingressArn)).vpcIngressConnection.status == .available)
        await #expect(throws: InvalidRequestException.self) { _ = try await plane.deleteService(DeleteServiceRequest(serviceArn: arn)) }
        _ = try await plane.deleteVpcIngressConnection(DeleteVpcIngressConnectionRequest(vpcIngressConnectionArn: ingressArn))
        clock.advance(by: 11)
        _ = try await plane.deleteService(DeleteServiceRequest(serviceArn: arn))
        let deleted = try await plane.deleteVpcConnector(DeleteVpcConnectorRequest(vpcConnectorArn: try #require(connector.vpcConnector.vpcConnectorArn)))
        #expect(deleted.vpcConnector.status == .inactive)
    }

    @Test func pagesWithOpaqueTokens() async throws {
        let plane = try plane()
        for index in 0..<5 { _ = try await plane.createService(image("paged-\(index)")) }
        var names: [String] = []
        var token: String?
        var pages = 0
        repeat {
            pages += 1
            let page = try await plane.listServices(ListServicesRequest(nextToken: token, maxResults: 2))
            #expect(page.serviceSummaryList.count <= 2)
            names += page.serviceSummaryList.compactMap(\.serviceName)
            token = page.nextToken
        } while token != nil && pages < 10
        #expect(token == nil, "still paging after 10 pages")
        #expect(names.sorted() == (0..<5).map { "paged-\($0)" })
        await #expect(throws: InvalidRequestException.self) {
            _ = try await plane.listServices(ListServicesRequest(nextToken: "garbage"))
        }
    }

    @Test func everythingSurvivesAReopenAndInFlightOperationsFinish() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("local-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var arn = ""
        var operationId = ""
        do {
            let first = try plane(path: path)
            let created = try await first.createService(image("durable"))
            arn = created.service.serviceArn
            operationId = created.operationId
            _ = try await first.createAutoScalingConfiguration(CreateAutoScalingConfigurationRequest(autoScalingConfigurationName: "kept"))
        }
        clock.advance(by: 30)
        let second = try plane(path: path)
        #expect(try await status(second, arn) == .running)
        let operation = try #require(try await operations(second, arn).first)
        #expect(operation.id == operationId)
        #expect(operation.status == .succeeded)
        let names = try await second.listAutoScalingConfigurations(ListAutoScalingConfigurationsRequest()).autoScalingConfigurationSummaryList.compactMap(\.autoScalingConfigurationName)
        #expect(names.contains("kept"))
    }

    @Test func theDemoFleetShowsEveryState() async throws {
        let plane = try LocalAppRunner(options: LocalOptions(operationSeconds: 6, failureProbability: 0), clock: clock)
        try await plane.seedDemoFleetIfEmpty()
        let services = try await plane.listServices(ListServicesRequest()).serviceSummaryList
        #expect(services.count >= 11)
        let statuses = Set(services.compactMap(\.status))
        #expect(statuses.isSuperset(of: [.running, .paused, .operationInProgress, .createFailed]))
        var sawRollback = false
        var sawPendingDomain = false
        for service in services {
            guard let arn = service.serviceArn else { continue }
            if try await operations(plane, arn).contains(where: { $0.status == .rollbackSucceeded }) { sawRollback = true }
            let domains = try await plane.describeCustomDomains(DescribeCustomDomainsRequest(serviceArn: arn)).customDomains
            if domains.contains(where: { $0.status == .pendingCertificateDnsValidation }) { sawPendingDomain = true }
        }
        #expect(sawRollback)
        #expect(sawPendingDomain)
    }
}

/// The HTTP endpoint: real requests on loopback through the real client.
@Suite(.timeLimit(.minutes(5))) struct EndpointTests {
    @Test func servesTheClientAndRefusesBadSignatures() async throws {
        let credentials = AWSCredentials(accessKeyId: "AKIDLOCAL", secretAccessKey: "local-secret")
        // Operations outlast the test (60 s), so the pause below meets one in progress even on a slow run.
        let server = try await startLocalServer(LocalServerConfiguration(options: LocalOptions(operationSeconds: 60), credentials: credentials))
        defer { server.stop() }
        let endpoint = server.endpoint

        func client(_ credentials: AWSCredentials, now: @escaping @Sendable () -> Date = { Date() }) -> AWSJSONClient {
            AWSJSONClient(service: .appRunner, region: "us-east-1", endpoint: endpoint, credentials: StaticCredentialProvider(credentials),
                          userAgent: "runnerdeck/test", retry: AWSRetryStrategy(maxAttempts: 1), environment: [:], now: now)
        }
        let good = client(credentials)
        let api = AppRunnerClient(transport: good)
        let created = try await api.createService(CreateServiceRequest(serviceName: "over-http", sourceConfiguration: SourceConfiguration(
            imageRepository: ImageRepository(imageIdentifier: "public.ecr.aws/aws-containers/hello-app-runner:latest", imageRepositoryType: .ecrPublic))))
        #expect(created.service.status == .operationInProgress)
        do {
            _ = try await api.pauseService(PauseServiceRequest(serviceArn: created.service.serviceArn))
            Issue.record("expected InvalidStateException")
        } catch let error as InvalidStateException {
            #expect(error.message.contains("OPERATION_IN_PROGRESS"))
            #expect(error.requestId != nil)
        }
        try await good.shutdown()

        for (bad, code) in [
            (client(AWSCredentials(accessKeyId: "AKIDOTHER", secretAccessKey: "local-secret")), "UnrecognizedClientException"),
            (client(AWSCredentials(accessKeyId: "AKIDLOCAL", secretAccessKey: "wrong")), "InvalidSignatureException"),
            (client(credentials, now: { Date().addingTimeInterval(-900) }), "InvalidSignatureException"),
        ] {
            do {
                _ = try await AppRunnerClient(transport: bad).listServices(ListServicesRequest())
                Issue.record("expected \(code)")
            } catch let error as AWSResponseError {
                #expect(error.code == code)
                #expect(error.statusCode == 403)
            }
            try await bad.shutdown()
        }
    }
}
