import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

@testable import AWSCore

/// The client against servers that misbehave: silent, dribbling, cutting a response short. Deadlines are
/// short so each case ends in a second or two; the suite's time limit bounds a regression.
@Suite(.timeLimit(.minutes(2))) struct ClientFaultTests {
    func client(_ url: String, attempts: Int = 1, timeouts: AWSClientTimeouts) throws -> AWSJSONClient {
        let endpoint = try #require(URL(string: url))
        return AWSJSONClient(service: appRunnerInfo, region: "us-east-1", endpoint: endpoint, credentials: StaticCredentialProvider(testCredentials),
                             userAgent: "runnerdeck/test", retry: AWSRetryStrategy(maxAttempts: attempts, backoff: AWSBackoff(random: { 0 }), sleeper: RecordingSleeper()),
                             timeouts: timeouts, environment: [:])
    }

    func clientError(_ client: AWSJSONClient) async -> AWSClientError? {
        defer { Task { try? await client.shutdown() } }
        do {
            _ = try await client.send(operation: "ListServices", body: Data("{}".utf8))
            Issue.record("expected a client error")
            return nil
        } catch let error as AWSClientError {
            return error
        } catch {
            Issue.record("expected a client error, got \(error)")
            return nil
        }
    }

    @Test func aSilentServerEndsTheAttemptAtItsDeadline() async throws {
        let server = try RawServer.start(.silent)
        defer { server.stop() }
        let error = await clientError(try client(server.url, timeouts: AWSClientTimeouts(connect: 5, attempt: 0.5, total: 30)))
        #expect(error == .timeout(endpoint: server.url, deadline: .attempt, seconds: 0.5))
        #expect(error?.description == "no answer from \(server.url): timed out waiting for the whole response (read timeout of 0.5 s)")
        #expect(error.map(AWSRetryClassifier.classify) == .timeout)
    }

    @Test func aServerThatDribblesIsCutOffAtTheAttemptDeadline() async throws {
        let server = try RawServer.start(.dribble(interval: 0.2))
        defer { server.stop() }
        let started = ContinuousClock.now
        let error = await clientError(try client(server.url, timeouts: AWSClientTimeouts(connect: 5, attempt: 1, total: 30)))
        #expect(error == .timeout(endpoint: server.url, deadline: .attempt, seconds: 1))
        // Well before the 20 s the server would dribble for (a per-read timeout would never fire).
        #expect(started.duration(to: .now) < .seconds(15))
    }

    @Test func theTotalDeadlineStopsRetries() async throws {
        let server = try RawServer.start(.silent)
        defer { server.stop() }
        let error = await clientError(try client(server.url, attempts: 5, timeouts: AWSClientTimeouts(connect: 5, attempt: 0.4, total: 1)))
        #expect(error == .timeout(endpoint: server.url, deadline: .total, seconds: 1))
        #expect(error.map(AWSRetryClassifier.classify) == .notRetryable)
        #expect(error?.reason == "timed out (the call's total deadline of 1 s, across all attempts)")
        // Two or three attempts fit in the second; under a loaded test run a late wake-up may leave room for one.
        #expect((1...3).contains(server.connections))
    }

    @Test func noDeadlinesMeansTheServerDecides() async throws {
        // Without deadlines a cut-off response is still reported as such, not as a timeout.
        let server = try RawServer.start(.cutOff(declared: 100, sent: 10))
        defer { server.stop() }
        let error = await clientError(try client(server.url, timeouts: AWSClientTimeouts(connect: nil, attempt: nil, total: nil)))
        #expect(error == .responseCutOff(endpoint: server.url, received: 10, expected: 100))
    }

    @Test func aTruncatedResponseSaysSoAndIsRetried() async throws {
        let server = try RawServer.start(.cutOff(declared: 100, sent: 10))
        defer { server.stop() }
        let error = await clientError(try client(server.url, attempts: 2, timeouts: .standard))
        #expect(error == .responseCutOff(endpoint: server.url, received: 10, expected: 100))
        let text = error?.description ?? ""
        #expect(text.contains("cut off after 10 of 100 bytes"))
        #expect(!text.contains("could not connect"))
        #expect(server.connections == 2)
    }

    @Test func aConnectionClosedBeforeAnyAnswerIsNotAConnectFailure() async throws {
        let server = try RawServer.start(.close)
        defer { server.stop() }
        let error = await clientError(try client(server.url, timeouts: .standard))
        #expect(error == .closedBeforeResponse(endpoint: server.url))
        #expect(error?.description == "\(server.url) closed the connection before answering")
    }

    /// Whatever the failure, the words never name Swift types.
    @Test func errorsAreWordedWithoutSwiftTypeNames() {
        struct SomethingInternalError: Error {}
        let endpoint = "http://127.0.0.1:1"
        let cases: [(any Error, AWSClientError)] = [
            (HTTPClientError.connectTimeout, .timeout(endpoint: endpoint, deadline: .connect, seconds: nil)),
            (HTTPClientError.readTimeout, .timeout(endpoint: endpoint, deadline: .attempt, seconds: nil)),
            (HTTPClientError.remoteConnectionClosed, .closedBeforeResponse(endpoint: endpoint)),
            (IOError(errnoCode: ECONNREFUSED, reason: "connect"), .connection(endpoint: endpoint, reason: "connection refused")),
            (IOError(errnoCode: ECONNRESET, reason: "read"), .reset(endpoint: endpoint)),
            (HTTPParserError.invalidEOFState, .invalidResponse("the answer from \(endpoint) is not valid HTTP")),
            (ChannelError.ioOnClosedChannel, .closedBeforeResponse(endpoint: endpoint)),
            (SomethingInternalError(), .connection(endpoint: endpoint, reason: "the connection failed")),
        ]
        for (error, expected) in cases {
            let mapped = AWSClientError.from(error, endpoint: endpoint)
            #expect(mapped == expected, "\(error)")
            for word in ["Error", "HTTPClient", "IOError", "NIO", "Optional", "Swift."] {
                #expect(!mapped.description.contains(word), "\(mapped.description)")
            }
        }
        let unknownErrno = AWSClientError.from(IOError(errnoCode: EACCES, reason: "connect"), endpoint: endpoint)
        #expect(unknownErrno == .connection(endpoint: endpoint, reason: "permission denied"))
    }
}
