import FoundationEssentials

/// The endpoint rules' standard library, as botocore's `RuleSetStandardLibrary` computes it: `isSet`,
/// `not`, `booleanEquals`, `stringEquals`, `getAttr`, `substring`, `uriEncode`, `parseURL`,
/// `isValidHostLabel`, `aws.partition`, `aws.parseArn`, `aws.isVirtualHostableS3Bucket`.
enum AWSEndpointFunctions {
    static func call(_ name: String, _ arguments: [AWSEndpointValue?], partitions: AWSPartitions) throws -> AWSEndpointValue? {
        func argument(_ index: Int) -> AWSEndpointValue? { index < arguments.count ? arguments[index] : nil }
        func string(_ index: Int) -> String? { argument(index)?.string }
        func number(_ index: Int) throws -> Int {
            guard case .number(let value)? = argument(index), value == value.rounded(), abs(value) < 1e9 else {
                throw AWSEndpointError.invalid("\(name): argument \(index + 1) must be a whole number")
            }
            return Int(value)
        }
        switch name {
        case "isSet":
            return .bool(argument(0) != nil)
        case "not":
            return .bool(!truthy(argument(0)))
        case "booleanEquals":
            guard case .bool(let a)? = argument(0), case .bool(let b)? = argument(1) else {
                throw AWSEndpointError.invalid("booleanEquals: both arguments must be booleans")
            }
            return .bool(a == b)
        case "stringEquals":
            guard let a = string(0), let b = string(1) else {
                throw AWSEndpointError.invalid("stringEquals: both arguments must be strings")
            }
            return .bool(a == b)
        case "getAttr":
            guard let value = argument(0), let path = string(1) else { return nil }
            return attribute(of: value, path: path)
        case "substring":
            guard let text = string(0) else { throw AWSEndpointError.invalid("substring: input must be a string") }
            return substring(text, start: try number(1), stop: try number(2), reverse: argument(3) == .bool(true)).map { .string($0) }
        case "uriEncode":
            return string(0).map { .string(uriEncode($0)) }
        case "parseURL":
            return string(0).flatMap(parseURL)
        case "isValidHostLabel":
            guard let text = string(0) else { return .bool(false) }
            return .bool(isValidHostLabel(text, allowSubdomains: argument(1) == .bool(true)))
        case "aws.partition":
            return partitions.partition(for: string(0))
        case "aws.parseArn":
            return string(0).flatMap(parseArn)
        case "aws.isVirtualHostableS3Bucket":
            guard let text = string(0), text.count >= 3, text.lowercased() == text, !isIPv4(text) else { return .bool(false) }
            return .bool(isValidHostLabel(text, allowSubdomains: argument(1) == .bool(true)))
        default:
            throw AWSEndpointError.invalid("unknown function \(name)")
        }
    }

    /// Python's truthiness, which `not` applies.
    static func truthy(_ value: AWSEndpointValue?) -> Bool {
        switch value {
        case nil, .null?: return false
        case .bool(let value)?: return value
        case .string(let value)?: return !value.isEmpty
        case .number(let value)?: return value != 0
        case .array(let value)?: return !value.isEmpty
        case .record(let value)?: return !value.isEmpty
        }
    }

