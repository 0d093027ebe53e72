import Foundation
import NIOConcurrencyHelpers
import Testing

@testable import AWSCore

/// Role profiles with `mfa_serial`: the code provider, STS, and the AWS CLI's `~/.aws/cli/cache`.
@Suite(.timeLimit(.minutes(5))) struct MFATests {
    static let serial = "arn:aws:iam::123456789012:mfa/me"
    /// botocore's keys: sha1 of `json.dumps(args, sort_keys=True)`.
    static let namedKey = "723dbe6b98fe8fd3c7763647f88b0d2381fd2942"  // RoleArn, RoleSessionName ops, SerialNumber, DurationSeconds 900
    static let plainKey = "b26e45a5efba11b34b676c5657f44efc9db2add0"  // RoleArn, SerialNumber (generated session names are left out)

    /// A loopback STS that wants TokenCode 123456.
    static func sts() async throws -> TestServer {
        try await TestServer.start { request, _ in
            let fields = formFields(request.body)
            guard fields["SerialNumber"] == serial, fields["TokenCode"] == "123456" else {
                return TestServer.Answer(status: 403, body: "<ErrorResponse><Error><Code>AccessDenied</Code><Message>MultiFactorAuthentication failed with invalid MFA one time pass code.</Message></Error></ErrorResponse>")
            }
            return stsAnswer("AssumeRole", key: "AKMFA-\(fields["RoleSessionName"] ?? "")")
        }
    }

    /// The STS, a HOME with the profiles, and the environment pointing at both.
    func setUp() async throws -> (TestServer, TempDir, [String: String]) {
        let sts = try await Self.sts()
        let dir = try TempDir()
        try dir.write("config", """
        [profile named]
        role_arn = arn:aws:iam::123456789012:role/admin
        source_profile = base
        mfa_serial = \(Self.serial)
        role_session_name = ops
        duration_seconds = 900
        [profile plain]
        role_arn = arn:aws:iam::123456789012:role/admin
        source_profile = base
        mfa_serial = \(Self.serial)
        [profile chained]
        role_arn = arn:aws:iam::123456789012:role/next
        source_profile = plain
        """)
        try dir.write("credentials", "[base]\naws_access_key_id = AKBASE\naws_secret_access_key = basesecret\n")
        return (sts, dir, ["HOME": dir.path, "AWS_CONFIG_FILE": dir.path + "/config", "AWS_SHARED_CREDENTIALS_FILE": dir.path + "/credentials",
                           "AWS_ENDPOINT_URL_STS": sts.url, "AWS_REGION": "us-east-1"])
    }

    /// A code provider that answers `code` and counts its calls.
    func codes(_ code: String, asked: NIOLockedValueBox<[String]>) -> MFACodeProvider {
        { serial in
            asked.withLockedValue { $0.append(serial) }
            return code
        }
    }

    @Test func askedOnceThenCachedWhereTheCLIReadsIt() async throws {
        let (sts, dir, env) = try await setUp()
        defer { sts.stop(); dir.remove() }
        let asked = NIOLockedValueBox<[String]>([])
        let first = try await ProfileCredentialProvider(profile: "named", environment: env, mfaCode: codes("123456", asked: asked)).credentials()
        #expect(first.accessKeyId == "AKMFA-ops")
        #expect(asked.withLockedValue { $0 } == [Self.serial])
        let call = try #require(await sts.requests.first)
        #expect(formFields(call.body)["DurationSeconds"] == "900")
        let path = dir.path + "/.aws/cli/cache/\(Self.namedKey).json"
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: [String: String]])
        #expect(document["Credentials"]?["AccessKeyId"] == "AKMFA-ops" && document["Credentials"]?["SessionToken"] == "token-AKMFA-ops")
        #expect(document["Credentials"]?["Expiration"] == "2030-01-02T03:04:05Z")
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // A second start within the credentials' lifetime neither asks nor calls STS.
        let second = try await ProfileCredentialProvider(profile: "named", environment: env, mfaCode: codes("123456", asked: asked)).credentials()
        #expect(second == first)
        #expect(asked.withLockedValue { $0.count } == 1)
        #expect(await sts.requests.count == 1)
    }

    @Test func aWrongCodeIsSTSsErrorAndCachesNothing() async throws {
        let (sts, dir, env) = try await setUp()
        defer { sts.stop(); dir.remove() }
        let asked = NIOLockedValueBox<[String]>([])
        let error = await expectCredentialsError {
            try await ProfileCredentialProvider(profile: "plain", environment: env, mfaCode: codes("000000", asked: asked)).credentials()
        }
        #expect(error?.description.contains("AccessDenied: MultiFactorAuthentication failed") == true)
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/.aws/cli/cache/\(Self.plainKey).json"))
        let noCode = await expectCredentialsError { try await ProfileCredentialProvider(profile: "plain", environment: env).credentials() }
        #expect(noCode?.description.contains("--mfa-code") == true && noCode?.description.contains(Self.serial) == true)
    }

    @Test func entriesCloseToExpiryAreNotUsedAndChainsFindTheSerial() async throws {
        let (sts, dir, env) = try await setUp()
        defer { sts.stop(); dir.remove() }
        let soon = JSONCacheFile.formatDate(Date().addingTimeInterval(600))
        try dir.write(".aws/cli/cache/\(Self.plainKey).json",
                      #"{"Credentials": {"AccessKeyId": "AKOLD", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "\#(soon)"}}"#)
        let asked = NIOLockedValueBox<[String]>([])
        let fresh = try await ProfileCredentialProvider(profile: "plain", environment: env, mfaCode: codes("123456", asked: asked)).credentials()
        #expect(fresh.accessKeyId.hasPrefix("AKMFA-runnerdeck-session-"))
        #expect(asked.withLockedValue { $0.count } == 1)
        let later = "2031-01-01T00:00:00UTC"  // botocore's own %Z form
        try dir.write(".aws/cli/cache/\(Self.plainKey).json",
                      #"{"Credentials": {"AccessKeyId": "AKBOTO", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "\#(later)"}}"#)
        #expect(try await ProfileCredentialProvider(profile: "plain", environment: env).credentials().accessKeyId == "AKBOTO")
        #expect(AWSClientConfiguration.mfaSerial(profile: "chained", environment: env) == Self.serial)
        #expect(AWSClientConfiguration.mfaSerial(profile: "base", environment: env) == nil)
    }
}
