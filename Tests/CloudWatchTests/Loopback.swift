import AWSCore
import Foundation
import Testing

/// The repository root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The real AWS JSON client of `service`, pointed at a loopback ``TestServer`` with fixed test credentials.
enum Loopback {
    static let credentials = AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let region = "eu-west-1"

    struct NoSleep: AWSSleeper {
        func sleep(seconds: Double) async throws {}
    }

    /// Runs `body` with a transport to a server answering with `handler`; the transport is shut down and
    /// the server stopped afterwards, whatever `body` does.
    static func with(
        _ service: AWSServiceInfo,
        maxAttempts: Int = 1,
        _ handler: @escaping @Sendable (TestServer.Received, Int) async -> TestServer.Answer,
        _ body: (AWSJSONClient, TestServer) async throws -> Void
    ) async throws {
        let server = try await TestServer.start(handler)
        defer { server.stop() }
        let endpoint = try #require(URL(string: server.url))
        let transport = AWSJSONClient(
            service: service, region: region, endpoint: endpoint, credentials: StaticCredentialProvider(credentials),
            userAgent: "runnerdeck/test", retry: AWSRetryStrategy(maxAttempts: maxAttempts, sleeper: NoSleep()), environment: [:]
        )
        do {
            try await body(transport, server)
        } catch {
            try await transport.shutdown()
            throw error
        }
        try await transport.shutdown()
    }

    /// Checks the request's SigV4 signature as the service `signingName` would (region, scope, signed headers).
    static func verifySignature(_ received: TestServer.Received, signingName: String) throws -> SigV4Verifier.Verified {
        let verifier = SigV4Verifier(credentials: [credentials], region: region, service: signingName)
        let head = SigV4Verifier.RequestHead(method: received.method, path: received.path, query: received.query, headers: received.headers)
        return try verifier.verify(head, payloadHash: SigV4Signer.hexSHA256(received.body))
    }

    /// The request body as a JSON object.
    static func object(_ data: Data) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    /// Serves each operation of `samples` through `dispatch` (which decodes the sample request, calls the
    /// client over loopback, and encodes its answer): the server must receive the sample request under
    /// `X-Amz-Target: <targetPrefix>.<operation>` and `dispatch` must give back the sample response.
    static func roundTrip(
        _ service: AWSServiceInfo,
        _ samples: [String: (input: String, output: String)],
        dispatch: @escaping (AWSJSONClient, String, Data) async throws -> Data
    ) async throws {
        try await with(service, { request, _ in
            let name = String(request.header("X-Amz-Target")?.split(separator: ".").last ?? "")
            return .json(samples[name]?.output ?? "{}")
        }) { transport, server in
            for (operation, sample) in samples.sorted(by: { $0.key < $1.key }) {
                let output = try await dispatch(transport, operation, Data(sample.input.utf8))
                #expect(sameJSON(output, Data(sample.output.utf8)), "\(operation): \(String(decoding: output, as: UTF8.self))")
                let received = try #require(await server.requests.last)
                #expect(received.header("X-Amz-Target") == "\(service.targetPrefix).\(operation)")
                #expect(sameJSON(received.body, Data(sample.input.utf8)), "\(operation) request")
            }
        }
    }

    /// The validation error `body` throws, or nil when it throws none (or another error).
    static func validationError(_ body: () async throws -> Void) async -> AWSValidationError? {
        do {
            try await body()
            return nil
        } catch let error as AWSValidationError {
            return error
        } catch {
            return nil
        }
    }
}
