import AppRunner
import DNSClient
import FoundationEssentials

/// Settings of a Local App Runner control plane.
public struct LocalOptions: Sendable {
    public var region: String
    public var accountId: String
    /// How long an operation takes (create, update, deploy, pause, resume, delete).
    public var operationSeconds: Double
    /// How long a custom domain waits for DNS validation; binding and deleting take fractions of it.
    public var domainValidationSeconds: Double
    /// Probability that a deployment (StartDeployment or UpdateService) fails and rolls back.
    public var failureProbability: Double
    /// With a resolver, a custom domain leaves `pending_certificate_dns_validation` only once every
    /// validation record resolves through it (`--domain-validation dns`), instead of after a fixed time.
    public var domainValidationResolver: DNSResolver?
    /// Services per region (unverified for AWS; set high enough for test suites).
    var serviceQuota: Int
    /// How much of the service logs is kept (tests set it small).
    var logRetention = LogRetention()

    public init(region: String = "us-east-1", accountId: String = "123456789012", operationSeconds: Double = 6,
                domainValidationSeconds: Double? = nil, failureProbability: Double = 0, serviceQuota: Int = 100,
                domainValidationResolver: DNSResolver? = nil) {
        self.region = region
        self.accountId = accountId
        self.operationSeconds = max(0, operationSeconds)
        self.domainValidationSeconds = domainValidationSeconds ?? max(1, operationSeconds * 2)
        self.failureProbability = min(1, max(0, failureProbability))
        self.serviceQuota = serviceQuota
        self.domainValidationResolver = domainValidationResolver
    }
}

/// Tags that steer failures (documented in the README):
/// `runnerdeck:fail-deployments=true` on a service makes every deployment and update fail and roll
/// back; `runnerdeck:fail-create=true` on CreateService makes the create fail (CREATE_FAILED).
enum LocalFailureTags {
    static let failDeployments = "runnerdeck:fail-deployments"
    static let failCreate = "runnerdeck:fail-create"
}

struct ServiceRecord: Codable, Sendable {
    /// The configuration that runs (or last ran) and the status it rests in between operations.
    var service: Service
    /// The configuration an UpdateService in flight will apply when it succeeds.
    var pending: Service?
    var domains: [DomainRecord] = []
    /// The next deployment fails (tests, demo).
    var failNext: Bool = false
}

struct DomainRecord: Codable, Sendable {
    var domainName: String
    var www: Bool
    var associatedAt: Date
    var disassociatedAt: Date?
    /// Validation records, fixed at association; shown from `pending_certificate_dns_validation` on.
    var records: [CertificateValidationRecord]
    /// When every validation record was first seen in DNS (`--domain-validation dns` only).
    var validatedAt: Date?
}

struct OperationRecord: Codable, Sendable {
    var id: String
    var type: OperationType
    var serviceArn: String
    var startedAt: Date
    var duration: Double
    var fails: Bool
    /// The outcome has been applied to the service.
    var applied: Bool = false

    var pendingSeconds: Double { min(1, duration * 0.1) }

    /// When the operation ends: a failed deployment also spends `duration` rolling back.
    var endsAt: Date {
        let rollback = fails && (type == .startDeployment || type == .updateService)
        return startedAt.addingTimeInterval(rollback ? duration * 2 : duration)
    }

    func status(at now: Date) -> OperationStatus {
        let elapsed = now.timeIntervalSince(startedAt)
        let rollback = fails && (type == .startDeployment || type == .updateService)
        if elapsed < pendingSeconds && elapsed < duration { return .pending }
        if elapsed < duration { return .inProgress }
        if !fails { return .succeeded }
        if !rollback { return .failed }
        return elapsed < duration * 2 ? .rollbackInProgress : .rollbackSucceeded
    }

    func isFinished(at now: Date) -> Bool { now >= endsAt }

