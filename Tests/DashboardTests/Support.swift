import AWSCore
import AppRunner
import Dashboard
import RunnerDeckKit
import Foundation

/// TEST DOUBLE (not Local App Runner): a tiny in-memory App Runner for store tests. Operations end
/// `operationSeconds` after they start, measured on the injected clock. Only the calls the
/// dashboard makes are implemented; the others throw.
actor FakeAppRunner: AppRunnerAPI {
    struct Record {
        var service: Service
        var operations: [OperationSummary] = []  // newest first
        var pendingStatus: ServiceStatus?
        var domains: [CustomDomain] = []
    }

    let clock: any WallClock
    var operationSeconds: Double = 30
    private var records: [String: Record] = [:]
    private var order: [String] = []
    private(set) var calls: [String] = []
    private var failures: [AWSResponseError] = []
    let region = "us-east-1"

    init(clock: any WallClock) { self.clock = clock }

    func failNext(_ count: Int, code: String = "ThrottlingException", message: String = "Rate exceeded") {
        failures += Array(repeating: AWSResponseError(code: code, message: message, statusCode: 400), count: count)
    }

    func resetCalls() { calls = [] }
    func setOperationSeconds(_ seconds: Double) { operationSeconds = seconds }

    @discardableResult
    func addService(_ name: String, status: ServiceStatus = .running, image: String = "public.ecr.aws/nginx/nginx:latest",
                    env: [String: String] = [:]) -> String {
        let id = String(repeating: String(name.count % 10), count: 32)
        let arn = "arn:aws:apprunner:\(region):123456789012:service/\(name)/\(id)"
        let now = clock.now()
        let service = Service(
            serviceName: name, serviceId: id, serviceArn: arn, serviceUrl: "\(name.prefix(10).lowercased()).\(region).awsapprunner.com",
            createdAt: now.addingTimeInterval(-3600), updatedAt: now.addingTimeInterval(-600), status: status,
            sourceConfiguration: SourceConfiguration(imageRepository: ImageRepository(imageIdentifier: image, imageConfiguration: ImageConfiguration(runtimeEnvironmentVariables: env, port: "8080"), imageRepositoryType: .ecrPublic)),
            instanceConfiguration: InstanceConfiguration(cpu: "1024", memory: "2048"),
            autoScalingConfigurationSummary: AutoScalingConfigurationSummary(autoScalingConfigurationArn: "arn:aws:apprunner:\(region):123456789012:autoscalingconfiguration/DefaultConfiguration/1/00000000000000000000000000000001", autoScalingConfigurationName: "DefaultConfiguration", autoScalingConfigurationRevision: 1, isDefault: true),
            networkConfiguration: NetworkConfiguration(egressConfiguration: EgressConfiguration(egressType: .default))
        )
        records[arn] = Record(service: service, operations: [
            OperationSummary(id: UUID().uuidString.lowercased(), type: .createService, status: .succeeded, targetArn: arn,
                             startedAt: now.addingTimeInterval(-3600), endedAt: now.addingTimeInterval(-3400), updatedAt: now.addingTimeInterval(-3400)),
        ])
        order.append(arn)
        return arn
    }

    private func gate(_ name: String) throws {
        calls.append(name)
        advance()
        if !failures.isEmpty { throw failures.removeFirst() }
    }

    /// Ends operations whose time has come.
    private func advance() {
        let now = clock.now()
        for arn in order {
            guard var record = records[arn], let first = record.operations.first, !first.isFinal,
                  let started = first.startedAt, now.timeIntervalSince(started) >= operationSeconds else { continue }
            record.operations[0].status = .succeeded
            record.operations[0].endedAt = started.addingTimeInterval(operationSeconds)
            record.operations[0].updatedAt = record.operations[0].endedAt
            record.service.status = record.pendingStatus ?? .running
            record.service.updatedAt = started.addingTimeInterval(operationSeconds)
            record.pendingStatus = nil
            records[arn] = record
        }
    }

    private func record(_ arn: String) throws -> Record {
        guard let record = records[arn] else { throw ResourceNotFoundException(message: "Service not found: \(arn)", requestId: nil) }
        return record
    }

    private func start(_ type: OperationType, on arn: String, ending status: ServiceStatus) throws -> String {
        var record = try record(arn)
        guard record.service.status != .operationInProgress else {
            throw InvalidStateException(message: "Service cannot be changed in the current state: OPERATION_IN_PROGRESS.", requestId: nil)
        }
        let id = UUID().uuidString.lowercased()
        let now = clock.now()
        record.operations.insert(OperationSummary(id: id, type: type, status: .inProgress, targetArn: arn, startedAt: now, updatedAt: now), at: 0)
        record.service.status = .operationInProgress
        record.service.updatedAt = now
        record.pendingStatus = status
        records[arn] = record
        return id
    }

    private func summary(_ s: Service) -> ServiceSummary {
        ServiceSummary(serviceName: s.serviceName, serviceId: s.serviceId, serviceArn: s.serviceArn, serviceUrl: s.serviceUrl,
                       createdAt: s.createdAt, updatedAt: s.updatedAt, status: s.status)
    }

    func status(of arn: String) -> ServiceStatus? { records[arn]?.service.status }

    // MARK: AppRunnerAPI (used by the dashboard)

    func listServices(_ input: ListServicesRequest) async throws -> ListServicesResponse {
        try gate("ListServices")
        let start = Int(input.nextToken ?? "0") ?? 0
        let size = input.maxResults ?? 20
        let page = order.dropFirst(start).prefix(size).compactMap { records[$0].map { summary($0.service) } }
        let next = start + size < order.count ? String(start + size) : nil
        return ListServicesResponse(serviceSummaryList: page, nextToken: next)
    }

    func describeService(_ input: DescribeServiceRequest) async throws -> DescribeServiceResponse {
        try gate("DescribeService")
        return DescribeServiceResponse(service: try record(input.serviceArn).service)
    }

    func listOperations(_ input: ListOperationsRequest) async throws -> ListOperationsResponse {
        try gate("ListOperations")
        let ops = try record(input.serviceArn).operations
        return ListOperationsResponse(operationSummaryList: Array(ops.prefix(input.maxResults ?? 20)))
    }

    func describeCustomDomains(_ input: DescribeCustomDomainsRequest) async throws -> DescribeCustomDomainsResponse {
        try gate("DescribeCustomDomains")
        let r = try record(input.serviceArn)
        return DescribeCustomDomainsResponse(dnsTarget: r.service.serviceUrl ?? "", serviceArn: input.serviceArn, customDomains: r.domains, vpcDNSTargets: [])
    }

    func listTagsForResource(_ input: ListTagsForResourceRequest) async throws -> ListTagsForResourceResponse {
        try gate("ListTagsForResource")
        return ListTagsForResourceResponse(tags: [Tag(key: "team", value: "web")])
    }

    func pauseService(_ input: PauseServiceRequest) async throws -> PauseServiceResponse {
        try gate("PauseService")
        if try record(input.serviceArn).service.status == .paused {
            return PauseServiceResponse(service: try record(input.serviceArn).service, operationId: nil)
        }
        let id = try start(.pauseService, on: input.serviceArn, ending: .paused)
        return PauseServiceResponse(service: try record(input.serviceArn).service, operationId: id)
    }

    func resumeService(_ input: ResumeServiceRequest) async throws -> ResumeServiceResponse {
        try gate("ResumeService")
        let id = try start(.resumeService, on: input.serviceArn, ending: .running)
        return ResumeServiceResponse(service: try record(input.serviceArn).service, operationId: id)
    }

    func startDeployment(_ input: StartDeploymentRequest) async throws -> StartDeploymentResponse {
        try gate("StartDeployment")
        return StartDeploymentResponse(operationId: try start(.startDeployment, on: input.serviceArn, ending: .running))
    }

    func deleteService(_ input: DeleteServiceRequest) async throws -> DeleteServiceResponse {
        try gate("DeleteService")
        let id = try start(.deleteService, on: input.serviceArn, ending: .deleted)
        return DeleteServiceResponse(service: try record(input.serviceArn).service, operationId: id)
    }

    func associateCustomDomain(_ input: AssociateCustomDomainRequest) async throws -> AssociateCustomDomainResponse {
        try gate("AssociateCustomDomain")
        var r = try record(input.serviceArn)
        let domain = CustomDomain(domainName: input.domainName, enableWWWSubdomain: input.enableWWWSubdomain ?? true, status: .creating)
        r.domains.append(domain)
        records[input.serviceArn] = r
        return AssociateCustomDomainResponse(dnsTarget: r.service.serviceUrl ?? "", serviceArn: input.serviceArn, customDomain: domain, vpcDNSTargets: [])
    }

    func disassociateCustomDomain(_ input: DisassociateCustomDomainRequest) async throws -> DisassociateCustomDomainResponse {
        try gate("DisassociateCustomDomain")
        var r = try record(input.serviceArn)
        guard let index = r.domains.firstIndex(where: { $0.domainName == input.domainName }) else {
            throw ResourceNotFoundException(message: "No custom domain \(input.domainName) found for the provided service", requestId: nil)
        }
        var domain = r.domains.remove(at: index)
        domain.status = .deleting
        records[input.serviceArn] = r
        return DisassociateCustomDomainResponse(dnsTarget: r.service.serviceUrl ?? "", serviceArn: input.serviceArn, customDomain: domain, vpcDNSTargets: [])
    }

    func listAutoScalingConfigurations(_ input: ListAutoScalingConfigurationsRequest) async throws -> ListAutoScalingConfigurationsResponse {
        try gate("ListAutoScalingConfigurations")
        return ListAutoScalingConfigurationsResponse(autoScalingConfigurationSummaryList: [
            AutoScalingConfigurationSummary(autoScalingConfigurationArn: "arn:aws:apprunner:us-east-1:123456789012:autoscalingconfiguration/DefaultConfiguration/1/00000000000000000000000000000001",
                                            autoScalingConfigurationName: "DefaultConfiguration", autoScalingConfigurationRevision: 1, status: .active, hasAssociatedService: true, isDefault: true),
        ])
    }

    func listServicesForAutoScalingConfiguration(_ input: ListServicesForAutoScalingConfigurationRequest) async throws -> ListServicesForAutoScalingConfigurationResponse {
        try gate("ListServicesForAutoScalingConfiguration")
        return ListServicesForAutoScalingConfigurationResponse(serviceArnList: order)
    }

    func listConnections(_ input: ListConnectionsRequest) async throws -> ListConnectionsResponse {
        try gate("ListConnections")
        return ListConnectionsResponse(connectionSummaryList: [])
    }

    func listVpcConnectors(_ input: ListVpcConnectorsRequest) async throws -> ListVpcConnectorsResponse {
        try gate("ListVpcConnectors")
        return ListVpcConnectorsResponse(vpcConnectors: [])
    }

    func listVpcIngressConnections(_ input: ListVpcIngressConnectionsRequest) async throws -> ListVpcIngressConnectionsResponse {
        try gate("ListVpcIngressConnections")
        return ListVpcIngressConnectionsResponse(vpcIngressConnectionSummaryList: [])
    }

    func listObservabilityConfigurations(_ input: ListObservabilityConfigurationsRequest) async throws -> ListObservabilityConfigurationsResponse {
        try gate("ListObservabilityConfigurations")
        return ListObservabilityConfigurationsResponse(observabilityConfigurationSummaryList: [])
    }

    // MARK: Not used by the dashboard

    private func unsupported(_ name: String) -> AWSResponseError {
        AWSResponseError(code: "UnsupportedByTestDouble", message: "\(name) is not implemented by FakeAppRunner", statusCode: 400)
    }

    func createAutoScalingConfiguration(_ input: CreateAutoScalingConfigurationRequest) async throws -> CreateAutoScalingConfigurationResponse { throw unsupported(#function) }
    func createConnection(_ input: CreateConnectionRequest) async throws -> CreateConnectionResponse { throw unsupported(#function) }
    func createObservabilityConfiguration(_ input: CreateObservabilityConfigurationRequest) async throws -> CreateObservabilityConfigurationResponse { throw unsupported(#function) }
    func createService(_ input: CreateServiceRequest) async throws -> CreateServiceResponse { throw unsupported(#function) }
    func createVpcConnector(_ input: CreateVpcConnectorRequest) async throws -> CreateVpcConnectorResponse { throw unsupported(#function) }
    func createVpcIngressConnection(_ input: CreateVpcIngressConnectionRequest) async throws -> CreateVpcIngressConnectionResponse { throw unsupported(#function) }
    func deleteAutoScalingConfiguration(_ input: DeleteAutoScalingConfigurationRequest) async throws -> DeleteAutoScalingConfigurationResponse { throw unsupported(#function) }
    func deleteConnection(_ input: DeleteConnectionRequest) async throws -> DeleteConnectionResponse { throw unsupported(#function) }
    func deleteObservabilityConfiguration(_ input: DeleteObservabilityConfigurationRequest) async throws -> DeleteObservabilityConfigurationResponse { throw unsupported(#function) }
    func deleteVpcConnector(_ input: DeleteVpcConnectorRequest) async throws -> DeleteVpcConnectorResponse { throw unsupported(#function) }
    func deleteVpcIngressConnection(_ input: DeleteVpcIngressConnectionRequest) async throws -> DeleteVpcIngressConnectionResponse { throw unsupported(#function) }
    func describeAutoScalingConfiguration(_ input: DescribeAutoScalingConfigurationRequest) async throws -> DescribeAutoScalingConfigurationResponse { throw unsupported(#function) }
    func describeObservabilityConfiguration(_ input: DescribeObservabilityConfigurationRequest) async throws -> DescribeObservabilityConfigurationResponse { throw unsupported(#function) }
    func describeVpcConnector(_ input: DescribeVpcConnectorRequest) async throws -> DescribeVpcConnectorResponse { throw unsupported(#function) }
    func describeVpcIngressConnection(_ input: DescribeVpcIngressConnectionRequest) async throws -> DescribeVpcIngressConnectionResponse { throw unsupported(#function) }
    func tagResource(_ input: TagResourceRequest) async throws -> TagResourceResponse { throw unsupported(#function) }
    func untagResource(_ input: UntagResourceRequest) async throws -> UntagResourceResponse { throw unsupported(#function) }
    func updateDefaultAutoScalingConfiguration(_ input: UpdateDefaultAutoScalingConfigurationRequest) async throws -> UpdateDefaultAutoScalingConfigurationResponse { throw unsupported(#function) }
    func updateService(_ input: UpdateServiceRequest) async throws -> UpdateServiceResponse { throw unsupported(#function) }
    func updateVpcIngressConnection(_ input: UpdateVpcIngressConnectionRequest) async throws -> UpdateVpcIngressConnectionResponse { throw unsupported(#function) }
}
