import Foundation
import Testing

@testable import AWSCore

/// Nothing secret in `--debug` output or the dashboard's log file (both go through ``Redaction``).
@Suite(.timeLimit(.minutes(1))) struct RedactionTests {
    @Test func everySecretFormIsMasked() {
        let secrets = ["wJalrXUtnFEMIsecret", "FQoGZXIvYXdzSESSION", "sso-access-token-1", "sso-refresh-token-1", "client-secret-9",
                       "device-code-7", "654321", "bearer-value-3", "id-token-4"]
        let text = """
            Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE1234/20261122/us-east-1/apprunner/aws4_request, SignedHeaders=host, Signature=abcdef0123456789
            x-amz-security-token: FQoGZXIvYXdzSESSION aws_secret_access_key=wJalrXUtnFEMIsecret
            x-amz-sso_bearer_token: sso-access-token-1
            {"accessToken": "sso-access-token-1", "refreshToken":"sso-refresh-token-1", "clientSecret": "client-secret-9", "deviceCode": "device-code-7", "idToken": "id-token-4"}
            Action=AssumeRole&SerialNumber=arn%3Aaws%3Aiam%3A%3A1%3Amfa%2Fme&TokenCode=654321&Version=2011-06-15
            Authorization: Bearer bearer-value-3
            """
        let redacted = Redaction.apply(text)
        for secret in secrets {
            #expect(!redacted.contains(secret), "\(secret) is visible")
        }
        #expect(redacted.contains("Credential=AKID<redacted>") && redacted.contains("Signature=<redacted>"))
        // What operators need to read stays.
        #expect(redacted.contains("SerialNumber=arn%3Aaws%3Aiam%3A%3A1%3Amfa%2Fme") && redacted.contains("Version=2011-06-15"))
        #expect(Redaction.apply(#"{"NextToken": "page-2", "ServiceName": "web"}"#) == #"{"NextToken": "page-2", "ServiceName": "web"}"#)
    }
}
