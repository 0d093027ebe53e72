import AppRunner
import Foundation
import JMESPath

/// What `--query` adds to a call: reading the JSON the command prints into JMESPath values, searching,
/// and writing the result, for a 1,000-service ListServices response (the goal: under 5 ms).
enum QueryBench {
    static func run(services count: Int = 1000, iterations: Int = 50) throws -> String {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let summaries = (0..<count).map { i in
            ServiceSummary(serviceName: String(format: "service-%04d", i), serviceId: String(format: "%032x", i),
                           serviceArn: "arn:aws:apprunner:us-east-1:123456789012:service/service-\(i)/\(String(format: "%032x", i))",
                           serviceUrl: String(format: "svc%07d.us-east-1.awsapprunner.com", i), createdAt: now, updatedAt: now,
                           status: i % 7 == 0 ? .paused : .running)
        }
        let json = try AppRunnerJSON.encode(ListServicesResponse(serviceSummaryList: summaries))
        var lines: [String] = []
        for expression in ["ServiceSummaryList[?Status=='RUNNING'].ServiceName", "length(ServiceSummaryList)",
                           "sort_by(ServiceSummaryList, &ServiceName)[-5:].{name: ServiceName, url: ServiceUrl}"] {
            let query = try JMESPathExpression(compiling: expression)
            var times: [Double] = []
            for _ in 0..<iterations {
                let start = DispatchTime.now().uptimeNanoseconds
                let result = try query.search(JMESValue(json: json))
                _ = result.jsonText(pretty: true)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)
            }
            times.sort()
            lines.append(String(format: "%@: %.2f ms median (max %.2f)", expression, times[times.count / 2], times.last ?? 0))
        }
        return "--query on a \(count)-service ListServices response (\(json.count / 1024) KiB; parse + search + write):\n" + lines.joined(separator: "\n")
    }
}
