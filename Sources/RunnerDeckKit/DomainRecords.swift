import AppRunner
import DNSClient

/// One DNS record a custom domain needs, with name and value exactly as App Runner gave them.
public struct RequiredRecord: Hashable, Sendable {
    public enum Role: String, Hashable, Sendable {
        /// The domain (or its www form) pointing at the service.
        case target
        /// A certificate validation CNAME.
        case validation
    }

    public var domain: String
    public var role: Role
    public var name: String
    public var type: String
    public var value: String
    /// Other values that are as good (the VPC DNS targets, for a target record).
    public var alternatives: [String]

    public init(domain: String, role: Role, name: String, type: String = "CNAME", value: String, alternatives: [String] = []) {
        self.domain = domain
        self.role = role
        self.name = name
        self.type = type
        self.value = value
        self.alternatives = alternatives
    }

    /// The name fully qualified (with its trailing dot), as a zone file needs it.
    public var absoluteName: String { name.hasSuffix(".") ? name : name + "." }
    public var absoluteValue: String { value.hasSuffix(".") ? value : value + "." }

    /// True when `value` (any case, with or without the trailing dot) is what this record wants.
    public func accepts(_ value: String) -> Bool {
        ([self.value] + alternatives).contains { DNSName.normalize($0) == DNSName.normalize(value) }
    }
}

extension RequiredRecord {
    /// Every record `domain` needs: the domain (and `www.` when enabled, not for a wildcard) as a
    /// CNAME to the DNS target, then each certificate validation record. A domain still `creating`
    /// has no validation records yet.
    public static func records(for domain: CustomDomain, dnsTarget: String, vpcDNSTargets: [VpcDNSTarget] = []) -> [RequiredRecord] {
        let alternatives = vpcDNSTargets.compactMap(\.domainName)
        var names = [domain.domainName]
        if domain.enableWWWSubdomain && !domain.domainName.hasPrefix("*.") { names.append("www.\(domain.domainName)") }
        var records = names.map {
            RequiredRecord(domain: domain.domainName, role: .target, name: $0, value: dnsTarget, alternatives: alternatives)
        }
        for record in domain.certificateValidationRecords ?? [] {
            guard let name = record.name, let value = record.value else { continue }
            records.append(RequiredRecord(domain: domain.domainName, role: .validation, name: name, type: record.type ?? "CNAME", value: value))
        }
        return records
    }

    /// The name whose subtree holds the domain's records (a wildcard's base).
    public static func base(of domain: String) -> String {
        domain.hasPrefix("*.") ? String(domain.dropFirst(2)) : domain
    }
}

/// What the DNS says about one record.
public enum RecordVerdict: Hashable, Sendable {
    case correct
    /// No such name (NXDOMAIN) or no record of the type there (NODATA).
    case missing(noSuchName: Bool)
    /// It answers something else: `actual` is what it points to (`CNAME x.`, `A 192.0.2.1`).
    case wrong(actual: String)
    /// A CNAME at `by`, a name above it, hides it (`target` is where that CNAME points).
    case shadowed(by: String, target: String)
    /// The question got no answer (timeout, SERVFAIL, …).
    case unknown(String)

    public var isCorrect: Bool { self == .correct }

    /// One word: correct, missing, wrong, shadowed or unknown.
    public var word: String {
        switch self {
        case .correct: return "correct"
        case .missing: return "missing"
        case .wrong: return "wrong"
        case .shadowed: return "shadowed"
        case .unknown: return "unknown"
        }
    }

    /// The colour role of the verdict, as the dashboard and the CLI paint it.
    public var role: ColorRole {
        switch self {
        case .correct: return .ok
        case .missing, .wrong: return .error
        case .shadowed, .unknown: return .warn
        }
    }

    /// The verdict's mark: ✓ correct, ✗ missing or wrong, ! shadowed or unknown; ASCII `ok`/`x`/`!`.
    public func glyph(unicode: Bool) -> String {
        switch self {
        case .correct: return unicode ? "✓" : "ok"
        case .missing, .wrong: return unicode ? "✗" : "x"
        case .shadowed, .unknown: return "!"
        }
    }

