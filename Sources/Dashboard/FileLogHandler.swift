import AWSCore
import Foundation
import Logging

/// A swift-log handler that appends lines to a file. The dashboard logs here (never to the
/// terminal while curses runs).
struct FileLogHandler: LogHandler {
    /// The open file, shared by every handler of the same path.
    final class Sink: @unchecked Sendable {
        // @unchecked: `handle` is only touched while holding `lock`.
        private let lock = NSLock()
        private let handle: FileHandle
        public let path: String

        /// Opens (creating if needed) `path` for appending.
        public init(path: String) throws {
            self.path = path
            if !FileManager.default.fileExists(atPath: path) {
                _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
            }
            guard let handle = FileHandle(forWritingAtPath: path) else {
                throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
            }
            handle.seekToEndOfFile()
            self.handle = handle
        }

        public func write(_ line: String) {
            lock.lock()
            defer { lock.unlock() }
            handle.write(Data((line + "\n").utf8))
        }

        /// The file descriptor (stderr is sent here while curses runs).
        var fileDescriptor: Int32 { handle.fileDescriptor }
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
        sink.write(Redaction.apply("\(ISO8601DateFormatter().string(from: Date())) \(level) \(label): \(message)\(meta)"))
    }
}
