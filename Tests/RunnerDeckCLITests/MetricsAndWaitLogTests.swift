import AWSCore
import AppRunner
@testable import AppRunnerLocal
import ArgumentParser
import CloudWatch
import CloudWatchLogs
import Foundation
import RunnerDeckKit
import Testing
@testable import RunnerDeckCLI

@Suite(.timeLimit(.minutes(3))) struct MetricsAndWaitLogTests {
    /// Answers GetMetricData like CloudWatch: for each query, a datapoint per bucket from StartTime
    /// (Requests 100, 200, …; 5xx only in the last bucket; nothing for the others).
    static func metricsServer() async throws -> TestServer {
        try await TestServer.start { request, _ in
            let body = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any] ?? [:]
            let start = (body["StartTime"] as? NSNumber)?.doubleValue ?? 0
            let end = (body["EndTime"] as? NSNumber)?.doubleValue ?? 0
            var results: [[String: Any]] = []
            for query in body["MetricDataQueries"] as? [[String: Any]] ?? [] {
                let stat = query["MetricStat"] as? [String: Any] ?? [:]
                let name = (stat["Metric"] as? [String: Any])?["MetricName"] as? String ?? ""
                let period = (stat["Period"] as? NSNumber)?.doubleValue ?? 300
                let buckets = Int((end - start) / period)
                var times: [Double] = []
                var values: [Double] = []
                switch name {
                case "Requests":
                    times = (0..<buckets).map { start + Double($0) * period }
                    values = (0..<buckets).map { Double(($0 + 1) * 100) }
                case "5xxStatusResponses":
                    times = [start + Double(buckets - 1) * period]
                    values = [Double(buckets * 100) / 4]
                default:
                    break
                }
                results.append(["Id": query["Id"] ?? "", "Label": query["Label"] ?? "", "Timestamps": times, "Values": values, "StatusCode": "Complete"])
            }
            let data = (try? JSONSerialization.data(withJSONObject: ["MetricDataResults": results, "Messages": []])) ?? Data()
            return .json(String(decoding: data, as: UTF8.self))
        }
    }

    @Test func metricsTableWithSparklinesAndTheRawJSON() async throws {
        let (double, _) = try await makeDouble()
        let arn = try await double.addService("web-api")
        let server = try await Self.metricsServer()
        defer { server.stop() }
        let json = await Observatory(api: double.client, metricsServer: server).run(["metrics", "web-api", "--since", "1h"])
        #expect(json.status == 0, "\(json.err)")
        let results = try #require(try json.json()["MetricDataResults"] as? [[String: Any]])
        #expect(results.count == 6 && results.first?["Id"] as? String == "m0_0")
        // 12 buckets of 5 minutes, or 13 when now is not on a bucket boundary.
        let n = try #require((results.first?["Values"] as? [Double])?.count)
        #expect((n == 12 || n == 13) && (results.first?["Timestamps"] as? [String])?.count == n)

        let table = await Observatory(api: double.client, metricsServer: server, variables: ["LANG": "en_US.UTF-8"])
            .run(["metrics", "web-api", "--since", "1h", "--period", "300", "--output", "table"])
        #expect(table.status == 0, "\(table.err)")
        let lines = table.out.split(separator: "\n").map(String.init)
        #expect(lines.count == 8, "\(table.out)")  // header, 6 metrics, 5xx share
        #expect(lines[0].split(separator: " ") == ["METRIC", "LAST", "TREND"])
        let rising = Sparkline.render((1...n).map { Double($0 * 100) }, width: n)
        #expect(rising.hasPrefix("▂▂▃▃▄") && rising.hasSuffix("█"))
        #expect(lines[1].hasPrefix("Requests ") && lines[1].contains(" \(n * 100) ") && lines[1].hasSuffix(rising))
        #expect(lines[2].hasPrefix("5xxStatusResponses ") && lines[2].contains(" \(n * 25) ") && lines[2].hasSuffix(String(repeating: " ", count: n - 1) + "█"))
        #expect(lines[3].hasPrefix("RequestLatency p50 ") && lines[3].split(separator: " ").last == "-")
        #expect(lines[7].hasPrefix("5xx share ") && lines[7].contains(String(format: "%.1f%%", 100.0 / Double(2 * (n + 1)))))

        let received = try #require(await server.requests.first)
        #expect(received.header("X-Amz-Target") == "GraniteServiceVersion20100801.GetMetricData")
        #expect(received.header("x-amzn-query-mode") == "true")
        let body = try #require(try JSONSerialization.jsonObject(with: received.body) as? [String: Any])
        let queries = try #require(body["MetricDataQueries"] as? [[String: Any]])
        #expect(queries.count == 6)
        let metric = try #require((queries.first?["MetricStat"] as? [String: Any])?["Metric"] as? [String: Any])
        #expect(metric["Namespace"] as? String == "AWS/AppRunner")
        let dimensions = try #require(metric["Dimensions"] as? [[String: String]])
        #expect(dimensions == [["Name": "ServiceName", "Value": "web-api"], ["Name": "ServiceID", "Value": String(arn.split(separator: "/").last ?? "")]])

        let ascii = await Observatory(api: double.client, metricsServer: server, variables: ["LANG": "C"])
            .run(["metrics", "web-api", "--since", "1h", "--output", "text"])
        let first = ascii.out.split(separator: "\n")[0].split(separator: "\t", omittingEmptySubsequences: false)
        #expect(first == ["Requests", Substring("\(n * 100)"), Substring(Sparkline.render((1...n).map { Double($0 * 100) }, width: n, ascii: true))])
        #expect(first.last?.hasPrefix("..--:") == true && !ascii.out.contains("▁"))
    }

    /// "web-api" in the double (its next deployment rolling back when `failing`), and a logs loopback
    /// whose service group holds `messages` in a deployment stream, all written in the millisecond
    /// returned. Stop the loopback when done.
    static func serviceWithDeploymentLog(_ messages: [String], failing: Bool = false) async throws -> (RecordingAppRunner, LogsLoopback, Int64) {
        let (double, _) = try await makeDouble()
        let arn = try await double.addService("web-api")
        if failing { try await double.local.failNextDeployment(of: arn) }
        let groups = try #require(ServiceLogGroups(serviceArn: arn))
        let logs = try await LogsLoopback.start()
        let now = LogTailCursor.milliseconds(Date())
        await logs.append(messages.enumerated().map { index, message in
            LogsLoopback.Event(group: groups.service, stream: "deployment/x", timestamp: now, message: message, id: "\(index)")
        })
        return (double, logs, now)
    }

    @Test func deployWaitShowsLogLinesUnderTheProgressLineOnATerminalOnly() async throws {
        let (double, logs, now) = try await Self.serviceWithDeploymentLog(
            ["[AppRunner] Service update started.", "[AppRunner] Successfully routed incoming traffic."])
        defer { logs.stop() }
        let terminal = await Observatory(api: double.client, logs: logs, terminal: true).run(["deploy", "web-api", "--wait"])
        #expect(terminal.status == 0, "\(terminal.err)")
        #expect(terminal.err.components(separatedBy: "[AppRunner] Service update started.\n").count == 2, "\(terminal.err)")  // once
        #expect(terminal.err.contains("  \(Format.clock(Date(timeIntervalSince1970: Double(now) / 1000)))  [AppRunner] Successfully routed incoming traffic.\n"))
        #expect(terminal.err.hasSuffix("\r\u{1B}[2K"))

        let calls = await logs.filterRequests().count
        let script = await Observatory(api: double.client, logs: logs).run(["deploy", "web-api", "--wait", "--output", "text"])
        #expect(script.status == 0 && progressOnly(script.err) && !script.err.contains("[AppRunner]"))
        #expect(await logs.filterRequests().count == calls)  // scripts: no log calls, output as before
    }

    @Test func aRolledBackDeploymentsErrorEndsWithItsLastLogLines() async throws {
        let (double, logs, now) = try await Self.serviceWithDeploymentLog(
            ["[AppRunner] Health check failed on port '8080'.", "[AppRunner] Deployment failed. Rolling back."], failing: true)
        defer { logs.stop() }
        let run = await Observatory(api: double.client, logs: logs, terminal: true).run(["deploy", "web-api", "--wait"])
        #expect(run.status == 4)
        let error = try #require(run.err.components(separatedBy: "runnerdeck: OperationRolledBack: ").last)
        #expect(error.contains("ROLLBACK_SUCCEEDED"))
        #expect(error.split(separator: "\n").count == 1, "\(run.err)")  // still one line
        let time = Format.clock(Date(timeIntervalSince1970: Double(now) / 1000))
        #expect(error.hasSuffix("; last deployment log lines: \(time) [AppRunner] Health check failed on port '8080'. | \(time) [AppRunner] Deployment failed. Rolling back.\n"),
                "\(error)")
    }

    @Test func theLogLinesRendering() {
        let events = [
            FilteredLogEvent(logStreamName: "deployment/x", timestamp: 1_795_928_461_500, message: "[AppRunner] Pulling image.\n"),
            FilteredLogEvent(logStreamName: "events", timestamp: 1_795_928_462_000, message: "two\nlines\u{1B}[31m"),
        ]
        #expect(DeploymentLogLines.render(events) == "  05:01:01  [AppRunner] Pulling image.\n  05:01:02  two\n  05:01:02  lines?[31m\n")
        #expect(DeploymentLogLines.render([]) == "")
        #expect(DeploymentLogLines.errorContext([]) == "")
        #expect(DeploymentLogLines.errorContext(events) == "; last deployment log lines: 05:01:01 [AppRunner] Pulling image. | 05:01:02 two lines?[31m")
    }

    @Test func endpointURLAppliesToEveryServiceAndPerServiceVariablesToOne() async throws {
        let variables = ["AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_REGION": "eu-west-1",
                         "AWS_CONFIG_FILE": "/nonexistent/config", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
                         "AWS_EC2_METADATA_DISABLED": "true"]
        let environment = CLIEnvironment(standardOutput: CapturingSink(), standardError: CapturingSink(), variables: variables)
        let all = try GlobalOptions.parse(["--endpoint-url", "http://127.0.0.1:4566"])
        for service in [AWSServiceInfo.appRunner, .cloudWatchLogs, .cloudWatch] {
            let configuration = try await ClientFactory.configuration(service, all, environment: environment, ResolvedConfigurations())
            #expect(configuration.endpoint.absoluteString == "http://127.0.0.1:4566")
        }
        var perService = environment
        perService.variables["AWS_ENDPOINT_URL_CLOUDWATCH_LOGS"] = "http://127.0.0.1:5000"
        perService.variables["AWS_ENDPOINT_URL_CLOUDWATCH"] = "http://127.0.0.1:5001"
        let none = try GlobalOptions.parse([])
        let shared = ResolvedConfigurations()
        let logs = try await ClientFactory.configuration(.cloudWatchLogs, none, environment: perService, shared)
        let metrics = try await ClientFactory.configuration(.cloudWatch, none, environment: perService, shared)
        let appRunner = try await ClientFactory.configuration(.appRunner, none, environment: perService, shared)
        #expect(logs.endpoint.absoluteString == "http://127.0.0.1:5000" && metrics.endpoint.absoluteString == "http://127.0.0.1:5001")
        #expect(appRunner.endpoint.host == "apprunner.eu-west-1.amazonaws.com")

        let demo = try GlobalOptions.parse(["--demo"])
        await #expect(throws: CLIError.self) { _ = try await ClientFactory.makeLogsAPI(demo, environment: environment) }
        await #expect(throws: CLIError.self) { _ = try await ClientFactory.makeMetricsAPI(demo, environment: environment) }
    }

    @Test func logsThroughTheRealFactoryAreSignedForLogs() async throws {
        let logs = try await LogsLoopback.start()
        defer { logs.stop() }
        let arn = "arn:aws:apprunner:eu-west-1:123456789012:service/web-api/0123456789abcdef0123456789abcdef"
        let groups = try #require(ServiceLogGroups(serviceArn: arn))
        await logs.append([LogsLoopback.Event(group: groups.service, stream: "events", timestamp: LogTailCursor.milliseconds(Date()) - 1_000,
                                              message: "hello", id: "1")])
        let out = CapturingSink()
        let err = CapturingSink()
        let environment = CLIEnvironment(standardOutput: out, standardError: err, variables: [
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_REGION": "eu-west-1",
            "AWS_CONFIG_FILE": "/nonexistent/config", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
            "AWS_EC2_METADATA_DISABLED": "true", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": logs.url,
        ])
        let status = await runRunnerDeck(arguments: ["logs", arn, "--output", "text"], environment: environment)
        #expect(status == 0, "\(err.text)")
        #expect(out.text.hasSuffix(" events hello\n"))
        let received = try #require(await logs.server.requests.first)
        #expect(received.header("Authorization")?.contains("/eu-west-1/logs/aws4_request") == true)
        #expect(received.header("Content-Type") == "application/x-amz-json-1.1")
    }
}
