import FoundationEssentials

/// Masks secrets in text meant for logs (`--debug`, the dashboard's log file): SigV4 signatures,
/// secret keys, session tokens, SSO access and refresh tokens, client secrets, device codes, bearer
/// tokens and MFA codes, in headers, JSON and form bodies alike. Access key ids keep their first 4
/// characters in a `Credential=` scope.
public enum Redaction {
    static let names = [
        "aws_secret_access_key", "secretaccesskey", "x-amz-security-token", "aws_session_token", "sessiontoken",
        "accesstoken", "refreshtoken", "clientsecret", "devicecode", "x-amz-sso_bearer_token", "tokencode", "idtoken",
    ]
    // nonisolated(unsafe): immutable once made (AnyRegexOutput is what keeps Regex from being Sendable).
    nonisolated(unsafe) static let patterns: [Regex<AnyRegexOutput>] = [
        #"(Signature=)[0-9a-fA-F]+"#,
        #"((?i:"# + names.joined(separator: "|") + #")["']?\s*[:=]\s*["']?)[^\s"',&}]+"#,
        #"(Credential=[A-Z0-9]{4})[A-Z0-9]+"#,
        #"((?i:bearer)\s+)[^\s"',]+"#,
    ].compactMap { try? Regex($0).matchingSemantics(.unicodeScalar) }

    public static func apply(_ text: String) -> String {
        var result = text
        for regex in patterns {
            // Keeps group 1 (the name or prefix), masks the rest of the match.
            result = result.replacing(regex) { match in (match.output[1].substring ?? "") + "<redacted>" }
        }
        return result
    }
}
