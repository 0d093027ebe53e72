import AWSCore
import CloudWatchLogs
import FoundationEssentials
import Synchronization

/// What a ``LogTail`` follows: one log group, optionally narrowed to streams and a filter pattern.
public struct LogTailQuery: Sendable, Hashable {
    public var logGroupName: String
    /// Only these streams (at most 100); nil for the whole group.
    public var logStreamNames: [String]?
    /// Only streams whose names start with this (not together with `logStreamNames`).
    public var logStreamNamePrefix: String?
    /// A CloudWatch Logs filter pattern; nil matches every event.
    public var filterPattern: String?

    public init(logGroupName: String, logStreamNames: [String]? = nil, logStreamNamePrefix: String? = nil, filterPattern: String? = nil) {
        self.logGroupName = logGroupName
        self.logStreamNames = logStreamNames
        self.logStreamNamePrefix = logStreamNamePrefix
        self.filterPattern = filterPattern
    }

    /// A service's group of `kind`; with `operationId`, only that operation's deployment stream.
    public static func service(_ groups: ServiceLogGroups, kind: ServiceLogGroups.Kind = .service, operationId: String? = nil,
                               filterPattern: String? = nil) -> LogTailQuery {
        LogTailQuery(logGroupName: groups.group(kind),
                     logStreamNames: operationId.map { [ServiceLogGroups.deploymentStream(operationId: $0)] },
                     filterPattern: filterPattern)
    }

    /// The FilterLogEvents request for events from `startTime` (milliseconds since 1970) on.
    public func request(startTime: Int64, limit: Int? = nil) -> FilterLogEventsRequest {
        FilterLogEventsRequest(logGroupName: logGroupName, logStreamNames: logStreamNames, logStreamNamePrefix: logStreamNamePrefix,
                               startTime: startTime, filterPattern: filterPattern, limit: limit)
    }
}

/// The start-time watermark and event-id dedupe of a tail, without any I/O.
///
/// The next request starts at the watermark, the newest timestamp seen, so events written later in
/// that same millisecond are not lost; the events already seen at that millisecond come back and are
/// recognised by id (or, without an id, by timestamp, stream and message) and dropped.
public struct LogTailCursor: Sendable, Hashable {
    /// Milliseconds since 1970: the next request's `startTime`.
    public private(set) var watermark: Int64
    /// The keys of the events seen at the watermark millisecond (the only ones a new request can repeat).
    private var keysAtWatermark: Set<String> = []

    public init(startTime: Int64) {
        watermark = max(0, startTime)
    }

    public init(start: Date) {
        self.init(startTime: LogTailCursor.milliseconds(start))
    }

    /// The events of `events` not admitted before, oldest first (stable for equal timestamps);
    /// the watermark moves to the newest of them.
    public mutating func admit(_ events: [FilteredLogEvent]) -> [FilteredLogEvent] {
        var fresh: [FilteredLogEvent] = []
        var keysInBatch: Set<String> = []
        for event in events {
            let key = Self.key(event)
            let time = event.timestamp ?? watermark
            if time == watermark && keysAtWatermark.contains(key) { continue }
            guard keysInBatch.insert(key).inserted else { continue }
            fresh.append(event)
        }
        fresh = fresh.enumerated().sorted { lhs, rhs in
            let (l, r) = (lhs.element.timestamp ?? 0, rhs.element.timestamp ?? 0)
            return l != r ? l < r : lhs.offset < rhs.offset
        }.map(\.element)
        guard let newest = fresh.compactMap(\.timestamp).max(), newest >= watermark else { return fresh }
        if newest > watermark {
            watermark = newest
            keysAtWatermark = []
        }
        for event in fresh where event.timestamp == watermark {
            keysAtWatermark.insert(Self.key(event))
        }
        return fresh
    }

    static func key(_ event: FilteredLogEvent) -> String {
        if let id = event.eventId, !id.isEmpty { return "id:" + id }
        return "\(event.timestamp ?? -1)|\(event.logStreamName ?? "")|\(event.message ?? "")"
    }

    /// Milliseconds since 1970 of `date` (rounded down).
    public static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }
}

