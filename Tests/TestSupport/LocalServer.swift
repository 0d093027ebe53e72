import AppRunnerLocal
import Foundation

/// A `runLocalServer` started by a test: where it listens, and the task to cancel to stop it.
public struct RunningLocalServer: Sendable {
    public let endpoint: URL
    public let task: Task<Void, any Error>

    public func stop() { task.cancel() }
}

/// Starts `runLocalServer(configuration)` and returns once it listens; throws if it stops before.
public func startLocalServer(_ configuration: LocalServerConfiguration) async throws -> RunningLocalServer {
    let (stream, continuation) = AsyncStream.makeStream(of: String.self)
    let task = Task {
        defer { continuation.finish() }  // a server that fails to start ends the wait below
        try await runLocalServer(configuration) { url in
            continuation.yield(url)
            continuation.finish()
        }
    }
    var url = ""
    for await value in stream { url = value }
    guard !url.isEmpty, let endpoint = URL(string: url) else {
        task.cancel()
        throw TestServer.StartError()
    }
    return RunningLocalServer(endpoint: endpoint, task: task)
}
