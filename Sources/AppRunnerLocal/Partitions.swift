import AWSCore
import FoundationEssentials

/// One account in one region: what one control plane holds. `runnerdeck serve` runs one per partition a
/// request names (``LocalFleet``); every ARN carries its partition, so one store keeps them all apart.
public struct LocalPartition: Hashable, Sendable, CustomStringConvertible {
    public var accountId: String
    public var region: String

    public init(accountId: String, region: String) {
        self.accountId = accountId
        self.region = region
    }

    /// The partition `arn:PARTITION:SERVICE:REGION:ACCOUNT:…` names; nil for anything else.
    init?(arn: String) {
        let fields = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard fields.count == 6, fields[0] == "arn", !fields[3].isEmpty, !fields[4].isEmpty else { return nil }
        region = String(fields[3])
        accountId = String(fields[4])
    }

    public var description: String { "\(accountId)/\(region)" }

    /// Whether `name` is shaped like an AWS region (`us-east-1`, `us-gov-west-1`): lower-case words and a
    /// number, joined by hyphens. It ends up in ARNs and host names, so nothing else is served.
    public static func isRegionName(_ name: String) -> Bool {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        guard name.count <= 32, parts.count >= 3, let number = parts.last, !number.isEmpty, number.allSatisfy(\.isASCIINumber) else { return false }
        return parts.dropLast().allSatisfy { part in !part.isEmpty && part.allSatisfy { $0.isASCII && $0.isLowercase } }
    }

    /// Whether a scope naming `region` is served: a region name, or the endpoint's default (`--region`), whatever it is.
    static func isServed(region: String, defaultRegion: String) -> Bool {
        region == defaultRegion || isRegionName(region)
    }

    /// Splits every stored record by the partition its ARN names (an operation by its service's, the chosen
    /// default auto scaling configuration by its value's); a record whose partition cannot be read goes to
    /// `fallback` (the one a single-partition store has always served it from).
    static func split(_ stored: StoredRecords, fallback: LocalPartition) -> [LocalPartition: StoredRecords] {
        struct OperationTarget: Decodable { var serviceArn: String }
        let decoder = JSONDecoder()
        var result: [LocalPartition: StoredRecords] = [:]
        for (kind, rows) in stored {
            for row in rows {
                let arn: String?
                switch kind {
                case .operation: arn = try? decoder.decode(OperationTarget.self, from: row.json).serviceArn
                case .meta: arn = try? decoder.decode(String.self, from: row.json)
                default: arn = row.id
                }
                let partition = arn.flatMap(LocalPartition.init(arn:)) ?? fallback
                result[partition, default: [:]][kind, default: []].append(row)
            }
        }
        return result
    }
}

extension Character {
    fileprivate var isASCIINumber: Bool { isASCII && isNumber }
}

extension LocalOptions {
    public var partition: LocalPartition { LocalPartition(accountId: accountId, region: region) }

    /// The same settings for another account and region.
    func on(_ partition: LocalPartition) -> LocalOptions {
        var options = self
        options.accountId = partition.accountId
        options.region = partition.region
        return options
    }
}

public struct LocalAccountsError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// The accounts one endpoint serves (`runnerdeck serve --accounts N`), each known by the key that signs
/// for it. The first is the account id and credentials given; account n (n ≥ 2) has the next account ids
/// in order (123456789012, 123456789013, …) and the given access key id, secret and session token each
/// with n appended (AKIDLOCAL2, s3cret2): deterministic, so a client's configuration can be written once.
public struct LocalAccounts: Sendable {
    public struct Account: Sendable, Equatable {
        public var accountId: String
        /// The key that signs for it; nil when the endpoint accepts unsigned requests (one account only).
        public var credentials: AWSCredentials?
    }

    public let entries: [Account]
    private let byKey: [String: String]

    public init(firstAccountId: String, credentials: AWSCredentials?, count: Int) throws {
        guard count >= 1 else { throw LocalAccountsError(message: "the number of accounts must be at least 1") }
        guard count == 1 || credentials != nil else {
            throw LocalAccountsError(message: "more than one account needs credentials: requests are given to the account whose access key signed them")
        }
        guard firstAccountId.count == 12, firstAccountId.allSatisfy(\.isASCIINumber), let first = Int(firstAccountId),
              first + count - 1 <= 999_999_999_999 else {
            throw LocalAccountsError(message: "\(count) account ids from \(firstAccountId) do not fit in 12 digits")
        }
        entries = (0..<count).map { index in
            let suffix = index == 0 ? "" : String(index + 1)
            let id = String(first + index)
            return Account(accountId: String(repeating: "0", count: 12 - id.count) + id, credentials: credentials.map {
                AWSCredentials(accessKeyId: $0.accessKeyId + suffix, secretAccessKey: $0.secretAccessKey + suffix,
                               sessionToken: $0.sessionToken.map { $0 + suffix })
            })
        }
        byKey = Dictionary(entries.compactMap { entry in entry.credentials.map { ($0.accessKeyId, entry.accountId) } }, uniquingKeysWith: { first, _ in first })
    }

    public var first: Account? { entries.first }

    /// Every account's credentials, for the verifier.
    var credentials: [AWSCredentials] { entries.compactMap(\.credentials) }

    /// The account whose key is `accessKeyId`; nil for a key no account has.
    public func accountId(forAccessKey accessKeyId: String) -> String? { byKey[accessKeyId] }
}
