import AWSCore
import FoundationEssentials
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
        sink.write(DebugLogHandler.redact(line).replacingEvery("\n", with: "\n  ") + "\n")
    }

    /// Masks secrets wherever they appear (``Redaction``).
    static func redact(_ text: String) -> String {
        Redaction.apply(text)
    }

    /// A logger for `--debug` writing to `sink`.
    static func logger(label: String, sink: any OutputSink) -> Logger {
        Logger(label: label) { label in DebugLogHandler(label: label, sink: sink) }
    }
}
