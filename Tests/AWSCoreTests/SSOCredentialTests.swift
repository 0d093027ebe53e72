import Foundation
import Testing

@testable import AWSCore

/// IAM Identity Center profiles against a loopback portal and OIDC (``SSOLoopback``).
@Suite(.timeLimit(.minutes(5))) struct SSOCredentialTests {
    static let sessionKey = "0ad374308c5a4e22f723adf10145eafad7c4031c"  // sha1("my-sso")
    static let legacyKey = "e8be5486177c5b5392bd9aa76563515b29358e6e"  // sha1("https://example.awsapps.com/start")
    static let config = """
        [profile dev]
        sso_session = my-sso
        sso_account_id = 111122223333
        sso_role_name = Developer
        region = eu-west-1
        [sso-session my-sso]
        sso_start_url = https://example.awsapps.com/start
        sso_region = eu-west-1
        sso_registration_scopes = sso:account:access
        [profile legacy]
        sso_start_url = https://example.awsapps.com/start
        sso_region = eu-west-1
        sso_account_id = 444455556666
        sso_role_name = ReadOnly
        [profile deploy]
        role_arn = arn:aws:iam::111122223333:role/deploy
        source_profile = dev
        region = eu-west-1
        [profile broken]
        sso_session = nowhere
        sso_account_id = 1
        sso_role_name = R
        """

    struct Fixture {
        let dir: TempDir
        let sso: SSOLoopback
        var environment: [String: String]

        init(extra: [String: String] = [:]) async throws {
            dir = try TempDir()
            sso = try await SSOLoopback.start()
            try dir.write("config", SSOCredentialTests.config)
            environment = ["HOME": dir.path, "AWS_CONFIG_FILE": dir.path + "/config", "AWS_SHARED_CREDENTIALS_FILE": dir.path + "/credentials"]
                .merging(sso.environment) { $1 }.merging(extra) { $1 }
        }

        /// Writes a token cache document as `aws sso login` does.
        func cache(_ key: String, accessToken: String, expiresIn: TimeInterval, refreshToken: String? = "refresh-0",
                   registrationExpiresIn: TimeInterval = 86_400) throws {
            var document: [String: Any] = [
                "startUrl": "https://example.awsapps.com/start", "region": "eu-west-1", "accessToken": accessToken,
                "expiresAt": JSONCacheFile.formatDate(Date().addingTimeInterval(expiresIn)),
            ]
            if let refreshToken {
                document["refreshToken"] = refreshToken
                document["clientId"] = "client-0"
                document["clientSecret"] = "client-secret-0"
                document["registrationExpiresAt"] = JSONCacheFile.formatDate(Date().addingTimeInterval(registrationExpiresIn))
            }
            let data = try JSONSerialization.data(withJSONObject: document)
            try dir.write(".aws/sso/cache/\(key).json", String(decoding: data, as: UTF8.self))
        }

        func cached(_ key: String) throws -> [String: Any] {
            let data = try Data(contentsOf: dir.url.appendingPathComponent(".aws/sso/cache/\(key).json"))
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }

        func credentials(_ profile: String) async throws -> AWSCredentials {
            try await ProfileCredentialProvider(profile: profile, environment: environment).credentials()
        }

        func finish() {
            sso.stop()
            dir.remove()
        }
    }

    @Test func cacheKeysAreTheCLIs() throws {
        let session = SSOSettings(startURL: "https://example.awsapps.com/start", region: "eu-west-1", sessionName: "my-sso")
        #expect(session.tokenCacheKey == Self.sessionKey)
        let legacy = SSOSettings(startURL: "https://example.awsapps.com/start", region: "eu-west-1")
        #expect(legacy.tokenCacheKey == Self.legacyKey)
        let dir = try TempDir()
        defer { dir.remove() }
        let path = try dir.write("config", Self.config)
        let config = try AWSSharedConfig.load(environment: ["AWS_CONFIG_FILE": path, "AWS_SHARED_CREDENTIALS_FILE": dir.path + "/none"])
        let dev = try SSOSettings.forProfile("dev", config: config, requireRole: true)
        #expect(dev.sessionName == "my-sso" && dev.registrationScopes == ["sso:account:access"] && dev.accountId == "111122223333")
        #expect(throws: AWSConfigurationError.self) { try SSOSettings.forProfile("broken", config: config, requireRole: true) }
    }

    @Test func sessionFormGetsRoleCredentials() async throws {
        let fixture = try await Fixture()
        defer { fixture.finish() }
        await fixture.sso.state.accept(accessToken: "cached-token")
        try fixture.cache(Self.sessionKey, accessToken: "cached-token", expiresIn: 3600)
        let credentials = try await fixture.credentials("dev")
        #expect(credentials.accessKeyId == "ASIA-111122223333-Developer-cached-token")
        #expect(credentials.sessionToken == "session-ASIA-111122223333-Developer-cached-token")
        #expect(credentials.expiration.map { $0.timeIntervalSinceNow > 3000 } == true)
        let request = try #require(await fixture.sso.requests(to: "/federation/credentials").first)
        #expect(request.method == "GET")
        #expect(request.header("x-amz-sso_bearer_token") == "cached-token")
        #expect(request.query.contains("role_name=Developer") && request.query.contains("account_id=111122223333"))
        #expect(await fixture.sso.requests(to: "/token").isEmpty)
    }

    @Test func legacyFormReadsTheStartURLKeyAndNeverRefreshes() async throws {
        let fixture = try await Fixture()
        defer { fixture.finish() }
        await fixture.sso.state.accept(accessToken: "legacy-token")
        try fixture.cache(Self.legacyKey, accessToken: "legacy-token", expiresIn: 60)
        #expect(try await fixture.credentials("legacy").accessKeyId == "ASIA-444455556666-ReadOnly-legacy-token")
        try fixture.cache(Self.legacyKey, accessToken: "legacy-token", expiresIn: -60)
        let error = await expectCredentialsError { try await fixture.credentials("legacy") }
        #expect(error?.description.contains("runnerdeck login --profile legacy") == true)
        #expect(error?.description.contains("\n") == false)
        #expect(await fixture.sso.requests(to: "/token").isEmpty)
    }

    @Test func missingTokenNamesTheProfileAndTheFix() async throws {
        let fixture = try await Fixture()
        defer { fixture.finish() }
        let error = await expectCredentialsError { try await fixture.credentials("dev") }
        let text = try #require(error?.description)
        #expect(text.contains("profile dev") && text.contains("my-sso") && text.contains("'runnerdeck login --profile dev'") && text.contains("aws sso login --profile dev"))
        #expect(!text.contains("\n"))
    }

    @Test func expiringTokenIsRefreshedAndWrittenBack() async throws {
        let fixture = try await Fixture()
        defer { fixture.finish() }
        await fixture.sso.state.accept(refreshToken: "refresh-0")
        try fixture.cache(Self.sessionKey, accessToken: "old-token", expiresIn: 300)
        let credentials = try await fixture.credentials("dev")
        #expect(credentials.accessKeyId == "ASIA-111122223333-Developer-access-1")
        let refresh = try #require(await fixture.sso.requests(to: "/token").first)
        let body = try #require(try JSONSerialization.jsonObject(with: refresh.body) as? [String: String])
        #expect(body == ["grantType": "refresh_token", "clientId": "client-0", "clientSecret": "client-secret-0", "refreshToken": "refresh-0"])
        let document = try fixture.cached(Self.sessionKey)
        #expect(document["accessToken"] as? String == "access-1")
        #expect(document["refreshToken"] as? String == "refresh-1")
        #expect(document["clientId"] as? String == "client-0")
        #expect(document["startUrl"] as? String == "https://example.awsapps.com/start")
        let expires = try #require((document["expiresAt"] as? String).flatMap(JSONCacheFile.parseDate))
        #expect(expires.timeIntervalSinceNow > 3500)
        #expect((document["expiresAt"] as? String)?.hasSuffix("Z") == true)
        // The next use reads the refreshed token: no second refresh.
        _ = try await fixture.credentials("dev")
        #expect(await fixture.sso.requests(to: "/token").count == 1)
    }

    @Test func refusedRefreshKeepsAValidTokenAndFailsAnExpiredOne() async throws {
        let fixture = try await Fixture()
        defer { fixture.finish() }
        await fixture.sso.state.accept(accessToken: "old-token")
        try fixture.cache(Self.sessionKey, accessToken: "old-token", expiresIn: 300, refreshToken: "revoked")
        #expect(try await fixture.credentials("dev").accessKeyId == "ASIA-111122223333-Developer-old-token")
        try fixture.cache(Self.sessionKey, accessToken: "old-token", expiresIn: -10, refreshToken: "revoked")
        let error = await expectCredentialsError { try await fixture.credentials("dev") }
        let text = try #require(error?.description)
        #expect(text.contains("InvalidGrantException") && text.contains("runnerdeck login --profile dev"))
        #expect(try fixture.cached(Self.sessionKey)["accessToken"] as? String == "old-token")
        // An expired registration is not even tried.
        try fixture.cache(Self.sessionKey, accessToken: "old-token", expiresIn: -10, registrationExpiresIn: -1)
        _ = await expectCredentialsError { try await fixture.credentials("dev") }
        #expect(await fixture.sso.requests(to: "/token").count == 2)
    }

    @Test func portalRefusalSaysToSignInAgain() async throws {
        let fixture = try await Fixture()
        defer { fixture.finish() }
        try fixture.cache(Self.sessionKey, accessToken: "unknown-token", expiresIn: 3600)
        let error = await expectCredentialsError { try await fixture.credentials("dev") }
        #expect(error?.description.contains("UnauthorizedException") == true)
        #expect(error?.description.contains("runnerdeck login --profile dev") == true)
    }

    @Test func concurrentRequestsShareOneRefresh() async throws {
        let fixture = try await Fixture()
        defer { fixture.finish() }
        await fixture.sso.state.accept(refreshToken: "refresh-0")
        try fixture.cache(Self.sessionKey, accessToken: "old-token", expiresIn: 60)
        let environment = fixture.environment
        let keys = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 {
                group.addTask { try await ProfileCredentialProvider(profile: "dev", environment: environment).credentials().accessKeyId }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(keys == ["ASIA-111122223333-Developer-access-1"])
        #expect(await fixture.sso.requests(to: "/token").count == 1)
    }

    @Test func ssoProfileAsSourceOfARole() async throws {
        let sts = try await TestServer.start { request, _ in
            let keyId = request.header("Authorization").flatMap(SigV4Authorization.init(header:))?.accessKeyId ?? ""
            return stsAnswer("AssumeRole", key: "AKROLE-by-\(keyId)")
        }
        defer { sts.stop() }
        let fixture = try await Fixture(extra: ["AWS_ENDPOINT_URL_STS": sts.url])
        defer { fixture.finish() }
        await fixture.sso.state.accept(accessToken: "cached-token")
        try fixture.cache(Self.sessionKey, accessToken: "cached-token", expiresIn: 3600)
        let credentials = try await fixture.credentials("deploy")
        #expect(credentials.accessKeyId == "AKROLE-by-ASIA-111122223333-Developer-cached-token")
        let call = try #require(await sts.requests.first)
        #expect(call.header("X-Amz-Security-Token") == "session-ASIA-111122223333-Developer-cached-token")
    }

    @Test func servicesSectionsPointTheClientsAsTheCLIReadsThem() async throws {
        let fixture = try await Fixture()
        defer { fixture.finish() }
        // No AWS_ENDPOINT_URL_SSO*: the profile's [services] section names the loopback for both.
        var environment = fixture.environment
        environment["AWS_ENDPOINT_URL_SSO"] = nil
        environment["AWS_ENDPOINT_URL_SSO_OIDC"] = nil
        try fixture.dir.write("config", Self.config.replacingOccurrences(of: "[profile dev]\n", with: "[profile dev]\nservices = local\n") + """

            [services local]
            sso =
              endpoint_url = \(fixture.sso.url)
            sso_oidc =
              endpoint_url = \(fixture.sso.url)
            """)
        await fixture.sso.state.accept(refreshToken: "refresh-0")
        try fixture.cache(Self.sessionKey, accessToken: "old-token", expiresIn: 60)
        let credentials = try await ProfileCredentialProvider(profile: "dev", environment: environment).credentials()
        #expect(credentials.accessKeyId == "ASIA-111122223333-Developer-access-1")
        #expect(await fixture.sso.requests(to: "/token").count == 1)
    }

    @Test func cacheDatesInEveryFormTheCLIWrites() {
        let expected = Date(timeIntervalSince1970: 1_795_000_000)
        for text in ["2026-11-18T11:06:40Z", "2026-11-18T11:06:40UTC", "2026-11-18T11:06:40+00:00", "2026-11-18T12:06:40+01:00",
                     "2026-11-18T11:06:40.000000+00:00", "2026-11-18 11:06:40Z"] {
            #expect(JSONCacheFile.parseDate(text) == expected, "\(text)")
        }
        #expect(JSONCacheFile.formatDate(expected) == "2026-11-18T11:06:40Z")
        #expect(JSONCacheFile.parseDate("yesterday") == nil)
    }
}
