import AWSCore
import CloudWatchLogs
import Foundation
import Testing

/// The generated CloudWatch Logs client over real HTTP on loopback: AWS JSON 1.1, `Logs_20140328`,
/// signed for `logs`, paged by `nextToken`, validated before sending.
@Suite(.timeLimit(.minutes(5))) struct LogsWireTests {
    @Test func filterLogEventsSpeaksJSON11SignedForLogs() async throws {
        let answer = #"{"events":[{"logStreamName":"deployment/1","timestamp":1763800000123,"message":"[AppRunner] Service update started.","ingestionTime":1763800000456,"eventId":"37000000000000000000000000000000000000000000000000000000"}],"searchedLogStreams":[{"logStreamName":"deployment/1","searchedCompletely":true}]}"#
        try await Loopback.with(.cloudWatchLogs, { _, _ in .json(answer, headers: [("x-amzn-RequestId", "req-1")]) }) { transport, server in
            let client = CloudWatchLogsClient(transport: transport)
            let output = try await client.filterLogEvents(FilterLogEventsRequest(
                logGroupName: "/aws/apprunner/api/0123456789abcdef0123456789abcdef/service", startTime: 1763800000000, limit: 100))
            let event = try #require(output.events?.first)
            #expect(event.message == "[AppRunner] Service update started.")
            #expect(event.timestamp == 1763800000123)
            #expect(event.logStreamName == "deployment/1")
            #expect(output.searchedLogStreams?.first?.searchedCompletely == true)
            #expect(output.nextToken == nil)

            let received = try #require(await server.requests.first)
            #expect(received.method == "POST")
            #expect(received.path == "/")
            #expect(received.header("X-Amz-Target") == "Logs_20140328.FilterLogEvents")
            #expect(received.header("Content-Type") == "application/x-amz-json-1.1")
            #expect(received.header("x-amzn-query-mode") == nil, "CloudWatch Logs is not query-compatible")
            let verified = try Loopback.verifySignature(received, signingName: "logs")
            #expect(verified.authorization.service == "logs")
            #expect(verified.authorization.signedHeaders.contains("x-amz-target"))
            let body = Loopback.object(received.body)
            #expect(body["logGroupName"] as? String == "/aws/apprunner/api/0123456789abcdef0123456789abcdef/service")
            #expect((body["startTime"] as? NSNumber)?.int64Value == 1763800000000)
            #expect((body["limit"] as? NSNumber)?.intValue == 100)
        }
    }

    @Test func theFilterLogEventsPaginatorFollowsNextToken() async throws {
        // Three pages: the token of each answer must come back in the next request.
        try await Loopback.with(.cloudWatchLogs, { request, number in
            let token = Loopback.object(request.body)["nextToken"] as? String
            let expected: String? = number == 1 ? nil : "page-\(number)"
            guard token == expected else { return .json(#"{"__type":"InvalidParameterException","message":"wrong token \#(token ?? "none")"}"#, status: 400) }
            let next = number < 3 ? #","nextToken":"page-\#(number + 1)""# : ""
            return .json(#"{"events":[{"eventId":"e\#(number)","message":"line \#(number)","timestamp":\#(number)}]\#(next)}"#)
        }) { transport, server in
            let client = CloudWatchLogsClient(transport: transport)
            let paginator = client.filterLogEventsPaginator(FilterLogEventsRequest(logGroupName: "/aws/apprunner/api/id/application"))
            let events = try await paginator.collect(maxPages: 10) { $0.events ?? [] }
            #expect(events.map(\.message) == ["line 1", "line 2", "line 3"])
            let tokens = await server.requests.map { Loopback.object($0.body)["nextToken"] as? String }
            #expect(tokens == [nil, "page-2", "page-3"])
            #expect(await server.requests.allSatisfy { Loopback.object($0.body)["logGroupName"] as? String == "/aws/apprunner/api/id/application" })
        }
        #expect(CloudWatchLogsOperation.filterLogEvents.isPaginated)
        #expect(CloudWatchLogsOperation.describeLogStreams.isPaginated)
        #expect(CloudWatchLogsOperation.describeLogGroups.isPaginated)
        // GetLogEvents pages by nextForwardToken/nextBackwardToken, not nextToken (botocore has no paginator).
        #expect(!CloudWatchLogsOperation.getLogEvents.isPaginated)
    }

    @Test func aBadRequestIsRejectedBeforeAnythingIsSent() async throws {
        try await Loopback.with(.cloudWatchLogs, { _, _ in .json("{}") }) { transport, server in
            let client = CloudWatchLogsClient(transport: transport)
            let tooLong = await Loopback.validationError {
                _ = try await client.filterLogEvents(FilterLogEventsRequest(logGroupName: String(repeating: "a", count: 513)))
            }
            #expect(tooLong?.member == "logGroupName")
            #expect(tooLong?.reason == "Member must have length less than or equal to 512")
            let pattern = await Loopback.validationError {
                _ = try await client.describeLogStreams(DescribeLogStreamsRequest(logGroupName: "has space"))
            }
            #expect(pattern?.member == "logGroupName")
            #expect(pattern?.reason.hasPrefix("Member must satisfy regular expression pattern") == true)
            let limit = await Loopback.validationError {
                _ = try await client.filterLogEvents(FilterLogEventsRequest(logGroupName: "/g", limit: 10_001))
            }
            #expect(limit?.member == "limit")
            #expect(limit?.reason == "Member must have value less than or equal to 10000")
            let describeLimit = await Loopback.validationError {
                _ = try await client.describeLogGroups(DescribeLogGroupsRequest(limit: 0))
            }
            #expect(describeLimit?.reason == "Member must have value greater than or equal to 1")
            let negative = await Loopback.validationError {
                _ = try await client.getLogEvents(GetLogEventsRequest(logGroupName: "/g", logStreamName: "s", startTime: -1))
            }
            #expect(negative?.member == "startTime")
            let stream = await Loopback.validationError {
                _ = try await client.getLogEvents(GetLogEventsRequest(logGroupName: "/g", logStreamName: "a:b"))
            }
            #expect(stream?.member == "logStreamName")
            #expect(await server.requests.isEmpty)
            // A valid one goes out.
            _ = try await client.filterLogEvents(FilterLogEventsRequest(logGroupName: "/g", limit: 10_000))
            #expect(await server.requests.count == 1)
        }
    }

    @Test func aModeledErrorIsThrownAsItsType() async throws {
        try await Loopback.with(.cloudWatchLogs, { _, _ in
            .json(#"{"__type":"ResourceNotFoundException","message":"The specified log group does not exist."}"#, status: 400,
                  headers: [("x-amzn-RequestId", "req-404")])
        }) { transport, _ in
            let client = CloudWatchLogsClient(transport: transport)
            do {
                _ = try await client.describeLogStreams(DescribeLogStreamsRequest(logGroupName: "/aws/apprunner/gone/id/service"))
                Issue.record("expected ResourceNotFoundException")
            } catch let error as ResourceNotFoundException {
                #expect(error.message == "The specified log group does not exist.")
                #expect(error.requestId == "req-404")
            }
        }
    }

    @Test func dispatchServesEveryOperationFromTheWire() async throws {
        // dispatch decodes each request body into the typed request, calls the API (here the client, over
        // loopback), and encodes the typed answer: what goes out and comes back must be what was given.
        let samples: [String: (input: String, output: String)] = [
            "DescribeLogGroups": (#"{"logGroupNamePrefix":"/aws/apprunner/","limit":5,"nextToken":"t"}"#,
                                 #"{"logGroups":[{"logGroupName":"/aws/apprunner/api/id/service","creationTime":1763800000000,"retentionInDays":30,"storedBytes":12,"arn":"arn:aws:logs:eu-west-1:123456789012:log-group:/aws/apprunner/api/id/service:*","logGroupClass":"STANDARD"}],"nextToken":"u"}"#),
            "DescribeLogStreams": (#"{"logGroupName":"/aws/apprunner/api/id/service","orderBy":"LastEventTime","descending":true,"limit":50}"#,
                                  #"{"logStreams":[{"logStreamName":"deployment/0a1b","creationTime":1,"firstEventTimestamp":2,"lastEventTimestamp":3,"lastIngestionTime":4}]}"#),
            "FilterLogEvents": (#"{"logGroupName":"/g","logStreamNames":["a","b"],"startTime":1,"endTime":2,"filterPattern":"ERROR","limit":10}"#,
                               #"{"events":[{"logStreamName":"a","timestamp":1,"message":"m","ingestionTime":2,"eventId":"e"}],"nextToken":"n"}"#),
            "GetLogEvents": (#"{"logGroupName":"/g","logStreamName":"deployment/0a1b","startFromHead":true,"limit":100}"#,
                            #"{"events":[{"timestamp":1,"message":"[AppRunner] Deployment completed successfully.","ingestionTime":2}],"nextForwardToken":"f/1","nextBackwardToken":"b/1"}"#),
        ]
        #expect(Set(samples.keys) == Set(CloudWatchLogsOperation.allCases.map(\.rawValue)))
        try await Loopback.roundTrip(.cloudWatchLogs, samples) { transport, name, body in
            let operation = try #require(CloudWatchLogsOperation(rawValue: name))
            return try await dispatch(operation, body: body, to: CloudWatchLogsClient(transport: transport))
        }
        // The server side validates too: a request breaking the model is refused before the API is called.
        try await Loopback.with(.cloudWatchLogs, { _, _ in .json("{}") }) { transport, server in
            await #expect(throws: AWSValidationError.self) {
                _ = try await dispatch(.filterLogEvents, body: Data(#"{"logGroupName":"/g","limit":0}"#.utf8), to: CloudWatchLogsClient(transport: transport))
            }
            #expect(await server.requests.isEmpty)
        }
        #expect(ObjectIdentifier(requestShape(of: .getLogEvents)) == ObjectIdentifier(GetLogEventsRequest.self))
    }
}
