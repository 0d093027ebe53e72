import AWSCore
import AppRunner
import AppRunnerLocal
import Dispatch
import FoundationEssentials

/// Requests per second of `runnerdeck serve`'s endpoint on loopback, from a concurrent client
/// (the real AWSJSONClient: signed requests, one pooled HTTP client). Server and client share this
/// process and the machine's cores.
enum EndpointBench {
    static func run(seconds: Double = 5, concurrency: Int = 16) async throws -> String {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        let server = Task {
            try await runLocalServer(LocalServerConfiguration(options: LocalOptions(operationSeconds: 0.5))) { url in
                continuation.yield(url)
                continuation.finish()
            }
        }
        defer { server.cancel() }
        var address = ""
        for await url in stream { address = url }
        guard let endpoint = URL(string: address) else { return "server did not start" }
        let transport = AWSJSONClient(service: .appRunner, region: "us-east-1", endpoint: endpoint,
                                      credentials: StaticCredentialProvider(AWSCredentials(accessKeyId: "AKIDBENCH", secretAccessKey: "bench")),
                                      userAgent: "runnerdeck-bench", environment: [:])
        let api = AppRunnerClient(transport: transport)
        var arns: [String] = []
        for index in 0..<20 {
            let created = try await api.createService(CreateServiceRequest(serviceName: "bench-\(index)", sourceConfiguration: SourceConfiguration(
                imageRepository: ImageRepository(imageIdentifier: "public.ecr.aws/aws-containers/hello-app-runner:latest", imageRepositoryType: .ecrPublic))))
            arns.append(created.service.serviceArn)
        }
        let targets = arns
        let describe = try await hammer(seconds: seconds, concurrency: concurrency) { index in
            _ = try await api.describeService(DescribeServiceRequest(serviceArn: targets[index % targets.count]))
        }
        let list = try await hammer(seconds: seconds, concurrency: concurrency) { _ in
            _ = try await api.listServices(ListServicesRequest())
        }
        try await transport.shutdown()
        return String(cFormat: "DescribeService %.0f req/s, ListServices (20 services) %.0f req/s — %d concurrent signed requests over loopback, %.0f s each",
                      describe, list, concurrency, seconds)
    }

    static func hammer(seconds: Double, concurrency: Int, _ call: @escaping @Sendable (Int) async throws -> Void) async throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        let deadline = start + UInt64(seconds * 1_000_000_000)
        let count = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var done = 0
                    while DispatchTime.now().uptimeNanoseconds < deadline {
                        try await call(worker &+ done)
                        done += 1
                    }
                    return done
                }
            }
            var total = 0
            for try await done in group { total += done }
            return total
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000_000
        return Double(count) / elapsed
    }
}
