import Foundation
import NIOConcurrencyHelpers
import NIOCore
import Testing

@testable import AWSCore

/// Form fields of a query-protocol body.
func formFields(_ body: Data) -> [String: String] {
    var fields: [String: String] = [:]
    for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
        let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let name = String(parts[0]).removingPercentEncoding ?? ""
        fields[name] = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? "") : ""
    }
    return fields
}

func stsAnswer(_ action: String, key: String) -> TestServer.Answer {
    TestServer.Answer(status: 200, headers: [("Content-Type", "text/xml")], body: """
    <\(action)Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
      <\(action)Result>
        <Credentials>
          <AccessKeyId>\(key)</AccessKeyId>
          <SecretAccessKey>secret-&amp;-\(key)</SecretAccessKey>
          <SessionToken>token-\(key)</SessionToken>
          <Expiration>2030-01-02T03:04:05Z</Expiration>
        </Credentials>
        <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>
      </\(action)Result>
      <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>
    </\(action)Response>
    """)
}

func expectCredentialsError(_ body: () async throws -> AWSCredentials) async -> AWSCredentialsError? {
    do {
        let credentials = try await body()
        Issue.record("expected an error, got \(credentials)")
        return nil
    } catch let error as AWSCredentialsError {
        return error
    } catch {
        Issue.record("unexpected error \(error)")
        return nil
    }
}