    /// A few words: `correct`, `missing (NXDOMAIN)`, `wrong: CNAME x.`, `shadowed by CNAME at a.`.
    public var text: String {
        switch self {
        case .correct: return "correct"
        case .missing(let noSuchName): return noSuchName ? "missing (NXDOMAIN)" : "missing (NODATA)"
        case .wrong(let actual): return "wrong: \(actual)"
        case .shadowed(let by, let target): return "shadowed by \(by) CNAME \(target)"
        case .unknown(let why): return "not checked: \(why)"
        }
    }
}

/// One record and its verdict.
public struct RecordCheck: Hashable, Sendable {
    public var record: RequiredRecord
    public var verdict: RecordVerdict

    public init(record: RequiredRecord, verdict: RecordVerdict) {
        self.record = record
        self.verdict = verdict
    }
}

/// What was asked about one record: CNAME at its name, the CNAMEs found above it (nearest first,
/// only within the domain), and for a target record answering no CNAME, the addresses of the name
/// and of the wanted value (an ALIAS or flattened record answers addresses).
public struct RecordObservation: Hashable, Sendable {
    public var cname: DNSResolution
    public var ancestorCNAMEs: [DNSRecord]
    public var addresses: [String]
    public var targetAddresses: [String]

    public init(cname: DNSResolution, ancestorCNAMEs: [DNSRecord] = [], addresses: [String] = [], targetAddresses: [String] = []) {
        self.cname = cname
        self.ancestorCNAMEs = ancestorCNAMEs
        self.addresses = addresses
        self.targetAddresses = targetAddresses
    }
}

/// The pure part of the check: observation → verdict, verdicts → advice.
public enum DomainVerdicts {
    public static func classify(_ record: RequiredRecord, _ seen: RecordObservation) -> RecordVerdict {
        let name = DNSName.normalize(record.name)
        if case .records(let values) = seen.cname.outcome, let value = values.first {
            return record.accepts(value) ? .correct : .wrong(actual: "CNAME \(value)")
        }
        // A server that answers the name with an alias owned by a name above it shows the shadow itself.
        if let above = seen.cname.answers.first(where: {
            ($0.type == .cname || $0.type == .dname) && DNSName.normalize($0.name) != name && DNSName.isAtOrBelow(name, $0.name)
        }) {
            return .shadowed(by: above.name, target: above.value ?? "?")
        }
        if record.role == .target, !seen.addresses.isEmpty {
            return Set(seen.addresses).isDisjoint(with: seen.targetAddresses)
                ? .wrong(actual: "A " + seen.addresses.joined(separator: ", ")) : .correct
        }
        if let above = seen.ancestorCNAMEs.first {
            return .shadowed(by: above.name, target: above.value ?? "?")
        }
        return .missing(noSuchName: seen.cname.outcome == .nameError)
    }

    /// One line: what to fix first (a shadow before anything, then validation records, which hold the
    /// certificate back, then the targets), and how many records are left; or that all is well.
    public static func advice(_ checks: [RecordCheck]) -> String {
        let failing = checks.filter { !$0.verdict.isCorrect }
        guard !checks.isEmpty else { return "No records to check yet: App Runner has not given the validation records." }
        guard !failing.isEmpty else { return "All \(checks.count) records resolve as App Runner expects." }
        func rank(_ check: RecordCheck) -> Int {
            switch check.verdict {
            case .shadowed: return 0
            case .wrong, .missing: return check.record.role == .validation ? 1 : 2
            case .unknown, .correct: return 3
            }
        }
        guard let first = failing.enumerated().min(by: { (rank($0.element), $0.offset) < (rank($1.element), $1.offset) })?.element else {
            return ""
        }
        let record = first.record
        let more = failing.count > 1 ? " (\(failing.count - 1) more to fix)" : ""
        switch first.verdict {
        case .shadowed(let by, _):
            // Where the shadow points is on the record's own line; the advice says where the record must go.
            return "Fix first: \(record.absoluteName) is hidden by the CNAME at \(by); serve it from the zone that holds \(by)\(more)"
        case .wrong(let actual):
            return "Fix first: \(record.absoluteName) answers \(actual); make it \(record.type) \(record.value)\(more)"
        case .missing:
            return "Fix first: add \(record.absoluteName) \(record.type) \(record.value)\(more)"
        case .unknown(let why):
            return "Could not check \(record.absoluteName): \(why); try --nameserver with the zone's own server\(more)"
        case .correct:
            return ""
        }
    }
}
