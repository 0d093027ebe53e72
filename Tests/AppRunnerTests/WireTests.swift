import AWSCore
import Foundation
import Testing

@testable import AppRunner

/// Every operation through the real client, over real HTTP on loopback: the request the server receives
/// (target, content type, signature, body) and the response the client decodes.
@Suite(.timeLimit(.minutes(5))) struct WireTests {
    struct Sample: Sendable {
        var input: Data
        var output: Data
    }

    /// Per operation, a request and a response that fill every member (Scripts/make-samples.py).
    static let samples: [String: Sample] = {
        let url = repositoryRoot.appendingPathComponent("Tests/AppRunnerTests/samples.json")
        guard let data = try? Data(contentsOf: url),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: [String: Any]] else { return [:] }
        var result: [String: Sample] = [:]
        for (operation, parts) in object {
            guard let input = parts["input"], let output = parts["output"],
                  let inputData = try? JSONSerialization.data(withJSONObject: input, options: [.sortedKeys]),
                  let outputData = try? JSONSerialization.data(withJSONObject: output, options: [.sortedKeys]) else { continue }
            result[operation] = Sample(input: inputData, output: outputData)
        }
        return result
    }()

    static func sampleJSON(_ operation: String, _ part: String) -> Data {
        guard let sample = samples[operation] else { return Data() }
        return part == "input" ? sample.input : sample.output
    }

    func withClient(_ handler: @escaping @Sendable (TestServer.Received) async -> TestServer.Answer,
                    maxAttempts: Int = 3,
                    _ body: (AppRunnerClient, TestServer) async throws -> Void) async throws {
        let server = try await TestServer.start { request, _ in await handler(request) }
        defer { server.stop() }
        let transport = try WireTestSupport.transport(endpoint: server.url, maxAttempts: maxAttempts)
        do {
            try await body(AppRunnerClient(transport: transport), server)
        } catch {
            try await WireTestSupport.shutdown(transport)
            throw error
        }
        try await WireTestSupport.shutdown(transport)
    }

    @Test func everyOperationRoundTripsOverHTTP() async throws {
        #expect(Self.samples.count == 37)
        try await withClient({ request in
            let operation = String(request.header("X-Amz-Target")?.split(separator: ".").last ?? "")
            return .json(String(decoding: WireTests.sampleJSON(operation, "output"), as: UTF8.self), headers: [("x-amzn-RequestId", UUID().uuidString)])
        }) { client, server in
            for operation in AppRunnerOperation.allCases {
                let input = Self.sampleJSON(operation.rawValue, "input")
                // dispatch decodes the sample into the typed request, calls the client's typed method,
                // and encodes the typed response it decoded.
                let output = try await dispatch(operation, body: input, to: client)
                #expect(sameJSON(output, Self.sampleJSON(operation.rawValue, "output")), "response of \(operation.rawValue)")
                let received = try #require(await server.requests.last)
                #expect(received.method == "POST")
                #expect(received.path == "/")
                #expect(received.header("X-Amz-Target") == "AppRunner.\(operation.rawValue)")
                #expect(received.header("Content-Type") == "application/x-amz-json-1.0")
                #expect(received.header("Authorization")?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") == true)
                #expect(received.header("Authorization")?.contains("/us-east-1/apprunner/aws4_request") == true)
                #expect(received.header("User-Agent")?.hasPrefix("runnerdeck/") == true)
                #expect(sameJSON(received.body, input), "request body of \(operation.rawValue): \(String(decoding: received.body, as: UTF8.self)) vs \(String(decoding: input, as: UTF8.self))")
            }
            #expect(await server.requests.count == 37)
        }
    }

    @Test func anInvalidRequestIsRefusedBeforeAnythingIsSent() async throws {
        try await withClient({ _ in .json("{}") }) { client, server in
            await #expect(throws: AWSValidationError.self) {
                _ = try await client.listServices(ListServicesRequest(maxResults: 500))
            }
            await #expect(throws: AWSValidationError.self) {
                _ = try await client.createService(CreateServiceRequest(serviceName: "x", sourceConfiguration: SourceConfiguration()))
            }
            #expect(await server.requests.isEmpty)
        }
    }

    @Test func modeledErrorsCanBeCaughtAsSuch() async throws {
        try await withClient({ request in
            switch request.header("X-Amz-Target") {
            case "AppRunner.PauseService":
                return .json(#"{"__type":"InvalidStateException","Message":"Service cannot be paused in the current state: OPERATION_IN_PROGRESS."}"#,
                             status: 400, headers: [("x-amzn-RequestId", "req-1")])
            case "AppRunner.DescribeService":
                return .json(#"{"message":"gone"}"#, status: 400,
                             headers: [("x-amzn-ErrorType", "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.apprunner/")])
            case "AppRunner.ResumeService":
                return .json(#"{"__type":"com.amazonaws.apprunner#ServiceQuotaExceededException","message":"too many"}"#, status: 400)
            default:
                return .json(#"{"__type":"SomethingNewException","Message":"new"}"#, status: 400, headers: [("x-amzn-RequestId", "req-9")])
            }
        }, maxAttempts: 1) { client, _ in
            let arn = "arn:aws:apprunner:us-east-1:123456789012:service/api/0123456789abcdef0123456789abcdef"
            do {
                _ = try await client.pauseService(PauseServiceRequest(serviceArn: arn))
                Issue.record("expected InvalidStateException")
            } catch let error as InvalidStateException {
                #expect(error.message == "Service cannot be paused in the current state: OPERATION_IN_PROGRESS.")
                #expect(error.requestId == "req-1")
                #expect(error.statusCode == 400)
            }
            await #expect(throws: ResourceNotFoundException.self) {
                _ = try await client.describeService(DescribeServiceRequest(serviceArn: arn))
            }
            await #expect(throws: ServiceQuotaExceededException.self) {
                _ = try await client.resumeService(ResumeServiceRequest(serviceArn: arn))
            }
            do {
                _ = try await client.startDeployment(StartDeploymentRequest(serviceArn: arn))
                Issue.record("expected an error")
            } catch let error as AWSResponseError {
                #expect(error.code == "SomethingNewException")
                #expect(error.message == "new")
                #expect(error.requestId == "req-9")
            }
        }
    }

    @Test func anUndecodableResponseIsAClearError() async throws {
        try await withClient({ _ in .json(#"{"ServiceSummaryList": 7}"#) }) { client, _ in
            do {
                _ = try await client.listServices(ListServicesRequest())
                Issue.record("expected an error")
            } catch let error as AppRunnerClientError {
                #expect(error.description.contains("ListServices"))
            }
        }
    }

    @Test func paginatorsFollowNextTokenToTheEnd() async throws {
        try await withClient({ request in
            let body = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any]
            let token = body?["NextToken"] as? String
            let page = Int(token ?? "0") ?? 0
            let next = page < 2 ? #","NextToken":"\#(page + 1)""# : ""
            let summary = #"{"ServiceName":"svc-\#(page)","ServiceId":"0123456789abcdef0123456789abcdef","ServiceArn":"arn:aws:apprunner:us-east-1:123456789012:service/svc-\#(page)/0123456789abcdef0123456789abcdef","ServiceUrl":"abcdefghij.us-east-1.awsapprunner.com","CreatedAt":1763800000,"UpdatedAt":1763800000,"Status":"RUNNING"}"#
            return .json(#"{"ServiceSummaryList":[\#(summary)]\#(next)}"#)
        }) { client, server in
            var names: [String] = []
            for try await page in client.listServicesPaginator(ListServicesRequest(maxResults: 1)) {
                names += page.serviceSummaryList.compactMap(\.serviceName)
            }
            #expect(names == ["svc-0", "svc-1", "svc-2"])
            #expect(await server.requests.count == 3)
        }
    }
}
