import Crypto
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// AWS credentials: an access key, its secret, and for temporary credentials a session token and expiry.
public struct AWSCredentials: Sendable, Hashable, CustomStringConvertible {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?
    var expiration: Date?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    /// Never shows the secret or the token.
    public var description: String {
        var text = "AWSCredentials(accessKeyId: \(accessKeyId), secretAccessKey: <redacted>"
        if sessionToken != nil { text += ", sessionToken: <redacted>" }
        if let expiration { text += ", expiration: \(expiration)" }
        return text + ")"
    }
}

/// Signature Version 4 with the `Authorization` header.
///
/// A server checks received requests with ``SigV4Verifier``, which shares the canonical pieces.
public struct SigV4Signer: Sendable {
    public var credentials: AWSCredentials
    public var region: String
    public var service: String
    /// Adds `X-Amz-Content-Sha256` (some services, such as S3, require it; App Runner does not).
    var addContentSHA256Header: Bool
    /// Removes `.`/`..` segments and duplicate slashes from the path before signing (every service but S3).
    var normalizePath: Bool

    public init(credentials: AWSCredentials, region: String, service: String, addContentSHA256Header: Bool = false, normalizePath: Bool = true) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.addContentSHA256Header = addContentSHA256Header
        self.normalizePath = normalizePath
    }

    public typealias Header = (name: String, value: String)

    /// The parts of an HTTP request that take part in the signature.
    public struct Request: Sendable {
        public var method: String
        /// The path, not percent-encoded (a received, encoded path is decoded first, so both forms work).
        public var path: String
        /// The raw query string (without `?`), or empty.
        public var query: String
        /// The headers to sign, names as sent; several values of one name are joined by `,`.
        public var headers: [Header]
        /// Lower-case hex SHA-256 of the body (or `UNSIGNED-PAYLOAD`).
        public var payloadHash: String

        public init(method: String, path: String, query: String = "", headers: [Header], payloadHash: String) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.payloadHash = payloadHash
        }
    }

    static let algorithm = "AWS4-HMAC-SHA256"

    public static func hexSHA256(_ data: some DataProtocol) -> String {
        SHA256.hash(data: data).hexString
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    static func amzDate(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
        }
        return pad(parts.tm_year + 1900, 4) + pad(parts.tm_mon + 1, 2) + pad(parts.tm_mday, 2) + "T"
            + pad(parts.tm_hour, 2) + pad(parts.tm_min, 2) + pad(parts.tm_sec, 2) + "Z"
    }

    static let unreserved: Set<UInt8> = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~".utf8)
    static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// RFC 3986 encoding as SigV4 wants it: everything but unreserved characters as `%XX` (upper case).
    static func uriEncode(_ text: String, encodeSlash: Bool = true) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if unreserved.contains(byte) || (!encodeSlash && byte == UInt8(ascii: "/")) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Removes `.` and `..` segments and duplicate slashes (S3 aside, every service normalises).
    static func normalizePath(_ path: String) -> String {
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

    /// The canonical URI: decoded, optionally normalised, then encoded (slashes kept).
    static func canonicalPath(_ path: String, normalize: Bool) -> String {
        let raw = path.isEmpty ? "/" : path
        let decoded = raw.percentDecoded ?? raw
        let normalized = normalize ? normalizePath(decoded) : decoded
        return uriEncode(normalized, encodeSlash: false)
    }

    /// The canonical query string: each name and value decoded and re-encoded, sorted by name then value.
    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        var pairs: [(String, String)] = []
        for item in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let rawName = String(parts.first ?? "")
            let rawValue = parts.count > 1 ? String(parts[1]) : ""
            let name = rawName.percentDecoded ?? rawName
            let value = rawValue.percentDecoded ?? rawValue
            pairs.append((uriEncode(name), uriEncode(value)))
        }
        // Encoded text is ASCII, so this is the byte order SigV4 asks for.
        pairs.sort { $0.0 == $1.0 ? Array($0.1.utf8).lexicographicallyPrecedes(Array($1.1.utf8)) : Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8)) }
        return pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// Lower-cased names sorted; values trimmed with inner runs of white space (and line folds) turned
    /// into one space; several values of one name joined by `,` in the order given.
    static func canonicalHeaders(_ headers: [Header]) -> (text: String, signed: String) {
        var merged: [String: [String]] = [:]
        for (name, value) in headers {
            let folded = value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
                .joined(separator: " ")
            merged[name.lowercased().trimmingWhitespace, default: []].append(folded)
        }
        let names = merged.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        let text = names.map { "\($0):\(merged[$0, default: []].joined(separator: ","))\n" }.joined()
        return (text, names.joined(separator: ";"))
    }

    /// The canonical request and the `SignedHeaders` list.
    func canonicalRequest(_ request: Request, normalizePath: Bool? = nil) -> (text: String, signedHeaders: String) {
        Self.canonicalRequest(request, normalizePath: normalizePath ?? self.normalizePath)
    }

    static func canonicalRequest(_ request: Request, normalizePath: Bool = true) -> (text: String, signedHeaders: String) {
        let headers = canonicalHeaders(request.headers)
        let text = [
            request.method.uppercased(),
            canonicalPath(request.path, normalize: normalizePath),
            canonicalQuery(request.query),
            headers.text,
            headers.signed,
            request.payloadHash,
        ].joined(separator: "\n")
        return (text, headers.signed)
    }

    /// `yyyyMMdd/region/service/aws4_request`.
    public func scope(date: Date) -> String {
        Self.scope(day: String(Self.amzDate(date).prefix(8)), region: region, service: service)
    }

    public static func scope(day: String, region: String, service: String) -> String {
        "\(day)/\(region)/\(service)/aws4_request"
    }

    func stringToSign(canonicalRequest: String, date: Date) -> String {
        let amz = Self.amzDate(date)
        return Self.stringToSign(canonicalRequest: canonicalRequest, amzDate: amz, scope: scope(date: date))
    }

    static func stringToSign(canonicalRequest: String, amzDate: String, scope: String) -> String {
        [algorithm, amzDate, scope, hexSHA256(Data(canonicalRequest.utf8))].joined(separator: "\n")
    }

    /// The derived signing key of a day (`yyyyMMdd`), region and service.
    static func signingKey(secretAccessKey: String, day: String, region: String, service: String) -> SymmetricKey {
        var key = SymmetricKey(data: Data("AWS4\(secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        return key
    }

    public func signature(stringToSign: String, date: Date) -> String {
        let key = Self.signingKey(secretAccessKey: credentials.secretAccessKey, day: String(Self.amzDate(date).prefix(8)), region: region, service: service)
        return Self.signature(stringToSign: stringToSign, key: key)
    }

    public static func signature(stringToSign: String, key: SymmetricKey) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key)).hexString
    }

    /// Canonical request → string to sign → signature, for a request that already holds its `X-Amz-Date`
    /// (and token) headers.
    public func signature(for request: Request, date: Date) -> (canonicalRequest: String, signedHeaders: String, stringToSign: String, signature: String) {
        let canonical = canonicalRequest(request)
        let sts = stringToSign(canonicalRequest: canonical.text, date: date)
        return (canonical.text, canonical.signedHeaders, sts, signature(stringToSign: sts, date: date))
    }

    /// Adds `X-Amz-Date`, the session token (`X-Amz-Security-Token`), optionally `X-Amz-Content-Sha256`,
    /// and `Authorization` to `headers`, which must hold `Host`. Returns all headers to send.
    public func sign(method: String, path: String, query: String = "", headers: [Header], body: Data, date: Date) -> [Header] {
        let payloadHash = Self.hexSHA256(body)
        var all = headers.filter { header in
            let name = header.name.lowercased()
            return name != "authorization" && name != "x-amz-date" && name != "x-amz-security-token" && name != "x-amz-content-sha256"
        }
        all.append((name: "X-Amz-Date", value: Self.amzDate(date)))
        if let token = credentials.sessionToken {
            all.append((name: "X-Amz-Security-Token", value: token))
        }
        if addContentSHA256Header {
            all.append((name: "X-Amz-Content-Sha256", value: payloadHash))
        }
        let request = Request(method: method, path: path, query: query, headers: all, payloadHash: payloadHash)
        let result = signature(for: request, date: date)
        all.append((name: "Authorization", value: authorization(signedHeaders: result.signedHeaders, signature: result.signature, date: date)))
        return all
    }

    /// Signs a request to `url`; a `Host` header is added from the URL when `headers` has none.
    public func sign(method: String, url: URL, headers: [Header], body: Data, date: Date) -> [Header] {
        var all = headers
        if !all.contains(where: { $0.name.lowercased() == "host" }) {
            all.insert((name: "Host", value: Self.hostHeader(for: url)), at: 0)
        }
        let components = URLComponents(url: url, resolvingAgainstBaseURL: false)
        let path = components?.percentEncodedPath ?? url.path
        return sign(method: method, path: path.isEmpty ? "/" : path, query: components?.percentEncodedQuery ?? "", headers: all, body: body, date: date)
    }

    /// The `Host` header for a URL: the host, and the port when it is not the scheme's default.
    static func hostHeader(for url: URL) -> String {
        let host = url.host ?? ""
        guard let port = url.port else { return host }
        let scheme = url.scheme?.lowercased()
        if (scheme == "https" && port == 443) || (scheme == "http" && port == 80) { return host }
        return "\(host):\(port)"
    }

    func authorization(signedHeaders: String, signature: String, date: Date) -> String {
        "\(Self.algorithm) Credential=\(credentials.accessKeyId)/\(scope(date: date)), SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }
}

extension Sequence where Element == UInt8 {
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
