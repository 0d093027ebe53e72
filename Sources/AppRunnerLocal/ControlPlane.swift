import AWSCore
import AppRunner
import Foundation
import Logging

/// Local App Runner: a simulated App Runner control plane that behaves like the real service —
/// asynchronous operations that take time, deployments that fail and roll back, custom domains that
/// wait for DNS validation — persisted in SQLite. It speaks ``AppRunnerAPI`` in process (the
/// dashboard's `--demo`) and over HTTP through `runLocalServer` (`runnerdeck serve`).
///
/// Lifecycles are computed from stored start times and the injected clock, so an operation that was
/// in flight when the process died finishes after a restart.
public actor LocalAppRunner: AppRunnerAPI {
    public nonisolated let options: LocalOptions
    let clock: any WallClock
    let store: LocalStore
    let logger: Logger

    var services: [String: ServiceRecord] = [:]
    var operations: [String: OperationRecord] = [:]
    /// Ids of operations whose outcome is not applied yet: the only ones `advance` and `running` look at,
    /// so calls stay cheap however long the history grows.
    var unapplied: Set<String> = []
    var scalings: [String: TaggedRecord<AutoScalingConfiguration>] = [:]
    var connections: [String: TaggedRecord<Connection>] = [:]
    var connectors: [String: TaggedRecord<VpcConnector>] = [:]
    var ingresses: [String: TaggedRecord<VpcIngressConnection>] = [:]
    var observabilities: [String: TaggedRecord<ObservabilityConfiguration>] = [:]
    var serviceTags: [String: [Tag]] = [:]
    var defaultScalingArn: String
    var dirty: [(kind: String, id: String)] = []
    var ticker: Task<Void, Never>?

    static let defaultScalingName = "DefaultConfiguration"

    /// Opens (or creates) a control plane. `path` nil keeps everything in memory.
    public init(options: LocalOptions = LocalOptions(), path: String? = nil, clock: any WallClock = SystemClock(),
                logger: Logger = Logger(label: "runnerdeck.local")) throws {
        self.options = options
        self.clock = clock
        self.logger = logger
        let store = try LocalStore(path: path)
        let state = try Self.load(store: store, options: options)
        self.store = store
        services = state.services
        operations = state.operations
        unapplied = Set(state.operations.values.filter { !$0.applied }.map(\.id))
        scalings = state.scalings
        connections = state.connections
        connectors = state.connectors
        ingresses = state.ingresses
        observabilities = state.observabilities
        serviceTags = state.serviceTags
        defaultScalingArn = state.defaultScalingArn
    }

    struct LoadedState {
        var services: [String: ServiceRecord] = [:]
        var operations: [String: OperationRecord] = [:]
        var scalings: [String: TaggedRecord<AutoScalingConfiguration>] = [:]
        var connections: [String: TaggedRecord<Connection>] = [:]
        var connectors: [String: TaggedRecord<VpcConnector>] = [:]
        var ingresses: [String: TaggedRecord<VpcIngressConnection>] = [:]
        var observabilities: [String: TaggedRecord<ObservabilityConfiguration>] = [:]
        var serviceTags: [String: [Tag]] = [:]
        var defaultScalingArn: String
    }

    /// Reads every record; creates the account's DefaultConfiguration on a new store.
    static func load(store: LocalStore, options: LocalOptions) throws -> LoadedState {
        let decoder = AppRunnerJSON.makeDecoder()
        func load<T: Decodable>(_ kind: String, _ type: T.Type) throws -> [String: T] {
            var result: [String: T] = [:]
            for row in try store.load(kind: kind) { result[row.id] = try decoder.decode(type, from: row.json) }
            return result
        }
        let builtIn = "arn:aws:apprunner:\(options.region):\(options.accountId):autoscalingconfiguration/DefaultConfiguration/1/00000000000000000000000000000001"
        var state = LoadedState(defaultScalingArn: builtIn)
        state.services = try load("service", ServiceRecord.self)
        state.operations = try load("operation", OperationRecord.self)
        state.scalings = try load("autoscaling", TaggedRecord<AutoScalingConfiguration>.self)
        state.connections = try load("connection", TaggedRecord<Connection>.self)
        state.connectors = try load("vpcconnector", TaggedRecord<VpcConnector>.self)
        state.ingresses = try load("ingress", TaggedRecord<VpcIngressConnection>.self)
        state.observabilities = try load("observability", TaggedRecord<ObservabilityConfiguration>.self)
        state.serviceTags = try load("servicetags", [Tag].self)
        if let chosen = try load("meta", String.self)["defaultScaling"] { state.defaultScalingArn = chosen }
        if state.scalings[builtIn] == nil {
            let record = TaggedRecord(value: AutoScalingConfiguration(
                autoScalingConfigurationArn: builtIn, autoScalingConfigurationName: defaultScalingName,
                autoScalingConfigurationRevision: 1, latest: true, status: .active, maxConcurrency: 100, minSize: 1, maxSize: 25,
                createdAt: Date(timeIntervalSince1970: 1_577_836_800), isDefault: true), tags: [Tag]())
            state.scalings[builtIn] = record
            try store.save([(kind: "autoscaling", id: builtIn, json: try AppRunnerJSON.encode(record))])
        }
        return state
    }

    /// Advances lifecycles every `interval` seconds even when nobody asks, so operations finish and are
    /// persisted. Stopped by ``stopTicker()`` or when the control plane is released.
    public func startTicker(interval: Double = 1) {
        ticker?.cancel()
        ticker = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(max(0.05, interval) * 1_000_000_000))
                guard let self else { return }
                await self.tick()
            }
        }
    }

    public func stopTicker() {
        ticker?.cancel()
        ticker = nil
    }

    /// Brings every lifecycle up to the clock and persists what changed.
    public func tick() {
        advance(clock.now())
        flush()
    }

    /// Makes the next deployment or update of `serviceArn` fail and roll back (tests, demo).
    public func failNextDeployment(of serviceArn: String) throws {
        guard var record = services[serviceArn] else { throw notFound(serviceArn) }
        record.failNext = true
        services[serviceArn] = record
        markDirty("service", serviceArn)
        flush()
    }

    // MARK: - Transactions

    func markDirty(_ kind: String, _ id: String) {
        dirty.append((kind, id))
    }

    /// Every call: bring lifecycles up to now, run, persist what changed (also when the call fails).
    /// A change that cannot be stored is not accepted: memory goes back to what the file holds and the
    /// caller gets InternalServiceErrorException, so nothing is answered that a restart would lose.
    func transaction<T>(_ body: (Date) throws -> T) throws -> T {
        let now = clock.now()
        advance(now)
        let result = Result { try body(now) }
        do {
            try persist()
        } catch {
            logger.error("could not persist a change, restoring the stored state: \(error)")
            restoreFromStore()
            throw InternalServiceErrorException(message: "The change could not be stored; nothing was changed.")
        }
        return try result.get()
    }

    /// Replaces every in-memory record with what the store holds (after a failed write).
    func restoreFromStore() {
        do {
            let state = try Self.load(store: store, options: options)
            services = state.services
            operations = state.operations
            unapplied = Set(state.operations.values.filter { !$0.applied }.map(\.id))
            scalings = state.scalings
            connections = state.connections
            connectors = state.connectors
            ingresses = state.ingresses
            observabilities = state.observabilities
            serviceTags = state.serviceTags
            defaultScalingArn = state.defaultScalingArn
        } catch {
            logger.error("could not reload the stored state: \(error)")
        }
    }

    /// Persists what changed; failures are logged (lifecycle progress is recomputed from stored times).
    func flush() {
        do {
            try persist()
        } catch {
            logger.error("could not persist changes: \(error)")
        }
    }

    func persist() throws {
        guard !dirty.isEmpty else { return }
        let encoder = AppRunnerJSON.makeEncoder()
        var seen = Set<String>()
        var changes: [(kind: String, id: String, json: Data?)] = []
        for (kind, id) in dirty.reversed() where seen.insert(kind + "\u{0}" + id).inserted {
            let json: Data?
            switch kind {
            case "service": json = services[id].flatMap { try? encoder.encode($0) }
            case "operation": json = operations[id].flatMap { try? encoder.encode($0) }
            case "autoscaling": json = scalings[id].flatMap { try? encoder.encode($0) }
            case "connection": json = connections[id].flatMap { try? encoder.encode($0) }
            case "vpcconnector": json = connectors[id].flatMap { try? encoder.encode($0) }
            case "ingress": json = ingresses[id].flatMap { try? encoder.encode($0) }
            case "observability": json = observabilities[id].flatMap { try? encoder.encode($0) }
            case "servicetags": json = serviceTags[id].flatMap { try? encoder.encode($0) }
            case "meta": json = try? encoder.encode(defaultScalingArn)
            default: json = nil
            }
            changes.append((kind, id, json))
        }
        dirty.removeAll()
        try store.save(changes)
    }

    // MARK: - Lifecycles

    func advance(_ now: Date) {
        // In start order, so two operations of one service that both ended since the last call apply in turn.
        let ended = unapplied.compactMap { operations[$0] }.filter { !$0.applied && $0.isFinished(at: now) }
            .sorted { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }
        for operation in ended {
            apply(operation, at: now)
            operations[operation.id]?.applied = true
            unapplied.remove(operation.id)
            markDirty("operation", operation.id)
        }
        for (arn, record) in services {
            let kept = record.domains.filter { domain in
                guard let gone = domain.disassociatedAt else { return true }
                return now < gone.addingTimeInterval(options.domainValidationSeconds * 0.5)
            }
            if kept.count != record.domains.count {
                services[arn]?.domains = kept
                markDirty("service", arn)
            }
        }
        for (arn, ingress) in ingresses {
            guard let status = ingress.value.status, let created = ingress.value.createdAt else { continue }
            let changedAt = ingress.changedAt ?? ingress.value.deletedAt ?? created
            guard now.timeIntervalSince(changedAt) >= options.operationSeconds else { continue }
            switch status {
            case .pendingCreation, .pendingUpdate:
                ingresses[arn]?.value.status = .available
                markDirty("ingress", arn)
            case .pendingDeletion:
                ingresses[arn]?.value.status = .deleted
                markDirty("ingress", arn)
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
        markDirty("service", operation.serviceArn)
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
        markDirty("operation", operation.id)
        return operation
    }

    // MARK: - Errors

    func notFound(_ arn: String) -> ResourceNotFoundException {
        ResourceNotFoundException(message: "Resource doesn't exist for the provided ARN: \(arn)")
    }

    func invalidState(_ verb: String, _ status: ServiceStatus) -> InvalidStateException {
        InvalidStateException(message: "Service cannot be \(verb) in the current state: \(status.rawValue).")
    }

    func arn(_ resource: String) -> String {
        "arn:aws:apprunner:\(options.region):\(options.accountId):\(resource)"
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

    // MARK: - Services

    public func createService(_ input: CreateServiceRequest) async throws -> CreateServiceResponse {
        try transaction { now in
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
            markDirty("service", serviceArn)
            markDirty("servicetags", serviceArn)
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
        try transaction { now in
            guard let record = services[input.serviceArn] else { throw notFound(input.serviceArn) }
            return DescribeServiceResponse(service: view(record, at: now))
        }
    }

    public func listServices(_ input: ListServicesRequest) async throws -> ListServicesResponse {
        try transaction { now in
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
        try transaction { now in
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
            markDirty("service", input.serviceArn)
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
        try transaction { now in
            let (record, status) = try liveService(input.serviceArn, at: now)
            guard status == .running else { throw invalidState("deployed", status) }
            var updated = record
            updated.pending = record.service
            let fails = deployFails(record)
            updated.failNext = false
            services[input.serviceArn] = updated
            markDirty("service", input.serviceArn)
            return StartDeploymentResponse(operationId: startOperation(.startDeployment, on: input.serviceArn, at: now, fails: fails).id)
        }
    }

    public func pauseService(_ input: PauseServiceRequest) async throws -> PauseServiceResponse {
        try transaction { now in
            let (record, status) = try liveService(input.serviceArn, at: now)
            if status == .paused { return PauseServiceResponse(service: view(record, at: now)) }
            guard status == .running else { throw invalidState("paused", status) }
            let operation = startOperation(.pauseService, on: input.serviceArn, at: now)
            return PauseServiceResponse(service: view(record, at: now), operationId: operation.id)
        }
    }

    public func resumeService(_ input: ResumeServiceRequest) async throws -> ResumeServiceResponse {
        try transaction { now in
            let (record, status) = try liveService(input.serviceArn, at: now)
            if status == .running { return ResumeServiceResponse(service: view(record, at: now)) }
            guard status == .paused else { throw invalidState("resumed", status) }
            let operation = startOperation(.resumeService, on: input.serviceArn, at: now)
            return ResumeServiceResponse(service: view(record, at: now), operationId: operation.id)
        }
    }

    public func deleteService(_ input: DeleteServiceRequest) async throws -> DeleteServiceResponse {
        try transaction { now in
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

    public func listOperations(_ input: ListOperationsRequest) async throws -> ListOperationsResponse {
        try transaction { now in
            guard services[input.serviceArn] != nil else { throw notFound(input.serviceArn) }
            let all = operations.values.filter { $0.serviceArn == input.serviceArn }
                .sorted { ($0.startedAt, $0.id) > ($1.startedAt, $1.id) }
                .map { $0.summary(at: now) }
            let page = try PageToken.page(all, maxResults: input.maxResults, nextToken: input.nextToken)
            return ListOperationsResponse(operationSummaryList: page.items, nextToken: page.next)
        }
    }

    // MARK: - Custom domains

    func domainView(_ domain: DomainRecord, at now: Date) -> CustomDomain {
        let wait = options.domainValidationSeconds
        let elapsed = now.timeIntervalSince(domain.associatedAt)
        let status: CustomDomainAssociationStatus
        var records: [CertificateValidationRecord]? = domain.records
        if domain.disassociatedAt != nil {
            status = .deleting
        } else if domain.domainName.count > 64 {
            status = elapsed < wait * 0.2 ? .creating : .createFailed
            if status == .creating { records = nil }
        } else if elapsed < wait * 0.2 {
            status = .creating
            records = nil
        } else if elapsed < wait {
            status = .pendingCertificateDnsValidation
        } else if elapsed < wait * 1.5 {
            status = .bindingCertificate
        } else {
            status = .active
        }
        if elapsed >= wait, domain.domainName.count <= 64 {
            records = records?.map { var record = $0; record.status = .success; return record }
        }
        return CustomDomain(domainName: domain.domainName, enableWWWSubdomain: domain.www, certificateValidationRecords: records, status: status)
    }

    func dnsTarget(_ service: Service) -> String {
        service.serviceUrl ?? "\(service.serviceId).\(options.region).awsapprunner.com"
    }

    func vpcDNSTargets(_ serviceArn: String) -> [VpcDNSTarget] {
        ingresses.values.filter { $0.value.serviceArn == serviceArn && $0.value.status == .available }.map {
            VpcDNSTarget(vpcIngressConnectionArn: $0.value.vpcIngressConnectionArn, vpcId: $0.value.ingressVpcConfiguration?.vpcId,
                         domainName: $0.value.domainName)
        }
    }

    static func validationRecords(for domain: String, www: Bool) -> [CertificateValidationRecord] {
        func record(_ name: String) -> CertificateValidationRecord {
            CertificateValidationRecord(name: "_\(LocalIDs.hex32()).\(name).", type: "CNAME",
                                        value: "_\(LocalIDs.hex32()).\(LocalIDs.lower(10)).acm-validations.aws.", status: .pendingValidation)
        }
        // A wildcard's certificate is validated on its base name (as ACM does), and has no www form (inferred).
        let wildcard = domain.hasPrefix("*.")
        let base = wildcard ? String(domain.dropFirst(2)) : domain
        var records = [record(base), record("2a57j7\(LocalIDs.lowerAlnum(25)).\(base)")]
        if www && !wildcard { records.append(record("www.\(base)")) }
        return records
    }

    public func associateCustomDomain(_ input: AssociateCustomDomainRequest) async throws -> AssociateCustomDomainResponse {
        try transaction { now in
            let (record, status) = try liveService(input.serviceArn, at: now)
            guard status == .running else { throw invalidState("associated with a custom domain", status) }
            let name = input.domainName.lowercased()
            if record.domains.contains(where: { $0.domainName == name }) {
                throw InvalidRequestException(message: "\(name) is already associated with \(input.serviceArn)")
            }
            if record.domains.count >= 5 {
                throw InvalidRequestException(message: "You can associate up to 5 custom domains with a service.")
            }
            let www = input.enableWWWSubdomain ?? true
            let domain = DomainRecord(domainName: name, www: www, associatedAt: now, disassociatedAt: nil,
                                      records: Self.validationRecords(for: name, www: www))
            services[input.serviceArn]?.domains.append(domain)
            markDirty("service", input.serviceArn)
            return AssociateCustomDomainResponse(dnsTarget: dnsTarget(record.service), serviceArn: input.serviceArn,
                                                 customDomain: domainView(domain, at: now), vpcDNSTargets: vpcDNSTargets(input.serviceArn))
        }
    }

    public func describeCustomDomains(_ input: DescribeCustomDomainsRequest) async throws -> DescribeCustomDomainsResponse {
        try transaction { now in
            guard let record = services[input.serviceArn] else { throw notFound(input.serviceArn) }
            let page = try PageToken.page(record.domains.map { domainView($0, at: now) }, maxResults: input.maxResults, nextToken: input.nextToken)
            return DescribeCustomDomainsResponse(dnsTarget: dnsTarget(record.service), serviceArn: input.serviceArn, customDomains: page.items,
                                                 vpcDNSTargets: vpcDNSTargets(input.serviceArn), nextToken: page.next)
        }
    }

    public func disassociateCustomDomain(_ input: DisassociateCustomDomainRequest) async throws -> DisassociateCustomDomainResponse {
        try transaction { now in
            let (record, status) = try liveService(input.serviceArn, at: now)
            let name = input.domainName.lowercased()
            guard let index = record.domains.firstIndex(where: { $0.domainName == name && $0.disassociatedAt == nil }) else {
                throw ResourceNotFoundException(message: "No custom domain \(input.domainName) found for the provided service")
            }
            guard status == .running else { throw invalidState("disassociated from a custom domain", status) }
            services[input.serviceArn]?.domains[index].disassociatedAt = now
            markDirty("service", input.serviceArn)
            let domain = services[input.serviceArn]?.domains[index] ?? record.domains[index]
            return DisassociateCustomDomainResponse(dnsTarget: dnsTarget(record.service), serviceArn: input.serviceArn,
                                                    customDomain: domainView(domain, at: now), vpcDNSTargets: vpcDNSTargets(input.serviceArn))
        }
    }

    // MARK: - Auto scaling configurations

    func scalingView(_ arn: String) -> AutoScalingConfiguration? {
        guard var config = scalings[arn]?.value else { return nil }
        let active = scalings.values.filter { $0.value.autoScalingConfigurationName == config.autoScalingConfigurationName && $0.value.status == .active }
        let highest = active.compactMap(\.value.autoScalingConfigurationRevision).max()
        config.latest = config.status == .active && config.autoScalingConfigurationRevision == highest
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
        try transaction { now in
            let name = input.autoScalingConfigurationName
            let active = scalings.values.filter { $0.value.status == .active }
            let sameName = active.filter { $0.value.autoScalingConfigurationName == name }
            if sameName.isEmpty, Set(active.compactMap(\.value.autoScalingConfigurationName)).count >= 10 {
                throw ServiceQuotaExceededException(message: "You exceeded your account's auto scaling configuration quota: 10")
            }
            if sameName.count >= 5 {
                throw ServiceQuotaExceededException(message: "you exceeded your account's revision quota: 5")
            }
            let minSize = input.minSize ?? 1
            let maxSize = input.maxSize ?? 25
            if minSize > maxSize {
                throw InvalidRequestException(message: "MinSize (\(minSize)) can't be greater than MaxSize (\(maxSize)).")
            }
            let revision = (sameName.compactMap(\.value.autoScalingConfigurationRevision).max() ?? 0) + 1
            let arn = arn("autoscalingconfiguration/\(name)/\(revision)/\(LocalIDs.hex32())")
            scalings[arn] = TaggedRecord(value: AutoScalingConfiguration(
                autoScalingConfigurationArn: arn, autoScalingConfigurationName: name, autoScalingConfigurationRevision: revision,
                status: .active, maxConcurrency: input.maxConcurrency ?? 100, minSize: minSize, maxSize: maxSize, createdAt: now),
                tags: input.tags ?? [])
            markDirty("autoscaling", arn)
            guard let view = scalingView(arn) else { throw notFound(arn) }
            return CreateAutoScalingConfigurationResponse(autoScalingConfiguration: view)
        }
    }

    public func describeAutoScalingConfiguration(_ input: DescribeAutoScalingConfigurationRequest) async throws -> DescribeAutoScalingConfigurationResponse {
        try transaction { _ in
            guard let view = scalingView(input.autoScalingConfigurationArn) else { throw notFound(input.autoScalingConfigurationArn) }
            return DescribeAutoScalingConfigurationResponse(autoScalingConfiguration: view)
        }
    }

    public func deleteAutoScalingConfiguration(_ input: DeleteAutoScalingConfigurationRequest) async throws -> DeleteAutoScalingConfigurationResponse {
        try transaction { now in
            guard let target = scalingView(input.autoScalingConfigurationArn), target.status == .active else {
                throw notFound(input.autoScalingConfigurationArn)
            }
            let arns = input.deleteAllRevisions == true
                ? scalings.filter { $0.value.value.autoScalingConfigurationName == target.autoScalingConfigurationName && $0.value.value.status == .active }.map(\.key)
                : [input.autoScalingConfigurationArn]
            for arn in arns {
                if arn == defaultScalingArn {
                    throw InvalidRequestException(message: "You can't delete the default auto scaling configuration. Set another configuration as the default first.")
                }
                if scalingView(arn)?.hasAssociatedService == true {
                    throw InvalidRequestException(message: "You can't delete the auto scaling configuration. It's used by one or more services. To delete it, update the services to use other auto scaling configurations.")
                }
            }
            for arn in arns {
                scalings[arn]?.value.status = .inactive
                scalings[arn]?.value.deletedAt = now
                markDirty("autoscaling", arn)
            }
            guard let view = scalingView(input.autoScalingConfigurationArn) else { throw notFound(input.autoScalingConfigurationArn) }
            return DeleteAutoScalingConfigurationResponse(autoScalingConfiguration: view)
        }
    }

    public func listAutoScalingConfigurations(_ input: ListAutoScalingConfigurationsRequest) async throws -> ListAutoScalingConfigurationsResponse {
        try transaction { now in
            let all = scalings.keys.compactMap(scalingView)
                .filter { $0.status == .active }
                .filter { input.autoScalingConfigurationName == nil || $0.autoScalingConfigurationName == input.autoScalingConfigurationName }
                .filter { input.latestOnly != true || $0.latest == true }
                .sorted { ($0.autoScalingConfigurationName ?? "", $0.autoScalingConfigurationRevision ?? 0) < ($1.autoScalingConfigurationName ?? "", $1.autoScalingConfigurationRevision ?? 0) }
                .compactMap { scalingSummary($0.autoScalingConfigurationArn, now: now) }
            let page = try PageToken.page(all, maxResults: input.maxResults, nextToken: input.nextToken)
            return ListAutoScalingConfigurationsResponse(autoScalingConfigurationSummaryList: page.items, nextToken: page.next)
        }
    }

    public func updateDefaultAutoScalingConfiguration(_ input: UpdateDefaultAutoScalingConfigurationRequest) async throws -> UpdateDefaultAutoScalingConfigurationResponse {
        try transaction { _ in
            guard scalingView(input.autoScalingConfigurationArn)?.status == .active else { throw notFound(input.autoScalingConfigurationArn) }
            defaultScalingArn = input.autoScalingConfigurationArn
            markDirty("meta", "defaultScaling")
            guard let view = scalingView(input.autoScalingConfigurationArn) else { throw notFound(input.autoScalingConfigurationArn) }
            return UpdateDefaultAutoScalingConfigurationResponse(autoScalingConfiguration: view)
        }
    }

    public func listServicesForAutoScalingConfiguration(_ input: ListServicesForAutoScalingConfigurationRequest) async throws -> ListServicesForAutoScalingConfigurationResponse {
        try transaction { _ in
            guard scalings[input.autoScalingConfigurationArn] != nil else { throw notFound(input.autoScalingConfigurationArn) }
            let arns = services.values.filter {
                $0.service.status != .deleted && $0.service.autoScalingConfigurationSummary.autoScalingConfigurationArn == input.autoScalingConfigurationArn
            }.map(\.service.serviceArn).sorted()
            let page = try PageToken.page(arns, maxResults: input.maxResults, nextToken: input.nextToken)
            return ListServicesForAutoScalingConfigurationResponse(serviceArnList: page.items, nextToken: page.next)
        }
    }

    // MARK: - Connections

    public func createConnection(_ input: CreateConnectionRequest) async throws -> CreateConnectionResponse {
        try transaction { now in
            if connections.values.contains(where: { $0.value.connectionName == input.connectionName }) {
                throw InvalidRequestException(message: "Connection with the provided name already exists: \(input.connectionName)")
            }
            let arn = arn("connection/\(input.connectionName)/\(LocalIDs.hex32())")
            let connection = Connection(connectionName: input.connectionName, connectionArn: arn, providerType: input.providerType,
                                        status: .pendingHandshake, createdAt: now)
            connections[arn] = TaggedRecord(value: connection, tags: input.tags ?? [])
            markDirty("connection", arn)
            return CreateConnectionResponse(connection: connection)
        }
    }

    public func deleteConnection(_ input: DeleteConnectionRequest) async throws -> DeleteConnectionResponse {
        try transaction { _ in
            guard var connection = connections[input.connectionArn]?.value else { throw notFound(input.connectionArn) }
            connections[input.connectionArn] = nil
            markDirty("connection", input.connectionArn)
            connection.status = .deleted
            return DeleteConnectionResponse(connection: connection)
        }
    }

    public func listConnections(_ input: ListConnectionsRequest) async throws -> ListConnectionsResponse {
        try transaction { _ in
            let all = connections.values.map(\.value)
                .filter { input.connectionName == nil || $0.connectionName == input.connectionName }
                .sorted { ($0.createdAt ?? .distantPast, $0.connectionArn ?? "") < ($1.createdAt ?? .distantPast, $1.connectionArn ?? "") }
                .map { ConnectionSummary(connectionName: $0.connectionName, connectionArn: $0.connectionArn, providerType: $0.providerType,
                                         status: $0.status, createdAt: $0.createdAt) }
            let page = try PageToken.page(all, maxResults: input.maxResults, nextToken: input.nextToken)
            return ListConnectionsResponse(connectionSummaryList: page.items, nextToken: page.next)
        }
    }

    // MARK: - VPC connectors

    public func createVpcConnector(_ input: CreateVpcConnectorRequest) async throws -> CreateVpcConnectorResponse {
        try transaction { now in
            let revisions = connectors.values.filter { $0.value.vpcConnectorName == input.vpcConnectorName && $0.value.status == .active }
            let revision = (revisions.compactMap(\.value.vpcConnectorRevision).max() ?? 0) + 1
            let arn = arn("vpcconnector/\(input.vpcConnectorName)/\(revision)/\(LocalIDs.hex32())")
            let connector = VpcConnector(vpcConnectorName: input.vpcConnectorName, vpcConnectorArn: arn, vpcConnectorRevision: revision,
                                         subnets: input.subnets, securityGroups: input.securityGroups ?? [], status: .active, createdAt: now)
            connectors[arn] = TaggedRecord(value: connector, tags: input.tags ?? [])
            markDirty("vpcconnector", arn)
            return CreateVpcConnectorResponse(vpcConnector: connector)
        }
    }

    public func describeVpcConnector(_ input: DescribeVpcConnectorRequest) async throws -> DescribeVpcConnectorResponse {
        try transaction { _ in
            guard let connector = connectors[input.vpcConnectorArn]?.value else { throw notFound(input.vpcConnectorArn) }
            return DescribeVpcConnectorResponse(vpcConnector: connector)
        }
    }

    public func deleteVpcConnector(_ input: DeleteVpcConnectorRequest) async throws -> DeleteVpcConnectorResponse {
        try transaction { now in
            guard let connector = connectors[input.vpcConnectorArn]?.value, connector.status == .active else { throw notFound(input.vpcConnectorArn) }
            let inUse = services.values.contains {
                $0.service.status != .deleted && $0.service.networkConfiguration.egressConfiguration?.vpcConnectorArn == input.vpcConnectorArn
            }
            if inUse {
                throw InvalidRequestException(message: "You can't delete the VPC connector. It's used by one or more services.")
            }
            connectors[input.vpcConnectorArn]?.value.status = .inactive
            connectors[input.vpcConnectorArn]?.value.deletedAt = now
            markDirty("vpcconnector", input.vpcConnectorArn)
            return DeleteVpcConnectorResponse(vpcConnector: connectors[input.vpcConnectorArn]?.value ?? connector)
        }
    }

    public func listVpcConnectors(_ input: ListVpcConnectorsRequest) async throws -> ListVpcConnectorsResponse {
        try transaction { _ in
            let all = connectors.values.map(\.value)
                .sorted { ($0.vpcConnectorName ?? "", $0.vpcConnectorRevision ?? 0) < ($1.vpcConnectorName ?? "", $1.vpcConnectorRevision ?? 0) }
            let page = try PageToken.page(all, maxResults: input.maxResults, nextToken: input.nextToken)
            return ListVpcConnectorsResponse(vpcConnectors: page.items, nextToken: page.next)
        }
    }

    // MARK: - VPC ingress connections

    public func createVpcIngressConnection(_ input: CreateVpcIngressConnectionRequest) async throws -> CreateVpcIngressConnectionResponse {
        try transaction { now in
            let (record, status) = try liveService(input.serviceArn, at: now)
            guard status != .deleted else { throw invalidState("connected", status) }
            if record.service.networkConfiguration.ingressConfiguration?.isPubliclyAccessible != false {
                throw InvalidRequestException(message: "A VPC ingress connection requires a service that isn't publicly accessible (IngressConfiguration.IsPubliclyAccessible false).")
            }
            let existing = ingresses.values.contains {
                $0.value.serviceArn == input.serviceArn && $0.value.status != .deleted
            }
            if existing {
                throw InvalidStateException(message: "The service already has a VPC ingress connection.")
            }
            let arn = arn("vpcingressconnection/\(input.vpcIngressConnectionName)/\(LocalIDs.hex32())")
            let ingress = VpcIngressConnection(
                vpcIngressConnectionArn: arn, vpcIngressConnectionName: input.vpcIngressConnectionName, serviceArn: input.serviceArn,
                status: .pendingCreation, accountId: options.accountId,
                domainName: "\(LocalIDs.lowerAlnum(10)).\(LocalIDs.lowerAlnum(10)).\(options.region).awsapprunner.com",
                ingressVpcConfiguration: input.ingressVpcConfiguration, createdAt: now)
            ingresses[arn] = TaggedRecord(value: ingress, tags: input.tags ?? [])
            markDirty("ingress", arn)
            return CreateVpcIngressConnectionResponse(vpcIngressConnection: ingress)
        }
    }

    public func describeVpcIngressConnection(_ input: DescribeVpcIngressConnectionRequest) async throws -> DescribeVpcIngressConnectionResponse {
        try transaction { _ in
            guard let ingress = ingresses[input.vpcIngressConnectionArn]?.value else { throw notFound(input.vpcIngressConnectionArn) }
            return DescribeVpcIngressConnectionResponse(vpcIngressConnection: ingress)
        }
    }

    public func updateVpcIngressConnection(_ input: UpdateVpcIngressConnectionRequest) async throws -> UpdateVpcIngressConnectionResponse {
        try transaction { now in
            guard let ingress = ingresses[input.vpcIngressConnectionArn]?.value, ingress.status != .deleted else {
                throw notFound(input.vpcIngressConnectionArn)
            }
            guard ingress.status == .available || ingress.status == .failedUpdate else {
                throw InvalidStateException(message: "VPC ingress connection cannot be updated in the current state: \(ingress.status?.rawValue ?? "").")
            }
            ingresses[input.vpcIngressConnectionArn]?.value.ingressVpcConfiguration = input.ingressVpcConfiguration
            ingresses[input.vpcIngressConnectionArn]?.value.status = .pendingUpdate
            // The update takes operationSeconds from now (not from CreatedAt).
            ingresses[input.vpcIngressConnectionArn]?.changedAt = now
            markDirty("ingress", input.vpcIngressConnectionArn)
            return UpdateVpcIngressConnectionResponse(vpcIngressConnection: ingresses[input.vpcIngressConnectionArn]?.value ?? ingress)
        }
    }

    public func deleteVpcIngressConnection(_ input: DeleteVpcIngressConnectionRequest) async throws -> DeleteVpcIngressConnectionResponse {
        try transaction { now in
            guard let ingress = ingresses[input.vpcIngressConnectionArn]?.value, ingress.status != .deleted else {
                throw notFound(input.vpcIngressConnectionArn)
            }
            guard [.available, .failedCreation, .failedUpdate, .failedDeletion].contains(ingress.status) else {
                throw InvalidStateException(message: "VPC ingress connection cannot be deleted in the current state: \(ingress.status?.rawValue ?? "").")
            }
            ingresses[input.vpcIngressConnectionArn]?.value.status = .pendingDeletion
            ingresses[input.vpcIngressConnectionArn]?.value.deletedAt = now
            ingresses[input.vpcIngressConnectionArn]?.changedAt = now
            markDirty("ingress", input.vpcIngressConnectionArn)
            return DeleteVpcIngressConnectionResponse(vpcIngressConnection: ingresses[input.vpcIngressConnectionArn]?.value ?? ingress)
        }
    }

    public func listVpcIngressConnections(_ input: ListVpcIngressConnectionsRequest) async throws -> ListVpcIngressConnectionsResponse {
        try transaction { _ in
            let all = ingresses.values.map(\.value)
                .filter { $0.status != .deleted }
                .filter { input.filter?.serviceArn == nil || $0.serviceArn == input.filter?.serviceArn }
                .filter { input.filter?.vpcEndpointId == nil || $0.ingressVpcConfiguration?.vpcEndpointId == input.filter?.vpcEndpointId }
                .sorted { ($0.createdAt ?? .distantPast, $0.vpcIngressConnectionArn ?? "") < ($1.createdAt ?? .distantPast, $1.vpcIngressConnectionArn ?? "") }
                .map { VpcIngressConnectionSummary(vpcIngressConnectionArn: $0.vpcIngressConnectionArn, serviceArn: $0.serviceArn) }
            let page = try PageToken.page(all, maxResults: input.maxResults, nextToken: input.nextToken)
            return ListVpcIngressConnectionsResponse(vpcIngressConnectionSummaryList: page.items, nextToken: page.next)
        }
    }

    // MARK: - Observability configurations

    func observabilityView(_ arn: String) -> ObservabilityConfiguration? {
        guard var config = observabilities[arn]?.value else { return nil }
        let highest = observabilities.values
            .filter { $0.value.observabilityConfigurationName == config.observabilityConfigurationName && $0.value.status == .active }
            .compactMap(\.value.observabilityConfigurationRevision).max()
        config.latest = config.status == .active && config.observabilityConfigurationRevision == highest
        return config
    }

    public func createObservabilityConfiguration(_ input: CreateObservabilityConfigurationRequest) async throws -> CreateObservabilityConfigurationResponse {
        try transaction { now in
            let sameName = observabilities.values.filter {
                $0.value.observabilityConfigurationName == input.observabilityConfigurationName && $0.value.status == .active
            }
            let revision = (sameName.compactMap(\.value.observabilityConfigurationRevision).max() ?? 0) + 1
            let arn = arn("observabilityconfiguration/\(input.observabilityConfigurationName)/\(revision)/\(LocalIDs.hex32())")
            observabilities[arn] = TaggedRecord(value: ObservabilityConfiguration(
                observabilityConfigurationArn: arn, observabilityConfigurationName: input.observabilityConfigurationName,
                traceConfiguration: input.traceConfiguration, observabilityConfigurationRevision: revision, status: .active, createdAt: now),
                tags: input.tags ?? [])
            markDirty("observability", arn)
            guard let view = observabilityView(arn) else { throw notFound(arn) }
            return CreateObservabilityConfigurationResponse(observabilityConfiguration: view)
        }
    }

    public func describeObservabilityConfiguration(_ input: DescribeObservabilityConfigurationRequest) async throws -> DescribeObservabilityConfigurationResponse {
        try transaction { _ in
            guard let view = observabilityView(input.observabilityConfigurationArn) else { throw notFound(input.observabilityConfigurationArn) }
            return DescribeObservabilityConfigurationResponse(observabilityConfiguration: view)
        }
    }

    public func deleteObservabilityConfiguration(_ input: DeleteObservabilityConfigurationRequest) async throws -> DeleteObservabilityConfigurationResponse {
        try transaction { now in
            guard let view = observabilityView(input.observabilityConfigurationArn), view.status == .active else {
                throw notFound(input.observabilityConfigurationArn)
            }
            observabilities[input.observabilityConfigurationArn]?.value.status = .inactive
            observabilities[input.observabilityConfigurationArn]?.value.deletedAt = now
            markDirty("observability", input.observabilityConfigurationArn)
            return DeleteObservabilityConfigurationResponse(observabilityConfiguration: observabilityView(input.observabilityConfigurationArn) ?? view)
        }
    }

    public func listObservabilityConfigurations(_ input: ListObservabilityConfigurationsRequest) async throws -> ListObservabilityConfigurationsResponse {
        try transaction { _ in
            let all = observabilities.keys.compactMap(observabilityView)
                .filter { $0.status == .active }
                .filter { input.observabilityConfigurationName == nil || $0.observabilityConfigurationName == input.observabilityConfigurationName }
                .filter { input.latestOnly != true || $0.latest == true }
                .sorted { ($0.observabilityConfigurationName ?? "", $0.observabilityConfigurationRevision ?? 0) < ($1.observabilityConfigurationName ?? "", $1.observabilityConfigurationRevision ?? 0) }
                .map { ObservabilityConfigurationSummary(observabilityConfigurationArn: $0.observabilityConfigurationArn,
                                                         observabilityConfigurationName: $0.observabilityConfigurationName,
                                                         observabilityConfigurationRevision: $0.observabilityConfigurationRevision) }
            let page = try PageToken.page(all, maxResults: input.maxResults, nextToken: input.nextToken)
            return ListObservabilityConfigurationsResponse(observabilityConfigurationSummaryList: page.items, nextToken: page.next)
        }
    }

    // MARK: - Tags

    func tags(of arn: String) throws -> [Tag] {
        if services[arn] != nil { return serviceTags[arn] ?? [] }
        if let record = scalings[arn] { return record.tags }
        if let record = connections[arn] { return record.tags }
        if let record = connectors[arn] { return record.tags }
        if let record = ingresses[arn] { return record.tags }
        if let record = observabilities[arn] { return record.tags }
        throw notFound(arn)
    }

    func setTags(_ tags: [Tag], of arn: String) {
        if services[arn] != nil {
            serviceTags[arn] = tags
            markDirty("servicetags", arn)
        } else if scalings[arn] != nil {
            scalings[arn]?.tags = tags
            markDirty("autoscaling", arn)
        } else if connections[arn] != nil {
            connections[arn]?.tags = tags
            markDirty("connection", arn)
        } else if connectors[arn] != nil {
            connectors[arn]?.tags = tags
            markDirty("vpcconnector", arn)
        } else if ingresses[arn] != nil {
            ingresses[arn]?.tags = tags
            markDirty("ingress", arn)
        } else if observabilities[arn] != nil {
            observabilities[arn]?.tags = tags
            markDirty("observability", arn)
        }
    }

    public func tagResource(_ input: TagResourceRequest) async throws -> TagResourceResponse {
        try transaction { _ in
            var tags = try tags(of: input.resourceArn)
            for tag in input.tags {
                if let index = tags.firstIndex(where: { $0.key == tag.key }) { tags[index] = tag } else { tags.append(tag) }
            }
            if tags.count > 50 {
                throw InvalidRequestException(message: "A resource can have at most 50 tags.")
            }
            setTags(tags, of: input.resourceArn)
            return TagResourceResponse()
        }
    }

    public func untagResource(_ input: UntagResourceRequest) async throws -> UntagResourceResponse {
        try transaction { _ in
            let tags = try tags(of: input.resourceArn).filter { tag in !input.tagKeys.contains { $0 == tag.key } }
            setTags(tags, of: input.resourceArn)
            return UntagResourceResponse()
        }
    }

    public func listTagsForResource(_ input: ListTagsForResourceRequest) async throws -> ListTagsForResourceResponse {
        try transaction { _ in
            ListTagsForResourceResponse(tags: try tags(of: input.resourceArn))
        }
    }
}
