import AppRunner
import FoundationEssentials

/// Auto scaling and observability configurations, both kept in revisions (``RevisionTable``).
extension LocalAppRunner {
    /// The ARN of revision `revision` of a configuration or connector named `name`.
    func revisionArn(_ resource: String, name: String, revision: Int) -> String {
        arn("\(resource)/\(name)/\(revision)/\(LocalIDs.hex32())")
    }

    // MARK: - Auto scaling configurations

    func scalingView(_ arn: String) -> AutoScalingConfiguration? {
        guard var config = scalings.view(arn) else { return nil }
        config.isDefault = arn == defaultScalingArn
        config.hasAssociatedService = services.values.contains {
            $0.service.status != .deleted && $0.service.autoScalingConfigurationSummary.autoScalingConfigurationArn == arn
        }
        return config
    }

    func scalingSummary(_ arn: String?, now: Date) -> AutoScalingConfigurationSummary? {
        guard let arn, let config = scalingView(arn) else { return nil }
        return AutoScalingConfigurationSummary(
            autoScalingConfigurationArn: arn, autoScalingConfigurationName: config.autoScalingConfigurationName,
            autoScalingConfigurationRevision: config.autoScalingConfigurationRevision, status: config.status,
            createdAt: config.createdAt, hasAssociatedService: config.hasAssociatedService, isDefault: config.isDefault)
    }

    public func createAutoScalingConfiguration(_ input: CreateAutoScalingConfigurationRequest) async throws -> CreateAutoScalingConfigurationResponse {
        try await transaction { now in
            let name = input.autoScalingConfigurationName
            let revision = try scalings.nextRevision(of: name, quota: .autoScaling)
            let minSize = input.minSize ?? 1
            let maxSize = input.maxSize ?? 25
            if minSize > maxSize {
                throw InvalidRequestException(message: "MinSize (\(minSize)) can't be greater than MaxSize (\(maxSize)).")
            }
            let arn = revisionArn("autoscalingconfiguration", name: name, revision: revision)
            scalings[arn] = TaggedRecord(value: AutoScalingConfiguration(
                autoScalingConfigurationArn: arn, autoScalingConfigurationName: name, autoScalingConfigurationRevision: revision,
                status: .active, maxConcurrency: input.maxConcurrency ?? 100, minSize: minSize, maxSize: maxSize, createdAt: now),
                tags: input.tags ?? [])
            markDirty(.autoScaling, arn)
            guard let view = scalingView(arn) else { throw notFound(arn) }
            return CreateAutoScalingConfigurationResponse(autoScalingConfiguration: view)
        }
    }

    public func describeAutoScalingConfiguration(_ input: DescribeAutoScalingConfigurationRequest) async throws -> DescribeAutoScalingConfigurationResponse {
        try await transaction { _ in
            guard let view = scalingView(input.autoScalingConfigurationArn) else { throw notFound(input.autoScalingConfigurationArn) }
            return DescribeAutoScalingConfigurationResponse(autoScalingConfiguration: view)
        }
    }

    public func deleteAutoScalingConfiguration(_ input: DeleteAutoScalingConfigurationRequest) async throws -> DeleteAutoScalingConfigurationResponse {
        try await transaction { now in
            guard let target = scalingView(input.autoScalingConfigurationArn), target.isActive else {
                throw notFound(input.autoScalingConfigurationArn)
            }
            let arns = input.deleteAllRevisions == true ? scalings.activeArns(named: target.revisionName) : [input.autoScalingConfigurationArn]
            for arn in arns {
                if arn == defaultScalingArn {
                    throw InvalidRequestException(message: "You can't delete the default auto scaling configuration. Set another configuration as the default first.")
                }
                if scalingView(arn)?.hasAssociatedService == true {
                    throw InvalidRequestException(message: "You can't delete the auto scaling configuration. It's used by one or more services. To delete it, update the services to use other auto scaling configurations.")
                }
            }
            scalings.deactivate(arns, at: now)
            for arn in arns { markDirty(.autoScaling, arn) }
            guard let view = scalingView(input.autoScalingConfigurationArn) else { throw notFound(input.autoScalingConfigurationArn) }
            return DeleteAutoScalingConfigurationResponse(autoScalingConfiguration: view)
        }
    }

