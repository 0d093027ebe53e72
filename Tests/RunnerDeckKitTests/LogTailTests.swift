import AWSCore
import CloudWatchLogs
import Foundation
import RunnerDeckKit
import Testing

/// LogTail over loopback: the real generated client against a server speaking FilterLogEvents.
@Suite(.timeLimit(.minutes(2))) struct LogTailTests {
    static let group = "/aws/apprunner/web/0123456789abcdef0123456789abcdef/service"

    static func event(_ id: String, _ ms: Int64, stream: String = "events", group: String = group) -> LogsLoopback.Event {
        LogsLoopback.Event(group: group, stream: stream, timestamp: ms, message: "message \(id)", id: id)
    }

    /// Runs `body` with a tail of the loopback server; server and client end afterwards.
    static func withTail(
        pageSize: Int = 100, capacity: Int = 100, maxPages: Int = 3, query: LogTailQuery = LogTailQuery(logGroupName: group),
        start: Int64 = 1_000, _ body: (LogTail, LogsLoopback) async throws -> Void
    ) async throws {
        let logs = try await LogsLoopback.start(pageSize: pageSize)
        defer { logs.stop() }
        let transport = LoopbackClient.transport(.cloudWatchLogs, server: logs.server)
        let tail = LogTail(api: CloudWatchLogsClient(transport: transport), query: query,
                           startTime: Date(timeIntervalSince1970: Double(start) / 1000), capacity: capacity, maxPagesPerPoll: maxPages)
        do {
            try await body(tail, logs)
        } catch {
            try await transport.shutdown()
            throw error
        }
        try await transport.shutdown()
    }

    @Test func watermarkAsksTheSameMillisecondAgainAndNeverRepeatsAnEvent() async throws {
        try await Self.withTail { tail, logs in
            await logs.append([Self.event("a", 900), Self.event("b", 1_000), Self.event("c", 1_500), Self.event("d", 1_500)])
            let first = try await tail.poll()
            #expect(first.compactMap(\.eventId) == ["b", "c", "d"])  // "a" is before the start
            #expect(await tail.watermark == 1_500)
            #expect(await tail.lastPollCalls == 1)

            // Written later, in the watermark's millisecond and after it.
            await logs.append([Self.event("e", 1_500), Self.event("f", 1_501)])
            let second = try await tail.poll()
            #expect(second.compactMap(\.eventId) == ["e", "f"])
            let third = try await tail.poll()
            #expect(third.isEmpty)
            let starts = await logs.filterRequests().compactMap { ($0["startTime"] as? NSNumber)?.int64Value }
            #expect(starts == [1_000, 1_500, 1_501])
            #expect(await tail.events.compactMap(\.eventId) == ["b", "c", "d", "e", "f"])
            #expect(await tail.totalCalls == 3)
        }
    }

    @Test func aPollReadsAtMostItsPagesAndTheNextCarriesOnFromTheToken() async throws {
        try await Self.withTail(pageSize: 2, maxPages: 2) { tail, logs in
            await logs.append((0..<7).map { Self.event("e\($0)", 2_000 + Int64($0)) })
            let first = try await tail.poll()
            #expect(first.count == 4)
            #expect(await tail.lastPollCalls == 2)
            #expect(await tail.isBehind)
            let second = try await tail.poll()
            #expect(second.compactMap(\.eventId) == ["e4", "e5", "e6"])
            #expect(await tail.lastPollCalls == 2)
            #expect(await !tail.isBehind)
            let requests = await logs.filterRequests()
            #expect(requests.map { $0["nextToken"] as? String } == [nil, "o2", "o4", "o6"])
            _ = try await tail.poll()
            #expect(await tail.lastPollCalls == 1)
            #expect(await tail.totalCalls == 5)
        }
    }

    @Test func theRingBufferKeepsTheNewestEventsOnly() async throws {
        try await Self.withTail(capacity: 5) { tail, logs in
            for round in 0..<4 {
                await logs.append((0..<3).map { Self.event("r\(round)-\($0)", 3_000 + Int64(round * 10 + $0)) })
                _ = try await tail.poll()
            }
            let held = await tail.held
            #expect(held.count == 5 && held.dropped == 7)
            #expect(await tail.events.compactMap(\.eventId) == ["r2-1", "r2-2", "r3-0", "r3-1", "r3-2"])
            #expect(await tail.newest(2).compactMap(\.eventId) == ["r3-1", "r3-2"])
        }
    }

    @Test func anOperationsStreamAndAFilterPatternNarrowTheRequest() async throws {
        let groups = ServiceLogGroups(serviceName: "web", serviceId: "0123456789abcdef0123456789abcdef")
        let query = LogTailQuery.service(groups, operationId: "op-1", filterPattern: "health")
        try await Self.withTail(query: query) { tail, logs in
            await logs.append([
                Self.event("x", 1_100, stream: "deployment/op-1"),
                LogsLoopback.Event(group: Self.group, stream: "deployment/op-1", timestamp: 1_200, message: "health check failed", id: "y"),
                LogsLoopback.Event(group: Self.group, stream: "events", timestamp: 1_300, message: "health ok", id: "z"),
            ])
            #expect(try await tail.poll().compactMap(\.eventId) == ["y"])
            let request = try #require(await logs.filterRequests().first)
            #expect(request["logGroupName"] as? String == Self.group)
            #expect(request["logStreamNames"] as? [String] == ["deployment/op-1"])
            #expect(request["filterPattern"] as? String == "health")
        }
    }

    @Test func aMissingGroupIsTheServicesErrorAndCountsItsCall() async throws {
        try await Self.withTail(query: LogTailQuery(logGroupName: "/aws/apprunner/none/1/service")) { tail, logs in
            await logs.append([Self.event("a", 1_100)])
            await #expect(throws: CloudWatchLogs.ResourceNotFoundException.self) { try await tail.poll() }
            #expect(await tail.lastPollCalls == 1)
            #expect(await tail.totalCalls == 1)
            #expect(await tail.events.isEmpty)
        }
    }
}

