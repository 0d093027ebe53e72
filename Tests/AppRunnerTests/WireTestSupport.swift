import AWSCore
import AppRunner
import Foundation

/// The real AWS JSON client pointed at a loopback server, with fixed test credentials.
enum WireTestSupport {
    static let credentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")

    struct NoSleep: AWSSleeper {
        func sleep(seconds: Double) async throws {}
    }

    static func transport(endpoint: String, maxAttempts: Int) throws -> AWSJSONClient {
        guard let url = URL(string: endpoint) else { throw AWSClientError.invalidEndpoint(endpoint) }
        return AWSJSONClient(
            service: .appRunner,
            region: "us-east-1",
            endpoint: url,
            credentials: StaticCredentialProvider(credentials),
            userAgent: "runnerdeck/test",
            retry: AWSRetryStrategy(maxAttempts: maxAttempts, sleeper: NoSleep()),
            environment: [:]
        )
    }

    static func shutdown(_ transport: AWSJSONClient) async throws {
        try await transport.shutdown()
    }
}
