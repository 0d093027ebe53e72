import AWSCore
import CloudWatch
import CloudWatchLogs
import Foundation
import Testing

/// The generated CloudWatch client over real HTTP on loopback: AWS JSON 1.0 with
/// `GraniteServiceVersion20100801`, signed for `monitoring`, query-compatible (`x-amzn-query-mode`
/// out, `x-amzn-query-error` codes in), paged by `NextToken`, validated before sending.
@Suite(.timeLimit(.minutes(5))) struct MetricsWireTests {
    static let start = Date(timeIntervalSince1970: 1_763_800_000)
    static let end = Date(timeIntervalSince1970: 1_763_803_600)

    static func requestsQuery() -> GetMetricDataInput {
        let dimensions = [CloudWatch.Dimension(name: "ServiceName", value: "api"),
                          CloudWatch.Dimension(name: "ServiceID", value: "0123456789abcdef0123456789abcdef")]
        let metric = Metric(namespace: "AWS/AppRunner", metricName: "Requests", dimensions: dimensions)
        return GetMetricDataInput(
            metricDataQueries: [MetricDataQuery(id: "requests", metricStat: MetricStat(metric: metric, period: 300, stat: "Sum"))],
            startTime: start, endTime: end)
    }

    @Test func getMetricDataSpeaksQueryCompatibleJSON10SignedForMonitoring() async throws {
        let answer = #"{"MetricDataResults":[{"Id":"requests","Label":"Requests","Timestamps":[1763803300,1763803000.5],"Values":[12.0,7.5],"StatusCode":"Complete"}],"Messages":[]}"#
        try await Loopback.with(.cloudWatch, { _, _ in .json(answer) }) { transport, server in
            let client = CloudWatchClient(transport: transport)
            let output = try await client.getMetricData(Self.requestsQuery())
            let result = try #require(output.metricDataResults?.first)
            #expect(result.id == "requests")
            #expect(result.values == [12.0, 7.5])
            #expect(result.timestamps == [Date(timeIntervalSince1970: 1_763_803_300), Date(timeIntervalSince1970: 1_763_803_000.5)])
            #expect(result.statusCode == .complete)

            let received = try #require(await server.requests.first)
            #expect(received.header("X-Amz-Target") == "GraniteServiceVersion20100801.GetMetricData")
            #expect(received.header("Content-Type") == "application/x-amz-json-1.0")
            #expect(received.header("x-amzn-query-mode") == "true")
            let verified = try Loopback.verifySignature(received, signingName: "monitoring")
            #expect(verified.authorization.signedHeaders.contains("x-amzn-query-mode"))
            let body = Loopback.object(received.body)
            #expect((body["StartTime"] as? NSNumber)?.doubleValue == 1_763_800_000)
            #expect((body["EndTime"] as? NSNumber)?.doubleValue == 1_763_803_600)
            let query = try #require((body["MetricDataQueries"] as? [[String: Any]])?.first)
            #expect(query["Id"] as? String == "requests")
            let stat = try #require(query["MetricStat"] as? [String: Any])
            #expect(stat["Stat"] as? String == "Sum")
            #expect((stat["Metric"] as? [String: Any])?["Namespace"] as? String == "AWS/AppRunner")
        }
    }

    @Test func aQueryStyleErrorCodeIsReadFromTheHeader() async throws {
        // The JSON body names the Smithy shape; the header carries the query code the model maps.
        try await Loopback.with(.cloudWatch, { _, _ in
            .json(#"{"__type":"com.amazonaws.cloudwatch#InvalidParameterValueException","message":"The parameter StartTime must be before EndTime."}"#,
                  status: 400, headers: [("x-amzn-query-error", "InvalidParameterValue;Sender"), ("x-amzn-RequestId", "req-400")])
        }) { transport, _ in
            let client = CloudWatchClient(transport: transport)
            do {
                _ = try await client.getMetricData(Self.requestsQuery())
                Issue.record("expected InvalidParameterValueException")
            } catch let error as InvalidParameterValueException {
                #expect(error.code == "InvalidParameterValue")
                #expect(error.message == "The parameter StartTime must be before EndTime.")
                #expect(error.requestId == "req-400")
            }
        }
        // A query code the model does not list stays the generic error with that code.
        try await Loopback.with(.cloudWatch, { _, _ in
            .json(#"{"__type":"com.amazonaws.cloudwatch#LimitExceededException","message":"slow down"}"#,
                  status: 400, headers: [("x-amzn-query-error", "LimitExceeded;Sender")])
        }) { transport, _ in
            await #expect(throws: AWSResponseError(code: "LimitExceeded", message: "slow down", statusCode: 400)) {
                _ = try await CloudWatchClient(transport: transport).listMetrics(ListMetricsInput(namespace: "AWS/AppRunner"))
            }
        }
    }

    @Test func aServerAnswersModeledErrorsInTheFormTheClientReads() async throws {
        let fault = InternalServiceFault(message: "try again").responseError
        #expect(fault.queryErrorHeader == "InternalServiceError;Receiver")
        #expect(InvalidNextToken(message: "x").responseError.queryErrorHeader == "InvalidNextToken;Sender")
        let invalid = InvalidParameterValueException(message: "The value of Period must be a multiple of 60.").responseError
        try await Loopback.with(.cloudWatch, { _, _ in
            .json(#"{"__type":"InvalidParameterValueException","message":"\#(invalid.message)"}"#, status: invalid.statusCode,
                  headers: [("x-amzn-query-error", invalid.queryErrorHeader)])
        }) { transport, _ in
            await #expect(throws: InvalidParameterValueException(message: "The value of Period must be a multiple of 60.")) {
                _ = try await CloudWatchClient(transport: transport).getMetricData(Self.requestsQuery())
            }
        }
    }

    @Test func theQueryErrorHeaderIsReadOnlyForAQueryCompatibleServiceAndOnlyInItsForm() async throws {
        /// The code the transport of `service` reads from a 400 with `header` as `x-amzn-query-error`.
        func code(_ service: AWSServiceInfo, header: String) async throws -> String? {
            var found: String?
            try await Loopback.with(service, { _, _ in
                .json(#"{"__type":"InvalidParameterValueException","message":"m"}"#, status: 400, headers: [("x-amzn-query-error", header)])
            }) { transport, _ in
                do {
                    _ = try await transport.send(operation: "ListMetrics", body: Data("{}".utf8))
                } catch let error as AWSResponseError {
                    found = error.code
                }
            }
            return found
        }
        #expect(try await code(.cloudWatch, header: "InvalidParameterValue;Sender") == "InvalidParameterValue")
        #expect(try await code(.cloudWatch, header: "InternalServiceError;Receiver") == "InternalServiceError")
        // Not a query-compatible service: the header means nothing.
        #expect(try await code(.cloudWatchLogs, header: "InvalidParameterValue;Sender") == "InvalidParameterValueException")
        // Not `Code;Type`: botocore keeps the body's code.
        for malformed in ["InvalidParameterValue", ";Sender", "A;B;C"] {
            #expect(try await code(.cloudWatch, header: malformed) == "InvalidParameterValueException", "\(malformed)")
        }
    }

    @Test func theListMetricsPaginatorFollowsNextToken() async throws {
        try await Loopback.with(.cloudWatch, { request, number in
            let token = Loopback.object(request.body)["NextToken"] as? String
            guard token == (number == 1 ? nil : "t\(number)") else {
                return .json(#"{"__type":"InvalidNextToken","message":"bad"}"#, status: 400, headers: [("x-amzn-query-error", "InvalidNextToken;Sender")])
            }
            let next = number < 2 ? #","NextToken":"t\#(number + 1)""# : ""
            return .json(#"{"Metrics":[{"Namespace":"AWS/AppRunner","MetricName":"M\#(number)","Dimensions":[{"Name":"ServiceName","Value":"api"}]}]\#(next)}"#)
        }) { transport, server in
            let client = CloudWatchClient(transport: transport)
            let metrics = try await client.listMetricsPaginator(ListMetricsInput(namespace: "AWS/AppRunner")).collect(maxPages: 10) { $0.metrics ?? [] }
            #expect(metrics.map(\.metricName) == ["M1", "M2"])
            #expect(metrics.first?.dimensions?.first == CloudWatch.Dimension(name: "ServiceName", value: "api"))
            let tokens = await server.requests.map { Loopback.object($0.body)["NextToken"] as? String }
            #expect(tokens == [nil, "t2"])
        }
        #expect(CloudWatchOperation.allCases.filter { !$0.isPaginated }.isEmpty)
    }

    @Test func aBadRequestIsRejectedBeforeAnythingIsSent() async throws {
        try await Loopback.with(.cloudWatch, { _, _ in .json("{}") }) { transport, server in
            let client = CloudWatchClient(transport: transport)
            var input = Self.requestsQuery()
            input.metricDataQueries[0].id = ""
            let emptyId = await Loopback.validationError { _ = try await client.getMetricData(input) }
            #expect(emptyId?.member == "MetricDataQueries[0].Id")
            #expect(emptyId?.reason == "Member must have length greater than or equal to 1")
            let namespace = await Loopback.validationError {
                _ = try await client.listMetrics(ListMetricsInput(namespace: String(repeating: "n", count: 256)))
            }
            #expect(namespace?.member == "Namespace")
            let period = await Loopback.validationError {
                var bad = Self.requestsQuery()
                bad.metricDataQueries[0].metricStat?.period = 0
                _ = try await client.getMetricData(bad)
            }
            #expect(period?.member == "MetricDataQueries[0].MetricStat.Period")
            let unit = await Loopback.validationError {
                var bad = Self.requestsQuery()
                bad.metricDataQueries[0].metricStat?.unit = .unknown("Furlongs")
                _ = try await client.getMetricData(bad)
            }
            #expect(unit?.member == "MetricDataQueries[0].MetricStat.Unit")
            #expect(await server.requests.isEmpty)
        }
    }

    @Test func dispatchServesBothOperationsFromTheWire() async throws {
        let samples: [String: (input: String, output: String)] = [
            "GetMetricData": (#"{"MetricDataQueries":[{"Id":"cpu","MetricStat":{"Metric":{"Namespace":"AWS/AppRunner","MetricName":"CPUUtilization","Dimensions":[{"Name":"ServiceName","Value":"api"}]},"Period":60,"Stat":"Average","Unit":"Percent"},"ReturnData":true}],"StartTime":1763800000,"EndTime":1763803600,"ScanBy":"TimestampAscending","MaxDatapoints":100}"#,
                             #"{"MetricDataResults":[{"Id":"cpu","Label":"CPUUtilization","Timestamps":[1763800060],"Values":[41.5],"StatusCode":"PartialData"}],"NextToken":"n","Messages":[{"Code":"MaxDatapointsExceeded","Value":"1"}]}"#),
            "ListMetrics": (#"{"Namespace":"AWS/AppRunner","MetricName":"Requests","Dimensions":[{"Name":"ServiceName","Value":"api"}],"RecentlyActive":"PT3H"}"#,
                           #"{"Metrics":[{"Namespace":"AWS/AppRunner","MetricName":"Requests","Dimensions":[{"Name":"ServiceName","Value":"api"},{"Name":"ServiceID","Value":"0123"}]}],"NextToken":"x"}"#),
        ]
        #expect(Set(samples.keys) == Set(CloudWatchOperation.allCases.map(\.rawValue)))
        try await Loopback.roundTrip(.cloudWatch, samples) { transport, name, body in
            let operation = try #require(CloudWatchOperation(rawValue: name))
            return try await dispatch(operation, body: body, to: CloudWatchClient(transport: transport))
        }
    }
}
