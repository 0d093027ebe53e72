import Foundation
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import AWSCore

let appRunnerInfo = AWSServiceInfo(signingName: "apprunner", endpointPrefix: "apprunner", targetPrefix: "AppRunner",
                                   apiVersion: "2020-05-15", serviceId: "AppRunner")
let testCredentials = AWSCredentials(accessKeyId: "AKIDTEST", secretAccessKey: "test-secret-key", sessionToken: "test-session-token")

/// Records the delays it is asked for instead of waiting.
final class RecordingSleeper: AWSSleeper {
    let delays = NIOLockedValueBox<[Double]>([])
    func sleep(seconds: Double) async throws {
        delays.withLockedValue { $0.append(seconds) }
    }
    var recorded: [Double] { delays.withLockedValue { $0 } }
}

/// Collects debug lines.
final class LineSink: Sendable {
    let lines = NIOLockedValueBox<[String]>([])
    var text: String { lines.withLockedValue { $0.joined(separator: "\n") } }
    var hook: @Sendable (String) -> Void { { [lines] line in lines.withLockedValue { $0.append(line) } } }
}

@Suite(.timeLimit(.minutes(5))) struct ClientTests {
    func makeClient(_ server: TestServer, maxAttempts: Int = 3, sleeper: RecordingSleeper = RecordingSleeper(),
                    quota: AWSRetryQuota = AWSRetryQuota(), random: @escaping @Sendable () -> Double = { 1 },
                    now: @escaping @Sendable () -> Date = { Date() }, timeouts: AWSClientTimeouts = .standard,
                    debug: (@Sendable (String) -> Void)? = nil) throws -> AWSJSONClient {
        let url = try #require(URL(string: server.url))
        return AWSJSONClient(service: appRunnerInfo, region: "eu-west-1", endpoint: url, credentials: StaticCredentialProvider(testCredentials),
                             userAgent: "runnerdeck/9.9.9",
                             retry: AWSRetryStrategy(maxAttempts: maxAttempts, quota: quota, backoff: AWSBackoff(random: random), sleeper: sleeper),
                             timeouts: timeouts, environment: [:], now: now, debug: debug)
    }

    func expectResponseError(_ body: () async throws -> Data) async -> AWSResponseError? {
        do {
            _ = try await body()
            Issue.record("expected an error")
            return nil
        } catch let error as AWSResponseError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test func requestShapeAndSignatureVerify() async throws {
        let server = try await TestServer.start { request, _ in
            .json(#"{"ServiceSummaryList":[]}"#, headers: [("x-amzn-RequestId", "req-1")])
        }
        defer { server.stop() }
        let client = try makeClient(server)
        let body = Data(#"{"MaxResults":3}"#.utf8)
        let data = try await client.send(operation: "ListServices", body: body)
        try await client.shutdown()
        #expect(String(decoding: data, as: UTF8.self) == #"{"ServiceSummaryList":[]}"#)

        let received = try #require(await server.requests.first)
        #expect(received.method == "POST")
        #expect(received.path == "/")
        #expect(received.body == body)
        #expect(received.header("Content-Type") == "application/x-amz-json-1.0")
        #expect(received.header("X-Amz-Target") == "AppRunner.ListServices")
        #expect(received.header("X-Amz-Security-Token") == "test-session-token")
        #expect(received.header("User-Agent")?.hasPrefix("runnerdeck/9.9.9 (") == true)
        #expect(received.header("Host") == "127.0.0.1:\(server.port)")
        let authorization = try #require(received.header("Authorization").flatMap(SigV4Authorization.init(header:)))
        #expect(authorization.accessKeyId == "AKIDTEST")
        #expect(authorization.region == "eu-west-1")
        #expect(authorization.service == "apprunner")
        #expect(authorization.signedHeaders.contains("x-amz-target"))
        #expect(authorization.signedHeaders.contains("x-amz-security-token"))
        let verifier = SigV4Verifier(credentials: [testCredentials], region: "eu-west-1", service: "apprunner")
        let head = SigV4Verifier.RequestHead(method: received.method, path: received.path, query: received.query, headers: received.headers)
        _ = try verifier.verify(head, payloadHash: SigV4Signer.hexSHA256(received.body))
    }

    @Test func errorFromHeaderType() async throws {
        let server = try await TestServer.start { _, _ in
            .json(#"{"Message":"Service not found"}"#, status: 400, headers: [
                ("x-amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.apprunner/"),
                ("x-amzn-RequestId", "rid-42"),
            ])
        }
        defer { server.stop() }
        let client = try makeClient(server)
        let error = await expectResponseError { try await client.send(operation: "DescribeService", body: Data("{}".utf8)) }
        try await client.shutdown()
        #expect(error?.code == "ResourceNotFoundException")
        #expect(error?.message == "Service not found")
        #expect(error?.statusCode == 400)
        #expect(error?.requestId == "rid-42")
        #expect(await server.requests.count == 1)
    }

    @Test func errorFromBodyTypeWithNamespaceAndLowercaseMessage() async throws {
        let server = try await TestServer.start { _, _ in
            .json(#"{"__type":"com.amazonaws.apprunner#InvalidRequestException:http://x/y","message":"bad name"}"#, status: 400)
        }
        defer { server.stop() }
        let client = try makeClient(server)
        let error = await expectResponseError { try await client.send(operation: "CreateService", body: Data("{}".utf8)) }
        try await client.shutdown()
        #expect(error?.code == "InvalidRequestException")
        #expect(error?.message == "bad name")
        // 400 InvalidRequestException is not retried.
        #expect(await server.requests.count == 1)
    }

    @Test func nonJSONErrorBodyKeepsStatus() async throws {
        let server = try await TestServer.start { _, _ in
            TestServer.Answer(status: 403, headers: [("Content-Type", "text/html")], body: "<html>Forbidden by proxy</html>")
        }
        defer { server.stop() }
        let client = try makeClient(server)
        let error = await expectResponseError { try await client.send(operation: "ListServices", body: Data("{}".utf8)) }
        try await client.shutdown()
        #expect(error?.statusCode == 403)
        #expect(error?.code == "HTTP403")
        #expect(error?.message.contains("Forbidden by proxy") == true)
        #expect(error?.message.contains("403") == true)
    }

    @Test func serverErrorIsRetriedThenReported() async throws {
        let server = try await TestServer.start { _, _ in TestServer.Answer(status: 500) }
        defer { server.stop() }
        let sleeper = RecordingSleeper()
        let client = try makeClient(server, sleeper: sleeper, random: { 0.5 })
        let error = await expectResponseError { try await client.send(operation: "ListServices", body: Data("{}".utf8)) }
        try await client.shutdown()
        #expect(error?.statusCode == 500)
        #expect(error?.message.contains("without an error body") == true)
        #expect(await server.requests.count == 3)
        #expect(sleeper.recorded == [0.5, 1.0])
    }

    @Test func transientThenSuccessWithinBackoffBounds() async throws {
        let server = try await TestServer.start { _, number in
            number <= 2 ? .json(#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#, status: 400) : .json("{}")
        }
        defer { server.stop() }
        let sleeper = RecordingSleeper()
        let quota = AWSRetryQuota()
        let client = try makeClient(server, sleeper: sleeper, quota: quota, random: { Double.random(in: 0...1) })
        let data = try await client.send(operation: "ListServices", body: Data("{}".utf8))
        #expect(data == Data("{}".utf8))
        #expect(await server.requests.count == 3)
        let delays = sleeper.recorded
        #expect(delays.count == 2)
        if delays.count == 2 {
            #expect((0...1).contains(delays[0]))
            #expect((0...2).contains(delays[1]))
        }
        // Two retries cost 10 tokens, refunded on success.
        #expect(await quota.available == 500)
        // Each attempt was signed afresh and carries its number.
        let attempts = await server.requests.map { $0.header("amz-sdk-request") ?? "" }
        #expect(attempts == ["attempt=1; max=3", "attempt=2; max=3", "attempt=3; max=3"])
        try await client.shutdown()
    }

    @Test func http429And503AreRetried() async throws {
        let server = try await TestServer.start { _, number in
            switch number {
            case 1: return TestServer.Answer(status: 429, body: "slow down")
            case 2: return TestServer.Answer(status: 503, body: "")
            default: return .json(#"{"ok":true}"#)
            }
        }
        defer { server.stop() }
        let client = try makeClient(server)
        _ = try await client.send(operation: "ListServices", body: Data("{}".utf8))
        try await client.shutdown()
        #expect(await server.requests.count == 3)
    }

    @Test func quotaExhaustionStopsRetries() async throws {
        let server = try await TestServer.start { _, _ in TestServer.Answer(status: 502) }
        defer { server.stop() }
        let sleeper = RecordingSleeper()
        let quota = AWSRetryQuota(tokens: 7)
        let client = try makeClient(server, maxAttempts: 5, sleeper: sleeper, quota: quota)
        let error = await expectResponseError { try await client.send(operation: "ListServices", body: Data("{}".utf8)) }
        try await client.shutdown()
        #expect(error?.statusCode == 502)
        // One retry (5 tokens) fits in 7; the second does not.
        #expect(await server.requests.count == 2)
        #expect(sleeper.recorded.count == 1)
        #expect(await quota.available == 2)
    }

    @Test func clockSkewIsCorrectedFromDateHeader() async throws {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let server = try await TestServer.start { request, _ in
            let now = Date()
            let signed = request.header("X-Amz-Date").flatMap(SigV4Authorization.parseAmzDate) ?? .distantPast
            if abs(signed.timeIntervalSince(now)) > 300 {
                return .json(#"{"__type":"InvalidSignatureException","message":"Signature expired: 20200101T000000Z is now earlier than ..."}"#,
                             status: 403, headers: [("Date", formatter.string(from: now))])
            }
            return .json("{}")
        }
        defer { server.stop() }
        let sleeper = RecordingSleeper()
        // The local clock is two hours slow.
        let client = try makeClient(server, sleeper: sleeper, now: { Date().addingTimeInterval(-7200) })
        _ = try await client.send(operation: "ListServices", body: Data("{}".utf8))
        #expect(await server.requests.count == 2)
        #expect(sleeper.recorded.isEmpty)
        let skew = await client.clockSkew
        #expect(skew > 7100 && skew < 7300)
        // The next call is signed with the corrected clock at once.
        _ = try await client.send(operation: "ListServices", body: Data("{}".utf8))
        #expect(await server.requests.count == 3)
        try await client.shutdown()
    }

    @Test func persistentSkewErrorEndsAfterMaxAttempts() async throws {
        let server = try await TestServer.start { _, _ in
            .json(#"{"__type":"RequestTimeTooSkewed","message":"too skewed"}"#, status: 403)
        }
        defer { server.stop() }
        let sleeper = RecordingSleeper()
        let client = try makeClient(server, sleeper: sleeper)
        let error = await expectResponseError { try await client.send(operation: "ListServices", body: Data("{}".utf8)) }
        try await client.shutdown()
        #expect(error?.code == "RequestTimeTooSkewed")
        #expect(await server.requests.count == 3)
        #expect(sleeper.recorded.isEmpty)
    }

    @Test func connectionRefusedIsTypedAndRetried() async throws {
        let port = try closedPort()
        let url = try #require(URL(string: "http://127.0.0.1:\(port)"))
        let sleeper = RecordingSleeper()
        let client = AWSJSONClient(service: appRunnerInfo, region: "us-east-1", endpoint: url, credentials: StaticCredentialProvider(testCredentials),
                                   userAgent: "runnerdeck/test", retry: AWSRetryStrategy(maxAttempts: 2, sleeper: sleeper), environment: [:])
        do {
            _ = try await client.send(operation: "ListServices", body: Data("{}".utf8))
            Issue.record("expected a connection error")
        } catch let error as AWSClientError {
            #expect(error == .connection(endpoint: "http://127.0.0.1:\(port)", reason: "connection refused"))
            #expect(error.description == "could not connect to http://127.0.0.1:\(port): connection refused")
        }
        try await client.shutdown()
        #expect(sleeper.recorded.count == 1)
    }

    @Test func tlsFailureIsTypedAndNotRetried() async throws {
        // An https endpoint whose server speaks plain HTTP: the handshake cannot succeed.
        let server = try await TestServer.start { _, _ in .json("{}") }
        defer { server.stop() }
        let url = try #require(URL(string: "https://127.0.0.1:\(server.port)"))
        let sleeper = RecordingSleeper()
        let client = AWSJSONClient(service: appRunnerInfo, region: "us-east-1", endpoint: url, credentials: StaticCredentialProvider(testCredentials),
                                   userAgent: "runnerdeck/test", retry: AWSRetryStrategy(maxAttempts: 3, sleeper: sleeper),
                                   environment: [:])
        do {
            _ = try await client.send(operation: "ListServices", body: Data("{}".utf8))
            Issue.record("expected a TLS error")
        } catch let error as AWSClientError {
            guard case .tls(let endpoint, _) = error else {
                Issue.record("expected .tls, got \(error)")
                try await client.shutdown()
                return
            }
            #expect(endpoint == "https://127.0.0.1:\(server.port)")
            #expect(error.description.hasPrefix("TLS handshake with https://127.0.0.1:\(server.port) failed"))
        }
        try await client.shutdown()
        #expect(sleeper.recorded.isEmpty)
    }

    @Test func requestTimeoutIsTyped() async throws {
        let server = try await TestServer.start { _, _ in
            // Never answers in time: waits until the server is stopped.
            try? await Task.sleep(for: .seconds(30))
            return .json("{}")
        }
        defer { server.stop() }
        let client = try makeClient(server, maxAttempts: 1, timeouts: AWSClientTimeouts(attempt: 0.3))
        do {
            _ = try await client.send(operation: "ListServices", body: Data("{}".utf8))
            Issue.record("expected a timeout")
        } catch let error as AWSClientError {
            #expect(error == .timeout(endpoint: server.url, deadline: .attempt, seconds: 0.3))
            #expect(AWSRetryClassifier.classify(error) == .timeout)
        }
        try await client.shutdown()
    }

    @Test func debugHookRedactsSecrets() async throws {
        let server = try await TestServer.start { _, _ in .json(#"{"x":1}"#, headers: [("x-amzn-RequestId", "rid-debug")]) }
        defer { server.stop() }
        let sink = LineSink()
        let client = try makeClient(server, debug: sink.hook)
        _ = try await client.send(operation: "ListServices", body: Data(#"{"MaxResults":1}"#.utf8))
        try await client.shutdown()
        let signature = try #require(await server.requests.first?.header("Authorization")).components(separatedBy: "Signature=").last ?? "?"
        let text = sink.text
        #expect(text.contains("AppRunner.ListServices"))
        #expect(text.contains("Signature=<redacted>"))
        #expect(text.contains("rid-debug"))
        #expect(text.contains(#"{"MaxResults":1}"#))
        #expect(!text.contains(signature))
        #expect(!text.contains("test-session-token"))
        #expect(!text.contains("test-secret-key"))
    }

    @Test func retryPieces() async throws {
        let backoff = AWSBackoff(random: { 1 })
        #expect((1...7).map { backoff.delay(afterAttempt: $0) } == [1, 2, 4, 8, 16, 20, 20])
        let quota = AWSRetryQuota(tokens: 20)
        #expect(await quota.acquire(for: .timeout) == 10)
        #expect(await quota.acquire(for: .transient) == 5)
        #expect(await quota.acquire(for: .throttling) == 5)
        #expect(await quota.acquire(for: .transient) == nil)
        await quota.succeeded(refunding: 5)
        #expect(await quota.available == 5)
        await quota.succeeded(refunding: 0)
        #expect(await quota.available == 6)

        func kind(_ code: String, _ status: Int, _ message: String = "") -> AWSRetryKind {
            AWSRetryClassifier.classify(AWSResponseError(code: code, message: message, statusCode: status))
        }
        #expect(kind("ThrottlingException", 400) == .throttling)
        #expect(kind("TooManyRequestsException", 400) == .throttling)
        #expect(kind("Whatever", 429) == .throttling)
        #expect(kind("InternalServiceErrorException", 500) == .transient)
        #expect(kind("HTTP504", 504) == .transient)
        #expect(kind("RequestTimeoutException", 408) == .transient)
        #expect(kind("InvalidRequestException", 400) == .notRetryable)
        #expect(kind("AccessDeniedException", 403) == .notRetryable)
        #expect(kind("RequestExpired", 400) == .clockSkew)
        #expect(kind("InvalidSignatureException", 403, "Signature expired: 20200101T000000Z is now earlier than") == .clockSkew)
        #expect(kind("InvalidSignatureException", 403, "Signature not yet current: 20300101T000000Z is still later than 20291231T235500Z") == .clockSkew)
        #expect(kind("InvalidSignatureException", 403, "The request signature we calculated does not match") == .notRetryable)
        #expect(AWSRetryClassifier.classify(AWSClientError.connection(endpoint: "x", reason: "connection refused")) == .transient)
        #expect(AWSRetryClassifier.classify(AWSClientError.tls(endpoint: "x", reason: "bad certificate")) == .notRetryable)
        #expect(AWSRetryClassifier.classify(AWSCredentialsError.notFound("none")) == .notRetryable)
    }

    @Test func httpDateParsing() {
        #expect(AWSJSONClient.parseHTTPDate("Sun, 06 Nov 1994 08:49:37 GMT") == Date(timeIntervalSince1970: 784_111_777))
        #expect(AWSJSONClient.parseHTTPDate("yesterday") == nil)
    }
}

@Suite(.timeLimit(.minutes(5))) struct ProxyTests {
    @Test func proxyFromEnvironment() throws {
        let https = try #require(URL(string: "https://apprunner.us-east-1.amazonaws.com/"))
        let http = try #require(URL(string: "http://localhost:8080/"))
        let environment = ["HTTPS_PROXY": "http://user:p%40ss@proxy.corp:3128", "HTTP_PROXY": "plainproxy:8000"]
        let proxy = try #require(AWSProxySettings.proxySettings(for: https, environment: environment))
        #expect(proxy.host == "proxy.corp")
        #expect(proxy.port == 3128)
        #expect(proxy.username == "user")
        #expect(proxy.password == "p@ss")
        let plain = try #require(AWSProxySettings.proxySettings(for: http, environment: environment))
        #expect(plain.host == "plainproxy" && plain.port == 8000 && plain.username == nil)
        #expect(AWSProxySettings.proxySettings(for: https, environment: ["https_proxy": "http://lower:1"])?.host == "lower")
        #expect(AWSProxySettings.proxySettings(for: https, environment: ["HTTP_PROXY": "http://only-http:1"]) == nil)
        #expect(AWSProxySettings.proxySettings(for: https, environment: [:]) == nil)
        #expect(AWSProxySettings.proxySettings(for: https, environment: ["HTTPS_PROXY": "http://p:1", "NO_PROXY": "amazonaws.com"]) == nil)
        #expect(AWSProxySettings.proxySettings(for: https, environment: ["HTTPS_PROXY": "http://p:1", "no_proxy": "*"]) == nil)
    }

    @Test func noProxyMatching() {
        #expect(AWSProxySettings.bypasses(host: "apprunner.us-east-1.amazonaws.com", noProxy: "localhost, .amazonaws.com"))
        #expect(AWSProxySettings.bypasses(host: "apprunner.us-east-1.amazonaws.com", noProxy: "amazonaws.com"))
        #expect(AWSProxySettings.bypasses(host: "amazonaws.com", noProxy: ".amazonaws.com"))
        #expect(AWSProxySettings.bypasses(host: "x.example.com", noProxy: "*.example.com"))
        #expect(AWSProxySettings.bypasses(host: "localhost", noProxy: "localhost:8080"))
        #expect(AWSProxySettings.bypasses(host: "::1", noProxy: "[::1]"))
        #expect(AWSProxySettings.bypasses(host: "anything", noProxy: "*"))
        #expect(!AWSProxySettings.bypasses(host: "notamazonaws.com", noProxy: "amazonaws.com"))
        #expect(!AWSProxySettings.bypasses(host: "example.org", noProxy: "example.com,,  "))
        #expect(!AWSProxySettings.bypasses(host: "example.org", noProxy: ""))
    }
}

@Suite(.timeLimit(.minutes(5))) struct PaginatorTests {
    struct Page: Sendable {
        var items: [Int]
        var next: String?
    }

    @Test func stopsOnMissingEmptyAndRepeatedTokens() async throws {
        let calls = NIOLockedValueBox<[String?]>([])
        func pages(_ script: [String: Page]) -> AWSPaginator<String?, Page> {
            AWSPaginator(input: nil, command: { token in
                calls.withLockedValue { $0.append(token) }
                return script[token ?? "start"] ?? Page(items: [], next: nil)
            }, setToken: { _, token in token }, getToken: { $0.next })
        }
        var items: [Int] = []
        for try await page in pages(["start": Page(items: [1], next: "a"), "a": Page(items: [2], next: "b"), "b": Page(items: [3], next: nil)]) {
            items += page.items
        }
        #expect(items == [1, 2, 3])
        #expect(calls.withLockedValue { $0 } == [nil, "a", "b"])

        calls.withLockedValue { $0 = [] }
        var count = 0
        for try await _ in pages(["start": Page(items: [1], next: "a"), "a": Page(items: [2], next: "")]) { count += 1 }
        #expect(count == 2)

        calls.withLockedValue { $0 = [] }
        count = 0
        for try await _ in pages(["start": Page(items: [1], next: "same"), "same": Page(items: [2], next: "same")]) { count += 1 }
        #expect(count == 2)
        #expect(calls.withLockedValue { $0 } == [nil, "same"])
    }
}
