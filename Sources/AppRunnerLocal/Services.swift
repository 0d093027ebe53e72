import AppRunner
import FoundationEssentials

/// Services: create, describe, list, update, deploy, pause, resume, delete.
extension LocalAppRunner {
    public func createService(_ input: CreateServiceRequest) async throws -> CreateServiceResponse {
        try await transaction { now in
            let live = services.values.filter { $0.service.status != .deleted }
            if live.contains(where: { $0.service.serviceName == input.serviceName }) {
                throw InvalidRequestException(message: "Service with the provided name already exists: \(input.serviceName)")
            }
            if live.count >= options.serviceQuota {
                throw ServiceQuotaExceededException(message: "You have reached the maximum number of services (\(options.serviceQuota)) in this region.")
            }
            guard input.sourceConfiguration.imageRepository != nil || input.sourceConfiguration.codeRepository != nil else {
                throw InvalidRequestException(message: "SourceConfiguration must specify either ImageRepository or CodeRepository.")
            }
            if input.sourceConfiguration.imageRepository != nil && input.sourceConfiguration.codeRepository != nil {
                throw InvalidRequestException(message: "SourceConfiguration can't specify both ImageRepository and CodeRepository.")
            }
            let instance = try InstanceSizes.normalize(input.instanceConfiguration)
            let scalingArn = input.autoScalingConfigurationArn ?? defaultScalingArn
            guard let scaling = scalings[scalingArn], scaling.value.status == .active else { throw notFound(scalingArn) }
            try checkNetwork(input.networkConfiguration)
            try checkObservability(input.observabilityConfiguration)
            let id = LocalIDs.hex32()
            let serviceArn = arn("service/\(input.serviceName)/\(id)")
            var source = input.sourceConfiguration
            if source.autoDeploymentsEnabled == nil { source.autoDeploymentsEnabled = source.imageRepository?.imageRepositoryType != .ecrPublic }
            let service = Service(
                serviceName: input.serviceName, serviceId: id, serviceArn: serviceArn,
                serviceUrl: "\(LocalIDs.lowerAlnum(10)).\(options.region).awsapprunner.com",
                createdAt: now, updatedAt: now, status: .operationInProgress,
                sourceConfiguration: source, instanceConfiguration: instance,
                encryptionConfiguration: input.encryptionConfiguration,
                healthCheckConfiguration: healthCheck(input.healthCheckConfiguration),
                autoScalingConfigurationSummary: AutoScalingConfigurationSummary(autoScalingConfigurationArn: scalingArn),
                networkConfiguration: network(input.networkConfiguration),
                observabilityConfiguration: input.observabilityConfiguration
            )
            let tags = input.tags ?? []
            let fails = tags.contains { $0.key == LocalFailureTags.failCreate && $0.value == "true" }
            services[serviceArn] = ServiceRecord(service: service)
            serviceTags[serviceArn] = tags
            markDirty(.service, serviceArn)
            markDirty(.serviceTags, serviceArn)
            let operation = startOperation(.createService, on: serviceArn, at: now, fails: fails)
            return CreateServiceResponse(service: view(services[serviceArn] ?? ServiceRecord(service: service), at: now), operationId: operation.id)
        }
    }

    func healthCheck(_ input: HealthCheckConfiguration?) -> HealthCheckConfiguration {
        HealthCheckConfiguration(
            protocol: input?.protocol ?? .tcp, path: input?.path ?? "/", interval: input?.interval ?? 5,
            timeout: input?.timeout ?? 2, healthyThreshold: input?.healthyThreshold ?? 1, unhealthyThreshold: input?.unhealthyThreshold ?? 5)
    }

    func network(_ input: NetworkConfiguration?, current: NetworkConfiguration? = nil) -> NetworkConfiguration {
        NetworkConfiguration(
            egressConfiguration: input?.egressConfiguration ?? current?.egressConfiguration ?? EgressConfiguration(egressType: .default),
            ingressConfiguration: input?.ingressConfiguration ?? current?.ingressConfiguration ?? IngressConfiguration(isPubliclyAccessible: true),
            ipAddressType: input?.ipAddressType ?? current?.ipAddressType ?? .ipv4)
    }

    func checkNetwork(_ input: NetworkConfiguration?) throws {
        guard let egress = input?.egressConfiguration else { return }
        if egress.egressType == .vpc {
            guard let connector = egress.vpcConnectorArn else {
                throw InvalidRequestException(message: "VpcConnectorArn is required when EgressType is VPC.")
            }
            guard connectors[connector]?.value.status == .active else { throw notFound(connector) }
        }
    }

    func checkObservability(_ input: ServiceObservabilityConfiguration?) throws {
        guard let input, input.observabilityEnabled else { return }
        guard let arn = input.observabilityConfigurationArn else {
            throw InvalidRequestException(message: "ObservabilityConfigurationArn is required when ObservabilityEnabled is true.")
        }
        guard observabilities[arn]?.value.status == .active else { throw notFound(arn) }
    }

    public func describeService(_ input: DescribeServiceRequest) async throws -> DescribeServiceResponse {
        try await transaction { now in
            guard let record = services[input.serviceArn] else { throw notFound(input.serviceArn) }
            return DescribeServiceResponse(service: view(record, at: now))
        }
    }

