import AWSCore
import AppRunner
@testable import AppRunnerLocal
import Foundation
import Testing

/// The endpoint checks signatures against the clock of its configuration (not the machine's).
@Suite(.timeLimit(.minutes(1))) struct FrontDoorTests {
    @Test func signaturesAreCheckedAgainstTheInjectedClock() async throws {
        let credentials = AWSCredentials(accessKeyId: "AKIDCLOCK", secretAccessKey: "clock-secret")
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        let clock = ManualClock(start)
        let server = try await startLocalServer(LocalServerConfiguration(options: LocalOptions(operationSeconds: 1), credentials: credentials, clock: clock))
        defer { server.stop() }
        let endpoint = server.endpoint
        // The client signs with the same fixed time, years away from the machine's clock.
        let client = AWSJSONClient(service: .appRunner, region: "us-east-1", endpoint: endpoint, credentials: StaticCredentialProvider(credentials),
                                   userAgent: "runnerdeck/test", retry: AWSRetryStrategy(maxAttempts: 1), environment: [:], now: { start })
        defer { Task { try? await client.shutdown() } }
        let api = AppRunnerClient(transport: client)
        #expect(try await api.listServices(ListServicesRequest()).serviceSummaryList.isEmpty)
        clock.advance(by: 301)
        do {
            _ = try await api.listServices(ListServicesRequest())
            Issue.record("a signature 301 s old was accepted")
        } catch let error as AWSResponseError {
            #expect(error.code == "InvalidSignatureException")
            #expect(error.message == "Signature expired: 20231114T221320Z is now earlier than 20231114T221321Z (20231114T221821Z - 5 min.)")
        }
    }
}
