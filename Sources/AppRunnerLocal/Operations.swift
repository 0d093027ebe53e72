import AppRunner
import FoundationEssentials
import Logging

/// Operations and lifecycles: what happens as time passes (operations end and apply, disassociated
/// domains go, VPC ingress connections settle), and the service as the API shows it at a moment.
extension LocalAppRunner {
    func advance(_ now: Date) {
        // In start order, so two operations of one service that both ended since the last call apply in turn.
        let ended = unapplied.compactMap { operations[$0] }.filter { !$0.applied && $0.isFinished(at: now) }
            .sorted { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }
        for operation in ended {
            apply(operation, at: now)
            operations[operation.id]?.applied = true
            unapplied.remove(operation.id)
            markDirty(.operation, operation.id)
        }
        for (arn, record) in services {
            let kept = record.domains.filter { domain in
                guard let gone = domain.disassociatedAt else { return true }
                return now < gone.addingTimeInterval(options.domainValidationSeconds * 0.5)
            }
            if kept.count != record.domains.count {
                services[arn]?.domains = kept
                markDirty(.service, arn)
            }
        }
        for (arn, ingress) in ingresses {
            guard let status = ingress.value.status, let created = ingress.value.createdAt else { continue }
            let changedAt = ingress.changedAt ?? ingress.value.deletedAt ?? created
            guard now.timeIntervalSince(changedAt) >= options.operationSeconds else { continue }
            switch status {
            case .pendingCreation, .pendingUpdate:
                ingresses[arn]?.value.status = .available
                markDirty(.vpcIngress, arn)
            case .pendingDeletion:
                ingresses[arn]?.value.status = .deleted
                markDirty(.vpcIngress, arn)
            default:
                break
            }
        }
    }

    func apply(_ operation: OperationRecord, at now: Date) {
        guard var record = services[operation.serviceArn] else { return }
        let end = operation.endsAt
        switch operation.type {
        case .createService:
            record.service.status = operation.fails ? .createFailed : .running
        case .updateService, .startDeployment:
            if !operation.fails, let pending = record.pending {
                // The new configuration; identity and history stay the service's own.
                let current = record.service
                record.service = pending
                record.service.createdAt = current.createdAt
                record.service.deletedAt = current.deletedAt
            }
            record.pending = nil
            record.service.status = .running
        case .pauseService:
            record.service.status = .paused
        case .resumeService:
            record.service.status = .running
        case .deleteService:
            record.service.status = .deleted
            record.service.deletedAt = end
            record.domains = []
        default:
            break
        }
        record.service.updatedAt = end
        services[operation.serviceArn] = record
        markDirty(.service, operation.serviceArn)
        logger.debug("operation \(operation.id) \(operation.type.rawValue) on \(operation.serviceArn) ended \(operation.fails ? "failed" : "succeeded")")
    }

    /// The in-flight operation of a service, if any.
    func running(_ serviceArn: String, at now: Date) -> OperationRecord? {
        unapplied.lazy.compactMap { self.operations[$0] }.first { $0.serviceArn == serviceArn && !$0.isFinished(at: now) }
    }

    /// The service as the API shows it at `now`.
    func view(_ record: ServiceRecord, at now: Date) -> Service {
        var service = record.service
        if running(service.serviceArn, at: now) != nil { service.status = .operationInProgress }
        if let summary = scalingSummary(service.autoScalingConfigurationSummary.autoScalingConfigurationArn, now: now) {
            service.autoScalingConfigurationSummary = summary
        }
        return service
    }

    func startOperation(_ type: OperationType, on serviceArn: String, at now: Date, fails: Bool = false) -> OperationRecord {
        let operation = OperationRecord(id: LocalIDs.uuid(), type: type, serviceArn: serviceArn, startedAt: now,
                                        duration: options.operationSeconds, fails: fails)
        operations[operation.id] = operation
        unapplied.insert(operation.id)
        markDirty(.operation, operation.id)
        scheduleLog(of: operation)
        return operation
    }

    /// A service that exists and is not deleted, with the status it shows now.
    func liveService(_ arn: String, at now: Date) throws -> (record: ServiceRecord, status: ServiceStatus) {
        guard let record = services[arn] else { throw notFound(arn) }
        let status = view(record, at: now).status
        return (record, status)
    }

    func deployFails(_ record: ServiceRecord) -> Bool {
        if record.failNext { return true }
        if serviceTags[record.service.serviceArn]?.contains(where: { $0.key == LocalFailureTags.failDeployments && $0.value == "true" }) == true {
            return true
        }
        return options.failureProbability > 0 && Double.random(in: 0..<1) < options.failureProbability
    }

    public func listOperations(_ input: ListOperationsRequest) async throws -> ListOperationsResponse {
        try await transaction { now in
            guard services[input.serviceArn] != nil else { throw notFound(input.serviceArn) }
            let all = operations.values.filter { $0.serviceArn == input.serviceArn }
                .sorted { ($0.startedAt, $0.id) > ($1.startedAt, $1.id) }
                .map { $0.summary(at: now) }
            let page = try PageToken.page(all, maxResults: input.maxResults, nextToken: input.nextToken)
            return ListOperationsResponse(operationSummaryList: page.items, nextToken: page.next)
        }
    }
}
