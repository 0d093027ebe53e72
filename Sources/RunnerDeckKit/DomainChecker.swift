import AppRunner
import DNSClient

/// The check of one custom domain: a verdict per record and one line of advice.
public struct DomainCheck: Hashable, Sendable {
    public var domainName: String
    public var checks: [RecordCheck]
    public var advice: String

    public init(domainName: String, checks: [RecordCheck]) {
        self.domainName = domainName
        self.checks = checks
        self.advice = DomainVerdicts.advice(checks)
    }

    /// True when every record resolves as wanted.
    public var allCorrect: Bool { checks.allSatisfy(\.verdict.isCorrect) }
}

/// Asks the DNS about every record of a domain (the side-effect half of the check; the verdicts
/// themselves are ``DomainVerdicts``). Records are asked about concurrently; each question is
/// bounded by the resolver's timeout and attempts.
public struct DomainChecker: Sendable {
    public var resolver: DNSResolver

    public init(resolver: DNSResolver) { self.resolver = resolver }

    /// A checker asking the resolvers of /etc/resolv.conf.
    public static func system() -> DomainChecker { DomainChecker(resolver: DNSResolver.system()) }

    /// A checker asking one server, `HOST[:PORT]` (an IP address).
    public init(nameserver: String) throws {
        self.init(resolver: DNSResolver(servers: [try DNSServer(parsing: nameserver)]))
    }

    public func check(_ domain: CustomDomain, dnsTarget: String, vpcDNSTargets: [VpcDNSTarget] = []) async -> DomainCheck {
        let records = RequiredRecord.records(for: domain, dnsTarget: dnsTarget, vpcDNSTargets: vpcDNSTargets)
        return DomainCheck(domainName: domain.domainName, checks: await check(records, base: RequiredRecord.base(of: domain.domainName)))
    }

    /// Verdicts for `records`, in their order. `base` bounds the search for shadowing CNAMEs: names
    /// above the record, up to and including `base`.
    public func check(_ records: [RequiredRecord], base: String) async -> [RecordCheck] {
        await withTaskGroup(of: (Int, RecordVerdict).self) { group in
            for (index, record) in records.enumerated() {
                group.addTask { (index, await verdict(record, base: base)) }
            }
            var verdicts = [RecordVerdict](repeating: .unknown("cancelled"), count: records.count)
            for await (index, verdict) in group { verdicts[index] = verdict }
            return zip(records, verdicts).map { RecordCheck(record: $0, verdict: $1) }
        }
    }

    func verdict(_ record: RequiredRecord, base: String) async -> RecordVerdict {
        do {
            return DomainVerdicts.classify(record, try await observe(record, base: base))
        } catch {
            return .unknown("\(error)")
        }
    }

    func observe(_ record: RequiredRecord, base: String) async throws -> RecordObservation {
        var seen = RecordObservation(cname: try await resolver.resolve(record.name, .cname))
        if case .records = seen.cname.outcome { return seen }
        if record.role == .target {
            let addresses = try await resolver.resolve(record.name, .a)
            if case .records(let found) = addresses.outcome {
                seen.addresses = found
                if case .records(let wanted) = try await resolver.resolve(record.value, .a).outcome { seen.targetAddresses = wanted }
                return seen
            }
        }
        for ancestor in DNSName.ancestors(of: record.name) where DNSName.isAtOrBelow(ancestor, base) {
            let above = try await resolver.resolve(ancestor, .cname)
            if case .records(let values) = above.outcome, let value = values.first {
                seen.ancestorCNAMEs.append(DNSRecord(name: ancestor, type: .cname, value: value))
            }
        }
        return seen
    }
}
