import Crypto
import Foundation

/// AWS credentials: an access key, its secret, and for temporary credentials a session token and expiry.
public struct AWSCredentials: Sendable, Hashable {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?
    public var expiration: Date?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }
}

/// Signature Version 4 with the Authorization header.
public struct SigV4Signer: Sendable {
    public var credentials: AWSCredentials
    public var region: String
    public var service: String

    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The parts of an HTTP request that take part in the signature.
    public struct Request: Sendable {
        public var method: String
        public var path: String
        /// The raw query string (without `?`), or empty.
        public var query: String
        /// Header names as sent; several values of one name are joined by `,`.
        public var headers: [(name: String, value: String)]
        public var payloadHash: String

        public init(method: String, path: String, query: String = "", headers: [(name: String, value: String)], payloadHash: String) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.payloadHash = payloadHash
        }
    }

    public static func hexSHA256(_ data: some DataProtocol) -> String {
        SHA256.hash(data: data).hexString
    }

    public static func amzDate(_ date: Date) -> String {
        let c = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC") ?? .current, from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    static let unreserved = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~".utf8)

    public static func uriEncode(_ text: String, encodeSlash: Bool = true) -> String {
        var out = ""
        for byte in text.utf8 {
            if unreserved.contains(byte) || (!encodeSlash && byte == UInt8(ascii: "/")) {
                out.unicodeScalars.append(UnicodeScalar(byte))
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    /// Removes `.` and `..` segments and duplicate slashes (S3 aside, every service normalises).
    public static func normalizePath(_ path: String) -> String {
        var stack: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." { _ = stack.popLast(); continue }
            stack.append(segment)
        }
        var result = "/" + stack.joined(separator: "/")
        if path.hasSuffix("/") && result != "/" { result += "/" }
        return result
    }

    static func canonicalPath(_ path: String, normalize: Bool) -> String {
        let raw = path.isEmpty ? "/" : path
        let decoded = raw.removingPercentEncoding ?? raw
        let normalized = normalize ? normalizePath(decoded) : decoded
        return uriEncode(normalized, encodeSlash: false)
    }

    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        var pairs: [(String, String)] = []
        for item in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            pairs.append((uriEncode(name), uriEncode(value)))
        }
        pairs.sort { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
        return pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// Lower-cased names, values trimmed with inner runs of spaces folded, several values joined by `,`.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (text: String, signed: String) {
        var merged: [String: [String]] = [:]
        for (name, value) in headers {
            let folded = value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
                .joined(separator: " ")
            merged[name.lowercased(), default: []].append(folded)
        }
        let names = merged.keys.sorted()
        let text = names.map { "\($0):\(merged[$0, default: []].joined(separator: ","))\n" }.joined()
        return (text, names.joined(separator: ";"))
    }

    public func canonicalRequest(_ request: Request, normalizePath: Bool = true) -> (text: String, signedHeaders: String) {
        let headers = Self.canonicalHeaders(request.headers)
        let text = [
            request.method.uppercased(),
            Self.canonicalPath(request.path, normalize: normalizePath),
            Self.canonicalQuery(request.query),
            headers.text,
            headers.signed,
            request.payloadHash,
        ].joined(separator: "\n")
        return (text, headers.signed)
    }

    public func scope(date: Date) -> String {
        "\(Self.amzDate(date).prefix(8))/\(region)/\(service)/aws4_request"
    }

    public func stringToSign(canonicalRequest: String, date: Date) -> String {
        ["AWS4-HMAC-SHA256", Self.amzDate(date), scope(date: date), Self.hexSHA256(Data(canonicalRequest.utf8))].joined(separator: "\n")
    }

    public func signature(stringToSign: String, date: Date) -> String {
        let day = String(Self.amzDate(date).prefix(8))
        var key = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return Data(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key)).hexString
    }

    /// Adds `X-Amz-Date`, the session token and `Authorization` to `headers` (which must hold `Host`).
    public func sign(method: String, path: String, query: String = "", headers: [(name: String, value: String)], body: Data, date: Date) -> [(name: String, value: String)] {
        var all = headers
        all.append((name: "X-Amz-Date", value: Self.amzDate(date)))
        if let token = credentials.sessionToken {
            all.append((name: "X-Amz-Security-Token", value: token))
        }
        let request = Request(method: method, path: path, query: query, headers: all, payloadHash: Self.hexSHA256(body))
        let canonical = canonicalRequest(request)
        let sts = stringToSign(canonicalRequest: canonical.text, date: date)
        let signature = signature(stringToSign: sts, date: date)
        all.append((name: "Authorization", value: "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope(date: date)), SignedHeaders=\(canonical.signedHeaders), Signature=\(signature)"))
        return all
    }
}

extension Sequence where Element == UInt8 {
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The parts of an `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` header,
/// for a server that verifies requests.
public struct SigV4Authorization: Sendable, Hashable {
    public var accessKeyId: String
    /// `yyyyMMdd` of the credential scope.
    public var day: String
    public var region: String
    public var service: String
    public var signedHeaders: [String]
    public var signature: String

    public init?(header: String) {
        let prefix = "AWS4-HMAC-SHA256 "
        guard header.hasPrefix(prefix) else { return nil }
        var fields: [String: String] = [:]
        for part in header.dropFirst(prefix.count).split(separator: ",") {
            let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if pair.count == 2 { fields[String(pair[0])] = String(pair[1]) }
        }
        guard let credential = fields["Credential"], let signed = fields["SignedHeaders"], let signature = fields["Signature"] else { return nil }
        let scope = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard scope.count == 5, scope[4] == "aws4_request", !scope[0].isEmpty else { return nil }
        accessKeyId = scope[0]
        day = scope[1]
        region = scope[2]
        service = scope[3]
        signedHeaders = signed.split(separator: ";").map(String.init)
        self.signature = signature
    }

    /// Parses an `X-Amz-Date` value (`yyyyMMdd'T'HHmmss'Z'`).
    public static func parseAmzDate(_ text: String) -> Date? {
        let digits = Array(text.utf8)
        guard digits.count == 16, digits[8] == UInt8(ascii: "T"), digits[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? { Int(String(decoding: digits[range], as: UTF8.self)) }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
              let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15) else { return nil }
        var components = DateComponents()
        components.year = year
        components.month = month
        components.day = day
        components.hour = hour
        components.minute = minute
        components.second = second
        components.timeZone = TimeZone(identifier: "UTC")
        return Calendar(identifier: .gregorian).date(from: components)
    }
}
