@testable import Dashboard
import Foundation
import Logging
import Testing

/// The dashboard's log file (`RUNNERDECK_LOG_FILE`) never holds a secret, whatever an error quotes.
@Suite(.timeLimit(.minutes(1))) struct LogFileTests {
    @Test func secretsInMessagesAndMetadataAreRedacted() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let sink = try FileLogHandler.Sink(path: dir.path + "/dashboard.log")
        let logger = Logger(label: "runnerdeck.dashboard") { FileLogHandler(label: $0, sink: sink) }
        logger.error("refresh failed: x-amz-sso_bearer_token: sso-access-token-1 TokenCode=654321",
                     metadata: ["error": "{\"accessToken\": \"sso-access-token-2\", \"SessionToken\": \"session-3\"}"])
        let text = try String(contentsOfFile: dir.path + "/dashboard.log", encoding: .utf8)
        #expect(text.contains("refresh failed") && text.contains("<redacted>"))
        for secret in ["sso-access-token-1", "654321", "sso-access-token-2", "session-3"] {
            #expect(!text.contains(secret), "\(secret) is in the log file")
        }
    }
}