    public func listServices(_ input: ListServicesRequest) async throws -> ListServicesResponse {
        try await transaction { now in
            let all = services.values.filter { $0.service.status != .deleted }
                .sorted { ($0.service.createdAt, $0.service.serviceArn) < ($1.service.createdAt, $1.service.serviceArn) }
                .map { record -> ServiceSummary in
                    let service = view(record, at: now)
                    return ServiceSummary(serviceName: service.serviceName, serviceId: service.serviceId, serviceArn: service.serviceArn,
                                          serviceUrl: service.serviceUrl, createdAt: service.createdAt, updatedAt: service.updatedAt,
                                          status: service.status)
                }
            let page = try PageToken.page(all, maxResults: input.maxResults, nextToken: input.nextToken)
            return ListServicesResponse(serviceSummaryList: page.items, nextToken: page.next)
        }
    }

    public func updateService(_ input: UpdateServiceRequest) async throws -> UpdateServiceResponse {
        try await transaction { now in
            let (record, status) = try liveService(input.serviceArn, at: now)
            guard status == .running || status == .createFailed else { throw invalidState("updated", status) }
            var next = record.service
            if let source = input.sourceConfiguration { next.sourceConfiguration = source }
            next.instanceConfiguration = try InstanceSizes.normalize(input.instanceConfiguration, keeping: record.service.instanceConfiguration)
            if let scalingArn = input.autoScalingConfigurationArn {
                guard scalings[scalingArn]?.value.status == .active else { throw notFound(scalingArn) }
                next.autoScalingConfigurationSummary = AutoScalingConfigurationSummary(autoScalingConfigurationArn: scalingArn)
            }
            if let health = input.healthCheckConfiguration { next.healthCheckConfiguration = healthCheck(health) }
            try checkNetwork(input.networkConfiguration)
            next.networkConfiguration = network(input.networkConfiguration, current: record.service.networkConfiguration)
            if let observability = input.observabilityConfiguration {
                try checkObservability(observability)
                next.observabilityConfiguration = observability
            }
            var updated = record
            updated.pending = next
            // A failed create is fixed by an update; it cannot roll back to anything.
            let fails = status == .createFailed ? false : deployFails(record)
            updated.failNext = false
            services[input.serviceArn] = updated
            markDirty(.service, input.serviceArn)
            let operation = startOperation(.updateService, on: input.serviceArn, at: now, fails: fails)
            var shown = next
            shown.status = .operationInProgress
            if let summary = scalingSummary(next.autoScalingConfigurationSummary.autoScalingConfigurationArn, now: now) {
                shown.autoScalingConfigurationSummary = summary
            }
            return UpdateServiceResponse(service: shown, operationId: operation.id)
        }
    }

    public func startDeployment(_ input: StartDeploymentRequest) async throws -> StartDeploymentResponse {
        try await transaction { now in
            let (record, status) = try liveService(input.serviceArn, at: now)
            guard status == .running else { throw invalidState("deployed", status) }
            var updated = record
            updated.pending = record.service
            let fails = deployFails(record)
            updated.failNext = false
            services[input.serviceArn] = updated
            markDirty(.service, input.serviceArn)
            return StartDeploymentResponse(operationId: startOperation(.startDeployment, on: input.serviceArn, at: now, fails: fails).id)
        }
    }

    public func pauseService(_ input: PauseServiceRequest) async throws -> PauseServiceResponse {
        try await transaction { now in
            let (service, operationId) = try move(input.serviceArn, from: .running, to: .paused, by: .pauseService, verb: "paused", at: now)
            return PauseServiceResponse(service: service, operationId: operationId)
        }
    }

    public func resumeService(_ input: ResumeServiceRequest) async throws -> ResumeServiceResponse {
        try await transaction { now in
            let (service, operationId) = try move(input.serviceArn, from: .paused, to: .running, by: .resumeService, verb: "resumed", at: now)
            return ResumeServiceResponse(service: service, operationId: operationId)
        }
    }

    /// Pause and resume: a service already in `target` answers as it is (no operation); otherwise only
    /// `source` may start the operation.
    func move(_ arn: String, from source: ServiceStatus, to target: ServiceStatus, by type: OperationType, verb: String,
              at now: Date) throws -> (service: Service, operationId: String?) {
        let (record, status) = try liveService(arn, at: now)
        if status == target { return (view(record, at: now), nil) }
        guard status == source else { throw invalidState(verb, status) }
        let operation = startOperation(type, on: arn, at: now)
        return (view(record, at: now), operation.id)
    }

    public func deleteService(_ input: DeleteServiceRequest) async throws -> DeleteServiceResponse {
        try await transaction { now in
            let (record, status) = try liveService(input.serviceArn, at: now)
            guard [.running, .paused, .createFailed, .deleteFailed].contains(status) else { throw invalidState("deleted", status) }
            let activeIngress = ingresses.values.contains {
                $0.value.serviceArn == input.serviceArn && $0.value.status != .deleted && $0.value.status != .failedCreation
            }
            if activeIngress {
                throw InvalidRequestException(message: "Service can't be deleted while it has an active VPC ingress connection. Delete the VPC ingress connection first.")
            }
            let operation = startOperation(.deleteService, on: input.serviceArn, at: now)
            return DeleteServiceResponse(service: view(record, at: now), operationId: operation.id)
        }
    }
}
