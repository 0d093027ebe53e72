import AppRunner
import FoundationEssentials
import RunnerDeckKit

/// One service as the Services view shows it: the summary from ListServices, plus the description
/// and current operation when the store fetched them (only for rows on screen).
public struct ServiceRow: Sendable, Hashable {
    public var summary: ServiceSummary
    /// DescribeService result, refreshed when the service's UpdatedAt changes.
    public var service: Service?
    /// The operation in progress (from ListOperations) while the status is OPERATION_IN_PROGRESS.
    var currentOperation: OperationSummary?
    /// The service's newest operation, in progress or ended (fetched with the description), so a
    /// rollback or a failure stays visible on the row after it ends, whoever started it.
    var lastOperation: OperationSummary?

    public init(summary: ServiceSummary, service: Service? = nil, currentOperation: OperationSummary? = nil, lastOperation: OperationSummary? = nil) {
        self.summary = summary
        self.service = service
        self.currentOperation = currentOperation
        self.lastOperation = lastOperation ?? currentOperation
    }

    /// The last operation when it ended without its change landing (failed or rolled back).
    var lastOperationWentWrong: OperationSummary? {
        guard currentOperation == nil, let last = lastOperation, last.isFinal, !last.succeeded else { return nil }
        return last
    }

    public var name: String { summary.serviceName ?? service?.serviceName ?? "?" }
    public var arn: String { summary.serviceArn ?? service?.serviceArn ?? "" }
    public var status: ServiceStatus? { summary.status ?? service?.status }
}

/// What the detail and domains views show for the open service.
public struct ServiceDetailState: Sendable, Hashable {
    public var serviceArn: String
    public var service: Service?
    /// Newest first, as ListOperations returns them.
    public var operations: [OperationSummary]
    public var domains: [CustomDomain]
    public var dnsTarget: String?
    public var vpcDNSTargets: [VpcDNSTarget]
    public var tags: [Tag]
    public var loaded: Bool
    /// The newest operation's deployment log (CloudWatch Logs), newest last, as far as it was read.
    public var deploymentLog = DeploymentLog()
    /// The last hour of the service's metrics (``MetricSpec/overview``, 1-minute periods), read at most
    /// once a minute while the detail view shows it; nil before the first read.
    public var metrics: ServiceMetricsState?
    /// The DNS check of each domain (by name), kept across refreshes; see DashboardStore+Domains.
    public var domainChecks: [String: DomainCheck] = [:]
    /// When the domains were last checked in DNS; nil before the first check.
    public var domainsCheckedAt: Date?
    /// A DNS check is running.
    public var domainsChecking = false

    public init(serviceArn: String, service: Service? = nil, operations: [OperationSummary] = [], domains: [CustomDomain] = [],
                dnsTarget: String? = nil, vpcDNSTargets: [VpcDNSTarget] = [], tags: [Tag] = [], loaded: Bool = false) {
        self.serviceArn = serviceArn
        self.service = service
        self.operations = operations
        self.domains = domains
        self.dnsTarget = dnsTarget
        self.vpcDNSTargets = vpcDNSTargets
        self.tags = tags
        self.loaded = loaded
    }
}

/// One service's recent metrics for the detail view: each spec's series, in ``MetricSpec/overview`` order.
public struct ServiceMetricsState: Sendable, Hashable {
    public var specs: [MetricSpec]
    /// Aligned with `specs`; nil where CloudWatch returned nothing for that query.
    public var series: [MetricSeries?]
    /// Why they could not be read; nil when they could.
    public var unavailable: String?

    public init(specs: [MetricSpec], series: [MetricSeries?], unavailable: String? = nil) {
        self.specs = specs
        self.series = series
        self.unavailable = unavailable
    }
}

/// One service's traffic for the services list.
public struct ServiceTraffic: Sendable, Hashable {
    /// Requests per 5-minute bucket over the last hour, oldest first; nil where there is no datapoint.
    public var requests: [Double?]
    /// The share of requests answered 5xx over the hour (0…1); nil without requests.
    public var fiveXXShare: Double?

    public init(requests: [Double?], fiveXXShare: Double?) {
        self.requests = requests
        self.fiveXXShare = fiveXXShare
    }
}

/// The tail of one operation's deployment log, as the detail view shows it.
public struct DeploymentLog: Sendable, Hashable {
    public struct Line: Sendable, Hashable {
        public var time: Date
        public var message: String
    }
    /// The operation whose stream this is; nil before anything was read.
    public var operationId: String?
    public var lines: [Line] = []
    /// Why it could not be read (no CloudWatch Logs client, access denied…); nil when it could.
    public var unavailable: String?

    public init(operationId: String? = nil, lines: [Line] = [], unavailable: String? = nil) {
        self.operationId = operationId
        self.lines = lines
        self.unavailable = unavailable
    }
}