@Suite(.timeLimit(.minutes(1))) struct LogVocabularyTests {
    @Test func logGroupsOfAServiceArn() throws {
        let arn = "arn:aws:apprunner:eu-west-1:123456789012:service/web-api/8fe1e10304f84fd2b0df550fe98a71fa"
        let groups = try #require(ServiceLogGroups(serviceArn: arn))
        #expect(groups.service == "/aws/apprunner/web-api/8fe1e10304f84fd2b0df550fe98a71fa/service")
        #expect(groups.application == "/aws/apprunner/web-api/8fe1e10304f84fd2b0df550fe98a71fa/application")
        #expect(ServiceLogGroups(serviceArn: "web-api") == nil)
        #expect(ServiceLogGroups(serviceArn: "arn:aws:apprunner:eu-west-1:123456789012:service/web-api") == nil)
        #expect(ServiceLogGroups.deploymentStream(operationId: "abc") == "deployment/abc")
    }

    @Test func eventsWithoutIdsAreKnownByTimeStreamAndMessage() {
        var cursor = LogTailCursor(startTime: 10)
        let one = FilteredLogEvent(logStreamName: "s", timestamp: 20, message: "one")
        let two = FilteredLogEvent(logStreamName: "s", timestamp: 20, message: "two")
        #expect(cursor.admit([two, one]).compactMap(\.message) == ["two", "one"])  // equal times keep their order
        #expect(cursor.admit([one, two, FilteredLogEvent(logStreamName: "s", timestamp: 21, message: "one")]).compactMap(\.timestamp) == [21])
        #expect(cursor.watermark == 21)
        #expect(cursor.admit([FilteredLogEvent(timestamp: 15, message: "late", eventId: "late")]).count == 1)  // older: new, watermark stays
        #expect(cursor.watermark == 21)
    }

    @Test func ringBufferOrderAndBounds() {
        var ring = RingBuffer<Int>(capacity: 3)
        ring.append(contentsOf: 1...2)
        #expect(ring.elements == [1, 2] && ring.dropped == 0)
        ring.append(contentsOf: 3...7)
        #expect(ring.elements == [5, 6, 7] && ring.dropped == 4 && ring[0] == 5)
        #expect(ring.suffix(2) == [6, 7] && ring.suffix(10) == [5, 6, 7])
    }
}
