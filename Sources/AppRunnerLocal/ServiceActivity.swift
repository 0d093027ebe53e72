import AWSCore
import AppRunner
import FoundationEssentials

/// What a service did over time, derived from its stored operations alone (so application logs and metrics
/// are the same for the same state file, and cost nothing to keep): when it served traffic, on which
/// instances, and when a failing deployment's new instances answered 5xx before the rollback.
struct ServiceActivity: Sendable {
    /// A stretch of serving on one set of instances (a create, a resume or a successful deployment starts one).
    struct Serving: Sendable {
        var from: Date
        /// nil while it lasts.
        var until: Date?
        var epoch: String
        var instances: [String]
    }

    /// A deployment that fails: its new instance fails health checks and traffic sees 5xx from `from` until `until`.
    struct Failing: Sendable {
        var from: Date
        var until: Date
        var instance: String
        var healthTarget: String
    }

    var serving: [Serving] = []
    var failing: [Failing] = []

    init(operations: [OperationRecord], minInstances: Int, maxInstances: Int, healthTarget: String) {
        func instanceCount(_ epoch: String) -> Int {
            let low = max(1, minInstances)
            let high = max(low, min(maxInstances, low + 2))
            return low + Int(StableHash.of(epoch) % UInt64(high - low + 1))
        }
        func start(_ at: Date, _ epoch: String) {
            serving.append(Serving(from: at, until: nil, epoch: epoch,
                                   instances: (0..<instanceCount(epoch)).map { StableHash.hex32("\(epoch)/\($0)") }))
        }
        func stop(_ at: Date) {
            guard let last = serving.indices.last, serving[last].until == nil else { return }
            serving[last].until = at
        }
        for operation in operations.sorted(by: { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }) {
            let end = operation.endsAt
            switch operation.type {
            case .createService:
                if !operation.fails { start(end, operation.id) }
            case .updateService, .startDeployment:
                if operation.fails {
                    failing.append(Failing(from: operation.startedAt.addingTimeInterval(operation.duration * 0.6),
                                           until: operation.startedAt.addingTimeInterval(operation.duration * 1.5),
                                           instance: StableHash.hex32("\(operation.id)/new"), healthTarget: healthTarget))
                } else if serving.last?.until == nil, !serving.isEmpty {
                    stop(end)
                    start(end, operation.id)
                } else {
                    start(end, operation.id)
                }
            case .pauseService, .deleteService:
                stop(end)
            case .resumeService:
                start(end, operation.id)
            default:
                break
            }
        }
    }

    /// The serving stretch at `time`, if any.
    func serving(at time: Date) -> Serving? {
        serving.last { $0.from <= time && ($0.until.map { time < $0 } ?? true) }
    }

    func failing(at time: Date) -> Failing? {
        failing.first { $0.from <= time && time < $0.until }
    }
}

/// FNV-1a: the same value in every process (Swift's `Hasher` is seeded per process).
enum StableHash {
    static func of(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        // A final mix, so nearby inputs give unrelated low bits.
        hash ^= hash >> 33
        hash = hash &* 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        return hash
    }

    static func of(_ parts: String...) -> UInt64 { of(parts.joined(separator: "\u{1}")) }

    static func hex32(_ text: String) -> String {
        String(cFormat: "%016llx%016llx", of(text), of(text + "#"))
    }
}

extension LocalAppRunner {
    /// The activity of a service, from its operations up to now.
    func activity(of record: ServiceRecord) -> ServiceActivity {
        let service = record.service
        let scaling = scalings[service.autoScalingConfigurationSummary.autoScalingConfigurationArn ?? defaultScalingArn]?.value
        let history = operations.values.filter { $0.serviceArn == service.serviceArn }
        return ServiceActivity(operations: Array(history), minInstances: scaling?.minSize ?? 1, maxInstances: scaling?.maxSize ?? 25,
                               healthTarget: DeploymentScript.healthTarget(service))
    }

    /// The service whose log group (either of its two) is `name`.
    func serviceOwning(logGroup name: String) -> (record: ServiceRecord, application: Bool)? {
        for record in services.values {
            if ServiceLogGroups.service(record.service) == name { return (record, false) }
            if ServiceLogGroups.application(record.service) == name { return (record, true) }
        }
        return nil
    }
}