/// The Resources view's lists.
public struct ResourcesState: Sendable, Hashable {
    public var autoScaling: [AutoScalingConfigurationSummary] = []
    /// Auto scaling configuration ARN → names of the services that use it.
    var autoScalingUsedBy: [String: [String]] = [:]
    public var connections: [ConnectionSummary] = []
    public var vpcConnectors: [VpcConnector] = []
    var vpcIngressConnections: [VpcIngressConnectionSummary] = []
    public var observability: [ObservabilityConfigurationSummary] = []
    public var loaded = false

    public init() {}
}

/// One line of the activity log.
struct ActivityEntry: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case info, change, success, failure, error }
    public var time: Date
    public var kind: Kind
    public var message: String

    public init(time: Date, kind: Kind, message: String) {
        self.time = time
        self.kind = kind
        self.message = message
    }
}

/// An operation the dashboard started and follows until it ends.
public struct FollowedOperation: Sendable, Hashable {
    public var serviceName: String
    public var serviceArn: String
    public var operationId: String
    public var action: String
    public var status: OperationStatus?
    public var startedAt: Date
}

/// Where the dashboard is pointed (display strings).
public struct DashboardContext: Sendable, Hashable {
    public var profile: String?
    public var region: String?
    public var endpoint: String?
    /// Local App Runner's demo fleet in process, not an AWS account.
    public var demo: Bool

    public init(profile: String? = nil, region: String? = nil, endpoint: String? = nil, demo: Bool = false) {
        self.profile = profile
        self.region = region
        self.endpoint = endpoint
        self.demo = demo
    }

    /// What the header must always show when the data is not real AWS: `DEMO`, or the endpoint's
    /// host (a screen that looks like production but is not is dangerous, and the other way round).
    var notAWSMark: String? {
        if demo { return "DEMO" }
        guard let endpoint, !endpoint.isEmpty else { return nil }
        let host = endpoint.split(separator: "/", omittingEmptySubsequences: true).dropFirst().first.map(String.init) ?? endpoint
        return "ENDPOINT \(host)"
    }
}

/// Everything the store knows; views are pure functions of this plus UI state.
public struct DashboardState: Sendable, Hashable {
    public var context: DashboardContext
    public var readOnly: Bool
    public var services: [ServiceRow] = []
    /// Requests over the last hour and their 5xx share, by service ARN (CloudWatch metrics, read for
    /// the visible rows at most once a minute).
    public var traffic: [String: ServiceTraffic] = [:]
    var servicesLoaded = false
    public var detail: ServiceDetailState?
    public var resources = ResourcesState()
    /// The Logs view's lines (nil until it is opened).
    public var logs: LogsViewState?
    var activity: [ActivityEntry] = []
    var lastRefresh: Date?
    /// The last refresh error, cleared by the next successful refresh.
    var lastError: String?
    var consecutiveFailures = 0
    /// When the next refresh is due (shown as the backoff countdown after errors).
    var nextRefreshAt: Date?
    public var refreshing = false
    public var followed: [FollowedOperation] = []
    /// One-line message for the status line (outcome of the last action).
    var statusMessage: String? {
        didSet { statusMessageAt = statusMessage == nil ? nil : statusMessageClock }
    }
    /// When the status message was set; the status line drops it after ``statusMessageLifetime``.
    private(set) var statusMessageAt: Date?
    /// The store's clock at the last change (set by the store before it publishes).
    var statusMessageClock: Date?
    /// Seconds a status message stays on the status line (it stays in the Activity log).
    static let statusMessageLifetime: TimeInterval = 60
    /// Image identifiers each image-based service has been seen running (newest last, at most 10),
    /// so "deploy yesterday's image again" is a few keys.
    var imagesSeen: [String: [String]] = [:]

    mutating func noteImage(of service: Service) {
        guard let image = service.sourceConfiguration.imageRepository?.imageIdentifier else { return }
        var seen = imagesSeen[service.serviceArn, default: []]
        guard seen.last != image else { return }
        seen.removeAll { $0 == image }
        seen.append(image)
        imagesSeen[service.serviceArn] = Array(seen.suffix(10))
    }

    /// Incremented on `:region`/`:profile` switches; results of an older generation are dropped.
    var generation = 0

    public init(context: DashboardContext, readOnly: Bool) {
        self.context = context
        self.readOnly = readOnly
    }

    /// The rows no longer show App Runner as it is: the last refresh failed, or none succeeded for
    /// `staleAfter` seconds. The views dim them and say how old they are.
    func isStale(now: Date, staleAfter: Double) -> Bool {
        guard servicesLoaded else { return false }
        if lastError != nil { return true }
        return lastRefresh.map { now.timeIntervalSince($0) > staleAfter } ?? false
    }

    /// True while any service or followed operation is in progress (the store polls fast).
    var anythingInProgress: Bool {
        services.contains { $0.status == .operationInProgress } || !followed.isEmpty
            || detail?.operations.first.map({ !$0.isFinal }) == true
    }
}
