import AWSCore
import AppRunner
import CloudWatch
import CloudWatchLogs
import FoundationEssentials
import Logging
import RunnerDeckKit

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How the store polls.
struct StoreConfiguration: Sendable, Hashable {
    /// Seconds between refreshes when nothing is in progress (`--refresh`, default 10).
    var slowInterval: Double
    /// Seconds between refreshes while an operation is in progress (default 2).
    var fastInterval: Double
    /// Upper bound of the error backoff in seconds.
    public var maxBackoff: Double
    /// Refuses every changing action (checked where the call is made).
    public var readOnly: Bool
    /// Maximum number of concurrent DescribeService/ListOperations calls for visible rows.
    var rowConcurrency: Int
    /// Activity entries kept.
    var activityLimit: Int
    /// Real seconds a refresh may take before it is cancelled (an endpoint that accepts and never
    /// answers must not freeze the data without saying so).
    var refreshTimeout: Double

    public init(slowInterval: Double = 10, fastInterval: Double = 2, maxBackoff: Double = 120, readOnly: Bool = false,
                rowConcurrency: Int = 4, activityLimit: Int = 1000, refreshTimeout: Double = 45) {
        self.slowInterval = max(1, slowInterval)
        self.fastInterval = max(0.5, min(fastInterval, max(1, slowInterval)))
        self.maxBackoff = max(maxBackoff, self.fastInterval)
        self.readOnly = readOnly
        self.rowConcurrency = max(1, rowConcurrency)
        self.activityLimit = max(10, activityLimit)
        self.refreshTimeout = max(0.1, refreshTimeout)
    }
}

/// What is on screen, so the store makes only the calls the visible view needs.
struct StoreFocus: Sendable, Hashable {
    public var view: ViewKind
    /// The open service (detail and domains views).
    public var serviceArn: String?
    /// Services whose rows are on screen (Services view): these get DescribeService/ListOperations.
    var visibleServiceArns: [String]
    /// What the Logs view reads, while it is on screen.
    var logs: LogsTarget?
    /// The Logs view follows new lines (polled fast) or stands still (polled slowly).
    var logsFollow: Bool

    public init(view: ViewKind = .services, serviceArn: String? = nil, visibleServiceArns: [String] = [],
                logs: LogsTarget? = nil, logsFollow: Bool = true) {
        self.view = view
        self.serviceArn = serviceArn
        self.visibleServiceArns = visibleServiceArns
        self.logs = logs
        self.logsFollow = logsFollow
    }
}

/// What came of an action.
enum ActionOutcome: Sendable, Hashable {
    /// Accepted; the operation is followed when there is one.
    case started(operationId: String?)
    /// Refused by the dashboard itself (read-only).
    case refused(String)
    /// The API answered with an error.
    case failed(String)
}

