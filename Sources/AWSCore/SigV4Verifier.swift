import Crypto
import FoundationEssentials

/// Checks SigV4-signed requests (`Authorization: AWS4-HMAC-SHA256 …`) as an AWS endpoint does.
///
/// Two phases, so that a server can refuse a request before it reads the body:
/// 1. ``checkHead(_:)``: everything the head shows — one well-formed `Authorization`, an `X-Amz-Date`
///    within ``maxSkew`` of the clock, a scope of the served region (any, without one) and service on the date's day, the
///    signed-header policy (`host`, every `x-amz-*` header sent, and `content-type` when sent, must be
///    signed; every signed header must be sent), a known access key, and the session token.
/// 2. ``checkPayload(_:payloadHash:)``: the signature over the canonical request with the body's hash.
public struct SigV4Verifier: Sendable {
    public typealias Header = SigV4Signer.Header

    /// The region scopes must name; nil accepts any (an endpoint that serves every region reads it from the scope).
    public let region: String?
    public private(set) var service: String
    /// How far `X-Amz-Date` may be from the clock (AWS: 5 minutes).
    public let maxSkew: TimeInterval
    let clock: any WallClock
    let normalizePath: Bool
    let keys: [String: AWSCredentials]

    /// - Parameters:
    ///   - credentials: the accepted keys. A key with a `sessionToken` requires that token; a key without
    ///     one refuses any token. Keys with an empty id or secret are ignored.
    ///   - region: the region scopes must name; nil accepts any.
    ///   - normalizePath: false only for S3-style services that sign the path as sent.
    public init(credentials: [AWSCredentials], region: String?, service: String, clock: any WallClock = SystemClock(),
                maxSkew: TimeInterval = 300, normalizePath: Bool = true) {
        var keys: [String: AWSCredentials] = [:]
        for entry in credentials where !entry.accessKeyId.isEmpty && !entry.secretAccessKey.isEmpty {
            keys[entry.accessKeyId] = entry
        }
        self.keys = keys
        self.region = region
        self.service = service
        self.clock = clock
        self.maxSkew = maxSkew
        self.normalizePath = normalizePath
    }

    /// The same verifier (keys, region, clock) for another service's scope: an endpoint serving several
    /// services checks each request against the service its target names.
    public func forService(_ name: String) -> SigV4Verifier {
        var copy = self
        copy.service = name
        return copy
    }

    /// The parts of a received request known before its body. `path` may be percent-encoded;
    /// `headers` are all headers as received (`Host` included), one entry per field line.
    public struct RequestHead: Sendable {
        public var method: String
        public var path: String
        public var query: String
        public var headers: [Header]