    func summary(at now: Date) -> OperationSummary {
        let finished = isFinished(at: now)
        let status = status(at: now)
        let updated: Date
        switch status {
        case .pending: updated = startedAt
        case .inProgress: updated = startedAt.addingTimeInterval(pendingSeconds)
        case .rollbackInProgress: updated = startedAt.addingTimeInterval(duration)
        default: updated = endsAt
        }
        return OperationSummary(id: id, type: type, status: status, targetArn: serviceArn, startedAt: startedAt,
                                endedAt: finished ? endsAt : nil, updatedAt: updated)
    }
}

struct TaggedRecord<Value: Codable & Sendable>: Codable, Sendable {
    var value: Value
    var tags: [Tag]
    /// When the resource last entered a transitional status (VPC ingress connections: update, delete);
    /// nil in records written before it existed, which then count from CreatedAt/DeletedAt.
    var changedAt: Date? = nil

    init(value: Value, tags: [Tag], changedAt: Date? = nil) {
        self.value = value
        self.tags = tags
        self.changedAt = changedAt
    }
}

/// Opaque page tokens: the offset into the listing, base64 encoded.
enum PageToken {
    static func page<T>(_ items: [T], maxResults: Int?, nextToken: String?) throws -> (items: [T], next: String?) {
        var start = 0
        if let nextToken {
            guard let data = Data(base64Encoded: nextToken), let text = String(data: data, encoding: .utf8),
                  text.hasPrefix("offset:"), let offset = Int(text.dropFirst(7)), offset >= 0, offset <= items.count else {
                throw InvalidRequestException(message: "The provided NextToken is not valid.")
            }
            start = offset
        }
        let limit = maxResults ?? items.count
        let end = min(items.count, start + max(0, limit))
        let next = end < items.count ? Data("offset:\(end)".utf8).base64EncodedString() : nil
        return (Array(items[start..<end]), next)
    }
}

/// Identifiers shaped like AWS's.
enum LocalIDs {
    static func hex32() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0f)]])
        }.joined()
    }

    static func lowerAlnum(_ count: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<count).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] })
    }

    static func lower(_ count: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz")
        return String((0..<count).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] })
    }

    static func uuid() -> String { UUID().uuidString.lowercased() }
}

/// CPU and memory as App Runner accepts them.
enum InstanceSizes {
    static func cpu(_ raw: String?) -> String? {
        guard let raw else { return "1024" }
        let map = ["0.25 vCPU": "256", "0.5 vCPU": "512", "1 vCPU": "1024", "2 vCPU": "2048", "4 vCPU": "4096"]
        return map[raw] ?? (["256", "512", "1024", "2048", "4096"].contains(raw) ? raw : nil)
    }

    static func memory(_ raw: String?, cpu: String) -> String? {
        guard let raw else {
            return ["256": "1024", "512": "1024", "1024": "2048", "2048": "4096", "4096": "8192"][cpu]
        }
        if raw.hasSuffix(" GB"), let gb = Double(raw.dropLast(3)) { return String(Int(gb * 1024)) }
        return raw
    }

    static let combinations: [String: Set<String>] = [
        "256": ["512", "1024"],
        "512": ["1024"],
        "1024": ["2048", "3072", "4096"],
        "2048": ["4096", "6144"],
        "4096": ["8192", "10240", "12288"],
    ]

    /// The instance configuration with sizes in MB/units, or an InvalidRequestException.
    static func normalize(_ config: InstanceConfiguration?, keeping current: InstanceConfiguration? = nil) throws -> InstanceConfiguration {
        let requestedCpu = config?.cpu ?? current?.cpu
        guard let cpu = cpu(requestedCpu) else {
            throw InvalidRequestException(message: "Invalid Cpu value: \(requestedCpu ?? "")")
        }
        let requestedMemory = config?.memory ?? (config?.cpu == nil ? current?.memory : nil)
        guard let memory = memory(requestedMemory, cpu: cpu), combinations[cpu]?.contains(memory) == true else {
            throw InvalidRequestException(message: "Invalid combination of Cpu and Memory: Cpu \(requestedCpu ?? cpu), Memory \(requestedMemory ?? "")")
        }
        return InstanceConfiguration(cpu: cpu, memory: memory, instanceRoleArn: config?.instanceRoleArn ?? current?.instanceRoleArn)
    }
}
