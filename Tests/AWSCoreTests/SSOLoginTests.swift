import Foundation
import NIOConcurrencyHelpers
import Testing

@testable import AWSCore

/// `runnerdeck login`'s device authorization flow against the loopback OIDC, on a manual clock.
@Suite(.timeLimit(.minutes(5))) struct SSOLoginTests {
    /// botocore's registration key for the `my-sso` session of ``SSOCredentialTests/config``.
    static let registrationKey = "a81c5b68c2c12885d8d35c7c803d0214ba2de055"

    func login(_ fixture: SSOCredentialTests.Fixture, clock: ManualClock, profile: String? = "dev", session: String? = nil,
               prompts: NIOLockedValueBox<[SSODeviceLogin.Prompt]> = NIOLockedValueBox([])) async throws -> SSODeviceLogin.Result {
        let login = try SSODeviceLogin(profile: profile, ssoSession: session, environment: fixture.environment, clock: clock)
        return try await login.run { prompt in prompts.withLockedValue { $0.append(prompt) } }
    }

    @Test func pollsWithTheIntervalAndSlowDownThenCachesAsTheCLI() async throws {
        let fixture = try await SSOCredentialTests.Fixture()
        defer { fixture.finish() }
        await fixture.sso.state.script(["authorization_pending", "slow_down", "authorization_pending"])
        let clock = ManualClock(Date())
        let prompts = NIOLockedValueBox<[SSODeviceLogin.Prompt]>([])
        let result = try await login(fixture, clock: clock, prompts: prompts)
        // One attempt before the prompt, then every interval; slow_down adds 5 seconds for good.
        #expect(clock.sleeps == [5, 10, 10])
        #expect(prompts.withLockedValue { $0 } == [SSODeviceLogin.Prompt(verificationURI: "http://127.0.0.1/device",
                                                                         verificationURIComplete: "http://127.0.0.1/device?user_code=WDJB-MJHT", userCode: "WDJB-MJHT")])
        #expect(result.cachePath.hasSuffix("/.aws/sso/cache/\(SSOCredentialTests.sessionKey).json"))
        #expect(result.expiresAt == clock.now().addingTimeInterval(3600))
        let token = try fixture.cached(SSOCredentialTests.sessionKey)
        #expect(token["accessToken"] as? String == "access-1" && token["refreshToken"] as? String == "refresh-1")
        #expect(token["clientId"] as? String == "client-1" && token["clientSecret"] as? String == "client-secret-1")
        #expect(token["startUrl"] as? String == "https://example.awsapps.com/start" && token["region"] as? String == "eu-west-1")
        #expect((token["registrationExpiresAt"] as? String).flatMap(JSONCacheFile.parseDate) != nil)
        let registration = try fixture.cached(Self.registrationKey)
        #expect(registration["clientId"] as? String == "client-1" && registration["scopes"] as? [String] == ["sso:account:access"])
        let register = try #require(await fixture.sso.requests(to: "/client/register").first)
        let body = try #require(try JSONSerialization.jsonObject(with: register.body) as? [String: Any])
        #expect(body["clientType"] as? String == "public" && body["scopes"] as? [String] == ["sso:account:access"])
        let polls = await fixture.sso.requests(to: "/token")
        #expect(polls.count == 4)
        let poll = try #require(try JSONSerialization.jsonObject(with: polls[0].body) as? [String: String])
        #expect(poll == ["grantType": "urn:ietf:params:oauth:grant-type:device_code", "clientId": "client-1",
                         "clientSecret": "client-secret-1", "deviceCode": "device-code-1"])
        // The cached registration serves the next login; the token serves the credential provider.
        _ = try await login(fixture, clock: ManualClock(Date()), profile: nil, session: "my-sso")
        #expect(await fixture.sso.requests(to: "/client/register").count == 1)
        #expect(try await fixture.credentials("dev").accessKeyId == "ASIA-111122223333-Developer-access-2")
    }

    @Test func deniedLeavesNoToken() async throws {
        let fixture = try await SSOCredentialTests.Fixture()
        defer { fixture.finish() }
        await fixture.sso.state.script(["authorization_pending", "access_denied"])
        do {
            _ = try await login(fixture, clock: ManualClock(Date()))
            Issue.record("expected AccessDeniedException")
        } catch let error as AWSResponseError {
            #expect(error.code == "AccessDeniedException" && error.message.contains("my-sso"))
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.dir.path + "/.aws/sso/cache/\(SSOCredentialTests.sessionKey).json"))
    }

    @Test func expiryEndsTheWaitOnEitherSide() async throws {
        let fixture = try await SSOCredentialTests.Fixture()
        defer { fixture.finish() }
        await fixture.sso.state.script(["authorization_pending", "expired_token"])
        await #expect(throws: AWSResponseError.self) { try await login(fixture, clock: ManualClock(Date())) }
        // The service never says so: the client stops when the authorization's 600 seconds are up.
        await fixture.sso.state.script(Array(repeating: "authorization_pending", count: 500))
        let clock = ManualClock(Date())
        do {
            _ = try await login(fixture, clock: clock)
            Issue.record("expected ExpiredTokenException")
        } catch let error as AWSResponseError {
            #expect(error.code == "ExpiredTokenException")
        }
        #expect(clock.sleeps.count == 119)
    }

    @Test func legacyProfileSignsInUnderTheStartURLKey() async throws {
        let fixture = try await SSOCredentialTests.Fixture()
        defer { fixture.finish() }
        let result = try await login(fixture, clock: ManualClock(Date()), profile: "legacy")
        #expect(result.sessionName == nil)
        #expect(try fixture.cached(SSOCredentialTests.legacyKey)["accessToken"] as? String == "access-1")
        #expect(try await fixture.credentials("legacy").accessKeyId == "ASIA-444455556666-ReadOnly-access-1")
    }

    @Test func aProfileWithoutSSOIsAConfigurationError() async throws {
        let fixture = try await SSOCredentialTests.Fixture()
        defer { fixture.finish() }
        #expect(throws: AWSConfigurationError.self) { try SSODeviceLogin(profile: "deploy", ssoSession: nil, environment: fixture.environment) }
        #expect(throws: AWSConfigurationError.self) { try SSODeviceLogin(profile: nil, ssoSession: "nope", environment: fixture.environment) }
    }
}
