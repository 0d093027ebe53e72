import Foundation
import Logging

/// `--debug`: a swift-log handler that writes each record as one line on the command's stderr.
/// AWSCore logs requests and responses through it (and redacts credentials and signatures itself);
/// as a second line of defence, anything that looks like a secret is masked here too.
struct DebugLogHandler: LogHandler {
    let label: String
    let sink: any OutputSink
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        var line = "[debug] \(event.level) \(event.message)"
        if !merged.isEmpty {
            line += " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }
        sink.write(DebugLogHandler.redact(line).replacingOccurrences(of: "\n", with: "\n  ") + "\n")
    }

    /// Masks SigV4 signatures, secret keys and session tokens wherever they appear.
    static func redact(_ text: String) -> String {
        var result = text
        let patterns = [
            #"(Signature=)[0-9a-fA-F]+"#,
            #"((?i:aws_secret_access_key|secretaccesskey|x-amz-security-token|aws_session_token|sessiontoken)["']?\s*[:=]\s*["']?)[^\s"',]+"#,
            #"(Credential=[A-Z0-9]{4})[A-Z0-9]+"#,
        ]
        for pattern in patterns {
            guard let regex = try? NSRegularExpression(pattern: pattern) else { continue }
            let range = NSRange(result.startIndex..<result.endIndex, in: result)
            result = regex.stringByReplacingMatches(in: result, range: range, withTemplate: "$1<redacted>")
        }
        return result
    }

    /// A logger for `--debug` writing to `sink`.
    static func logger(label: String, sink: any OutputSink) -> Logger {
        Logger(label: label) { label in DebugLogHandler(label: label, sink: sink) }
    }
}
