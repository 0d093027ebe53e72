import AWSCore
import Foundation
import Testing

@testable import CloudWatch
@testable import CloudWatchLogs

/// Endpoints and settings of the two services, resolved as botocore does.
@Suite(.timeLimit(.minutes(2))) struct EndpointTests {
    /// An environment whose shared files are empty (nothing from the machine's ~/.aws).
    func environment(_ extra: [String: String] = [:], config: String = "") throws -> (TempDir, [String: String]) {
        let dir = try TempDir()
        try dir.write("config", config)
        try dir.write("credentials", "")
        let base = ["HOME": dir.path, "AWS_CONFIG_FILE": dir.path + "/config", "AWS_SHARED_CREDENTIALS_FILE": dir.path + "/credentials"]
        return (dir, base.merging(extra) { $1 })
    }

    func endpoint(_ service: AWSServiceInfo, region: String = "eu-west-1", _ env: [String: String]) throws -> String {
        try AWSClientConfiguration.resolve(service: service, region: region, credentials: Loopback.credentials, environment: env).endpoint.absoluteString
    }

    @Test func defaultEndpointsAreLogsAndMonitoring() throws {
        let (dir, env) = try environment()
        defer { dir.remove() }
        #expect(try endpoint(.cloudWatchLogs, env) == "https://logs.eu-west-1.amazonaws.com")
        #expect(try endpoint(.cloudWatch, env) == "https://monitoring.eu-west-1.amazonaws.com")
        #expect(try endpoint(.cloudWatch, region: "cn-north-1", env) == "https://monitoring.cn-north-1.amazonaws.com.cn")
    }

    @Test func serviceEndpointVariablesAreBotocoresNames() throws {
        // botocore: AWS_ENDPOINT_URL_ + the service id upper-cased, spaces to underscores ("CloudWatch Logs").
        let (dir, env) = try environment([
            "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": "http://127.0.0.1:4001",
            "AWS_ENDPOINT_URL_CLOUDWATCH": "http://127.0.0.1:4002",
            "AWS_ENDPOINT_URL_APPRUNNER": "http://127.0.0.1:4003",
        ])
        defer { dir.remove() }
        #expect(try endpoint(.cloudWatchLogs, env) == "http://127.0.0.1:4001")
        #expect(try endpoint(.cloudWatch, env) == "http://127.0.0.1:4002")
        // AWS_ENDPOINT_URL_LOGS is not a name botocore reads for CloudWatch Logs.
        let (other, logsOnly) = try environment(["AWS_ENDPOINT_URL_LOGS": "http://127.0.0.1:4009"])
        defer { other.remove() }
        #expect(try endpoint(.cloudWatchLogs, logsOnly) == "https://logs.eu-west-1.amazonaws.com")
        // The global one applies to both; the per-service one wins over it.
        let (third, global) = try environment(["AWS_ENDPOINT_URL": "http://127.0.0.1:4000", "AWS_ENDPOINT_URL_CLOUDWATCH": "http://127.0.0.1:4002"])
        defer { third.remove() }
        #expect(try endpoint(.cloudWatchLogs, global) == "http://127.0.0.1:4000")
        #expect(try endpoint(.cloudWatch, global) == "http://127.0.0.1:4002")
    }

    @Test func theServicesSectionUsesSnakeCaseIds() throws {
        let config = "[default]\nservices = local\n[services local]\ncloudwatch_logs =\n  endpoint_url = http://127.0.0.1:5001\ncloudwatch =\n  endpoint_url = http://127.0.0.1:5002\n"
        let (dir, env) = try environment(config: config)
        defer { dir.remove() }
        #expect(try endpoint(.cloudWatchLogs, env) == "http://127.0.0.1:5001")
        #expect(try endpoint(.cloudWatch, env) == "http://127.0.0.1:5002")
    }

    @Test func oneConfigurationServesEveryService() throws {
        let (dir, env) = try environment(["AWS_REGION": "ap-southeast-2", "AWS_MAX_ATTEMPTS": "5",
                                          "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS": "http://127.0.0.1:4001"])
        defer { dir.remove() }
        let metrics = try AWSClientConfiguration.resolve(service: .cloudWatch, credentials: Loopback.credentials, environment: env)
        #expect(metrics.endpoint.absoluteString == "https://monitoring.ap-southeast-2.amazonaws.com")
        let logs = try metrics.forService(.cloudWatchLogs)
        #expect(logs.service == .cloudWatchLogs)
        #expect(logs.endpoint.absoluteString == "http://127.0.0.1:4001")
        #expect(logs.region == "ap-southeast-2")
        #expect(logs.maxAttempts == 5)
        #expect(logs.profile == metrics.profile)
        #expect(logs.credentialSource == "explicit")
        #expect(try logs.forService(.cloudWatch).endpoint == metrics.endpoint)
        // An explicit endpoint (`--endpoint-url`) applies to whichever service it is given for.
        #expect(try metrics.forService(.cloudWatchLogs, endpointURL: "http://127.0.0.1:9000").endpoint.absoluteString == "http://127.0.0.1:9000")
        #expect(throws: AWSConfigurationError.invalidEndpoint("ftp://127.0.0.1")) {
            try metrics.forService(.cloudWatchLogs, endpointURL: "ftp://127.0.0.1")
        }
    }

    @Test func serviceInfoComesFromTheModels() {
        #expect(AWSServiceInfo.cloudWatchLogs.signingName == "logs")
        #expect(AWSServiceInfo.cloudWatchLogs.targetPrefix == "Logs_20140328")
        #expect(AWSServiceInfo.cloudWatchLogs.contentType == "application/x-amz-json-1.1")
        #expect(!AWSServiceInfo.cloudWatchLogs.awsQueryCompatible)
        #expect(AWSServiceInfo.cloudWatch.signingName == "monitoring")
        #expect(AWSServiceInfo.cloudWatch.targetPrefix == "GraniteServiceVersion20100801")
        #expect(AWSServiceInfo.cloudWatch.contentType == "application/x-amz-json-1.0")
        #expect(AWSServiceInfo.cloudWatch.awsQueryCompatible)
    }
}