@Suite(.timeLimit(.minutes(5))) struct CredentialTests {
    /// An environment whose shared files live in `dir` (and whose IMDS is unreachable at once).
    func environment(_ dir: TempDir, _ extra: [String: String] = [:]) -> [String: String] {
        ["HOME": dir.path, "AWS_CONFIG_FILE": dir.path + "/config", "AWS_SHARED_CREDENTIALS_FILE": dir.path + "/credentials"]
            .merging(extra) { $1 }
    }

    @Test func environmentProvider() async throws {
        let full = try await EnvironmentCredentialProvider(environment: [
            "AWS_ACCESS_KEY_ID": "AKENV", "AWS_SECRET_ACCESS_KEY": "envsecret", "AWS_SESSION_TOKEN": "envtoken",
            "AWS_CREDENTIAL_EXPIRATION": "2030-01-01T00:00:00Z",
        ]).credentials()
        #expect(full == AWSCredentials(accessKeyId: "AKENV", secretAccessKey: "envsecret", sessionToken: "envtoken",
                                       expiration: Date(timeIntervalSince1970: 1_893_456_000)))
        let partial = await expectCredentialsError { try await EnvironmentCredentialProvider(environment: ["AWS_ACCESS_KEY_ID": "AK"]).credentials() }
        #expect(partial?.description.contains("AWS_SECRET_ACCESS_KEY is not") == true)
        guard case .notFound = await expectCredentialsError({ try await EnvironmentCredentialProvider(environment: [:]).credentials() }) else {
            Issue.record("expected notFound")
            return
        }
    }

    @Test func sharedFilesWithProfiles() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try dir.write("config", """
        # comment
        [default]
        region = us-west-2
        aws_access_key_id = AKCONFIGDEFAULT
        aws_secret_access_key = configdefault

        [profile dev]
        region = eu-central-1 ; inline comment
        aws_access_key_id = AKCONFIGDEV
        aws_secret_access_key = configdev
        """)
        try dir.write("credentials", """
        [dev]
        aws_access_key_id = AKCREDDEV
        aws_secret_access_key = creddev
        aws_session_token = tokendev
        """)
        let env = environment(dir)
        // The credentials file wins over the config file for the same profile.
        let dev = try await ProfileCredentialProvider(profile: "dev", environment: env).credentials()
        #expect(dev == AWSCredentials(accessKeyId: "AKCREDDEV", secretAccessKey: "creddev", sessionToken: "tokendev"))
        let viaEnv = try await ProfileCredentialProvider(environment: env.merging(["AWS_PROFILE": "dev"]) { $1 }).credentials()
        #expect(viaEnv.accessKeyId == "AKCREDDEV")
        let fallback = try await ProfileCredentialProvider(environment: env).credentials()
        #expect(fallback.accessKeyId == "AKCONFIGDEFAULT")

        let missing = await expectCredentialsError { try await ProfileCredentialProvider(profile: "nope", environment: env).credentials() }
        #expect(missing?.description.contains("(nope) could not be found") == true)

        let config = try AWSSharedConfig.load(environment: env)
        #expect(config.value("region", profile: "dev") == "eu-central-1")
        // ~ and HOME: the default paths are under HOME/.aws.
        #expect(AWSSharedConfig.configPath(environment: ["HOME": "/h"]) == "/h/.aws/config")
        #expect(AWSSharedConfig.credentialsPath(environment: ["HOME": "/h", "AWS_SHARED_CREDENTIALS_FILE": "~/c"]) == "/h/c")
    }

    @Test func iniParsingOfNestedSettings() throws {
        let sections = AWSSharedConfig.parseINI("""
        [profile a]
        s3 =
          max_concurrent_requests = 20
        region=us-east-1
        [bad section
        key = ignored
        [services local]
        apprunner =
            endpoint_url = http://localhost:8080
        """)
        // The unterminated section header and its keys are skipped.
        try #require(sections.count == 2)
        #expect(sections[0].0 == "profile a")
        #expect(sections[0].1["s3.max_concurrent_requests"] == "20")
        #expect(sections[0].1["region"] == "us-east-1")
        #expect(sections[1].0 == "services local")
        #expect(sections[1].1["apprunner.endpoint_url"] == "http://localhost:8080")
    }

    @Test func credentialProcess() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let good = try dir.write("good.sh", """
        #!/bin/sh
        echo "args: $1" >&2
        printf '{"Version": 1, "AccessKeyId": "AKPROC", "SecretAccessKey": "procsecret", "SessionToken": "proctoken", "Expiration": "2031-05-06T07:08:09.123Z"}'
        """, executable: true)
        let failing = try dir.write("fail.sh", "#!/bin/sh\necho 'sso session expired' >&2\nexit 3\n", executable: true)
        let wrongVersion = try dir.write("v2.sh", "#!/bin/sh\necho '{\"Version\": 2, \"AccessKeyId\": \"a\", \"SecretAccessKey\": \"b\"}'\n", executable: true)
        try dir.write("config", """
        [profile proc]
        credential_process = \(good) --flag
        [profile failing]
        credential_process = \(failing)
        [profile v2]
        credential_process = \(wrongVersion)
        """)
        let env = environment(dir)
        let credentials = try await ProfileCredentialProvider(profile: "proc", environment: env).credentials()
        #expect(credentials.accessKeyId == "AKPROC")
        #expect(credentials.secretAccessKey == "procsecret")
        #expect(credentials.sessionToken == "proctoken")
        let expiration = try #require(credentials.expiration)
        #expect(abs(expiration.timeIntervalSince1970 - 1_935_817_689.123) < 0.01)

        let failed = await expectCredentialsError { try await ProfileCredentialProvider(profile: "failing", environment: env).credentials() }
        #expect(failed?.description.contains("exited with status 3") == true)
        #expect(failed?.description.contains("sso session expired") == true)
        let v2 = await expectCredentialsError { try await ProfileCredentialProvider(profile: "v2", environment: env).credentials() }
        #expect(v2?.description.contains("only Version 1") == true)
    }

    @Test func assumeRoleAgainstLoopbackSTS() async throws {
        let server = try await TestServer.start { request, _ in
            let fields = formFields(request.body)
            guard fields["Action"] == "AssumeRole", fields["Version"] == "2011-06-15" else {
                return TestServer.Answer(status: 400, body: "<ErrorResponse><Error><Code>InvalidAction</Code><Message>bad</Message></Error></ErrorResponse>")
            }
            // The source profile's keys (or, for a chained role, the first role's) signed the call.
            let keyId = request.header("Authorization").flatMap(SigV4Authorization.init(header:))?.accessKeyId ?? ""
            let secret = keyId == "AKBASE" ? "basesecret" : "secret-&-\(keyId)"
            let key = AWSCredentials(accessKeyId: keyId, secretAccessKey: secret, sessionToken: request.header("X-Amz-Security-Token"))
            let verifier = SigV4Verifier(credentials: [key], region: "eu-west-3", service: "sts")
            let head = SigV4Verifier.RequestHead(method: request.method, path: request.path, query: request.query, headers: request.headers)
            guard (try? verifier.verify(head, payloadHash: SigV4Signer.hexSHA256(request.body))) != nil else {
                return TestServer.Answer(status: 403, body: "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>no</Message></Error></ErrorResponse>")
            }
            if fields["RoleArn"] == "arn:aws:iam::123456789012:role/denied" {
                return TestServer.Answer(status: 403, body: "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not allowed &amp; logged</Message></Error></ErrorResponse>")
            }
            if fields["RoleArn"] == "arn:aws:iam::123456789012:role/second" {
                return stsAnswer("AssumeRole", key: "AKSECOND-by-\(keyId)")
            }
            return stsAnswer("AssumeRole", key: "AK-\(fields["RoleSessionName"] ?? "")-\(fields["ExternalId"] ?? "")-\(fields["DurationSeconds"] ?? "")")
        }
        defer { server.stop() }
        let dir = try TempDir()
        defer { dir.remove() }
        try dir.write("config", """
        [profile deploy]
        role_arn = arn:aws:iam::123456789012:role/deploy
        source_profile = base
        role_session_name = mysession
        external_id = ext-1
        duration_seconds = 900
        region = eu-west-3
        [profile chained]
        role_arn = arn:aws:iam::123456789012:role/second
        source_profile = deploy
        region = eu-west-3
        [profile fromenv]
        role_arn = arn:aws:iam::123456789012:role/fromenv
        credential_source = Environment
        role_session_name = envsession
        region = eu-west-3
        [profile denied]
        role_arn = arn:aws:iam::123456789012:role/denied
        source_profile = base
        region = eu-west-3
        [profile loop]
        role_arn = arn:aws:iam::123456789012:role/loop
        source_profile = loop
        """)
        try dir.write("credentials", "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = basesecret\n")
        let env = environment(dir, ["AWS_ENDPOINT_URL_STS": server.url])
        let credentials = try await ProfileCredentialProvider(profile: "deploy", environment: env).credentials()
        #expect(credentials.accessKeyId == "AK-mysession-ext-1-900")
        #expect(credentials.secretAccessKey == "secret-&-AK-mysession-ext-1-900")
        #expect(credentials.sessionToken == "token-AK-mysession-ext-1-900")
        #expect(credentials.expiration == parseISO8601("2030-01-02T03:04:05Z"))
        let request = try #require(await server.requests.first)
        #expect(request.method == "POST")
        #expect(request.header("Content-Type")?.hasPrefix("application/x-www-form-urlencoded") == true)
        #expect(formFields(request.body)["RoleArn"] == "arn:aws:iam::123456789012:role/deploy")

        let chained = try await ProfileCredentialProvider(profile: "chained", environment: env).credentials()
        #expect(chained.accessKeyId == "AKSECOND-by-AK-mysession-ext-1-900")
        let fromEnvironment = try await ProfileCredentialProvider(profile: "fromenv", environment: env.merging([
            "AWS_ACCESS_KEY_ID": "AKBASE", "AWS_SECRET_ACCESS_KEY": "basesecret",
        ]) { $1 }).credentials()
        #expect(fromEnvironment.accessKeyId == "AK-envsession--")
        let noSource = await expectCredentialsError { try await ProfileCredentialProvider(profile: "fromenv", environment: env).credentials() }
        #expect(noSource?.description.contains("credential_source Environment") == true)

        let denied = await expectCredentialsError { try await ProfileCredentialProvider(profile: "denied", environment: env).credentials() }
        #expect(denied?.description.contains("AccessDenied: not allowed & logged") == true)

        let loop = await expectCredentialsError { try await ProfileCredentialProvider(profile: "loop", environment: env).credentials() }
        #expect(loop?.description.contains("infinite loop") == true)
        #expect(await server.requests.count == 5)

        // The files part of the chain leaves role profiles to the assume-role part.
        guard case .notFound = await expectCredentialsError({ try await ProfileCredentialProvider(profile: "base", part: .assumeRole, environment: env).credentials() }) else {
            Issue.record("a profile without role_arn must be notFound for the assume-role part")
            return
        }
    }

    @Test func webIdentityAgainstLoopbackSTS() async throws {
        let server = try await TestServer.start { request, _ in
            let fields = formFields(request.body)
            guard fields["Action"] == "AssumeRoleWithWebIdentity", request.header("Authorization") == nil else {
                return TestServer.Answer(status: 400, body: "<ErrorResponse><Error><Code>Unexpected</Code><Message>signed or wrong action</Message></Error></ErrorResponse>")
            }
            guard fields["WebIdentityToken"] == "eyJ.web.token" else {
                return TestServer.Answer(status: 400, body: "<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>bad token</Message></Error></ErrorResponse>")
            }
            return stsAnswer("AssumeRoleWithWebIdentity", key: "AKWEB-\(fields["RoleSessionName"] ?? "")-\(fields["RoleArn"] ?? "")")
        }
        defer { server.stop() }
        let dir = try TempDir()
        defer { dir.remove() }
        let tokenFile = try dir.write("token", "eyJ.web.token\n")
        let badToken = try dir.write("bad-token", "nope")
        let env = environment(dir, ["AWS_ENDPOINT_URL_STS": server.url, "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile,
                                    "AWS_ROLE_ARN": "arn:aws:iam::1:role/web", "AWS_ROLE_SESSION_NAME": "pod-1"])
        let credentials = try await WebIdentityCredentialProvider(environment: env).credentials()
        #expect(credentials.accessKeyId == "AKWEB-pod-1-arn:aws:iam::1:role/web")
        #expect(credentials.sessionToken != nil)

        let bad = await expectCredentialsError {
            try await WebIdentityCredentialProvider(environment: env.merging(["AWS_WEB_IDENTITY_TOKEN_FILE": badToken]) { $1 }).credentials()
        }
        #expect(bad?.description.contains("InvalidIdentityToken: bad token") == true)
        let noRole = await expectCredentialsError {
            try await WebIdentityCredentialProvider(environment: env.filter { $0.key != "AWS_ROLE_ARN" }).credentials()
        }
        #expect(noRole?.description.contains("AWS_ROLE_ARN") == true)

        // A profile with web_identity_token_file goes the same way.
        try dir.write("config", "[profile web]\nrole_arn = arn:aws:iam::1:role/fromprofile\nweb_identity_token_file = \(tokenFile)\nrole_session_name = prof\n")
        let fromProfile = try await ProfileCredentialProvider(profile: "web", environment: environment(dir, ["AWS_ENDPOINT_URL_STS": server.url])).credentials()
        #expect(fromProfile.accessKeyId == "AKWEB-prof-arn:aws:iam::1:role/fromprofile")
    }

    @Test func containerCredentialsWithTokenFile() async throws {
        let server = try await TestServer.start { request, _ in
            guard request.path == "/creds", request.header("Authorization") == "Bearer container-token" else {
                return TestServer.Answer(status: 401, body: "unauthorized")
            }
            return .json(#"{"AccessKeyId":"AKECS","SecretAccessKey":"ecssecret","Token":"ecstoken","Expiration":"2030-06-01T00:00:00Z","RoleArn":"arn"}"#)
        }
        defer { server.stop() }
        let dir = try TempDir()
        defer { dir.remove() }
        let tokenFile = try dir.write("token", "Bearer container-token\n")
        let credentials = try await ContainerCredentialProvider(environment: [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile,
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "ignored-when-file-is-set",
        ], timeout: .seconds(30)).credentials()
        #expect(credentials == AWSCredentials(accessKeyId: "AKECS", secretAccessKey: "ecssecret", sessionToken: "ecstoken",
                                              expiration: parseISO8601("2030-06-01T00:00:00Z")))
        let withToken = try await ContainerCredentialProvider(environment: [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Bearer container-token",
        ], timeout: .seconds(30)).credentials()
        #expect(withToken.accessKeyId == "AKECS")
        let unauthorized = await expectCredentialsError {
            try await ContainerCredentialProvider(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url + "/creds"], timeout: .seconds(30)).credentials()
        }
        #expect(unauthorized?.description.contains("HTTP 401") == true)

        let relative = ContainerCredentialProvider(environment: ["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc"])
        #expect(try relative.endpoint() == "http://169.254.170.2/v2/credentials/abc")
        let remote = ContainerCredentialProvider(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://evil.example.com/creds"])
        #expect(throws: AWSCredentialsError.self) { try remote.endpoint() }
        #expect(try ContainerCredentialProvider(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "https://creds.example.com/x"]).endpoint() != nil)
        #expect(try ContainerCredentialProvider(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://169.254.170.23/v1/credentials"]).endpoint() != nil)
        #expect(try ContainerCredentialProvider(environment: [:]).endpoint() == nil)
    }

    static func imdsServer(role: String? = "my-role") async throws -> TestServer {
        try await TestServer.start { request, _ in
            switch (request.method, request.path) {
            case ("PUT", "/latest/api/token"):
                guard request.header("X-aws-ec2-metadata-token-ttl-seconds") == "21600" else { return TestServer.Answer(status: 400) }
                return TestServer.Answer(body: "imds-session-token")
            case (_, _) where request.header("X-aws-ec2-metadata-token") != "imds-session-token":
                return TestServer.Answer(status: 401)
            case ("GET", "/latest/meta-data/iam/security-credentials/"):
                guard let role else { return TestServer.Answer(status: 404) }
                return TestServer.Answer(body: role + "\n")
            case ("GET", "/latest/meta-data/iam/security-credentials/my-role"):
                return .json(#"{"Code":"Success","LastUpdated":"2026-01-01T00:00:00Z","Type":"AWS-HMAC","AccessKeyId":"AKIMDS","SecretAccessKey":"imdssecret","Token":"imdstoken","Expiration":"2030-07-01T00:00:00Z"}"#)
            default:
                return TestServer.Answer(status: 404)
            }
        }
    }

    @Test func instanceMetadataV2() async throws {
        let server = try await Self.imdsServer()
        defer { server.stop() }
        let credentials = try await InstanceMetadataCredentialProvider(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url + "/", "AWS_METADATA_SERVICE_TIMEOUT": "30"]).credentials()
        #expect(credentials == AWSCredentials(accessKeyId: "AKIMDS", secretAccessKey: "imdssecret", sessionToken: "imdstoken",
                                              expiration: parseISO8601("2030-07-01T00:00:00Z")))
        let requests = await server.requests
        #expect(requests.map(\.method) == ["PUT", "GET", "GET"])

        guard case .notFound(let disabled) = await expectCredentialsError({
            try await InstanceMetadataCredentialProvider(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": server.url, "AWS_EC2_METADATA_DISABLED": "true"]).credentials()
        }) else { Issue.record("expected notFound"); return }
        #expect(disabled.contains("AWS_EC2_METADATA_DISABLED"))
        #expect(await server.requests.count == 3)

        let noRoleServer = try await Self.imdsServer(role: nil)
        defer { noRoleServer.stop() }
        guard case .notFound(let noRole) = await expectCredentialsError({
            try await InstanceMetadataCredentialProvider(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": noRoleServer.url, "AWS_METADATA_SERVICE_TIMEOUT": "30"]).credentials()
        }) else { Issue.record("expected notFound"); return }
        #expect(noRole.contains("no IAM role"))

        let port = try closedPort()
        guard case .notFound(let absent) = await expectCredentialsError({
            try await InstanceMetadataCredentialProvider(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(port)"]).credentials()
        }) else { Issue.record("expected notFound"); return }
        #expect(absent.contains("no instance metadata service at http://127.0.0.1:\(port)"))
    }

    @Test func metadataServiceTimeoutComesFromTheEnvironment() async throws {
        // A metadata service that takes 1.5 s per answer: too slow for the default 1 s deadline, in
        // time for AWS_METADATA_SERVICE_TIMEOUT=20 (as the AWS CLI reads it).
        let slow = try await TestServer.start { request, _ in
            try? await Task.sleep(nanoseconds: 1_500_000_000)
            return request.method == "PUT" ? TestServer.Answer(body: "imds-session-token") : TestServer.Answer(status: 404)
        }
        defer { slow.stop() }
        guard case .notFound(let late) = await expectCredentialsError({
            try await InstanceMetadataCredentialProvider(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": slow.url]).credentials()
        }) else { Issue.record("expected notFound"); return }
        #expect(late.contains("read timeout of 1 s"))
        guard case .notFound(let patient) = await expectCredentialsError({
            try await InstanceMetadataCredentialProvider(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": slow.url, "AWS_METADATA_SERVICE_TIMEOUT": "20"]).credentials()
        }) else { Issue.record("expected notFound"); return }
        #expect(patient.contains("no IAM role"))
        #expect(InstanceMetadataCredentialProvider.configuredTimeout(["AWS_METADATA_SERVICE_TIMEOUT": "2.5"]) == .milliseconds(2500))
        for bad in ["0", "-1", "soon", "nan", ""] {
            #expect(InstanceMetadataCredentialProvider.configuredTimeout(["AWS_METADATA_SERVICE_TIMEOUT": bad]) == nil)
        }
    }

    @Test func chainOrderAndSource() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        try dir.write("credentials", "[default]\naws_access_key_id = AKFILE\naws_secret_access_key = filesecret\n")
        let imds = try await Self.imdsServer()
        defer { imds.stop() }
        let base = environment(dir, ["AWS_EC2_METADATA_SERVICE_ENDPOINT": imds.url, "AWS_METADATA_SERVICE_TIMEOUT": "30"])

        let fromEnv = try await AWSCredentialProviderChain.standard(environment: base.merging(["AWS_ACCESS_KEY_ID": "AKENV", "AWS_SECRET_ACCESS_KEY": "s"]) { $1 }).resolve()
        #expect(fromEnv.credentials.accessKeyId == "AKENV")
        #expect(fromEnv.source == "environment")

        // An explicit --profile wins over the environment's keys.
        let explicit = try await AWSCredentialProviderChain.standard(profile: "default", environment: base.merging(["AWS_ACCESS_KEY_ID": "AKENV", "AWS_SECRET_ACCESS_KEY": "s"]) { $1 }).resolve()
        #expect(explicit.credentials.accessKeyId == "AKFILE")

        let fromFile = try await AWSCredentialProviderChain.standard(environment: base).resolve()
        #expect(fromFile.credentials.accessKeyId == "AKFILE")
        #expect(fromFile.source == "profile default")

        try FileManager.default.removeItem(atPath: dir.path + "/credentials")
        let fromIMDS = try await AWSCredentialProviderChain.standard(environment: base).resolve()
        #expect(fromIMDS.credentials.accessKeyId == "AKIMDS")
        #expect(fromIMDS.source == "instance metadata")
        #expect(await imds.requests.count == 3)
    }

    @Test func chainErrorListsEveryProvider() async throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let port = try closedPort()
        let chain = AWSCredentialProviderChain.standard(environment: environment(dir, ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:\(port)"]))
        let error = await expectCredentialsError { try await chain.credentials() }
        guard case .noCredentials(let attempts) = error else { Issue.record("expected noCredentials, got \(String(describing: error))"); return }
        #expect(attempts.map(\.provider) == ["environment", "profile default (assume role)", "web identity", "profile default", "container", "instance metadata"])
        let text = error?.description ?? ""
        #expect(text.contains("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"))
        #expect(text.contains("AWS_WEB_IDENTITY_TOKEN_FILE is not set"))
        #expect(text.contains("no profile 'default'"))
        #expect(text.contains("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"))
        #expect(text.contains("no instance metadata service"))

        // A provider that is configured but fails stops the chain with its own error.
        let broken = AWSCredentialProviderChain.standard(environment: environment(dir, ["AWS_ACCESS_KEY_ID": "only-the-key"]))
        let brokenError = await expectCredentialsError { try await broken.credentials() }
        #expect(brokenError?.description.contains("AWS_SECRET_ACCESS_KEY is not") == true)
    }

    /// Counts fetches; each answer expires `lifetime` seconds after the manual clock's time.
    final class CountingProvider: AWSCredentialProvider {
        let count = NIOLockedValueBox(0)
        let failing = NIOLockedValueBox(false)
        let clock: ManualClock
        let lifetime: TimeInterval
        init(clock: ManualClock, lifetime: TimeInterval) {
            self.clock = clock
            self.lifetime = lifetime
        }
        func credentials() async throws -> AWSCredentials {
            let number = count.withLockedValue { $0 += 1; return $0 }
            await Task.yield()
            if failing.withLockedValue({ $0 }) { throw AWSCredentialsError.failed(provider: "test", reason: "refresh failed") }
            return AWSCredentials(accessKeyId: "AK\(number)", secretAccessKey: "s", sessionToken: "t", expiration: clock.now().addingTimeInterval(lifetime))
        }
    }

    @Test func cacheRefreshesFiveMinutesBeforeExpiry() async throws {
        let clock = ManualClock(Date(timeIntervalSince1970: 2_000_000_000))
        let base = CountingProvider(clock: clock, lifetime: 3600)
        let cache = AWSCachedCredentialProvider(base, now: { clock.now() })

        // Concurrent first callers share one fetch.
        let keys = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { try await cache.credentials().accessKeyId } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(keys == ["AK1"])
        #expect(base.count.withLockedValue { $0 } == 1)

        clock.advance(by: 3600 - 301)
        #expect(try await cache.credentials().accessKeyId == "AK1")
        clock.advance(by: 2)  // now 299 s before expiry: inside the 5-minute window
        #expect(try await cache.credentials().accessKeyId == "AK2")
        #expect(await cache.fetchCount == 2)

        // A failed refresh while the cached credentials are still valid keeps them.
        clock.advance(by: 3600 - 200)
        base.failing.withLockedValue { $0 = true }
        #expect(try await cache.credentials().accessKeyId == "AK2")
        // Once they have expired, the failure surfaces.
        clock.advance(by: 400)
        await #expect(throws: AWSCredentialsError.self) { try await cache.credentials() }

        // Credentials without expiry are kept for good.
        let forever = AWSCachedCredentialProvider(StaticCredentialProvider(testCredentials), now: { clock.now() })
        _ = try await forever.credentials()
        clock.advance(by: 1e9)
        _ = try await forever.credentials()
        #expect(await forever.fetchCount == 1)
    }
}
