import Foundation

/// A loopback CloudWatch Logs endpoint that answers `FilterLogEvents` from events the test appends
/// (real HTTP, the real protocol: `X-Amz-Target: Logs_20140328.FilterLogEvents`, JSON 1.1 bodies).
///
/// It filters by group, stream names or prefix, start and end time and a filter pattern of plain terms
/// (every term must occur), sorts by time and answers pages of `pageSize` events (or the request's
/// `limit`) with a `nextToken`. A group without events does not exist (400 `ResourceNotFoundException`). Any other operation gets a 400 `UnknownOperationException`.
public final class LogsLoopback: Sendable {
    public struct Event: Sendable, Hashable {
        public var group: String
        public var stream: String
        public var timestamp: Int64
        public var message: String
        public var id: String

        public init(group: String, stream: String, timestamp: Int64, message: String, id: String) {
            self.group = group
            self.stream = stream
            self.timestamp = timestamp
            self.message = message
            self.id = id
        }

        var json: [String: Any] {
            ["logStreamName": stream, "timestamp": timestamp, "message": message, "ingestionTime": timestamp + 5, "eventId": id]
        }
    }

    public actor Store {
        public private(set) var events: [Event] = []
        public func append(_ new: [Event]) { events += new }
    }

    public let server: TestServer
    public let store: Store

    private init(server: TestServer, store: Store) {
        self.server = server
        self.store = store
    }

    public var url: String { server.url }

    public static func start(pageSize: Int = 100) async throws -> LogsLoopback {
        let store = Store()
        let server = try await TestServer.start { request, _ in
            await answer(request, store: store, pageSize: pageSize)
        }
        return LogsLoopback(server: server, store: store)
    }

    public func append(_ events: [Event]) async { await store.append(events) }

    /// The bodies of the FilterLogEvents requests received, as JSON objects.
    public func filterRequests() async -> [[String: Any]] {
        await server.requests.filter { $0.header("X-Amz-Target") == "Logs_20140328.FilterLogEvents" }.map {
            (try? JSONSerialization.jsonObject(with: $0.body)) as? [String: Any] ?? [:]
        }
    }

    public func stop() { server.stop() }

    static func answer(_ request: TestServer.Received, store: Store, pageSize: Int) async -> TestServer.Answer {
        let headers = [("Content-Type", "application/x-amz-json-1.1"), ("x-amzn-RequestId", "logs-\(UUID().uuidString)")]
        guard request.header("X-Amz-Target") == "Logs_20140328.FilterLogEvents",
              let body = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any] else {
            return TestServer.Answer(status: 400, headers: headers, body: #"{"__type":"UnknownOperationException","message":"not served here"}"#)
        }
        let group = body["logGroupName"] as? String
        let names = body["logStreamNames"] as? [String]
        let prefix = body["logStreamNamePrefix"] as? String
        let start = (body["startTime"] as? NSNumber)?.int64Value ?? 0
        let end = (body["endTime"] as? NSNumber)?.int64Value ?? Int64.max
        let terms = ((body["filterPattern"] as? String) ?? "").split(separator: " ").map { $0.replacingOccurrences(of: "\"", with: "") }
        let events = await store.events
        guard let group, events.contains(where: { $0.group == group }) else {
            return TestServer.Answer(status: 400, headers: headers,
                                     body: #"{"__type":"ResourceNotFoundException","message":"The specified log group does not exist."}"#)
        }
        let matching = events.filter { event in
            event.group == group && names.map { $0.contains(event.stream) } != false
                && prefix.map { event.stream.hasPrefix($0) } != false
                && event.timestamp >= start && event.timestamp <= end
                && terms.allSatisfy { $0.isEmpty || event.message.contains($0) }
        }.enumerated().sorted { ($0.element.timestamp, $0.offset) < ($1.element.timestamp, $1.offset) }.map(\.element)
        let offset = Int(((body["nextToken"] as? String) ?? "o0").dropFirst()) ?? 0
        let size = (body["limit"] as? Int) ?? pageSize
        let page = Array(matching.dropFirst(offset).prefix(size))
        var answer: [String: Any] = ["events": page.map(\.json), "searchedLogStreams": []]
        if offset + page.count < matching.count { answer["nextToken"] = "o\(offset + page.count)" }
        let data = (try? JSONSerialization.data(withJSONObject: answer)) ?? Data("{}".utf8)
        return TestServer.Answer(status: 200, headers: headers, body: String(decoding: data, as: UTF8.self))
    }
}
