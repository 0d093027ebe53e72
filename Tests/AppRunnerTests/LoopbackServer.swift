import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A real HTTP server on 127.0.0.1 (an ephemeral port) whose answers a test decides.
/// It records every request it receives.
final class LoopbackServer: Sendable {
    struct Received: Sendable {
        var method: String
        var path: String
        var headers: [String: String]
        var body: Data
    }

    struct Answer: Sendable {
        var status: Int
        var headers: [String: String]
        var body: Data

        static func json(_ text: String, status: Int = 200, headers: [String: String] = [:]) -> Answer {
            Answer(status: status, headers: ["Content-Type": "application/x-amz-json-1.0"].merging(headers) { $1 }, body: Data(text.utf8))
        }
    }

    actor Log {
        var requests: [Received] = []
        func append(_ request: Received) { requests.append(request) }
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

    static func start(_ handler: @escaping @Sendable (Received) async -> Answer) async throws -> LoopbackServer {
        let log = Log()
        let router = Router()
        router.post("/") { request, _ -> Response in
            var headers: [String: String] = [:]
            for field in request.headers {
                headers[field.name.rawName] = field.value
            }
            let buffer = try await request.body.collect(upTo: 4 << 20)
            let received = Received(method: "\(request.method)", path: request.uri.path, headers: headers, body: Data(buffer: buffer))
            await log.append(received)
            let answer = await handler(received)
            var fields = HTTPFields()
            for (name, value) in answer.headers {
                if let fieldName = HTTPField.Name(name) { fields[fieldName] = value }
            }
            return Response(status: .init(code: answer.status), headers: fields, body: .init(byteBuffer: ByteBuffer(data: answer.body)))
        }
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            }
        )
        let task = Task { try await app.run() }
        var port = 0
        for await value in portStream { port = value }
        return LoopbackServer(port: port, task: task, log: log)
    }

    var requests: [Received] {
        get async { await log.requests }
    }

    func stop() {
        task.cancel()
    }
}
