import AWSCore
import FoundationEssentials
import Logging
import Synchronization

/// A swift-log handler that appends lines to a file. The dashboard logs here (never to the
/// terminal while curses runs).
struct FileLogHandler: LogHandler {
    /// The open file, shared by every handler of the same path.
    final class Sink: Sendable {
        /// The open file; lines are written whole while holding `lock`.
        private let lock = Mutex(())
        private let descriptor: Int32
        public let path: String

        /// Opens (creating if needed, mode 0600) `path` for appending.
        public init(path: String) throws {
            self.path = path
            descriptor = try SystemIO.openForAppending(path, mode: 0o600)
        }

        deinit {
            SystemIO.close(descriptor)
        }

        public func write(_ line: String) {
            lock.withLock { _ in
                try? SystemIO.write(Array((line + "\n").utf8), to: descriptor)
            }
        }

        /// The file descriptor (stderr is sent here while curses runs).
        var fileDescriptor: Int32 { descriptor }
    }

    public let label: String
    public let sink: Sink
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    public init(label: String, sink: Sink, level: Logger.Level = .info) {
        self.label = label
        self.sink = sink
        self.logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let explicit = event.metadata { all.merge(explicit) { $1 } }
        if let error = event.error { all["error"] = "\(error)" }
        let level = event.level
        let message = event.message
        let meta = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        // Errors can quote requests; nothing secret reaches the file.
        sink.write(Redaction.apply("\(DateText.iso8601String(Date())) \(level) \(label): \(message)\(meta)"))
    }
}
