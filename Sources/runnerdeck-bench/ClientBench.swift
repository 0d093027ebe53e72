import AWSCore
import AppRunner
import Dispatch
import FoundationEssentials

/// Per-request client cost: build and validate a ListServices request, encode it, sign it, and decode a
/// 20-service ListServices response — everything the client does except the network.
enum ClientBench {
    static func sampleResponse(services: Int) throws -> Data {
        let now = Date(timeIntervalSince1970: 1_763_800_000.25)
        let list = (0..<services).map { i in
            ServiceSummary(
                serviceName: "service-\(i)", serviceId: String(cFormat: "%032x", i),
                serviceArn: "arn:aws:apprunner:us-east-1:123456789012:service/service-\(i)/\(String(cFormat: "%032x", i))",
                serviceUrl: "abcdefgh\(i % 10)j.us-east-1.awsapprunner.com", createdAt: now, updatedAt: now, status: .running
            )
        }
        return try AppRunnerJSON.encode(ListServicesResponse(serviceSummaryList: list, nextToken: "opaque-token"))
    }

    static func measure(_ iterations: Int, _ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<iterations { try body() }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1000 / Double(iterations)
    }

    static func run(iterations: Int = 20_000) throws -> String {
        let response = try sampleResponse(services: 20)
        let signer = SigV4Signer(credentials: AWSCredentials(accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret", sessionToken: "token"),
                                 region: "us-east-1", service: "apprunner")
        let date = Date()
        var sink = 0
        let whole = {
            let request = ListServicesRequest(maxResults: 20)
            try request.validate(path: "")
            let body = try AppRunnerJSON.encode(request)
            let headers = signer.sign(method: "POST", path: "/", headers: [
                (name: "Host", value: "apprunner.us-east-1.amazonaws.com"),
                (name: "Content-Type", value: "application/x-amz-json-1.0"),
                (name: "X-Amz-Target", value: "AppRunner.ListServices"),
            ], body: body, date: date)
            let decoded = try AppRunnerJSON.decode(ListServicesResponse.self, from: response)
            sink &+= headers.count &+ decoded.serviceSummaryList.count
        }
        for _ in 0..<1000 { try whole() }  // warm up
        let total = try measure(iterations, whole)
        let encode = try measure(iterations) {
            let request = ListServicesRequest(maxResults: 20)
            try request.validate(path: "")
            sink &+= try AppRunnerJSON.encode(request).count
        }
        let sign = measure(iterations) {
            sink &+= signer.sign(method: "POST", path: "/", headers: [(name: "Host", value: "apprunner.us-east-1.amazonaws.com")], body: Data("{}".utf8), date: date).count
        }
        let decode = try measure(iterations) {
            sink &+= try AppRunnerJSON.decode(ListServicesResponse.self, from: response).serviceSummaryList.count
        }
        return String(cFormat: "per request %.1f µs (build+validate+encode %.1f µs, sign %.1f µs, decode 20-service ListServices %.1f µs; %d bytes) [%d]",
                      total, encode, sign, decode, response.count, sink % 10)
    }
}
