import Foundation

/// Masks secrets in text meant for logs (`--debug`, the dashboard's log file): SigV4 signatures,
/// secret keys, session tokens, SSO access and refresh tokens, client secrets, device codes, bearer
/// tokens and MFA codes, in headers, JSON and form bodies alike. Access key ids keep their first 4
/// characters in a `Credential=` scope.
public enum Redaction {
    static let names = [
        "aws_secret_access_key", "secretaccesskey", "x-amz-security-token", "aws_session_token", "sessiontoken",
        "accesstoken", "refreshtoken", "clientsecret", "devicecode", "x-amz-sso_bearer_token", "tokencode", "idtoken",
    ]
    static let patterns: [NSRegularExpression] = [
        #"(Signature=)[0-9a-fA-F]+"#,
        #"((?i:"# + names.joined(separator: "|") + #")["']?\s*[:=]\s*["']?)[^\s"',&}]+"#,
        #"(Credential=[A-Z0-9]{4})[A-Z0-9]+"#,
        #"((?i:bearer)\s+)[^\s"',]+"#,
    ].compactMap { try? NSRegularExpression(pattern: $0) }

    public static func apply(_ text: String) -> String {
        var result = text
        for regex in patterns {
            let range = NSRange(result.startIndex..<result.endIndex, in: result)
            result = regex.stringByReplacingMatches(in: result, range: range, withTemplate: "$1<redacted>")
        }
        return result
    }
}
