import AWSCore
import FoundationEssentials

/// The records of custom domains, ready to paste into a DNS provider: BIND zone-file lines, a
/// Route 53 `ChangeResourceRecordSets` change batch of UPSERTs, Terraform `aws_route53_record`
/// blocks, or plain JSON. Names and values are exactly as App Runner gave them; only the zone file
/// adds the trailing dot a name needs there to be absolute.
public enum DomainExportFormat: String, CaseIterable, Sendable {
    case zone, route53, terraform, json

    /// The file name extension of the format.
    public var fileExtension: String {
        switch self {
        case .zone: return "zone"
        case .route53: return "route53.json"
        case .terraform: return "tf"
        case .json: return "json"
        }
    }
}

public enum DomainExport {
    public static let ttl = 300

    public static func render(_ records: [RequiredRecord], as format: DomainExportFormat) throws -> String {
        switch format {
        case .zone: return zone(records)
        case .route53: return try route53(records)
        case .terraform: return terraform(records)
        case .json: return try json(records)
        }
    }

    static func zone(_ records: [RequiredRecord]) -> String {
        var text = "; DNS records for App Runner custom domains (written by RunnerDeck)\n"
        for record in records {
            text += "\(record.absoluteName) \(ttl) IN \(record.type) \(record.absoluteValue)\n"
        }
        return text
    }

    struct ChangeBatch: Encodable {
        struct Change: Encodable {
            var Action = "UPSERT"
            var ResourceRecordSet: RecordSet
        }
        struct RecordSet: Encodable {
            var Name: String
            var `Type`: String
            var TTL: Int
            var ResourceRecords: [Value]
        }
        struct Value: Encodable { var Value: String }
        var Comment: String
        var Changes: [Change]
    }

    static func route53(_ records: [RequiredRecord]) throws -> String {
        let domains = Array(Set(records.map(\.domain))).sorted().joined(separator: ", ")
        let batch = ChangeBatch(Comment: "App Runner custom domain records for \(domains)", Changes: records.map {
            ChangeBatch.Change(ResourceRecordSet: ChangeBatch.RecordSet(Name: $0.name, Type: $0.type, TTL: ttl, ResourceRecords: [ChangeBatch.Value(Value: $0.value)]))
        })
        return try encode(batch)
    }

    struct Listed: Encodable {
        var Domain: String
        var Role: String
        var Name: String
        var `Type`: String
        var Value: String
    }

    static func json(_ records: [RequiredRecord]) throws -> String {
        try encode(["Records": records.map { Listed(Domain: $0.domain, Role: $0.role.rawValue, Name: $0.name, Type: $0.type, Value: $0.value) }])
    }

    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }

    static func terraform(_ records: [RequiredRecord]) -> String {
        var text = "# App Runner custom domain records (written by RunnerDeck)\nvariable \"zone_id\" {\n  type = string\n}\n"
        var used: Set<String> = []
        for record in records {
            var label = String(record.name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
            while label.hasSuffix("_") { label.removeLast() }
            while label.hasPrefix("_") { label.removeFirst() }
            if label.first.map({ !$0.isLetter }) ?? true { label = "r_" + label }
            var unique = label
            var n = 2
            while !used.insert(unique).inserted {
                unique = "\(label)_\(n)"
                n += 1
            }
            text += """

                resource "aws_route53_record" "\(unique)" {
                  zone_id = var.zone_id
                  name    = "\(hcl(record.name))"
                  type    = "\(hcl(record.type))"
                  ttl     = \(ttl)
                  records = ["\(hcl(record.value))"]
                }

                """
        }
        return text
    }

    /// A string safe inside HCL quotes (no interpolation, no escapes taken literally).
    public static func hcl(_ text: String) -> String {
        text.replacingEvery("\\", with: "\\\\").replacingEvery("\"", with: "\\\"")
            .replacingEvery("${", with: "$${").replacingEvery("%{", with: "%%{")
    }
}