    public func listAutoScalingConfigurations(_ input: ListAutoScalingConfigurationsRequest) async throws -> ListAutoScalingConfigurationsResponse {
        try await transaction { now in
            let all = scalings.list(name: input.autoScalingConfigurationName, latestOnly: input.latestOnly)
                .compactMap { scalingSummary($0.autoScalingConfigurationArn, now: now) }
            let page = try PageToken.page(all, maxResults: input.maxResults, nextToken: input.nextToken)
            return ListAutoScalingConfigurationsResponse(autoScalingConfigurationSummaryList: page.items, nextToken: page.next)
        }
    }

    public func updateDefaultAutoScalingConfiguration(_ input: UpdateDefaultAutoScalingConfigurationRequest) async throws -> UpdateDefaultAutoScalingConfigurationResponse {
        try await transaction { _ in
            guard scalingView(input.autoScalingConfigurationArn)?.status == .active else { throw notFound(input.autoScalingConfigurationArn) }
            defaultScalingArn = input.autoScalingConfigurationArn
            markDirty(.meta, metaDefaultScaling)
            guard let view = scalingView(input.autoScalingConfigurationArn) else { throw notFound(input.autoScalingConfigurationArn) }
            return UpdateDefaultAutoScalingConfigurationResponse(autoScalingConfiguration: view)
        }
    }

    public func listServicesForAutoScalingConfiguration(_ input: ListServicesForAutoScalingConfigurationRequest) async throws -> ListServicesForAutoScalingConfigurationResponse {
        try await transaction { _ in
            guard scalings[input.autoScalingConfigurationArn] != nil else { throw notFound(input.autoScalingConfigurationArn) }
            let arns = services.values.filter {
                $0.service.status != .deleted && $0.service.autoScalingConfigurationSummary.autoScalingConfigurationArn == input.autoScalingConfigurationArn
            }.map(\.service.serviceArn).sorted()
            let page = try PageToken.page(arns, maxResults: input.maxResults, nextToken: input.nextToken)
            return ListServicesForAutoScalingConfigurationResponse(serviceArnList: page.items, nextToken: page.next)
        }
    }

    // MARK: - Observability configurations

    public func createObservabilityConfiguration(_ input: CreateObservabilityConfigurationRequest) async throws -> CreateObservabilityConfigurationResponse {
        try await transaction { now in
            let name = input.observabilityConfigurationName
            let revision = try observabilities.nextRevision(of: name, quota: nil)
            let arn = revisionArn("observabilityconfiguration", name: name, revision: revision)
            observabilities[arn] = TaggedRecord(value: ObservabilityConfiguration(
                observabilityConfigurationArn: arn, observabilityConfigurationName: name,
                traceConfiguration: input.traceConfiguration, observabilityConfigurationRevision: revision, status: .active, createdAt: now),
                tags: input.tags ?? [])
            markDirty(.observability, arn)
            guard let view = observabilities.view(arn) else { throw notFound(arn) }
            return CreateObservabilityConfigurationResponse(observabilityConfiguration: view)
        }
    }

    public func describeObservabilityConfiguration(_ input: DescribeObservabilityConfigurationRequest) async throws -> DescribeObservabilityConfigurationResponse {
        try await transaction { _ in
            guard let view = observabilities.view(input.observabilityConfigurationArn) else { throw notFound(input.observabilityConfigurationArn) }
            return DescribeObservabilityConfigurationResponse(observabilityConfiguration: view)
        }
    }

    public func deleteObservabilityConfiguration(_ input: DeleteObservabilityConfigurationRequest) async throws -> DeleteObservabilityConfigurationResponse {
        try await transaction { now in
            let arn = input.observabilityConfigurationArn
            guard let view = observabilities.view(arn), view.isActive else { throw notFound(arn) }
            observabilities.deactivate([arn], at: now)
            markDirty(.observability, arn)
            return DeleteObservabilityConfigurationResponse(observabilityConfiguration: observabilities.view(arn) ?? view)
        }
    }

    public func listObservabilityConfigurations(_ input: ListObservabilityConfigurationsRequest) async throws -> ListObservabilityConfigurationsResponse {
        try await transaction { _ in
            let all = observabilities.list(name: input.observabilityConfigurationName, latestOnly: input.latestOnly)
                .map { ObservabilityConfigurationSummary(observabilityConfigurationArn: $0.observabilityConfigurationArn,
                                                         observabilityConfigurationName: $0.observabilityConfigurationName,
                                                         observabilityConfigurationRevision: $0.observabilityConfigurationRevision) }
            let page = try PageToken.page(all, maxResults: input.maxResults, nextToken: input.nextToken)
            return ListObservabilityConfigurationsResponse(observabilityConfigurationSummaryList: page.items, nextToken: page.next)
        }
    }
}