/// The committed model subsets: what they hold, that they are botocore's, and that the sources are theirs.
@Suite(.timeLimit(.minutes(5))) struct ModelSubsetTests {
    func operations(_ asset: String) throws -> Set<String> {
        let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("Assets/\(asset)"))
        let model = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return Set(try #require(model["operations"] as? [String: Any]).keys)
    }

    @Test func theSubsetsHoldTheOperationsTheModulesGenerate() throws {
        let logs = try operations("logs-2014-03-28.subset.json")
        #expect(logs == ["FilterLogEvents", "GetLogEvents", "DescribeLogStreams", "DescribeLogGroups"])
        #expect(Set(CloudWatchLogsOperation.allCases.map(\.rawValue)) == logs)
        let metrics = try operations("monitoring-2010-08-01.subset.json")
        #expect(metrics == ["GetMetricData", "ListMetrics"])
        #expect(Set(CloudWatchOperation.allCases.map(\.rawValue)) == metrics)
    }

    @Test func modeledErrorsAreKeyedByTheirWireCode() {
        #expect(CloudWatchErrors.modeled["InvalidParameterValue"] is InvalidParameterValueException.Type)
        #expect(CloudWatchErrors.modeled["InternalServiceError"] is InternalServiceFault.Type)
        #expect(InternalServiceFault.statusCode == 500)
        #expect(CloudWatchLogsErrors.modeled["ResourceNotFoundException"] is ResourceNotFoundException.Type)
        // Marked a fault in the model, without a status: a 5xx.
        #expect(ServiceUnavailableException.statusCode == 500)
    }

    @Test func everyPatternCompiles() {
        for pattern in CloudWatchLogsPatterns.all + CloudWatchPatterns.all {
            #expect(pattern.isUsable, "pattern does not compile: \(pattern.pattern)")
        }
        #expect(CloudWatchLogsPatterns.all.count >= 3)
    }

    /// The drift test: every committed model (App Runner's whole one, the two subsets) is what the installed
    /// botocore gives, and botocore's paginators page the operations the generator pages. (That the sources
    /// are what the generator writes from them, for all three modules, is AppRunnerTests'
    /// `committedSourcesMatchTheGenerator`.)
    @Test func committedModelsMatchTheInstalledBotocore() async throws {
        let process = try await runProcess(["python3", repositoryRoot.appendingPathComponent("Scripts/generate.py").path, "--drift"])
        #expect(process.status == 0, "\(process.stderr)")
        #expect(process.stdout.contains("the committed models match botocore"))
    }
}
