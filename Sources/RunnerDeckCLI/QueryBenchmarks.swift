import AWSCore
import AppRunner
import Dispatch
import FoundationEssentials
import JMESPath

/// For the bench executable: what `--query` adds to printing a 1,000-service ListServices response,
/// measured on the CLI's own path (the output tree, the query, the result written) against printing
/// the whole JSON without a query.
public enum QueryBenchmarks {
    public static func run(services count: Int = 1000, iterations: Int = 50) throws -> String {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let summaries = (0..<count).map { i in
            ServiceSummary(serviceName: String(cFormat: "service-%04d", i), serviceId: String(cFormat: "%032x", i),
                           serviceArn: "arn:aws:apprunner:us-east-1:123456789012:service/service-\(i)/\(String(cFormat: "%032x", i))",
                           serviceUrl: String(cFormat: "svc%07d.us-east-1.awsapprunner.com", i), createdAt: now, updatedAt: now,
                           status: i % 7 == 0 ? .paused : .running)
        }
        let response = ListServicesResponse(serviceSummaryList: summaries)
        func median(_ body: () throws -> Void) rethrows -> Double {
            var times: [Double] = []
            for _ in 0..<iterations {
                let start = DispatchTime.now().uptimeNanoseconds
                try body()
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)
            }
            return times.sorted()[times.count / 2]
        }
        let plain = try median { _ = try CLIJSON.render(response) }
        var lines = [String(cFormat: "printing the %d-service response as JSON, no query: %.2f ms median", count, plain)]
        for expression in ["ServiceSummaryList[?Status=='RUNNING'].ServiceName", "length(ServiceSummaryList)",
                           "sort_by(ServiceSummaryList, &ServiceName)[-5:].{name: ServiceName, url: ServiceUrl}"] {
            let query = try JMESPathExpression(compiling: expression)
            let queried = try median { _ = try query.search(JMESValue(try CLIJSON.tree(response))).jsonText(pretty: true) }
            lines.append("--query \(expression): " + String(cFormat: "%.2f ms (adds %+.2f ms)", queried, queried - plain))
        }
        return lines.joined(separator: "\n")
    }
}