/// The dashboard's state and the only place that calls the App Runner API.
///
/// It polls on its own (``run()``): every `fastInterval` while anything is in progress, every
/// `slowInterval` otherwise, one refresh at a time, exponential backoff after errors (shown in the
/// state, never fatal). Results of an older region/profile (``DashboardState/generation``) are
/// dropped. Every change goes through ``perform(_:serviceArn:serviceName:)``, which enforces
/// read-only and then follows the returned operation to its end.
actor DashboardStore {
    public internal(set) var state: DashboardState
    public let configuration: StoreConfiguration
    private var api: any AppRunnerAPI
    /// CloudWatch Logs for the deployment log: given, or the App Runner API itself when it serves logs
    /// too (Local App Runner in `--demo`); nil without either.
    private(set) var logsAPI: (any CloudWatchLogsAPI)?
    /// The tail of the open service's newest operation (see DashboardStore+Logs).
    var deploymentTail: LogTail?
    /// CloudWatch metrics for the services list's traffic columns; like `logsAPI`.
    private(set) var metricsAPI: (any CloudWatchAPI)?
    /// When the visible rows' traffic was last read (see DashboardStore+Metrics).
    var trafficFetchedAt: Date?
    /// When the open service's tags were last read (they change rarely: every ``tagsInterval``).
    var tagsReadAt: (arn: String, at: Date)?
    static let tagsInterval: TimeInterval = 300
    /// The operation whose deployment log was read to its end (see DashboardStore+Logs).
    var deploymentLogComplete: String?
    /// The open service's last hour of metrics: which service and when (see DashboardStore+Metrics).
    var detailMetricsFetched: (arn: String, at: Date)?
    /// The Logs view's tail, its polling task and how it polls (see DashboardStore+LogsView).
    var logsTail: LogTail?
    var logsTask: Task<Void, Never>?
    var logsWake: Task<Void, Never>?
    var logsFollow = true
    var logsFailures = 0
    let clock: any WallClock
    private let onChange: @Sendable (DashboardState) -> Void
    let logger: Logger
    private var focus = StoreFocus()
    private var refreshRequested = false
    private var wakeTask: Task<Void, Never>?
    private var followTasks: [String: Task<Void, Never>] = [:]
    private var fillingRows = false
    /// Asks the DNS about the open service's domains (see DashboardStore+Domains).
    let domainChecker: DomainChecker
    /// The running DNS check, if any.
    var domainCheckTask: Task<Void, Never>?
    /// Where `e` writes a domain's zone file.
    let exportDirectory: String
    /// Refreshes made since start (for tests and the log).
    private(set) var refreshCount = 0

    public init(api: any AppRunnerAPI, cloudWatch: CloudWatchClients = CloudWatchClients(), context: DashboardContext,
                configuration: StoreConfiguration = StoreConfiguration(),
                clock: any WallClock = SystemClock(), logger: Logger = Logger(label: "runnerdeck.store"),
                domainChecker: DomainChecker = .system(), exportDirectory: String = FileManager.default.currentDirectoryPath,
                onChange: @escaping @Sendable (DashboardState) -> Void = { _ in }) {
        self.domainChecker = domainChecker
        self.exportDirectory = exportDirectory
        self.api = api
        self.logsAPI = cloudWatch.logs ?? (api as? any CloudWatchLogsAPI)
        self.metricsAPI = cloudWatch.metrics ?? (api as? any CloudWatchAPI)
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.onChange = onChange
        self.state = DashboardState(context: context, readOnly: configuration.readOnly)
    }

    // MARK: Polling

    /// Polls until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            await refreshWithDeadline()
            if Task.isCancelled { break }
            if refreshRequested { refreshRequested = false; continue }
            let delay = nextDelay()
            state.nextRefreshAt = clock.now().addingTimeInterval(delay)
            publish()
            let clock = self.clock
            let sleeper = Task<Void, Never> { _ = try? await clock.sleep(seconds: delay) }
            wakeTask = sleeper
            await withTaskCancellationHandler { await sleeper.value } onCancel: { sleeper.cancel() }
            wakeTask = nil
        }
        for task in followTasks.values { task.cancel() }
        logsTask?.cancel()
    }

    /// Set when the running refresh was cancelled for taking too long.
    private var refreshTimedOut = false

    /// A refresh under ``StoreConfiguration/refreshTimeout`` (real time): past it the refresh is
    /// cancelled, counted as a failure in words, and retried with the backoff.
    func refreshWithDeadline() async {
        refreshTimedOut = false
        let work = Task { await self.refresh() }
        let seconds = configuration.refreshTimeout
        let timer = Task {
            try await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
            self.cancelHungRefresh(work)
        }
        await withTaskCancellationHandler { await work.value } onCancel: { work.cancel() }
        timer.cancel()
    }

    private func cancelHungRefresh(_ work: Task<Void, Never>) {
        refreshTimedOut = true
        work.cancel()
    }

    /// Seconds until the next refresh: the backoff after errors, otherwise fast or slow.
    func nextDelay() -> Double {
        if state.consecutiveFailures > 0 {
            let exponent = Double(min(state.consecutiveFailures, 16))
            return min(configuration.fastInterval * pow(2, exponent), configuration.maxBackoff)
        }
        return state.anythingInProgress ? configuration.fastInterval : configuration.slowInterval
    }

    /// Asks the polling loop to refresh now (Ctrl-L, after an action, focus change).
    func requestRefresh() {
        refreshRequested = true
        wakeTask?.cancel()
    }

    /// Tells the store what is on screen.
    func setFocus(_ newFocus: StoreFocus) {
        let old = focus
        focus = newFocus
        updateLogs(newFocus)
        if let arn = newFocus.serviceArn, state.detail?.serviceArn != arn {
            state.detail = ServiceDetailState(serviceArn: arn, service: state.services.first { $0.arn == arn }?.service)
            publish()
        }
        let needsDetail = (newFocus.view == .detail || newFocus.view == .domains || newFocus.view == .logs) && state.detail?.loaded != true
        let needsResources = newFocus.view == .resources && !state.resources.loaded
        if needsDetail || needsResources || (old.serviceArn != newFocus.serviceArn && newFocus.serviceArn != nil && newFocus.view != .services) {
            requestRefresh()
        } else if newFocus.view == .services, old.visibleServiceArns != newFocus.visibleServiceArns {
            Task { await self.fillVisibleRows() }
        }
    }

    /// One refresh of what the focus needs. Overlapping calls are folded into one more refresh.
    public func refresh() async {
        if state.refreshing { refreshRequested = true; return }
        state.refreshing = true
        publish()
        let generation = state.generation
        let api = self.api
        let focus = self.focus
        do {
            let summaries = try await listAllServices(api)
            guard generation == state.generation else { return finishStale() }
            applyServices(summaries)
            if focus.view == .services {
                try await refreshRows(arns: focus.visibleServiceArns, api: api, generation: generation, force: true)
                await refreshTraffic(arns: focus.visibleServiceArns, generation: generation)
            }
            if let arn = focus.serviceArn, focus.view == .detail || focus.view == .domains || focus.view == .logs {
                // The Logs view needs the operations (its sources and their state), not the domains.
                // Domains are read for their view (and with the first load); tags every few minutes.
                let firstLoad = state.detail?.serviceArn != arn || state.detail?.loaded != true
                let tagsDue = tagsReadAt.map { $0.arn != arn || clock.now().timeIntervalSince($0.at) >= Self.tagsInterval } ?? true
                try await refreshDetail(arn: arn, api: api, generation: generation, withDomains: focus.view == .domains || firstLoad,
                                        withTags: focus.view == .detail && (firstLoad || tagsDue))
                if focus.view == .detail {
                    await refreshDeploymentLog(arn: arn, generation: generation)
                    await refreshDetailMetrics(arn: arn, generation: generation)
                }
                if focus.view == .domains { checkDomainsIfDue(serviceArn: arn) }
            }
            if focus.view == .resources {
                try await refreshResources(api: api, generation: generation)
            }
            guard generation == state.generation else { return finishStale() }
            if state.consecutiveFailures > 0 {
                log(.info, "refresh succeeded again after \(state.consecutiveFailures) failure(s)")
            }
            state.consecutiveFailures = 0
            state.lastError = nil
            state.lastRefresh = clock.now()
        } catch {
            guard generation == state.generation else { return finishStale() }
            let message = refreshTimedOut
                ? "no answer within \(Format.duration(configuration.refreshTimeout.rounded(.up))); the refresh was cancelled (retrying with backoff)"
                : Self.describe(error)
            state.consecutiveFailures += 1
            if state.lastError != message { log(.error, "refresh failed: \(message)") }
            state.lastError = message
            logger.warning("refresh failed", metadata: ["error": "\(message)", "failures": "\(state.consecutiveFailures)"])
        }
        refreshCount += 1
        state.refreshing = false
        publish()
    }

    private func finishStale() {
        state.refreshing = false
        refreshCount += 1
        publish()
    }

    private func listAllServices(_ api: any AppRunnerAPI) async throws -> [ServiceSummary] {
        try await api.listServicesPaginator(ListServicesRequest(maxResults: 20)).collect(maxPages: Self.maxServicePages) { $0.serviceSummaryList }
    }

    /// Pages of 20 services read per refresh at most (App Runner's quota is far below 20,000 services).
    static let maxServicePages = 1000

    private func applyServices(_ summaries: [ServiceSummary]) {
        let first = !state.servicesLoaded
        var old: [String: ServiceRow] = [:]
        for row in state.services { old[row.arn] = row }
        var rows: [ServiceRow] = []
        rows.reserveCapacity(summaries.count)
        var seen = Set<String>()
        for summary in summaries {
            let arn = summary.serviceArn ?? ""
            seen.insert(arn)
            var row = ServiceRow(summary: summary)
            if let previous = old[arn] {
                row.service = previous.service
                row.currentOperation = summary.status == .operationInProgress ? previous.currentOperation : nil
                row.lastOperation = previous.lastOperation
                if !first, previous.status != summary.status {
                    let from = previous.status?.rawValue ?? "?"
                    let to = summary.status?.rawValue ?? "?"
                    log(summary.status == .createFailed || summary.status == .deleteFailed ? .failure : .change,
                        "\(row.name): \(from) → \(to)")
                }
            } else if !first {
                log(.change, "\(row.name) appeared (\(summary.status?.rawValue ?? "?"))")
            }
            rows.append(row)
        }
        if !first {
            for (arn, row) in old where !seen.contains(arn) { log(.change, "\(row.name) is no longer listed") }
        }
        state.services = rows
        state.servicesLoaded = true
    }

    /// DescribeService for rows whose description is missing or older than their UpdatedAt, and
    /// ListOperations (newest only) for rows in progress.
    private func refreshRows(arns: [String], api: any AppRunnerAPI, generation: Int, force: Bool) async throws {
        let wanted = Set(arns)
        let rows = state.services.filter { wanted.contains($0.arn) }
        let needDescribe = rows.filter { row in
            guard let service = row.service else { return true }
            return row.summary.updatedAt.map { $0 != service.updatedAt } ?? false || service.status != row.status
        }.map(\.arn)
        // The newest operation of rows in progress, and of rows that changed (so an operation that
        // ended between two refreshes, started by anyone, is seen with its outcome).
        let needOperation = rows.filter { row in
            if row.status == .operationInProgress { return force || row.currentOperation == nil }
            return needDescribe.contains(row.arn) || row.lastOperation.map { !$0.isFinal } ?? false
        }.map(\.arn)
        enum RowResult: Sendable { case service(Service), operation(String, OperationSummary?), gone(String) }
        var jobs: [@Sendable () async throws -> RowResult] = []
        for arn in needDescribe {
            jobs.append {
                do { return .service(try await api.describeService(DescribeServiceRequest(serviceArn: arn)).service) } catch is AppRunner.ResourceNotFoundException { return .gone(arn) }
            }
        }
        for arn in needOperation {
            jobs.append {
                do {
                    let page = try await api.listOperations(ListOperationsRequest(serviceArn: arn, maxResults: 1))
                    return .operation(arn, page.operationSummaryList?.first)
                } catch is AppRunner.ResourceNotFoundException { return .gone(arn) }
            }
        }
        guard !jobs.isEmpty else { return }
        let limit = configuration.rowConcurrency
        var results: [RowResult] = []
        try await withThrowingTaskGroup(of: RowResult.self) { group in
            var next = 0
            while next < min(limit, jobs.count) { let job = jobs[next]; group.addTask { try await job() }; next += 1 }
            while let result = try await group.next() {
                results.append(result)
                if next < jobs.count { let job = jobs[next]; group.addTask { try await job() }; next += 1 }
            }
        }
        guard generation == state.generation else { return }
        for result in results {
            switch result {
            case .service(let service):
                if let index = state.services.firstIndex(where: { $0.arn == service.serviceArn }) { state.services[index].service = service }
                state.noteImage(of: service)
            case .operation(let arn, let operation):
                if let index = state.services.firstIndex(where: { $0.arn == arn }) {
                    let previous = state.services[index].lastOperation
                    state.services[index].currentOperation = (operation?.isFinal ?? true) ? nil : operation
                    state.services[index].lastOperation = operation
                    if let operation { announceIfEnded(operation, previous: previous, service: state.services[index].name) }
                }
            case .gone:
                break
            }
        }
        publish()
    }

    /// Describes rows that scrolled into view (no ListServices), one pass at a time.
    private func fillVisibleRows() async {
        guard !fillingRows, !state.refreshing else { return }
        fillingRows = true
        defer { fillingRows = false }
        do {
            try await refreshRows(arns: focus.visibleServiceArns, api: api, generation: state.generation, force: false)
        } catch {
            logger.debug("filling visible rows failed", metadata: ["error": "\(Self.describe(error))"])
        }
    }

    private func refreshDetail(arn: String, api: any AppRunnerAPI, generation: Int, withDomains: Bool, withTags: Bool) async throws {
        let service = try await api.describeService(DescribeServiceRequest(serviceArn: arn)).service
        let operations = try await api.listOperationsPaginator(ListOperationsRequest(serviceArn: arn, maxResults: 20))
            .collect(maxPages: 10) { $0.operationSummaryList ?? [] }
        var domains: [CustomDomain] = []
        var dnsTarget: String?
        var vpcTargets: [VpcDNSTarget] = []
        if withDomains {
            let pages = try await api.describeCustomDomainsPaginator(DescribeCustomDomainsRequest(serviceArn: arn, maxResults: 5)).collect(maxPages: 20)
            domains = pages.flatMap(\.customDomains)
            dnsTarget = pages.last?.dnsTarget
            vpcTargets = pages.last?.vpcDNSTargets ?? []
        }
        var tags: [Tag] = state.detail?.tags ?? []
        if withTags {
            tags = ((try? await api.listTagsForResource(ListTagsForResourceRequest(resourceArn: arn)).tags) ?? nil) ?? []
            tagsReadAt = (arn, clock.now())
        }
        guard generation == state.generation, focus.serviceArn == arn else { return }
        let previous = state.detail
        if !withDomains, let previous, previous.serviceArn == arn {
            // Not read this time (the Logs view): what was known stays.
            (domains, dnsTarget, vpcTargets) = (previous.domains, previous.dnsTarget, previous.vpcDNSTargets)
        }
        if let previous, previous.loaded, previous.serviceArn == arn {
            logOperationChanges(service: service.serviceName, old: previous.operations, new: operations)
            logDomainChanges(service: service.serviceName, old: previous.domains, new: domains)
        }
        state.detail = ServiceDetailState(serviceArn: arn, service: service, operations: operations, domains: domains,
                                          dnsTarget: dnsTarget, vpcDNSTargets: vpcTargets,
                                          tags: withTags ? tags : (previous?.tags ?? []), loaded: true)
        if previous?.serviceArn == arn, let previous {
            state.detail?.deploymentLog = previous.deploymentLog
            state.detail?.metrics = previous.metrics
            state.detail?.domainChecks = previous.domainChecks
            state.detail?.domainsCheckedAt = previous.domainsCheckedAt
            state.detail?.domainsChecking = previous.domainsChecking
        }
        if let index = state.services.firstIndex(where: { $0.arn == arn }) {
            state.services[index].service = service
            state.noteImage(of: service)
            state.services[index].currentOperation = operations.first.flatMap { $0.isFinal ? nil : $0 }
        }
    }

    /// Operation ids whose end is already in the Activity log (by the follower or a refresh).
    private var announcedEnds: Set<String> = []

    /// Logs an operation's outcome once, whoever started it (see ``outcome(of:service:)``).
    private func announceIfEnded(_ operation: OperationSummary, previous: OperationSummary?, service: String) {
        guard operation.isFinal, let id = operation.id, !announcedEnds.contains(id) else { return }
        // Seen ended from the start (first sighting of an old operation): history, not news.
        if previous == nil || (previous?.id == id && previous?.isFinal == true) {
            announcedEnds.insert(id)
            return
        }
        announcedEnds.insert(id)
        log(operation.succeeded ? .success : .failure, Self.outcome(of: operation, service: service))
    }

    /// `web: START_DEPLOYMENT ROLLBACK_SUCCEEDED after 1m 10s: the change failed and was rolled back (operation 1a2b3c4d)`.
    static func outcome(of operation: OperationSummary, service: String) -> String {
        let type = operation.type?.rawValue ?? "operation"
        var text = "\(service): \(type) \(operation.status?.rawValue ?? "?")"
        if let start = operation.startedAt, let end = operation.endedAt ?? operation.updatedAt {
            text += " after \(Format.duration(end.timeIntervalSince(start)))"
        }
        switch operation.status {
        case .rollbackSucceeded?: text += ": the change failed and was rolled back"
        case .rollbackFailed?: text += ": the change failed and so did its rollback"
        case .failed?: text += ": the change failed"
        default: break
        }
        if let id = operation.id { text += " (operation \(id.prefix(8)))" }
        return text
    }

    private func logOperationChanges(service: String, old: [OperationSummary], new: [OperationSummary]) {
        var before: [String: OperationSummary] = [:]
        for op in old { if let id = op.id { before[id] = op } }
        for op in new.reversed() {
            let type = op.type?.rawValue ?? "operation"
            guard let id = op.id else { continue }
            if let previous = before[id] {
                if previous.status != op.status, let status = op.status {
                    if status.isFinal {
                        announceIfEnded(op, previous: previous, service: service)
                    } else {
                        log(.change, "\(service): \(type) \(status.rawValue)")
                    }
                }
            } else {
                log(.change, "\(service): \(type) started (\(op.status?.rawValue ?? "?"))")
            }
        }
    }

    private func logDomainChanges(service: String, old: [CustomDomain], new: [CustomDomain]) {
        var before: [String: CustomDomain] = [:]
        for domain in old { before[domain.domainName] = domain }
        for domain in new {
            if let previous = before[domain.domainName] {
                if previous.status != domain.status { log(.change, "\(service): domain \(domain.domainName) \(domain.status.rawValue)") }
            } else {
                log(.change, "\(service): domain \(domain.domainName) added (\(domain.status.rawValue))")
            }
            before[domain.domainName] = nil
        }
        for name in before.keys.sorted() { log(.change, "\(service): domain \(name) removed") }
    }

    private func refreshResources(api: any AppRunnerAPI, generation: Int) async throws {
        var resources = ResourcesState()
        let pages = Self.maxResourcePages
        resources.autoScaling = try await api.listAutoScalingConfigurationsPaginator(ListAutoScalingConfigurationsRequest(maxResults: 100))
            .collect(maxPages: pages) { $0.autoScalingConfigurationSummaryList }
        let names = Dictionary(state.services.map { ($0.arn, $0.name) }, uniquingKeysWith: { first, _ in first })
        for config in resources.autoScaling where config.hasAssociatedService == true {
            guard let arn = config.autoScalingConfigurationArn else { continue }
            let used = try await api.listServicesForAutoScalingConfigurationPaginator(
                ListServicesForAutoScalingConfigurationRequest(autoScalingConfigurationArn: arn, maxResults: 100)).collect(maxPages: pages) { $0.serviceArnList }
            resources.autoScalingUsedBy[arn] = used.map { names[$0] ?? ResourceARN.name($0) }
        }
        resources.connections = try await api.listConnectionsPaginator(ListConnectionsRequest(maxResults: 100)).collect(maxPages: pages) { $0.connectionSummaryList }
        resources.vpcConnectors = try await api.listVpcConnectorsPaginator(ListVpcConnectorsRequest(maxResults: 100)).collect(maxPages: pages) { $0.vpcConnectors }
        resources.vpcIngressConnections = try await api.listVpcIngressConnectionsPaginator(ListVpcIngressConnectionsRequest(maxResults: 100))
            .collect(maxPages: pages) { $0.vpcIngressConnectionSummaryList }
        resources.observability = try await api.listObservabilityConfigurationsPaginator(ListObservabilityConfigurationsRequest(maxResults: 100))
            .collect(maxPages: pages) { $0.observabilityConfigurationSummaryList }
        resources.loaded = true
        guard generation == state.generation else { return }
        state.resources = resources
    }

    /// Pages of 100 read per resource list at most.
    static let maxResourcePages = 50

    // MARK: Actions

    /// Performs a change on a service. This is the one place a changing call is made, so
    /// `--read-only` is enforced here. The operation it starts is followed until it ends.
    public func perform(_ change: ServiceAction, serviceArn: String, serviceName: String) async -> ActionOutcome {
        if configuration.readOnly {
            let message = "read-only: refused to \(change.phrase(service: serviceName))"
            log(.error, message)
            setStatus(message)
            publish()
            return .refused(message)
        }
        let api = self.api
        let generation = state.generation
        log(.info, "requested: \(change.phrase(service: serviceName))")
        do {
            let response = try await change.perform(on: api, serviceArn: serviceArn)
            let operationId = response.operationId
            if let domain = response.customDomain {
                var message = "\(serviceName): domain \(domain.domainName) \(domain.status.rawValue)"
                if case .associate(let answer) = response { message += "; DNS target \(answer.dnsTarget)" }
                log(.success, message)
            }
            guard generation == state.generation else { return .started(operationId: operationId) }
            if let operationId {
                setStatus("\(change.phrase(service: serviceName)): started, following operation \(operationId.prefix(8))…")
                follow(serviceArn: serviceArn, serviceName: serviceName, operationId: operationId, action: change.verb)
            } else {
                switch change {
                case .pause, .resume:
                    setStatus("\(serviceName): nothing to do (already \(change == .pause ? "paused" : "running"))")
                    log(.info, state.statusMessage ?? "")
                default:
                    setStatus("\(change.phrase(service: serviceName)): accepted")
                }
            }
            publish()
            requestRefresh()
            return .started(operationId: operationId)
        } catch {
            let message = "\(change.phrase(service: serviceName)) failed: \(Self.describe(error))"
            log(.failure, message)
            setStatus(message)
            publish()
            return .failed(message)
        }
    }

    private func follow(serviceArn: String, serviceName: String, operationId: String, action: String) {
        let started = clock.now()
        state.followed.append(FollowedOperation(serviceName: serviceName, serviceArn: serviceArn, operationId: operationId, action: action, status: nil, startedAt: started))
        let follower = OperationFollower(api: api, serviceArn: serviceArn, operationId: operationId,
                                         pollInterval: configuration.fastInterval, timeout: 4 * 3600, clock: clock)
        let generation = state.generation
        followTasks[operationId] = Task {
            do {
                let final = try await follower.follow { update in await self.followUpdate(operationId: operationId, status: update.status) }
                self.followEnded(operationId: operationId, generation: generation, final: final, error: nil)
            } catch {
                self.followEnded(operationId: operationId, generation: generation, final: nil, error: error)
            }
        }
    }

    private func followUpdate(operationId: String, status: OperationStatus?) {
        guard let index = state.followed.firstIndex(where: { $0.operationId == operationId }) else { return }
        state.followed[index].status = status
        publish()
    }

    private func followEnded(operationId: String, generation: Int, final: OperationSummary?, error: (any Error)?) {
        followTasks[operationId] = nil
        guard let index = state.followed.firstIndex(where: { $0.operationId == operationId }) else { return }
        let followed = state.followed.remove(at: index)
        guard generation == state.generation else { return }
        let message: String
        let kind: ActivityEntry.Kind
        if let final {
            if let id = final.id, announcedEnds.contains(id) {
                setStatus(Self.outcome(of: final, service: followed.serviceName))
                publish()
                requestRefresh()
                return
            }
            if let id = final.id { announcedEnds.insert(id) }
            message = Self.outcome(of: final, service: followed.serviceName)
            kind = final.succeeded ? .success : .failure
        } else if error is CancellationError {
            return
        } else {
            message = "\(followed.serviceName): lost track of \(followed.action): \(Self.describe(error ?? OperationFollowerError.timedOut(last: nil)))"
            kind = .error
        }
        log(kind, message)
        setStatus(message)
        publish()
        requestRefresh()
    }

    // MARK: Context

    /// Points the store at another region/profile: results still in flight for the old one are dropped.
    func switchContext(api newAPI: any AppRunnerAPI, cloudWatch: CloudWatchClients = CloudWatchClients(), context: DashboardContext) {
        state.generation += 1
        api = newAPI
        logsAPI = cloudWatch.logs ?? (newAPI as? any CloudWatchLogsAPI)
        metricsAPI = cloudWatch.metrics ?? (newAPI as? any CloudWatchAPI)
        deploymentTail = nil
        trafficFetchedAt = nil
        state.traffic = [:]
        for task in followTasks.values { task.cancel() }
        followTasks = [:]
        state.followed = []
        state.context = context
        state.services = []
        state.servicesLoaded = false
        state.detail = nil
        state.resources = ResourcesState()
        state.lastError = nil
        state.consecutiveFailures = 0
        state.lastRefresh = nil
        state.refreshing = false
        focus = StoreFocus(view: focus.view == .resources || focus.view == .activity ? focus.view : .services)
        log(.info, "switched to region \(context.region ?? "default"), profile \(context.profile ?? "default")")
        publish()
        requestRefresh()
    }

    /// Adds a line to the activity log (also used by the UI for its own messages).
    func note(_ kind: ActivityEntry.Kind, _ message: String, status: Bool = false) {
        log(kind, message)
        if status { setStatus(message) }
        publish()
    }

    private func log(_ kind: ActivityEntry.Kind, _ message: String) {
        state.activity.append(ActivityEntry(time: clock.now(), kind: kind, message: ErrorText.oneLine(message)))
        if state.activity.count > configuration.activityLimit { state.activity.removeFirst(state.activity.count - configuration.activityLimit) }
        logger.info("\(message)", metadata: ["kind": "\(kind.rawValue)"])
    }

    func publish() { onChange(state) }

    private func setStatus(_ message: String?) {
        state.statusMessageClock = clock.now()
        state.statusMessage = message.map(ErrorText.oneLine)
    }

    /// A one-line description of an error for the status line and the Activity log.
    public static func describe(_ error: any Error) -> String {
        ErrorText(error).description
    }
}
