import Foundation
import Testing

@testable import AWSCore

/// A clock that reads what the test set.
struct FixedClock: WallClock {
    var date: Date
    func now() -> Date { date }
}

/// ``SigV4Verifier``: the AWS vectors (signed by ``SigV4Signer``, then verified), and the requests an
/// AWS endpoint refuses.
@Suite(.timeLimit(.minutes(2))) struct SigV4VerifierTests {
    typealias Reason = SigV4Verifier.Failure.Reason

    /// Every AWS vector verifies, both phases give the vector's canonical request and string to sign,
    /// and a wrong secret or a changed body does not verify.
    @Test(arguments: try SigV4Tests.load().map(\.name))
    func awsVectors(name: String) throws {
        let test = try SigV4Tests.loadCase(name)
        var credentials = test.credentials
        if test.omitSessionToken { credentials.sessionToken = nil }
        let signer = SigV4Signer(credentials: credentials, region: test.region, service: test.service,
                                 addContentSHA256Header: test.signBody, normalizePath: test.normalize)
        let signed = signer.sign(method: test.method, path: test.path, query: test.query, headers: test.headers, body: test.body, date: test.date)
        let head = SigV4Verifier.RequestHead(method: test.method, path: test.path, query: test.query, headers: signed)
        let verifier = SigV4Verifier(credentials: [credentials], region: test.region, service: test.service,
                                     clock: FixedClock(date: test.date), normalizePath: test.normalize)
        let verified = try verifier.verify(head, payloadHash: SigV4Signer.hexSHA256(test.body))
        #expect(verified.canonicalRequest == test.canonical)
        #expect(verified.stringToSign == test.stringToSign)
        #expect(verified.authorization.signature == test.signature)
        #expect(verified.date == test.date)

        let checked = try verifier.checkHead(head)
        #expect(reason { try verifier.checkPayload(checked, payloadHash: SigV4Signer.hexSHA256(test.body + Data("x".utf8))) } == .signatureMismatch)
        let wrongSecret = AWSCredentials(accessKeyId: credentials.accessKeyId, secretAccessKey: "not-the-secret", sessionToken: credentials.sessionToken)
        let other = SigV4Verifier(credentials: [wrongSecret], region: test.region, service: test.service,
                                  clock: FixedClock(date: test.date), normalizePath: test.normalize)
        #expect(reason { try other.verify(head, payloadHash: SigV4Signer.hexSHA256(test.body)) } == .signatureMismatch)
        if test.omitSessionToken, let token = test.credentials.sessionToken {
            // "post-sts-header-after": a token added after signing is an unsigned x-amz-* header.
            let unsigned = SigV4Verifier.RequestHead(method: test.method, path: test.path, query: test.query,
                                                     headers: signed + [(name: "X-Amz-Security-Token", value: token)])
            let withToken = SigV4Verifier(credentials: [test.credentials], region: test.region, service: test.service,
                                          clock: FixedClock(date: test.date), normalizePath: test.normalize)
            #expect(reason { try withToken.checkHead(unsigned) } == .unsignedHeader("x-amz-security-token"))
        }
    }

    static let date = Date(timeIntervalSince1970: 1_700_000_000)  // 20231114T221320Z
    static let key = AWSCredentials(accessKeyId: "AKIDVERIFY", secretAccessKey: "verify-secret")
    static let body = Data(#"{"ServiceArn":"arn:aws:apprunner:us-east-1:123456789012:service/web/0123"}"#.utf8)

    static func verifier(_ credentials: [AWSCredentials] = [key], clock: Date = date) -> SigV4Verifier {
        SigV4Verifier(credentials: credentials, region: "us-east-1", service: "apprunner", clock: FixedClock(date: clock))
    }

    /// A DescribeService as our client sends it, signed with `credentials`; `extra` headers are signed too.
    static func request(_ credentials: AWSCredentials = key, region: String = "us-east-1", service: String = "apprunner",
                        headers: [SigV4Signer.Header]? = nil, date: Date = date) -> [SigV4Signer.Header] {
        let signer = SigV4Signer(credentials: credentials, region: region, service: service)
        let given = headers ?? [(name: "Host", value: "127.0.0.1:8080"), (name: "Content-Type", value: "application/x-amz-json-1.0"),
                                (name: "X-Amz-Target", value: "AppRunner.DescribeService")]
        return signer.sign(method: "POST", path: "/", headers: given, body: body, date: date)
    }

    static func head(_ headers: [SigV4Signer.Header]) -> SigV4Verifier.RequestHead {
        SigV4Verifier.RequestHead(method: "POST", path: "/", headers: headers)
    }

    /// The reason a check failed, nil when it passed.
    func reason<T>(_ body: () throws -> T) -> Reason? {
        do {
            _ = try body()
            return nil
        } catch let error as SigV4Verifier.Failure {
            return error.reason
        } catch {
            Issue.record("not a verification failure: \(error)")
            return nil
        }
    }

    func headReason(_ headers: [SigV4Signer.Header], verifier: SigV4Verifier = SigV4VerifierTests.verifier()) -> Reason? {
        reason { try verifier.checkHead(Self.head(headers)) }
    }

    func replacing(_ headers: [SigV4Signer.Header], _ name: String, with value: String?) -> [SigV4Signer.Header] {
        var out = headers.filter { $0.name.lowercased() != name.lowercased() }
        if let value { out.append((name: name, value: value)) }
        return out
    }

    @Test func aSignedRequestVerifiesInTwoPhases() throws {
        let verifier = Self.verifier()
        let checked = try verifier.checkHead(Self.head(Self.request()))
        #expect(checked.authorization.accessKeyId == "AKIDVERIFY")
        #expect(checked.date == Self.date)
        let verified = try verifier.checkPayload(checked, payloadHash: SigV4Signer.hexSHA256(Self.body))
        #expect(verified.authorization.signedHeaders == ["content-type", "host", "x-amz-date", "x-amz-target"])
        #expect(reason { try verifier.checkPayload(checked, payloadHash: SigV4Signer.hexSHA256(Data("{}".utf8))) } == .signatureMismatch)
    }

    @Test func authorizationMustBeOneWellFormedHeader() {
        let signed = Self.request()
        #expect(headReason(replacing(signed, "Authorization", with: nil)) == .missingAuthorization)
        let authorization = signed.first { $0.name == "Authorization" }?.value ?? ""
        #expect(headReason(signed + [(name: "authorization", value: authorization)]) == .multipleAuthorizationHeaders)
        #expect(headReason(signed + [(name: "Authorization", value: "AWS4-HMAC-SHA256 Credential=AKIDOTHER/20231114/us-east-1/apprunner/aws4_request, SignedHeaders=host, Signature=00")])
                == .multipleAuthorizationHeaders)
        for garbled in ["AWS4-HMAC-SHA256 Credential=x", "Bearer abc", "AWS4-HMAC-SHA1 " + authorization.dropFirst(17),
                        authorization.replacingOccurrences(of: "aws4_request", with: "aws5_request")] {
            #expect(headReason(replacing(signed, "Authorization", with: garbled)) == .malformedAuthorization, "\(garbled)")
        }
        let failure = SigV4Verifier.Failure(.missingAuthorization)
        #expect((failure.code, failure.message, failure.statusCode) == ("MissingAuthenticationTokenException", "Missing Authentication Token", 403))
        #expect(SigV4Verifier.Failure(.multipleAuthorizationHeaders).code == "IncompleteSignatureException")
    }

    @Test func theDateMustBeThereWellFormedAndWithinFiveMinutes() throws {
        let signed = Self.request()
        #expect(headReason(replacing(signed, "X-Amz-Date", with: nil)) == .missingDate)
        #expect(headReason(replacing(signed, "X-Amz-Date", with: "yesterday")) == .malformedDate("yesterday"))
        #expect(headReason(signed + [(name: "X-Amz-Date", value: "20231114T221320Z")]) == .malformedDate("20231114T221320Z,20231114T221320Z"))
        for skew in [-299.0, 0, 299] {
            #expect(headReason(signed, verifier: Self.verifier(clock: Self.date.addingTimeInterval(skew))) == nil)
        }
        let late = Self.verifier(clock: Self.date.addingTimeInterval(301))
        let expired = reason { try late.checkHead(Self.head(signed)) }
        #expect(expired == .expired(date: "20231114T221320Z", limit: "20231114T221321Z", now: "20231114T221821Z"))
        let message = SigV4Verifier.Failure(try #require(expired)).message
        #expect(message == "Signature expired: 20231114T221320Z is now earlier than 20231114T221321Z (20231114T221821Z - 5 min.)")
        #expect(AWSRetryClassifier.isClockSkew(AWSResponseError(code: "InvalidSignatureException", message: message, statusCode: 403)))
        let early = Self.verifier(clock: Self.date.addingTimeInterval(-301))
        let future = reason { try early.checkHead(Self.head(signed)) }
        #expect(future == .notYetCurrent(date: "20231114T221320Z", limit: "20231114T221319Z", now: "20231114T220819Z"))
        #expect(SigV4Verifier.Failure(try #require(future)).message.hasPrefix("Signature not yet current: 20231114T221320Z is still later than"))
    }

    @Test func theScopeMustBeTheServedRegionServiceAndTheDatesDay() {
        #expect(headReason(Self.request(region: "eu-west-1")) == .wrongRegion(expected: "us-east-1"))
        #expect(headReason(Self.request(service: "ecs")) == .wrongService(expected: "apprunner"))
        // Signed at 23:59:00, then the date moved 2 minutes on (next day): still within 5 minutes.
        let evening = Date(timeIntervalSince1970: 1_700_006_340)  // 20231114T235900Z
        let signed = Self.request(date: evening)
        let moved = replacing(signed, "X-Amz-Date", with: "20231115T000100Z")
        #expect(headReason(moved, verifier: Self.verifier(clock: evening)) == .wrongScopeDay(scope: "20231114", date: "20231115T000100Z"))
    }

    @Test func hostEveryXAmzHeaderAndContentTypeMustBeSigned() {
        // Signed without Host, Host added afterwards.
        let noHost = Self.request(headers: [(name: "Content-Type", value: "application/x-amz-json-1.0"), (name: "X-Amz-Target", value: "AppRunner.DescribeService")])
        #expect(headReason(noHost + [(name: "Host", value: "127.0.0.1:8080")]) == .unsignedHeader("host"))
        #expect(headReason(noHost) == .unsignedHeader("host"))
        // A DescribeService signed over content-type, host and x-amz-date: X-Amz-Target (any value) is refused.
        let captured = Self.request(headers: [(name: "Host", value: "127.0.0.1:8080"), (name: "Content-Type", value: "application/x-amz-json-1.0")])
        #expect(headReason(captured + [(name: "X-Amz-Target", value: "AppRunner.DescribeService")]) == .unsignedHeader("x-amz-target"))
        #expect(headReason(captured + [(name: "X-Amz-Target", value: "AppRunner.PauseService")]) == .unsignedHeader("x-amz-target"))
        #expect(headReason(captured + [(name: "x-amz-anything", value: "1")]) == .unsignedHeader("x-amz-anything"))
        // x-amzn-* (trace ids) and other headers may be sent unsigned.
        let signed = Self.request()
        #expect(headReason(signed + [(name: "X-Amzn-Trace-Id", value: "Root=1"), (name: "User-Agent", value: "x")]) == nil)
        // Content-Type sent but not signed.
        let noType = Self.request(headers: [(name: "Host", value: "127.0.0.1:8080"), (name: "X-Amz-Target", value: "AppRunner.DescribeService")])
        #expect(headReason(noType + [(name: "Content-Type", value: "application/x-amz-json-1.0")]) == .unsignedHeader("content-type"))
        #expect(headReason(noType) == nil)
        // A signed header that is not sent; a signed value that was changed.
        #expect(headReason(signed.filter { $0.name != "X-Amz-Target" }) == .missingSignedHeader("x-amz-target"))
        let swapped = replacing(signed, "X-Amz-Target", with: "AppRunner.PauseService")
        #expect(reason { try Self.verifier().verify(Self.head(swapped), payloadHash: SigV4Signer.hexSHA256(Self.body)) } == .signatureMismatch)
        #expect(SigV4Verifier.Failure(.unsignedHeader("host")).message == "'host' must be a 'SignedHeader' in the AWS Authorization.")
    }

    @Test func keysAndSessionTokens() {
        let unknown = Self.request(AWSCredentials(accessKeyId: "AKIDOTHER", secretAccessKey: "verify-secret"))
        #expect(headReason(unknown) == .unknownAccessKey)
        let failure = SigV4Verifier.Failure(.unknownAccessKey)
        #expect((failure.code, failure.message) == ("UnrecognizedClientException", "The security token included in the request is invalid."))
        // A token the server did not issue.
        let withToken = AWSCredentials(accessKeyId: "AKIDVERIFY", secretAccessKey: "verify-secret", sessionToken: "made-up")
        #expect(headReason(Self.request(withToken)) == .invalidSessionToken)
        #expect(SigV4Verifier.Failure(.invalidSessionToken).code == "UnrecognizedClientException")
        // A configured token: required, exact, once.
        let issued = AWSCredentials(accessKeyId: "AKIDTEMP", secretAccessKey: "temp-secret", sessionToken: "issued-token")
        let verifier = Self.verifier([Self.key, issued])
        #expect(headReason(Self.request(issued), verifier: verifier) == nil)
        #expect(headReason(Self.request(Self.key), verifier: verifier) == nil)
        var other = issued
        other.sessionToken = "issued-tokem"
        #expect(headReason(Self.request(other), verifier: verifier) == .invalidSessionToken)
        other.sessionToken = nil
        #expect(headReason(Self.request(other), verifier: verifier) == .invalidSessionToken)
        let twice = Self.request(issued) + [(name: "X-Amz-Security-Token", value: "issued-token")]
        #expect(headReason(twice, verifier: verifier) == .invalidSessionToken)
        // A key with an empty secret never verifies anything.
        let empty = AWSCredentials(accessKeyId: "AKIDEMPTY", secretAccessKey: "")
        #expect(headReason(Self.request(empty), verifier: Self.verifier([empty])) == .unknownAccessKey)
    }
}
