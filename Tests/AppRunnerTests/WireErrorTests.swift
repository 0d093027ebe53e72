import AWSCore
import Foundation
import Testing

@testable import AppRunner

/// Bodies that do not fit the model are explained in AWS's words on both sides of the wire: what was
/// expected where and what was found, never a Swift type name, and a number that does not fit an
/// integer is not "not valid JSON".
@Suite(.timeLimit(.minutes(1))) struct WireErrorTests {
    static let swiftWords = ["Dictionary", "Array<", "Int", "Swift", "String,", "Optional", "Any>"]

    func serialization<T: AppRunnerShape>(_ type: T.Type, _ body: String) -> String? {
        do {
            _ = try AppRunnerWire.decodeRequest(type, from: Data(body.utf8))
            Issue.record("\(body) decoded")
            return nil
        } catch let error as AWSResponseError {
            #expect(error.code == "SerializationException")
            #expect(error.statusCode == 400)
            for word in Self.swiftWords {
                #expect(!error.message.contains(word), "\(error.message)")
            }
            return error.message
        } catch {
            Issue.record("\(body): \(error)")
            return nil
        }
    }

    @Test func requestsLocalAppRunnerCannotRead() {
        #expect(serialization(ListServicesRequest.self, #"{"MaxResults":1.5}"#) == "Expected an integer at 'MaxResults' but found 1.5.")
        #expect(serialization(ListServicesRequest.self, #"{"MaxResults": 1e400}"#) == "Expected an integer at 'MaxResults' but found 1e400.")
        #expect(serialization(ListServicesRequest.self, #"{"MaxResults":99999999999999999999}"#) == "Expected an integer at 'MaxResults' but found 99999999999999999999.")
        #expect(serialization(ListServicesRequest.self, #"{"NextToken":"a","MaxResults":2.5}"#) == "Expected an integer at 'MaxResults' but found 2.5.")
        #expect(serialization(ListServicesRequest.self, #"{"MaxResults":"3"}"#) == "Expected an integer at 'MaxResults' but found a string.")
        #expect(serialization(ListServicesRequest.self, #"{"NextToken":3}"#) == "Expected a string at 'NextToken' but found a number.")
        #expect(serialization(ListServicesRequest.self, "[1]") == "Expected an object at the top level but found a list.")
        #expect(serialization(ListServicesRequest.self, "{bad") == "The body is not valid JSON.")
        #expect(serialization(CreateServiceRequest.self, #"{"ServiceName":"abcd","SourceConfiguration":3}"#)
                == "Expected an object at 'SourceConfiguration' but found a number.")
        #expect(serialization(CreateServiceRequest.self, #"{"ServiceName":"abcd","SourceConfiguration":{},"Tags":{"Key":"a"}}"#)
                == "Expected a list at 'Tags' but found an object.")
        // 1e2 is an integer in JSON's eyes and the model's.
        #expect((try? AppRunnerWire.decodeRequest(ListServicesRequest.self, from: Data(#"{"MaxResults":1e1}"#.utf8)))?.maxResults == 10)
    }

    /// The client's side: a response that does not fit, from a real server on loopback.
    @Test func responsesTheClientCannotRead() async throws {
        let bodies = [
            #"{"ServiceSummaryList":"none"}"#: "Expected a list at 'ServiceSummaryList' but found a string.",
            #"{"ServiceSummaryList":[],"NextToken":1.5}"#: "Expected a string at 'NextToken' but found a number.",
            #"{"ServiceSummaryList":[{"ServiceName":"a","ServiceId":"b","ServiceArn":"c","ServiceUrl":"d","CreatedAt":"yesterday"}]}"#:
                "Expected a number at 'ServiceSummaryList[0].CreatedAt' but found a string.",
        ]
        for (body, expected) in bodies {
            let server = try await TestServer.start { _, _ in .json(body) }
            let transport = try WireTestSupport.transport(endpoint: server.url, maxAttempts: 1)
            do {
                _ = try await AppRunnerClient(transport: transport).listServices(ListServicesRequest())
                Issue.record("\(body) decoded")
            } catch let error as AppRunnerClientError {
                #expect(error.description == "the response of ListServices could not be decoded: \(expected)")
                for word in Self.swiftWords {
                    #expect(!error.description.contains(word), "\(error.description)")
                }
            }
            try await WireTestSupport.shutdown(transport)
            server.stop()
        }
        let server = try await TestServer.start { _, _ in .json(#"{"AutoScalingConfigurationSummaryList":[{"AutoScalingConfigurationRevision":2.5}]}"#) }
        let transport = try WireTestSupport.transport(endpoint: server.url, maxAttempts: 1)
        do {
            _ = try await AppRunnerClient(transport: transport).listAutoScalingConfigurations(ListAutoScalingConfigurationsRequest())
            Issue.record("a fractional revision decoded")
        } catch let error as AppRunnerClientError {
            #expect(error.description.hasSuffix("Expected an integer at 'AutoScalingConfigurationSummaryList[0].AutoScalingConfigurationRevision' but found 2.5."))
        }
        try await WireTestSupport.shutdown(transport)
        server.stop()
    }
}
