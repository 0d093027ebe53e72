import Foundation
import Testing
@testable import AppRunnerLocal

/// Error bodies are written without full Foundation, byte for byte as `JSONSerialization` wrote them
/// with sorted keys (clients and tests compare the bytes).
@Suite(.timeLimit(.minutes(1)))
struct ErrorBodyTests {
    @Test func errorBodiesMatchJSONSerialization() throws {
        let messages = ["Service arn:aws:apprunner:us-east-1:123456789012:service/web/0123 not found.", "quote \" backslash \\ slash /",
                        "control \u{01}\u{1F}\u{08}\u{0C}\n\r\t end", "unicode é 😀 \u{7F} \u{2028}", ""]
        for message in messages {
            for key in ["Message", "message"] {
                let expected = try JSONSerialization.data(withJSONObject: ["__type": "ResourceNotFoundException/x", key: message], options: [.sortedKeys])
                let body = LocalHTTPHandler.errorBody(code: "ResourceNotFoundException/x", messageKey: key, message: message)
                #expect(body == expected, "\(String(decoding: body, as: UTF8.self)) vs \(String(decoding: expected, as: UTF8.self))")
            }
        }
    }
}
