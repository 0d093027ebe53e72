import AWSCore
import AppRunner
import Foundation

/// TEST DOUBLE (not Local App Runner, which had not landed when these tests were written): a small
/// in-memory App Runner with the real lifecycle rules the CLI depends on. An operation ends after
/// `pollsToFinish` ListOperations calls (no clock), SUCCEEDED, or — for a deployment of a service
/// marked with `failNextDeployment` — ROLLBACK_SUCCEEDED with the service back to RUNNING. Deleted
/// services stay listed as DELETED. Calls the CLI does not make throw.
actor MemoryAppRunner: AppRunnerAPI {
    struct Entry {
        var service: Service
        var operations: [OperationSummary] = []  // newest first
        var pending: ServiceStatus?
        var polls = 0
        var domains: [CustomDomain] = []
    }

    private var entries: [String: Entry] = [:]
    private var order: [String] = []
    private var counter = 0
    var pollsToFinish = 2
    private var failing: Set<String> = []
    let region = "us-east-1"
    private let base = Date(timeIntervalSince1970: 1_795_341_600)

    func setPollsToFinish(_ value: Int) { pollsToFinish = value }
    func failNextDeployment(_ arn: String) { failing.insert(arn) }
    func status(_ arn: String) -> ServiceStatus? { entries[arn]?.service.status }

    @discardableResult
    func add(_ name: String, status: ServiceStatus = .running) -> String {
        counter += 1
        let id = String(format: "%032x", counter)
        let arn = "arn:aws:apprunner:\(region):123456789012:service/\(name)/\(id)"
        let created = base.addingTimeInterval(Double(counter) * 60 + 0.25)
        let service = Service(
            serviceName: name, serviceId: id, serviceArn: arn, serviceUrl: "svc\(String(format: "%07d", counter)).\(region).awsapprunner.com",
            createdAt: created, updatedAt: created.addingTimeInterval(30), status: status,
            sourceConfiguration: SourceConfiguration(imageRepository: ImageRepository(
                imageIdentifier: "public.ecr.aws/aws-containers/hello-app-runner:latest",
                imageConfiguration: ImageConfiguration(runtimeEnvironmentVariables: ["MODE": "secret-value"], port: "8000"),
                imageRepositoryType: .ecrPublic)),
            instanceConfiguration: InstanceConfiguration(cpu: "1024", memory: "2048"),
            autoScalingConfigurationSummary: AutoScalingConfigurationSummary(autoScalingConfigurationName: "DefaultConfiguration", autoScalingConfigurationRevision: 1),
            networkConfiguration: NetworkConfiguration(egressConfiguration: EgressConfiguration(egressType: .default))
        )
        entries[arn] = Entry(service: service, operations: [
            OperationSummary(id: UUID().uuidString.lowercased(), type: .createService, status: .succeeded, targetArn: arn,
                             startedAt: created, endedAt: created.addingTimeInterval(30), updatedAt: created.addingTimeInterval(30)),
        ])
        order.append(arn)
        return arn
    }

    func addDomain(_ arn: String, _ domain: CustomDomain) {
        entries[arn]?.domains.append(domain)
    }

    private func entry(_ arn: String) throws -> Entry {
        guard let entry = entries[arn] else {
            throw ResourceNotFoundException(message: "Service \(arn) not found", requestId: "req-\(arn.suffix(4))")
        }
        return entry
    }

    private func start(_ type: OperationType, _ arn: String, ending: ServiceStatus, verb: String) throws -> String {
        var entry = try entry(arn)
        guard entry.service.status != .operationInProgress else {
            throw InvalidStateException(message: "Service cannot be \(verb) in the current state: OPERATION_IN_PROGRESS.", requestId: "req-state")
        }
        let id = UUID().uuidString.lowercased()
        let now = Date()
        entry.operations.insert(OperationSummary(id: id, type: type, status: .pending, targetArn: arn, startedAt: now, updatedAt: now), at: 0)
        entry.service.status = .operationInProgress
        entry.pending = ending
        entry.polls = 0
        entries[arn] = entry
        return id
    }

    private func summary(_ s: Service) -> ServiceSummary {
        ServiceSummary(serviceName: s.serviceName, serviceId: s.serviceId, serviceArn: s.serviceArn, serviceUrl: s.serviceUrl,
                       createdAt: s.createdAt, updatedAt: s.updatedAt, status: s.status)
    }

    func listServices(_ input: ListServicesRequest) async throws -> ListServicesResponse {
        let start = Int(input.nextToken ?? "0") ?? 0
        let size = input.maxResults ?? 2  // small pages so the CLI's paging is exercised
        let page = order.dropFirst(start).prefix(size).compactMap { entries[$0].map { summary($0.service) } }
        return ListServicesResponse(serviceSummaryList: page, nextToken: start + size < order.count ? String(start + size) : nil)
    }

    func describeService(_ input: DescribeServiceRequest) async throws -> DescribeServiceResponse {
        DescribeServiceResponse(service: try entry(input.serviceArn).service)
    }

    func listOperations(_ input: ListOperationsRequest) async throws -> ListOperationsResponse {
        var entry = try entry(input.serviceArn)
        if let first = entry.operations.first, !(first.status?.isFinalForTest ?? true) {
            entry.polls += 1
            let failing = first.type == .startDeployment && self.failing.contains(input.serviceArn)
            if entry.polls == 1 {
                entry.operations[0].status = .inProgress
            } else if entry.polls >= pollsToFinish {
                entry.operations[0].status = failing ? .rollbackSucceeded : .succeeded
                entry.operations[0].endedAt = Date()
                entry.service.status = failing ? .running : (entry.pending ?? .running)
                if entry.service.status == .deleted { entry.service.deletedAt = Date() }
                self.failing.remove(input.serviceArn)
            } else if failing {
                entry.operations[0].status = .rollbackInProgress
            }
            entries[input.serviceArn] = entry
        }
        let start = Int(input.nextToken ?? "0") ?? 0
        let size = input.maxResults ?? 20
        let ops = entry.operations
        return ListOperationsResponse(operationSummaryList: Array(ops.dropFirst(start).prefix(size)),
                                      nextToken: start + size < ops.count ? String(start + size) : nil)
    }

    func describeCustomDomains(_ input: DescribeCustomDomainsRequest) async throws -> DescribeCustomDomainsResponse {
        let entry = try entry(input.serviceArn)
        let start = Int(input.nextToken ?? "0") ?? 0
        let size = input.maxResults ?? 1
        return DescribeCustomDomainsResponse(dnsTarget: entry.service.serviceUrl ?? "", serviceArn: input.serviceArn,
                                             customDomains: Array(entry.domains.dropFirst(start).prefix(size)), vpcDNSTargets: [],
                                             nextToken: start + size < entry.domains.count ? String(start + size) : nil)
    }

    func pauseService(_ input: PauseServiceRequest) async throws -> PauseServiceResponse {
        if try entry(input.serviceArn).service.status == .paused {
            return PauseServiceResponse(service: try entry(input.serviceArn).service)
        }
        let id = try start(.pauseService, input.serviceArn, ending: .paused, verb: "paused")
        return PauseServiceResponse(service: try entry(input.serviceArn).service, operationId: id)
    }

    func resumeService(_ input: ResumeServiceRequest) async throws -> ResumeServiceResponse {
        if try entry(input.serviceArn).service.status == .running {
            return ResumeServiceResponse(service: try entry(input.serviceArn).service)
        }
        let id = try start(.resumeService, input.serviceArn, ending: .running, verb: "resumed")
        return ResumeServiceResponse(service: try entry(input.serviceArn).service, operationId: id)
    }

    func startDeployment(_ input: StartDeploymentRequest) async throws -> StartDeploymentResponse {
        StartDeploymentResponse(operationId: try start(.startDeployment, input.serviceArn, ending: .running, verb: "deployed"))
    }

    func deleteService(_ input: DeleteServiceRequest) async throws -> DeleteServiceResponse {
        let id = try start(.deleteService, input.serviceArn, ending: .deleted, verb: "deleted")
        return DeleteServiceResponse(service: try entry(input.serviceArn).service, operationId: id)
    }

    func listTagsForResource(_ input: ListTagsForResourceRequest) async throws -> ListTagsForResourceResponse {
        _ = try entry(input.resourceArn)
        return ListTagsForResourceResponse(tags: [])
    }

    private func unsupported(_ name: String) -> AWSResponseError {
        AWSResponseError(code: "UnsupportedByTestDouble", message: "\(name) is not implemented by MemoryAppRunner", statusCode: 400)
    }

    func associateCustomDomain(_ input: AssociateCustomDomainRequest) async throws -> AssociateCustomDomainResponse { throw unsupported(#function) }
    func disassociateCustomDomain(_ input: DisassociateCustomDomainRequest) async throws -> DisassociateCustomDomainResponse { throw unsupported(#function) }
    func listAutoScalingConfigurations(_ input: ListAutoScalingConfigurationsRequest) async throws -> ListAutoScalingConfigurationsResponse { throw unsupported(#function) }
    func listServicesForAutoScalingConfiguration(_ input: ListServicesForAutoScalingConfigurationRequest) async throws -> ListServicesForAutoScalingConfigurationResponse { throw unsupported(#function) }
    func listConnections(_ input: ListConnectionsRequest) async throws -> ListConnectionsResponse { throw unsupported(#function) }
    func listVpcConnectors(_ input: ListVpcConnectorsRequest) async throws -> ListVpcConnectorsResponse { throw unsupported(#function) }
    func listVpcIngressConnections(_ input: ListVpcIngressConnectionsRequest) async throws -> ListVpcIngressConnectionsResponse { throw unsupported(#function) }
    func listObservabilityConfigurations(_ input: ListObservabilityConfigurationsRequest) async throws -> ListObservabilityConfigurationsResponse { throw unsupported(#function) }
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

extension OperationStatus {
    var isFinalForTest: Bool {
        switch self {
        case .succeeded, .failed, .rollbackSucceeded, .rollbackFailed: return true
        default: return false
        }
    }
}
