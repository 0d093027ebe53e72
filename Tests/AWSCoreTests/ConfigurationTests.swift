import Foundation
import Testing

@testable import AWSCore

@Suite(.timeLimit(.minutes(5))) struct ConfigurationTests {
    /// Shared files in a temporary directory and an environment pointing at them.
    func files(config: String = "", credentials: String = "") throws -> (TempDir, [String: String]) {
        let dir = try TempDir()
        try dir.write("config", config)
        try dir.write("credentials", credentials)
        return (dir, ["HOME": dir.path, "AWS_CONFIG_FILE": dir.path + "/config", "AWS_SHARED_CREDENTIALS_FILE": dir.path + "/credentials"])
    }

    func resolve(_ env: [String: String], profile: String? = nil, region: String? = nil, endpoint: String? = nil,
                 credentials: AWSCredentials? = nil) throws -> AWSClientConfiguration {
        try AWSClientConfiguration.resolve(service: appRunnerInfo, profile: profile, region: region, endpointURL: endpoint,
                                           credentials: credentials, environment: env)
    }

    @Test func regionPrecedence() throws {
        do {
            let (dir, base) = try files(config: "[default]\nregion = ap-south-1\n[profile other]\nregion = sa-east-1\n")
            defer { dir.remove() }
            let all = base.merging(["AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-2"]) { $1 }
            #expect(try resolve(all, region: "us-east-2").region == "us-east-2")
            #expect(try resolve(all).region == "eu-west-1")
            #expect(try resolve(base.merging(["AWS_DEFAULT_REGION": "eu-west-2"]) { $1 }).region == "eu-west-2")
            #expect(try resolve(base).region == "ap-south-1")
            #expect(try resolve(base, profile: "other").region == "sa-east-1")
            #expect(try resolve(base.merging(["AWS_PROFILE": "other"]) { $1 }).region == "sa-east-1")
            #expect(try resolve(base.merging(["AWS_PROFILE": "other"]) { $1 }).profile == "other")
            #expect(throws: AWSConfigurationError.noRegion(profile: "missing-region")) {
                try resolve(base.merging(["AWS_PROFILE": "missing-region"]) { $1 })
            }
            #expect(throws: AWSConfigurationError.profileNotFound("ghost")) { try resolve(base, profile: "ghost") }
            #expect(throws: AWSConfigurationError.self) { try resolve(base, region: "us east 1") }
        }
        do {
            let (dir, base) = try files()
            defer { dir.remove() }
            do {
                _ = try resolve(base)
                Issue.record("expected an error")
            } catch let error as AWSConfigurationError {
                #expect(error.description.contains("you must specify a region"))
            }
        }
    }

    @Test func endpointPrecedence() throws {
        let config = """
        [default]
        region = us-west-2
        endpoint_url = http://profile-global:1
        [profile svc]
        region = us-west-2
        services = local
        endpoint_url = http://profile-global:1
        [profile ignoring]
        region = us-west-2
        endpoint_url = http://profile-global:1
        ignore_configured_endpoint_urls = true
        [services local]
        apprunner =
          endpoint_url = http://services-section:2
        """
        do {
            let (dir, base) = try files(config: config)
            defer { dir.remove() }
            let env = base.merging(["AWS_ENDPOINT_URL_APPRUNNER": "http://env-service:3", "AWS_ENDPOINT_URL": "http://env-global:4"]) { $1 }
            #expect(try resolve(env, endpoint: "http://option:5").endpoint.absoluteString == "http://option:5")
            #expect(try resolve(env).endpoint.absoluteString == "http://env-service:3")
            #expect(try resolve(base.merging(["AWS_ENDPOINT_URL": "http://env-global:4"]) { $1 }).endpoint.absoluteString == "http://env-global:4")
            #expect(try resolve(base, profile: "svc").endpoint.absoluteString == "http://services-section:2")
            #expect(try resolve(base).endpoint.absoluteString == "http://profile-global:1")
            #expect(try resolve(base).endpointIsCustom)
            #expect(try resolve(base, profile: "ignoring").endpoint.absoluteString == "https://apprunner.us-west-2.amazonaws.com")
            let ignored = env.merging(["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"]) { $1 }
            #expect(try resolve(ignored).endpoint.absoluteString == "https://apprunner.us-west-2.amazonaws.com")
            #expect(try !resolve(ignored).endpointIsCustom)
            // The option is not a "configured" endpoint: it still applies.
            #expect(try resolve(ignored, endpoint: "http://option:5").endpoint.absoluteString == "http://option:5")
            #expect(try resolve(ignored, region: "cn-north-1").endpoint.absoluteString == "https://apprunner.cn-north-1.amazonaws.com.cn")
            #expect(throws: AWSConfigurationError.invalidEndpoint("not a url")) { try resolve(base, endpoint: "not a url") }
            #expect(throws: AWSConfigurationError.invalidEndpoint("ftp://x")) { try resolve(base, endpoint: "ftp://x") }
        }
        #expect(AWSEndpointResolver.environmentSuffix(serviceId: "Elastic Beanstalk") == "ELASTIC_BEANSTALK")
        #expect(AWSEndpointResolver.servicesKey(serviceId: "AppRunner") == "apprunner")
    }

    @Test func maxAttemptsPrecedence() throws {
        do {
            let (dir, base) = try files(config: "[default]\nregion = us-east-1\nmax_attempts = 7\n[profile bad]\nregion = us-east-1\nmax_attempts = lots\n")
            defer { dir.remove() }
            #expect(try AWSClientConfiguration.resolve(service: appRunnerInfo, maxAttempts: 2, environment: base.merging(["AWS_MAX_ATTEMPTS": "5"]) { $1 }).maxAttempts == 2)
            #expect(try resolve(base.merging(["AWS_MAX_ATTEMPTS": "5"]) { $1 }).maxAttempts == 5)
            #expect(try resolve(base).maxAttempts == 7)
            #expect(throws: AWSConfigurationError.self) { try resolve(base, profile: "bad") }
            #expect(throws: AWSConfigurationError.self) { try resolve(base.merging(["AWS_MAX_ATTEMPTS": "0"]) { $1 }) }
        }
        do {
            let (dir, base) = try files()
            defer { dir.remove() }
            #expect(try resolve(base, region: "us-east-1").maxAttempts == 3)
        }
    }

    @Test func credentialsExplicitOrChain() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try dir.write(".aws/credentials", "[default]\naws_access_key_id = AKFILE\naws_secret_access_key = filesecret\n")
        let env = ["HOME": dir.path, "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"]
        let explicit = try resolve(env, credentials: testCredentials)
        #expect(explicit.credentialSource == "explicit")
        #expect(try await explicit.credentialProvider.credentials() == testCredentials)
        let chained = try resolve(env)
        #expect(chained.credentialSource.contains("chain"))
        #expect(try await chained.credentialProvider.credentials().accessKeyId == "AKFILE")
        // The configured client reaches a loopback endpoint with them.
        let server = try await TestServer.start { request, _ in
            request.header("Authorization")?.contains("Credential=AKFILE/") == true ? .json("{}") : TestServer.Answer(status: 403)
        }
        defer { server.stop() }
        let client = AWSJSONClient(configuration: try resolve(env, endpoint: server.url), userAgent: "runnerdeck/test")
        #expect(try await client.send(operation: "ListServices", body: Data("{}".utf8)) == Data("{}".utf8))
        try await client.shutdown()
    }
}
