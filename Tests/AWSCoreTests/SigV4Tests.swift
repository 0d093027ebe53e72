import Foundation
import Testing

@testable import AWSCore

/// The AWS SigV4 test suite of aws-c-auth (Tests/AWSCoreTests/Resources/sigv4, Apache-2.0, LICENSE and
/// NOTICE beside it), header signing. Only the `header-*` expectations are copied: the `query-*` files
/// (presigned URLs, `X-Amz-Signature` in the query) do not apply to header signing. Every case runs.
@Suite(.timeLimit(.minutes(5))) struct SigV4Tests {
    static let root: URL = {
        // `.copy("Resources")`: the folder lands in the bundle as `Resources` (macOS) or as the resource
        // root itself (Linux Foundation's `resourceURL` already ends in `Resources`).
        let candidates = [
            Bundle.module.resourceURL?.appendingPathComponent("Resources/sigv4"),
            Bundle.module.resourceURL?.appendingPathComponent("sigv4"),
            Bundle.module.bundleURL.appendingPathComponent("Resources/sigv4"),
        ].compactMap { $0 }
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("LICENSE").path) }
            ?? Bundle.module.bundleURL.appendingPathComponent("Resources/sigv4")
    }()

    struct Case {
        var name: String
        var credentials: AWSCredentials
        var region: String
        var service: String
        var date: Date
        var normalize: Bool
        var signBody: Bool
        var omitSessionToken: Bool
        var method: String
        var path: String
        var query: String
        var headers: [(name: String, value: String)]
        var body: Data
        var canonical: String
        var stringToSign: String
        var signature: String
        var signedRequest: String
    }

    static func load() throws -> [Case] {
        let names = try FileManager.default.contentsOfDirectory(atPath: root.path).filter {
            FileManager.default.fileExists(atPath: root.appendingPathComponent($0).appendingPathComponent("context.json").path)
        }.sorted()
        return try names.map(loadCase)
    }

    static func read(_ name: String, _ file: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(name).appendingPathComponent(file), encoding: .utf8)
    }

    static func loadCase(_ name: String) throws -> Case {
        let context = try #require(try JSONSerialization.jsonObject(with: Data(read(name, "context.json").utf8)) as? [String: Any])
        let creds = try #require(context["credentials"] as? [String: String])
        let credentials = AWSCredentials(accessKeyId: creds["access_key_id"] ?? "", secretAccessKey: creds["secret_access_key"] ?? "", sessionToken: creds["token"])
        let formatter = ISO8601DateFormatter()
        let date = try #require(formatter.date(from: context["timestamp"] as? String ?? ""))

        let raw = try read(name, "request.txt")
        let parts = raw.components(separatedBy: "\n\n")
        let head = parts[0].components(separatedBy: "\n")
        let body = parts.count > 1 ? parts.dropFirst().joined(separator: "\n\n") : ""
        let requestLine = head[0].split(separator: " ", omittingEmptySubsequences: false)
        let method = String(requestLine[0])
        let target = requestLine.dropFirst().dropLast().joined(separator: " ")
        let pathAndQuery = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var headers: [(name: String, value: String)] = []
        for line in head.dropFirst() {
            if let first = line.first, first == " " || first == "\t", let last = headers.popLast() {
                headers.append((last.name, last.value + " " + line))
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
        }
        return Case(
            name: name, credentials: credentials, region: context["region"] as? String ?? "", service: context["service"] as? String ?? "",
            date: date, normalize: context["normalize"] as? Bool ?? true, signBody: context["sign_body"] as? Bool ?? false,
            omitSessionToken: context["omit_session_token"] as? Bool ?? false,
            method: method, path: String(pathAndQuery[0]), query: pathAndQuery.count > 1 ? String(pathAndQuery[1]) : "",
            headers: headers, body: Data(body.utf8),
            canonical: try read(name, "header-canonical-request.txt"),
            stringToSign: try read(name, "header-string-to-sign.txt"),
            signature: try read(name, "header-signature.txt").trimmingCharacters(in: .whitespacesAndNewlines),
            signedRequest: try read(name, "header-signed-request.txt")
        )
    }

    @Test func theSuiteIsThere() throws {
        #expect(try Self.load().count == 38)
        #expect(FileManager.default.fileExists(atPath: Self.root.appendingPathComponent("LICENSE").path))
        #expect(FileManager.default.fileExists(atPath: Self.root.appendingPathComponent("NOTICE").path))
    }

    /// Every case: canonical request, string to sign, signature, and the Authorization header.
    @Test(arguments: try SigV4Tests.load().map(\.name))
    func headerSigning(name: String) throws {
        let test = try Self.loadCase(name)
        // `omit_session_token` ("post-sts-header-after"): the token is added after signing, so it is not signed.
        var credentials = test.credentials
        if test.omitSessionToken { credentials.sessionToken = nil }
        let signer = SigV4Signer(credentials: credentials, region: test.region, service: test.service)
        let payloadHash = SigV4Signer.hexSHA256(test.body)
        var headers = test.headers
        headers.append((name: "X-Amz-Date", value: SigV4Signer.amzDate(test.date)))
        if let token = credentials.sessionToken { headers.append((name: "X-Amz-Security-Token", value: token)) }
        if test.signBody { headers.append((name: "X-Amz-Content-Sha256", value: payloadHash)) }

        let request = SigV4Signer.Request(method: test.method, path: test.path, query: test.query, headers: headers, payloadHash: payloadHash)
        let canonical = signer.canonicalRequest(request, normalizePath: test.normalize)
        #expect(canonical.text == test.canonical)
        let stringToSign = signer.stringToSign(canonicalRequest: canonical.text, date: test.date)
        #expect(stringToSign == test.stringToSign)
        let signature = signer.signature(stringToSign: stringToSign, date: test.date)
        #expect(signature == test.signature)
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(signer.scope(date: test.date)), SignedHeaders=\(canonical.signedHeaders), Signature=\(signature)"
        #expect(test.signedRequest.contains("Authorization:\(authorization)"))
    }

    @Test func hostHeaderAndRedactedCredentials() throws {
        #expect(SigV4Signer.amzDate(Date(timeIntervalSince1970: 1_700_000_000)) == "20231114T221320Z")
        #expect(SigV4Signer.hostHeader(for: try #require(URL(string: "https://apprunner.us-east-1.amazonaws.com:443/"))) == "apprunner.us-east-1.amazonaws.com")
        #expect(SigV4Signer.hostHeader(for: try #require(URL(string: "http://127.0.0.1:8080/"))) == "127.0.0.1:8080")
        let credentials = AWSCredentials(accessKeyId: "AKID", secretAccessKey: "s3cr3t-value", sessionToken: "t0ken-value")
        #expect(!"\(credentials)".contains("s3cr3t-value"))
        #expect(!"\(credentials)".contains("t0ken-value"))
    }

    @Test func signAddsDateTokenAndAuthorization() throws {
        let test = try Self.loadCase("get-vanilla-with-session-token")
        let signer = SigV4Signer(credentials: test.credentials, region: test.region, service: test.service)
        let signed = signer.sign(method: "GET", path: "/", headers: test.headers, body: Data(), date: test.date)
        let authorization = try #require(signed.first { $0.name == "Authorization" }?.value)
        #expect(authorization.hasSuffix("Signature=\(test.signature)"))
        #expect(signed.contains { $0.name == "X-Amz-Security-Token" && $0.value == test.credentials.sessionToken })
        let parsed = try #require(SigV4Authorization(header: authorization))
        #expect(parsed.accessKeyId == "AKIDEXAMPLE")
        #expect(parsed.region == "us-east-1")
        #expect(parsed.service == "service")
        #expect(parsed.signedHeaders == ["host", "x-amz-date", "x-amz-security-token"])
        #expect(SigV4Authorization.parseAmzDate("20150830T123600Z") == test.date)
        #expect(SigV4Authorization(header: "Bearer x") == nil)
    }
}
