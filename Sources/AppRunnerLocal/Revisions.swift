import AppRunner
import FoundationEssentials

/// A configuration kept in numbered revisions under one name: auto scaling and observability
/// configurations. Revisions count up per name among the active ones; the highest active revision is
/// the Latest; deleting makes a revision INACTIVE (kept, no longer listed).
protocol RevisionedConfiguration: Codable, Sendable {
    var revisionName: String? { get }
    var revisionNumber: Int? { get }
    var isActive: Bool { get }
    var latest: Bool? { get set }
    /// Marks the revision deleted: INACTIVE, with its deletion time.
    mutating func deactivate(at now: Date)
}

extension AutoScalingConfiguration: RevisionedConfiguration {
    var revisionName: String? { autoScalingConfigurationName }
    var revisionNumber: Int? { autoScalingConfigurationRevision }
    var isActive: Bool { status == .active }
    mutating func deactivate(at now: Date) {
        status = .inactive
        deletedAt = now
    }
}

extension ObservabilityConfiguration: RevisionedConfiguration {
    var revisionName: String? { observabilityConfigurationName }
    var revisionNumber: Int? { observabilityConfigurationRevision }
    var isActive: Bool { status == .active }
    mutating func deactivate(at now: Date) {
        status = .inactive
        deletedAt = now
    }
}

/// How many names an account may hold, and how many active revisions a name (App Runner's quotas).
struct RevisionQuota {
    var names: Int
    var namesMessage: String
    var revisions: Int
    var revisionsMessage: String

    static let autoScaling = RevisionQuota(
        names: 10, namesMessage: "You exceeded your account's auto scaling configuration quota: 10",
        revisions: 5, revisionsMessage: "you exceeded your account's revision quota: 5")
}

/// Every revision of one kind of configuration, by ARN, with the revision rules in one place.
struct RevisionTable<Config: RevisionedConfiguration>: Sendable {
    var records: [String: TaggedRecord<Config>] = [:]

    subscript(arn: String) -> TaggedRecord<Config>? {
        get { records[arn] }
        set { records[arn] = newValue }
    }

    /// The active revisions that share `name`.
    func activeArns(named name: String?) -> [String] {
        records.filter { $0.value.value.revisionName == name && $0.value.value.isActive }.map(\.key)
    }

    /// The configuration as the API shows it: Latest when it is the highest active revision of its name.
    func view(_ arn: String) -> Config? {
        guard var config = records[arn]?.value else { return nil }
        let highest = activeArns(named: config.revisionName).compactMap { records[$0]?.value.revisionNumber }.max()
        config.latest = config.isActive && config.revisionNumber == highest
        return config
    }

    /// The number a new revision of `name` gets, once the quotas allow it.
    func nextRevision(of name: String, quota: RevisionQuota?) throws -> Int {
        let active = records.values.map(\.value).filter(\.isActive)
        let sameName = active.filter { $0.revisionName == name }
        if let quota {
            if sameName.isEmpty, Set(active.compactMap(\.revisionName)).count >= quota.names {
                throw ServiceQuotaExceededException(message: quota.namesMessage)
            }
            if sameName.count >= quota.revisions {
                throw ServiceQuotaExceededException(message: quota.revisionsMessage)
            }
        }
        return (sameName.compactMap(\.revisionNumber).max() ?? 0) + 1
    }

    mutating func deactivate(_ arns: [String], at now: Date) {
        for arn in arns { records[arn]?.value.deactivate(at: now) }
    }

    /// The active revisions a List call shows: of one name or all, Latest only or every revision,
    /// by name then revision.
    func list(name: String?, latestOnly: Bool?) -> [Config] {
        records.keys.compactMap(view)
            .filter(\.isActive)
            .filter { name == nil || $0.revisionName == name }
            .filter { latestOnly != true || $0.latest == true }
            .sorted { ($0.revisionName ?? "", $0.revisionNumber ?? 0) < ($1.revisionName ?? "", $1.revisionNumber ?? 0) }
    }
}
