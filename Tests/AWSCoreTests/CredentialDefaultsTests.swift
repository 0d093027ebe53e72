import Foundation
import NIOConcurrencyHelpers
import Testing

@testable import AWSCore

@Suite(.timeLimit(.minutes(5))) struct CredentialDefaultsTests {
    func environment(_ dir: TempDir, _ extra: [String: String] = [:]) -> [String: String] {
        ["HOME": dir.path, "AWS_CONFIG_FILE": dir.path + "/config", "AWS_SHARED_CREDENTIALS_FILE": dir.path + "/credentials"]
            .merging(extra) { $1 }
    }

    /// Counts calls; each answer expires `lifetime` seconds from now (real clock).
    final class ExpiringProvider: AWSCredentialProvider {
        let count = NIOLockedValueBox(0)
        let lifetime: TimeInterval
        init(lifetime: TimeInterval) { self.lifetime = lifetime }
        func credentials() async throws -> AWSCredentials {
            let number = count.withLockedValue { $0 += 1; return $0 }
            return AWSCredentials(accessKeyId: "AK\(number)", secretAccessKey: "s", sessionToken: "t", expiration: Date().addingTimeInterval(lifetime))
        }
    }

    @Test func cacheRefreshesInsideFiveMinutesAndKeepsOtherwise() async throws {
        let soon = ExpiringProvider(lifetime: 4 * 60)
        let soonCache = AWSCachedCredentialProvider(soon)
        var keys: [String] = []
        for _ in 0..<3 { keys.append(try await soonCache.credentials().accessKeyId) }
        #expect(keys == ["AK1", "AK2", "AK3"])
        #expect(soon.count.withLockedValue { $0 } == 3)

        let later = ExpiringProvider(lifetime: 3600)
        let laterCache = AWSCachedCredentialProvider(later)
        keys = []
        for _ in 0..<3 { keys.append(try await laterCache.credentials().accessKeyId) }
        #expect(keys == ["AK1", "AK1", "AK1"])
        #expect(later.count.withLockedValue { $0 } == 1)
    }

    @Test func credentialProcessBadOutput() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let notJSON = try dir.write("text.sh", "#!/bin/sh\necho 'hello, not json'\n", executable: true)
        let noSecret = try dir.write("nosecret.sh", "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKX\"}'\n", executable: true)
        let badDate = try dir.write("baddate.sh", "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKX\", \"SecretAccessKey\": \"s\", \"Expiration\": \"tomorrow\"}'\n", executable: true)
        let noKeys = try dir.write("nokeys.sh", "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKX\", \"SecretAccessKey\": \"s\"}'\n", executable: true)
        try dir.write("config", """
        [profile text]
        credential_process = \(notJSON)
        [profile nosecret]
        credential_process = \(noSecret)
        [profile baddate]
        credential_process = \(badDate)
        [profile missingcommand]
        credential_process = \(dir.path)/does-not-exist.sh
        [profile ok]
        credential_process = \(noKeys)
        """)
        let env = environment(dir)
        let text = await expectCredentialsError { try await ProfileCredentialProvider(profile: "text", environment: env).credentials() }
        #expect(text?.description.contains("did not print a JSON object") == true)
        let missing = await expectCredentialsError { try await ProfileCredentialProvider(profile: "nosecret", environment: env).credentials() }
        #expect(missing?.description.contains("lacks AccessKeyId or SecretAccessKey") == true)
        let date = await expectCredentialsError { try await ProfileCredentialProvider(profile: "baddate", environment: env).credentials() }
        #expect(date?.description.contains("'tomorrow' is not an ISO 8601 time") == true)
        let command = await expectCredentialsError { try await ProfileCredentialProvider(profile: "missingcommand", environment: env).credentials() }
        #expect(command?.description.contains("exited with status 127") == true)
        // Long-lived credentials from a process have no expiry and no token.
        let ok = try await ProfileCredentialProvider(profile: "ok", environment: env).credentials()
        #expect(ok == AWSCredentials(accessKeyId: "AKX", secretAccessKey: "s"))
    }

    @Test func profileNamedMergesBothFiles() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try dir.write("config", """
        # comment
        [default]
        region = eu-west-1
        [profile x]   ; trailing comment
          region   =   us-east-2   # inline
        aws_access_key_id = AKCONFIG
        aws_secret_access_key = configsecret
        [x]
        region = ignored-bare-section-in-config
        """)
        try dir.write("credentials", """
        ; comment
        [x]
        aws_access_key_id = AKCRED
        aws_secret_access_key = credsecret
        [profile y]
        aws_access_key_id = AKLITERAL
        """)
        let config = try AWSSharedConfig.load(environment: environment(dir))
        let x = (config.profile("x") ?? [:])
        #expect(x["region"] == "us-east-2")
        #expect(x["aws_access_key_id"] == "AKCRED")
        #expect(x["aws_secret_access_key"] == "credsecret")
        #expect((config.profile("default") ?? [:])["region"] == "eu-west-1")
        #expect((config.profile("ghost") ?? [:]).isEmpty)
        // In the credentials file, sections are plain names: "[profile y]" is a profile called "profile y".
        #expect((config.profile("profile y") ?? [:])["aws_access_key_id"] == "AKLITERAL")
        #expect((config.profile("y") ?? [:]).isEmpty)

        // `~` in the file variables is the home directory.
        let tilde = try AWSSharedConfig.load(environment: ["HOME": dir.path, "AWS_CONFIG_FILE": "~/config", "AWS_SHARED_CREDENTIALS_FILE": "~/credentials"])
        #expect((tilde.profile("x") ?? [:])["aws_access_key_id"] == "AKCRED")
    }

    @Test func defaultChainExplicitEnvironmentAndCache() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try dir.write("credentials", "[default]\naws_access_key_id = AKFILE\naws_secret_access_key = filesecret\n")
        let env = environment(dir, ["AWS_ACCESS_KEY_ID": "AKENV", "AWS_SECRET_ACCESS_KEY": "envsecret", "AWS_EC2_METADATA_DISABLED": "true"])
        let explicit = AWSCredentials(accessKeyId: "AKEXPLICIT", secretAccessKey: "x")
        let withExplicit = AWSCredentialProviderChain.defaultChain(profile: nil, explicit: explicit, environment: env)
        #expect(try await withExplicit.credentials() == explicit)
        #expect(withExplicit is AWSCachedCredentialProvider)

        let fromEnv = AWSCredentialProviderChain.defaultChain(profile: nil, explicit: nil, environment: env)
        #expect(try await fromEnv.credentials().accessKeyId == "AKENV")
        #expect(fromEnv is AWSCachedCredentialProvider)

        let fromFile = AWSCredentialProviderChain.defaultChain(profile: nil, explicit: nil, environment: env.filter { !$0.key.hasPrefix("AWS_ACCESS") && !$0.key.hasPrefix("AWS_SECRET") })
        #expect(try await fromFile.credentials().accessKeyId == "AKFILE")

        let configuration = try AWSClientConfiguration.resolve(service: appRunnerInfo, region: "us-east-1", credentials: explicit, environment: env)
        #expect(try await configuration.credentialProvider.credentials() == explicit)
    }

    @Test func containerComesBeforeInstanceMetadata() async throws {
        let container = try await TestServer.start { request, _ in
            request.header("Authorization") == "tok" ? .json(#"{"AccessKeyId":"AKECS","SecretAccessKey":"s","Token":"t"}"#) : TestServer.Answer(status: 401)
        }
        defer { container.stop() }
        let imds = try await CredentialTests.imdsServer()
        defer { imds.stop() }
        let dir = try TempDir()
        defer { dir.remove() }
        let env = environment(dir, ["AWS_CONTAINER_CREDENTIALS_FULL_URI": container.url + "/c", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "tok",
                                    "AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.url])
        let resolved = try await AWSCredentialProviderChain.standard(environment: env).resolve()
        #expect(resolved.credentials.accessKeyId == "AKECS")
        #expect(resolved.source == "container")
        #expect(await imds.requests.isEmpty)

        // Without the container variables the chain reaches instance metadata.
        let fallback = try await AWSCredentialProviderChain.standard(environment: env.filter { !$0.key.hasPrefix("AWS_CONTAINER") }).resolve()
        #expect(fallback.source == "instance metadata")
        #expect(await imds.requests.count == 3)
    }
}
