import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A real HTTP server on 127.0.0.1 (an ephemeral port) whose answers the test decides; it records
/// every request it receives. Any method, any path.
final class TestServer: Sendable {
    struct Received: Sendable {
        var method: String
        var path: String
        var query: String
        var headers: [(name: String, value: String)]
        var body: Data

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    struct Answer: Sendable {
        var status: Int
        var headers: [(String, String)]
        var body: Data

        init(status: Int = 200, headers: [(String, String)] = [], body: String = "") {
            self.status = status
            self.headers = headers
            self.body = Data(body.utf8)
        }

        static func json(_ text: String, status: Int = 200, headers: [(String, String)] = []) -> Answer {
            Answer(status: status, headers: [("Content-Type", "application/x-amz-json-1.0")] + headers, body: text)
        }
    }

    actor Log {
        var requests: [Received] = []
        func append(_ request: Received) -> Int {
            requests.append(request)
            return requests.count
        }
    }

    let log: Log
    let port: Int
    private let task: Task<Void, any Error>

    private init(port: Int, task: Task<Void, any Error>, log: Log) {
        self.port = port
        self.task = task
        self.log = log
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// `handler` gets the request and its 1-based number.
    static func start(_ handler: @escaping @Sendable (Received, Int) async -> Answer) async throws -> TestServer {
        let log = Log()
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            // HTTPTypes moves `Host` into the `:authority` pseudo-header; put it back.
            var headers: [(name: String, value: String)] = []
            if let authority = request.head.authority { headers.append(("Host", authority)) }
            for field in request.headers {
                headers.append((field.name.rawName, field.value))
            }
            let buffer = try await request.body.collect(upTo: 4 << 20)
            let received = Received(method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "",
                                    headers: headers, body: Data(buffer: buffer))
            let number = await log.append(received)
            let answer = await handler(received, number)
            var fields = HTTPFields()
            for (name, value) in answer.headers {
                if let fieldName = HTTPField.Name(name) { fields.append(HTTPField(name: fieldName, value: value)) }
            }
            return Response(status: .init(code: answer.status), headers: fields, body: .init(byteBuffer: ByteBuffer(data: answer.body)))
        }
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            }
        )
        let task = Task { try await app.run() }
        var port = 0
        for await value in portStream { port = value }
        return TestServer(port: port, task: task, log: log)
    }

    var requests: [Received] {
        get async { await log.requests }
    }

    func stop() {
        task.cancel()
    }
}

/// A temporary directory removed at the end of a test.
struct TempDir {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("awscore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    var path: String { url.path }

    @discardableResult
    func write(_ name: String, _ text: String, executable: Bool = false) throws -> String {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        if executable {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
        }
        return file.path
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// A TCP socket bound to 127.0.0.1 on a free port (not listening yet); nil when that fails.
func loopbackSocket() -> (fd: Int32, port: Int)? {
    #if os(Linux)
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
    let fd = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard fd >= 0 else { return nil }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else {
        close(fd)
        return nil
    }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
}

/// A port on which nothing listens: bound to get a free number, then closed.
func closedPort() throws -> Int {
    guard let (fd, port) = loopbackSocket() else { return 1 }
    close(fd)
    return port
}
