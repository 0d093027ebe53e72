import FoundationEssentials

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A cached IAM Identity Center token, the JSON `aws sso login` keeps in `~/.aws/sso/cache/<key>.json`:
/// `startUrl`, `region`, `accessToken`, `expiresAt`, and for a refreshable token `refreshToken`,
/// `clientId`, `clientSecret`, `registrationExpiresAt`. Unknown members are kept when written back.
struct SSOToken: Sendable {
    var accessToken: String
    var expiresAt: Date
    var refreshToken: String?
    var clientId: String?
    var clientSecret: String?
    var registrationExpiresAt: Date?
    /// The whole document as read (members this type does not name, e.g. `receivedAt`).
    var document: [String: JSONCacheValue]

    /// Parses a cache document; nil when it lacks `accessToken` or `expiresAt` (botocore: "invalid").
    init?(document: [String: JSONCacheValue]) {
        guard case .string(let token)? = document["accessToken"], !token.isEmpty,
              case .string(let expires)? = document["expiresAt"], let expiresAt = JSONCacheFile.parseDate(expires) else { return nil }
        self.accessToken = token
        self.expiresAt = expiresAt
        self.document = document
        refreshToken = document["refreshToken"]?.string
        clientId = document["clientId"]?.string
        clientSecret = document["clientSecret"]?.string
        registrationExpiresAt = document["registrationExpiresAt"]?.string.flatMap(JSONCacheFile.parseDate)
    }
}

/// A JSON value of a cache file (strings, numbers, lists, objects), enough to read and write the
/// AWS CLI's cache documents without losing members.
enum JSONCacheValue: Sendable, Hashable, Codable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case array([JSONCacheValue])
    case object([String: JSONCacheValue])
    case null

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null
        } else if let value = try? container.decode(Bool.self) { self = .bool(value)
        } else if let value = try? container.decode(Double.self) { self = .number(value)
        } else if let value = try? container.decode(String.self) { self = .string(value)
        } else if let value = try? container.decode([JSONCacheValue].self) { self = .array(value)
        } else { self = .object(try container.decode([String: JSONCacheValue].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .number(let value):
            if value == value.rounded(), abs(value) < 1e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .bool(let value): try container.encode(value)
        case .array(let values): try container.encode(values)
        case .object(let values): try container.encode(values)
        case .null: try container.encodeNil()
        }
    }
}

/// The AWS CLI's JSON file caches (`~/.aws/sso/cache`, `~/.aws/cli/cache`): one document per file named
/// `<key>.json`, written as the CLI writes them (a temporary file in the same directory, owner-only,
/// then renamed over the old one, so an interrupted write never leaves half a file).
enum JSONCacheFile {
    /// `~/.aws/sso/cache` under `HOME` of `environment`.
    static func ssoDirectory(environment: [String: String]) -> String {
        AWSSharedConfig.homeDirectory(environment: environment) + "/.aws/sso/cache"
    }

    /// `~/.aws/cli/cache` (assumed-role credentials).
    static func cliDirectory(environment: [String: String]) -> String {
        AWSSharedConfig.homeDirectory(environment: environment) + "/.aws/cli/cache"
    }

    /// The document at `directory/key.json`; nil when the file is absent or not a JSON object.
    static func read(directory: String, key: String) -> [String: JSONCacheValue]? {
        let path = directory + "/" + key + ".json"
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode([String: JSONCacheValue].self, from: data)
    }

    /// Writes `document` to `directory/key.json` atomically (temporary file + rename), mode 0600.
    static func write(_ document: [String: JSONCacheValue], directory: String, key: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(document)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var template = Array((directory + "/." + key + ".XXXXXX.tmp").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return mkstemps(base, 4)
        }
        guard descriptor >= 0 else {
            throw AWSConfigurationError.unreadableFile(path: directory, reason: "cannot create a file there (errno \(errno))")
        }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var isOpen = true
        do {
            try SystemIO.write(data, to: descriptor)
            guard fsync(descriptor) == 0 else { throw SystemIO.Failure("fsync") }
            isOpen = false
            guard close(descriptor) == 0 else { throw SystemIO.Failure("close") }
            guard rename(temporary, directory + "/" + key + ".json") == 0 else {
                throw AWSConfigurationError.unreadableFile(path: directory + "/" + key + ".json", reason: "cannot replace the file (errno \(errno))")
            }
        } catch {
            if isOpen { SystemIO.close(descriptor) }
            unlink(temporary)
            throw error
        }
    }

    /// `2026-11-30T08:00:00Z`, the form the AWS CLI writes for SSO token times.
    static func formatDate(_ date: Date) -> String {
        DateText.iso8601String(date)
    }

    /// Times in the forms botocore and the CLI write: `…Z`, `…+00:00`, `…UTC` (`%Z`), with or without
    /// fractional seconds, `T` or a space between date and time. No zone means UTC.
    static func parseDate(_ text: String) -> Date? {
        let pattern = #"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?$"#
        let trimmed = text.trimmingWhitespace
        guard let regex = try? Regex(pattern).matchingSemantics(.unicodeScalar),
              let match = trimmed.firstMatch(of: regex) else { return nil }
        func group(_ index: Int) -> String? {
            match.output[index].substring.map(String.init)
        }
        var components = DateComponents()
        components.calendar = Calendar(identifier: .gregorian)
        components.timeZone = TimeZone(identifier: "UTC")
        guard let year = group(1).flatMap(Int.init), let month = group(2).flatMap(Int.init), let day = group(3).flatMap(Int.init),
              let hour = group(4).flatMap(Int.init), let minute = group(5).flatMap(Int.init), let second = group(6).flatMap(Int.init) else { return nil }
        (components.year, components.month, components.day) = (year, month, day)
        (components.hour, components.minute, components.second) = (hour, minute, second)
        guard var date = components.date else { return nil }
        if let fraction = group(7).flatMap({ Double("0" + $0) }) { date += fraction }
        if let zone = group(8), zone.hasPrefix("+") || zone.hasPrefix("-") {
            let digits = zone.dropFirst().replacingEvery(":", with: "")
            guard let hours = Int(digits.prefix(2)), let minutes = Int(digits.suffix(2)) else { return nil }
            let offset = TimeInterval(hours * 3600 + minutes * 60)
            date -= zone.hasPrefix("+") ? offset : -offset
        }
        return date
    }
}

/// Python's `json.dumps(value, sort_keys=True)` (separators `", "` and `": "`, or `","`/`":"` when
/// `compact`, non-ASCII escaped as `\uXXXX`), which the AWS CLI hashes for its cache keys.
/// JSON as Python's `json.dumps` writes it (the AWS CLI's cache files and tokens).
public enum PythonJSON {
    static func dumps(_ value: JSONCacheValue, compact: Bool = false) -> String {
        let (item, key) = compact ? (",", ":") : (", ", ": ")
        switch value {
        case .string(let text): return quote(text)
        case .number(let number): return number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return "null"
        case .array(let values): return "[" + values.map { dumps($0, compact: compact) }.joined(separator: item) + "]"
        case .object(let members):
            return "{" + members.keys.sorted().map { quote($0) + key + dumps(members[$0] ?? .null, compact: compact) }.joined(separator: item) + "}"
        }
    }

    /// A string as `json.dumps` quotes it: ASCII only, `\uXXXX` escapes.
    public static func quote(_ text: String) -> String {
        var out = "\""
        for unit in text.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            default: out += String(cFormat: "\\u%04x", unit)
            }
        }
        return out + "\""
    }
}
