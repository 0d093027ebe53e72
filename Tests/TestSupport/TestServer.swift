import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOFoundationEssentialsCompat

/// The one loopback HTTP server of the Swift tests: a real server on 127.0.0.1 (an ephemeral port)
/// whose answers the test decides; it records every request it receives. Any method, any path.
public final class TestServer: Sendable {
    public struct Received: Sendable {
        public var method: String
        public var path: String
        public var query: String
        /// In arrival order, names as sent; `Host` comes first (HTTPTypes keeps it as `:authority`).
        public var headers: [(name: String, value: String)]
        public var body: Data

        public init(method: String, path: String, query: String, headers: [(name: String, value: String)], body: Data) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.body = body
        }

        /// The first value of a header, by case-insensitive name.
        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    public struct Answer: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: Data

        public init(status: Int = 200, headers: [(String, String)] = [], body: String = "") {
            self.status = status
            self.headers = headers
            self.body = Data(body.utf8)
        }

        /// An AWS JSON 1.0 answer (`Content-Type: application/x-amz-json-1.0`) plus `headers`.
        public static func json(_ text: String, status: Int = 200, headers: [(String, String)] = []) -> Answer {
            Answer(status: status, headers: [("Content-Type", "application/x-amz-json-1.0")] + headers, body: text)
        }
    }

    public actor Log {
        public private(set) var requests: [Received] = []
        func append(_ request: Received) -> Int {
            requests.append(request)
            return requests.count
        }
    }

    /// Thrown by `start` when the server stops before it listens (the port could not be bound).
    public struct StartError: Error, CustomStringConvertible {
        public var description: String { "TestServer stopped before it was listening on 127.0.0.1" }
    }

    public let log: Log
    public let port: Int
    private let task: Task<Void, any Error>

    private init(port: Int, task: Task<Void, any Error>, log: Log) {
        self.port = port
        self.task = task
        self.log = log
    }

    /// `http://127.0.0.1:PORT`
    public var url: String { "http://127.0.0.1:\(port)" }

    /// Starts a server; `handler` gets each request and its 1-based number. Returns once it listens.
    public static func start(_ handler: @escaping @Sendable (Received, Int) async -> Answer) async throws -> TestServer {
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
        // Quiet: `stop()` cancels the server, which Hummingbird logs as an error.
        var logger = Logger(label: "TestServer")
        logger.logLevel = .critical
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger
        )
        // If the server ends before it listens, the stream ends too: `start` never waits forever.
        let task = Task {
            defer { portContinuation.finish() }
            try await app.run()
        }
        var port = 0
        for await value in portStream { port = value }
        guard port != 0 else {
            task.cancel()
            throw StartError()
        }
        return TestServer(port: port, task: task, log: log)
    }

    /// Every request received so far, in arrival order.
    public var requests: [Received] {
        get async { await log.requests }
    }

    public func stop() {
        task.cancel()
    }
}