        public init(method: String, path: String, query: String = "", headers: [Header]) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
        }
    }

    /// A head that passed ``checkHead(_:)``; hand it to ``checkPayload(_:payloadHash:)``.
    public struct CheckedHead: Sendable {
        public let authorization: SigV4Authorization
        /// The request's `X-Amz-Date`.
        public let date: Date
        let amzDate: String
        let secretAccessKey: String
        /// The canonical request without its last line (the payload hash).
        let canonicalHead: String
    }

    /// A request whose signature matched.
    public struct Verified: Sendable {
        public let authorization: SigV4Authorization
        public let date: Date
        public let canonicalRequest: String
        public let stringToSign: String
    }

    /// Both phases at once, for a request whose body is at hand.
    public func verify(_ head: RequestHead, payloadHash: String) throws(Failure) -> Verified {
        try checkPayload(try checkHead(head), payloadHash: payloadHash)
    }

    public func checkHead(_ head: RequestHead) throws(Failure) -> CheckedHead {
        func values(_ name: String) -> [String] {
            head.headers.filter { $0.name.lowercased() == name }.map(\.value)
        }
        let authorizations = values("authorization")
        guard let authorizationValue = authorizations.first else { throw Failure(.missingAuthorization) }
        guard authorizations.count == 1 else { throw Failure(.multipleAuthorizationHeaders) }
        guard let authorization = SigV4Authorization(header: authorizationValue) else { throw Failure(.malformedAuthorization) }

        let dates = values("x-amz-date").map { $0.trimmingWhitespace }
        guard let amzDate = dates.first else { throw Failure(.missingDate) }
        guard dates.count == 1, let date = SigV4Authorization.parseAmzDate(amzDate) else { throw Failure(.malformedDate(dates.joined(separator: ","))) }
        let now = clock.now()
        if date < now.addingTimeInterval(-maxSkew) {
            throw Failure(.expired(date: amzDate, limit: SigV4Signer.amzDate(now.addingTimeInterval(-maxSkew)), now: SigV4Signer.amzDate(now)))
        }
        if date > now.addingTimeInterval(maxSkew) {
            throw Failure(.notYetCurrent(date: amzDate, limit: SigV4Signer.amzDate(now.addingTimeInterval(maxSkew)), now: SigV4Signer.amzDate(now)))
        }
        guard authorization.day == String(amzDate.prefix(8)) else { throw Failure(.wrongScopeDay(scope: authorization.day, date: amzDate)) }
        if let region, authorization.region != region { throw Failure(.wrongRegion(expected: region)) }
        guard authorization.service == service else { throw Failure(.wrongService(expected: service)) }

        let signedNames = Set(authorization.signedHeaders)
        guard signedNames.contains("host") else { throw Failure(.unsignedHeader("host")) }
        let presentNames = Set(head.headers.map { $0.name.lowercased().trimmingWhitespace })
        for name in presentNames.sorted() where (name.hasPrefix("x-amz-") || name == "content-type") && !signedNames.contains(name) {
            throw Failure(.unsignedHeader(name))
        }
        if let missing = authorization.signedHeaders.first(where: { !presentNames.contains($0) }) {
            throw Failure(.missingSignedHeader(missing))
        }

        guard let credentials = keys[authorization.accessKeyId] else { throw Failure(.unknownAccessKey) }
        let tokens = values("x-amz-security-token")
        switch (credentials.sessionToken, tokens.count) {
        case (nil, 0):
            break
        case (let expected?, 1):
            guard Self.constantTimeEqual(expected, tokens[0].trimmingWhitespace) else { throw Failure(.invalidSessionToken) }
        default:
            throw Failure(.invalidSessionToken)
        }

        let signed = head.headers.filter { signedNames.contains($0.name.lowercased().trimmingWhitespace) }
        let request = SigV4Signer.Request(method: head.method, path: head.path, query: head.query, headers: signed, payloadHash: "")
        let canonical = SigV4Signer.canonicalRequest(request, normalizePath: normalizePath).text
        return CheckedHead(authorization: authorization, date: date, amzDate: amzDate, secretAccessKey: credentials.secretAccessKey,
                           canonicalHead: String(canonical.dropLast()))
    }

    public func checkPayload(_ head: CheckedHead, payloadHash: String) throws(Failure) -> Verified {
        let authorization = head.authorization
        let canonical = head.canonicalHead + "\n" + payloadHash
        let scope = SigV4Signer.scope(day: authorization.day, region: authorization.region, service: authorization.service)
        let stringToSign = SigV4Signer.stringToSign(canonicalRequest: canonical, amzDate: head.amzDate, scope: scope)
        let key = SigV4Signer.signingKey(secretAccessKey: head.secretAccessKey, day: authorization.day,
                                         region: authorization.region, service: authorization.service)
        let expected = SigV4Signer.signature(stringToSign: stringToSign, key: key)
        guard Self.constantTimeEqual(expected, authorization.signature) else { throw Failure(.signatureMismatch) }
        return Verified(authorization: authorization, date: head.date, canonicalRequest: canonical, stringToSign: stringToSign)
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
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
    /// Lower-case names, in the header's order.
    public var signedHeaders: [String]
    public var signature: String

    public init?(header: String) {
        let prefix = SigV4Signer.algorithm + " "
        let trimmed = header.trimmingWhitespace
        guard trimmed.hasPrefix(prefix) else { return nil }
        var fields: [String: String] = [:]
        for part in trimmed.dropFirst(prefix.count).split(separator: ",") {
            let pair = part.trimmingWhitespace.split(separator: "=", maxSplits: 1)
            if pair.count == 2 { fields[String(pair[0])] = String(pair[1]) }
        }
        guard let credential = fields["Credential"], let signed = fields["SignedHeaders"], let signature = fields["Signature"],
              !signed.isEmpty, !signature.isEmpty else { return nil }
        let scope = credential.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard scope.count == 5, scope[4] == "aws4_request", !scope[0].isEmpty, scope[1].count == 8, scope[1].allSatisfy(\.isNumber) else { return nil }
        accessKeyId = scope[0]
        day = scope[1]
        region = scope[2]
        service = scope[3]
        signedHeaders = signed.split(separator: ";").map { $0.lowercased() }
        self.signature = signature
    }

    /// The scope day as a date (midnight UTC).
    public var date: Date? { SigV4Authorization.parseAmzDate(day + "T000000Z") }

    /// Parses an `X-Amz-Date` value (`yyyyMMdd'T'HHmmss'Z'`).
    public static func parseAmzDate(_ text: String) -> Date? {
        let digits = Array(text.utf8)
        guard digits.count == 16, digits[8] == UInt8(ascii: "T"), digits[15] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            let slice = digits[range]
            guard slice.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
            return Int(String(decoding: slice, as: UTF8.self))
        }
        guard let year = number(0..<4), let month = number(4..<6), let day = number(6..<8),
              let hour = number(9..<11), let minute = number(11..<13), let second = number(13..<15),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
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