/// Follows a log group with FilterLogEvents: each ``poll()`` asks for the events from the watermark on,
/// reads at most `maxPagesPerPoll` pages with the generated paginator (so one poll is a bounded number
/// of calls, ``lastPollCalls``), drops the events already seen and keeps the newest `capacity` events
/// in a ring buffer (memory stays flat however long it runs).
///
/// When a poll stops at the page bound with more to read, the next poll carries on from that page's
/// token (``isBehind`` says so) before asking from the watermark again.
///
/// The dashboard polls it for what is on screen; the CLI for `logs --follow` and `--wait`.
public actor LogTail {
    public nonisolated let query: LogTailQuery
    public nonisolated let maxPagesPerPoll: Int
    /// FilterLogEvents' `limit` (events per page); nil for the service's default.
    public nonisolated let pageLimit: Int?
    private let api: any CloudWatchLogsAPI
    private var cursor: LogTailCursor
    /// The request to carry on with when the last poll stopped at the page bound.
    private var pending: FilterLogEventsRequest?
    private var buffer: RingBuffer<FilteredLogEvent>
    /// FilterLogEvents calls made by the last poll (at most `maxPagesPerPoll`; a failed call counts).
    public private(set) var lastPollCalls = 0
    /// FilterLogEvents calls made since the tail was created.
    public private(set) var totalCalls = 0

    /// - Parameters:
    ///   - startTime: events from this time on.
    ///   - capacity: how many events the ring buffer keeps (at least 1).
    ///   - maxPagesPerPoll: the bound on calls per poll (at least 1).
    public init(api: any CloudWatchLogsAPI, query: LogTailQuery, startTime: Date, capacity: Int = 10_000,
                maxPagesPerPoll: Int = 3, pageLimit: Int? = nil) {
        self.api = api
        self.query = query
        self.cursor = LogTailCursor(start: startTime)
        self.buffer = RingBuffer(capacity: capacity)
        self.maxPagesPerPoll = max(1, maxPagesPerPoll)
        self.pageLimit = pageLimit
    }

    /// The poll under way, if any: polls never overlap (two would admit the same events).
    private var running: Task<[FilteredLogEvent], any Error>?

    /// One poll: the new events, oldest first (also appended to the ring buffer). A poll asked for while
    /// another runs waits for it and returns nothing new (its events went to the first caller).
    @discardableResult
    public func poll() async throws -> [FilteredLogEvent] {
        if let running {
            _ = try? await running.value
            return []
        }
        let task = Task { try await self.pollOnce() }
        running = task
        defer { running = nil }
        return try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
    }

    private func pollOnce() async throws -> [FilteredLogEvent] {
        let request = pending ?? query.request(startTime: cursor.watermark, limit: pageLimit)
        let counted = CountingLogsAPI(api)
        defer {
            lastPollCalls = counted.calls
            totalCalls += counted.calls
        }
        let pages = try await counted.filterLogEventsPaginator(request).collect(maxPages: maxPagesPerPoll)
        if pages.count >= maxPagesPerPoll, let token = pages.last?.nextToken, !token.isEmpty {
            var next = request
            next.nextToken = token
            pending = next
        } else {
            pending = nil
        }
        let fresh = cursor.admit(pages.flatMap { $0.events ?? [] })
        buffer.append(contentsOf: fresh)
        return fresh
    }

    /// True when the last poll stopped at the page bound with pages left to read.
    public var isBehind: Bool { pending != nil }
    /// The next request's start time (milliseconds since 1970).
    public var watermark: Int64 { cursor.watermark }
    /// Every event held, oldest first.
    public var events: [FilteredLogEvent] { buffer.elements }
    /// The newest `count` events held, oldest first.
    public func newest(_ count: Int) -> [FilteredLogEvent] { buffer.suffix(count) }
    /// How many events the ring buffer holds, and how many it dropped to stay within its capacity.
    public var held: (count: Int, dropped: Int) { (buffer.count, buffer.dropped) }
}

/// Counts the calls made through it (failed ones too), so a poll knows its exact cost.
///
final class CountingLogsAPI: CloudWatchLogsAPI, Sendable {
    private let api: any CloudWatchLogsAPI
    private let count = Mutex(0)

    init(_ api: any CloudWatchLogsAPI) {
        self.api = api
    }

    var calls: Int { count.withLock { $0 } }

    private func counting<T>(_ call: () async throws -> T) async rethrows -> T {
        count.withLock { $0 += 1 }
        return try await call()
    }

    func describeLogGroups(_ input: DescribeLogGroupsRequest) async throws -> DescribeLogGroupsResponse {
        try await counting { try await api.describeLogGroups(input) }
    }

    func describeLogStreams(_ input: DescribeLogStreamsRequest) async throws -> DescribeLogStreamsResponse {
        try await counting { try await api.describeLogStreams(input) }
    }

    func filterLogEvents(_ input: FilterLogEventsRequest) async throws -> FilterLogEventsResponse {
        try await counting { try await api.filterLogEvents(input) }
    }

    func getLogEvents(_ input: GetLogEventsRequest) async throws -> GetLogEventsResponse {
        try await counting { try await api.getLogEvents(input) }
    }
}
