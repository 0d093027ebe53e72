import AWSCore
import FoundationEssentials
import HTTPTypes
import Hummingbird
import Synchronization

/// `runnerdeck serve --access-log FILE`: one line per request, written when it is answered (or cut):
///
///     2026-11-30T05:12:09.417Z 127.0.0.1 AppRunner.ListServices 503 2ms
///
/// time (UTC, milliseconds), client address, `X-Amz-Target` (or method and path when there is none),
/// HTTP status (`cut` when a fault or the client ended the connection without an answer) and duration.
/// What an operator greps while a client misbehaves, and how the tests count what a client sends.
final class AccessLog: Sendable {
    /// The file's descriptor; lines are written whole while holding the mutex.
    private let descriptor: Mutex<Int32>

    /// Opens `path` for appending (created when missing).
    init(path: String) throws {
        let existed = FileManager.default.fileExists(atPath: path)
        do {
            descriptor = Mutex(try SystemIO.openForAppending(path))
        } catch {
            throw LocalServerError.unusableAccessLog(path, existed ? "it cannot be opened for writing" : "it cannot be created")
        }
    }

    deinit {
        descriptor.withLock { SystemIO.close($0) }
    }

    /// Runs `next` and writes the request's line once it has an answer, or has been cut.
    func record<Context: RequestContext>(_ request: Request, context: Context, channelPeer: String,
                                         next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let target = Self.target(of: request)
        do {
            let response = try await next(request, context)
            write(peer: channelPeer, target: target, status: String(response.status.code), since: started)
            return response
        } catch {
            write(peer: channelPeer, target: target, status: "cut", since: started)
            throw error
        }
    }

    static func target(of request: Request) -> String {
        if let name = HTTPField.Name("X-Amz-Target"), let target = request.headers[name], !target.isEmpty {
            return Self.printable(target)
        }
        return Self.printable("\(request.method.rawValue) \(request.uri.path)")
    }

    /// Keeps a line one line: control characters and spaces a client put in a header become `?`/`_`.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.prefix(200).unicodeScalars.map { scalar in
            if scalar == " " { return "_" }
            return scalar.value < 0x20 || scalar.value == 0x7F ? "?" : scalar
        }))
    }

    private func write(peer: String, target: String, status: String, since started: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - started
        let milliseconds = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        let line = "\(Self.timestamp(Date())) \(peer) \(target) \(status) \(milliseconds)ms\n"
        descriptor.withLock { descriptor in
            // A full disk must not take the endpoint down; the line is lost, the request is not.
            try? SystemIO.write(Array(line.utf8), to: descriptor)
        }
    }

    static func timestamp(_ date: Date) -> String {
        var formatter = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        formatter.timeZone = TimeZone(secondsFromGMT: 0) ?? .current
        return formatter.format(date)
    }
}