    /// `name`, `a.b`, `name[0]` (an index ends the path).
    static func attribute(of value: AWSEndpointValue, path: String) -> AWSEndpointValue? {
        var current: AWSEndpointValue? = value
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            if let open = part.firstIndex(of: "["), part.hasSuffix("]"),
               let index = Int(part[part.index(after: open)..<part.index(before: part.endIndex)]) {
                let name = part[..<open]
                if !name.isEmpty { current = current?.record?[String(name)] }
                guard let items = current?.array, index >= 0, index < items.count else { return nil }
                return items[index]
            }
            current = current?.record?[String(part)]
        }
        return current
    }

    static func substring(_ text: String, start: Int, stop: Int, reverse: Bool) -> String? {
        let scalars = Array(text.unicodeScalars)
        guard start < stop, start >= 0, scalars.count >= stop, scalars.allSatisfy(\.isASCII) else { return nil }
        let range = reverse ? (scalars.count - stop)..<(scalars.count - start) : start..<stop
        var result = ""
        result.unicodeScalars.append(contentsOf: scalars[range])
        return result
    }

    /// Percent-encoding of every byte but `A–Z a–z 0–9 - _ . ~`.
    static func uriEncode(_ text: String, keepingSlashes: Bool = false) -> String {
        var result = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            if (byte < 0x80 && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)))
                || "-_.~".unicodeScalars.contains(scalar) || (keepingSlashes && scalar == "/") {
                result.unicodeScalars.append(scalar)
            } else {
                result += String(cFormat: "%%%02X", byte)
            }
        }
        return result
    }

    /// `scheme`, `authority`, `path`, `normalizedPath` (dot segments and doubled slashes removed, a
    /// trailing `/`), `isIp`; nil for a scheme other than http(s), a query, or a port that is not a number.
    static func parseURL(_ text: String) -> AWSEndpointValue? {
        guard let schemeEnd = text.firstRange(of: "://") else { return nil }
        let scheme = String(text[..<schemeEnd.lowerBound])
        guard scheme == "http" || scheme == "https" else { return nil }
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = String(rest[..<authorityEnd])
        let afterAuthority = rest[authorityEnd...]
        let pathEnd = afterAuthority.firstIndex(where: { $0 == "?" || $0 == "#" }) ?? afterAuthority.endIndex
        let path = String(afterAuthority[..<pathEnd])
        if afterAuthority[pathEnd...].hasPrefix("?") {
            let query = afterAuthority[afterAuthority.index(after: pathEnd)...].prefix(while: { $0 != "#" })
            if !query.isEmpty { return nil }
        }
        let hostPort = authority.split(separator: "@").last.map(String.init) ?? ""
        var host = hostPort
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { return nil }
            host = String(hostPort[...close])
            let port = hostPort[hostPort.index(after: close)...]
            if !port.isEmpty, !(port.hasPrefix(":") && isPort(port.dropFirst())) { return nil }
        } else if let colon = hostPort.lastIndex(of: ":") {
            host = String(hostPort[..<colon])
            guard isPort(hostPort[hostPort.index(after: colon)...]) else { return nil }
        }
        var normalized = uriEncode(removeDotSegments(path), keepingSlashes: true)
        if !normalized.hasSuffix("/") { normalized += "/" }
        let isIp = isIPv4(host) || (host.hasPrefix("[") && host.hasSuffix("]"))
        return .record(["scheme": .string(scheme), "authority": .string(authority), "path": .string(path),
                        "normalizedPath": .string(normalized), "isIp": .bool(isIp)])
    }

    private static func isPort(_ text: Substring) -> Bool {
        text.isEmpty || (text.count <= 5 && text.allSatisfy(\.isASCII) && text.allSatisfy(\.isNumber) && (Int(text) ?? 70_000) <= 65_535)
    }

    /// RFC 3986's dot segments removed, and consecutive slashes (botocore's `normalize_url_path`).
    static func removeDotSegments(_ path: String) -> String {
        guard !path.isEmpty else { return "/" }
        var output: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) where segment != "." {
            if segment == ".." {
                if !output.isEmpty { output.removeLast() }
            } else {
                output.append(segment)
            }
        }
        let first = path.hasPrefix("/") ? "/" : ""
        let last = path.hasSuffix("/") && !output.isEmpty ? "/" : ""
        return first + output.joined(separator: "/") + last
    }

    static func isIPv4(_ host: String) -> Bool {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy { $0.isASCII && $0.isNumber } && (Int(part) ?? 256) <= 255
        }
    }

    /// RFC 1123: 1–63 letters, digits and hyphens, not starting or ending with a hyphen.
    static func isValidHostLabel(_ text: String, allowSubdomains: Bool) -> Bool {
        if allowSubdomains {
            return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isValidHostLabel(String($0), allowSubdomains: false) }
        }
        return (1...63).contains(text.count) && !text.hasPrefix("-") && !text.hasSuffix("-")
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }

    /// `arn:partition:service:region:account:resource`: the parts, the resource split on `:` and `/`.
    static func parseArn(_ text: String) -> AWSEndpointValue? {
        guard text.hasPrefix("arn:") else { return nil }
        let parts = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 6, !parts[1].isEmpty, !parts[2].isEmpty, !parts[5].isEmpty else { return nil }
        let resource = parts[5].replacingEvery(":", with: "/").split(separator: "/", omittingEmptySubsequences: false)
        return .record(["partition": .string(parts[1]), "service": .string(parts[2]), "region": .string(parts[3]),
                        "accountId": .string(parts[4]), "resourceId": .array(resource.map { .string(String($0)) })])
    }
}

/// AWS's partitions (botocore's `partitions.json`): which partition a region is in and its outputs
/// (`dnsSuffix`, `dualStackDnsSuffix`, `supportsFIPS`, `supportsDualStack`, `implicitGlobalRegion`).
public struct AWSPartitions: Sendable {
    struct Partition: Sendable, Decodable {
        var id: String
        var regionRegex: String
        var regions: [String: AWSEndpointValue]
        var outputs: [String: AWSEndpointValue]
    }

    private struct File: Decodable {
        var partitions: [Partition]
    }

    let partitions: [Partition]

    /// Parses botocore's `partitions.json`.
    public init(json: String) throws {
        partitions = try JSONDecoder().decode(File.self, from: Data(json.utf8)).partitions
    }

    init(partitions: [Partition]) {
        self.partitions = partitions
    }

    /// The partitions' ids, in botocore's order (`aws` first).
    public var ids: [String] { partitions.map(\.id) }

    /// The id of a region's partition (`aws`, `aws-cn`, `aws-us-gov`, …): listed in it, else matching its
    /// region pattern, else the first (`aws`); nil only when there are no partitions.
    public func partitionId(of region: String) -> String? {
        partitions.first { $0.regions[region] != nil || Self.matches(region, pattern: $0.regionRegex) }?.id ?? partitions.first?.id
    }

    /// A region's partition: listed in it, else matching its region pattern, else the first (`aws`).
    func partition(for region: String?) -> AWSEndpointValue? {
        guard let first = partitions.first else { return nil }
        let match = region.flatMap { region in
            partitions.first { $0.regions[region] != nil || Self.matches(region, pattern: $0.regionRegex) }
        }
        let partition = match ?? first
        var outputs = partition.outputs
        outputs["name"] = .string(partition.id)
        return .record(outputs)
    }

    private static func matches(_ text: String, pattern: String) -> Bool {
        guard let expression = try? Regex(pattern).matchingSemantics(.unicodeScalar) else { return false }
        return text.prefixMatch(of: expression) != nil
    }
}
