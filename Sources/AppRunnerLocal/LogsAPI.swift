import AWSCore
import AppRunner
import CloudWatchLogs
import FoundationEssentials

/// CloudWatch Logs as Local App Runner serves it: the two log groups of every service (deleted ones too, as
/// CloudWatch keeps them), the service group from the store, the application group generated on read.
extension LocalAppRunner: CloudWatchLogsAPI {
    /// A log group resolved under the store's lock, read after it.
    struct LogSource: Sendable {
        var name: String
        var serviceId: String
        var application: Bool
        var activity: ServiceActivity
        /// Events at or before this time (milliseconds) exist.
        var now: Int64
        /// Events before this time are gone (retention).
        var oldest: Int64

        var applicationLog: ApplicationLog { ApplicationLog(activity: activity, serviceId: serviceId) }
    }

    func logGroupArn(_ name: String) -> String { "arn:aws:logs:\(options.region):\(options.accountId):log-group:\(name)" }

    static func logsError(_ message: String) -> CloudWatchLogs.InvalidParameterException {
        CloudWatchLogs.InvalidParameterException(message: message)
    }

    /// The group a request names by `logGroupName` or `logGroupIdentifier` (a name or an ARN), exactly one.
    func logSource(name: String?, identifier: String?) async throws -> LogSource {
        guard (name == nil) != (identifier == nil) else {
            throw Self.logsError("Exactly one of logGroupName and logGroupIdentifier must be given.")
        }
        var groupName = name ?? identifier ?? ""
        let arnPrefix = "arn:aws:logs:\(options.region):\(options.accountId):log-group:"
        if groupName.hasPrefix(arnPrefix) {
            groupName = String(groupName.dropFirst(arnPrefix.count))
            if groupName.hasSuffix(":*") { groupName = String(groupName.dropLast(2)) }
        }
        let resolved = groupName
        return try await transaction { now in
            guard let (record, application) = serviceOwning(logGroup: resolved) else {
                throw CloudWatchLogs.ResourceNotFoundException(message: "The specified log group does not exist.")
            }
            let millis = Self.milliseconds(now)
            return LogSource(name: resolved, serviceId: record.service.serviceId, application: application, activity: activity(of: record),
                             now: millis, oldest: millis - Int64(options.logRetention.maxAge * 1000))
        }
    }

    public func describeLogGroups(_ input: DescribeLogGroupsRequest) async throws -> DescribeLogGroupsResponse {
        let groups: [LogGroup] = try await transaction { _ in
            services.values.flatMap { record -> [LogGroup] in
                let created = Self.milliseconds(record.service.createdAt)
                return [ServiceLogGroups.service(record.service), ServiceLogGroups.application(record.service)].map { name in
                    LogGroup(logGroupName: name, creationTime: created, retentionInDays: Int(options.logRetention.maxAge / 86_400),
                             metricFilterCount: 0, arn: logGroupArn(name) + ":*", storedBytes: 0, logGroupClass: .standard,
                             logGroupArn: logGroupArn(name))
                }
            }
        }
        let selected = groups.filter { group in
            let name = group.logGroupName ?? ""
            if let prefix = input.logGroupNamePrefix, !name.hasPrefix(prefix) { return false }
            if let pattern = input.logGroupNamePattern, !pattern.isEmpty, !name.containsCaseInsensitive(pattern) { return false }
            if let identifiers = input.logGroupIdentifiers, !identifiers.contains(name) && !identifiers.contains(logGroupArn(name)) { return false }
            return true
        }.sorted { ($0.logGroupName ?? "") < ($1.logGroupName ?? "") }
        let page = try Self.logsPage(selected, limit: input.limit ?? 50, token: input.nextToken)
        return DescribeLogGroupsResponse(logGroups: page.items, nextToken: page.next)
    }

    public func describeLogStreams(_ input: DescribeLogStreamsRequest) async throws -> DescribeLogStreamsResponse {
        let source = try await logSource(name: input.logGroupName, identifier: input.logGroupIdentifier)
        let byTime = input.orderBy == .lastEventTime
        if byTime && input.logStreamNamePrefix != nil {
            throw Self.logsError("Cannot order by LastEventTime with a logStreamNamePrefix.")
        }
        var streams = source.application ? source.applicationLog.streams(through: source.now)
            : try await store.logStreams(group: source.name, through: source.now)
        if let prefix = input.logStreamNamePrefix { streams = streams.filter { $0.name.hasPrefix(prefix) } }
        streams.sort { byTime ? ($0.last, $0.name) < ($1.last, $1.name) : $0.name < $1.name }
        if input.descending == true { streams.reverse() }
        let page = try Self.logsPage(streams, limit: input.limit ?? 50, token: input.nextToken)
        let arn = logGroupArn(source.name)
        return DescribeLogStreamsResponse(logStreams: page.items.map { stream in
            LogStream(logStreamName: stream.name, creationTime: stream.first, firstEventTimestamp: stream.first,
                      lastEventTimestamp: stream.last, lastIngestionTime: stream.last, arn: "\(arn):log-stream:\(stream.name)", storedBytes: 0)
        }, nextToken: page.next)
    }

    public func filterLogEvents(_ input: FilterLogEventsRequest) async throws -> FilterLogEventsResponse {
        if input.logStreamNames != nil && input.logStreamNamePrefix != nil {
            throw Self.logsError("logStreamNames and logStreamNamePrefix are mutually exclusive.")
        }
        let source = try await logSource(name: input.logGroupName, identifier: input.logGroupIdentifier)
        let pattern: LogFilterPattern
        do { pattern = try LogFilterPattern(input.filterPattern) } catch { throw Self.logsError(error.message) }
        var position: LogPosition?
        if let token = input.nextToken {
            guard let parsed = LogPosition(token: token) else { throw Self.logsError("The specified nextToken is invalid.") }
            position = parsed
        }
        let names = input.logStreamNames.map(Set.init)
        let prefix = input.logStreamNamePrefix
        let keep: (LocalLogEvent) -> Bool = { event in
            if let names, !names.contains(event.stream) { return false }
            if let prefix, !event.stream.hasPrefix(prefix) { return false }
            return pattern.matches(event.message)
        }
        let from = max(input.startTime ?? 0, source.oldest)
        let through = min(input.endTime ?? source.now, source.now)
        let limit = max(1, input.limit ?? 10_000)
        var events: [LocalLogEvent] = []
        var next: LogPosition?
        if source.application {
            let found = source.applicationLog.events(from: from, through: through, after: position, limit: limit, keep: keep)
            events = found.events
            next = found.resume
        } else {
            var cursor = position
            while events.count < limit {
                let batch = try await store.logEvents(group: source.name, from: from, through: through,
                                                      after: cursor.map { ($0.timestamp, $0.key) }, limit: 1_000)
                guard let last = batch.last else { break }
                cursor = LogPosition(timestamp: last.timestamp, key: last.sequence)
                for stored in batch {
                    let event = LocalLogEvent(stream: stored.stream, timestamp: stored.timestamp, key: stored.sequence, message: stored.message)
                    if keep(event) && events.count < limit { events.append(event) }
                }
            }
        }
        if events.count >= limit, let last = events.last { next = LogPosition(timestamp: last.timestamp, key: last.key) }
        return FilterLogEventsResponse(events: events.map { event in
            FilteredLogEvent(logStreamName: event.stream, timestamp: event.timestamp, message: event.message,
                             ingestionTime: event.timestamp, eventId: event.eventId)
        }, nextToken: next?.token)
    }

    public func getLogEvents(_ input: GetLogEventsRequest) async throws -> GetLogEventsResponse {
        let source = try await logSource(name: input.logGroupName, identifier: input.logGroupIdentifier)
        let from = max(input.startTime ?? 0, source.oldest)
        let through = min(input.endTime ?? source.now, source.now)
        let limit = max(1, input.limit ?? 10_000)
        let all = try await streamEvents(source, stream: input.logStreamName, from: from, through: through)
        let start = LogPosition(timestamp: from - 1, key: Int64.max)
        var page: [LocalLogEvent]
        var forward = start, backward = start
        if let token = input.nextToken {
            guard token.count > 2, let position = LogPosition(token: String(token.dropFirst(2))) else {
                throw Self.logsError("The specified nextToken is invalid.")
            }
            forward = position
            backward = position
            if token.hasPrefix("f/") {
                page = Array(all.filter { $0.isAfter(position) }.prefix(limit))
            } else if token.hasPrefix("b/") {
                page = Array(all.filter { !$0.isAfter(position) && ($0.timestamp, $0.key) != (position.timestamp, position.key) }.suffix(limit))
            } else {
                throw Self.logsError("The specified nextToken is invalid.")
            }
        } else {
            page = input.startFromHead == true ? Array(all.prefix(limit)) : Array(all.suffix(limit))
        }
        if let first = page.first, let last = page.last {
            backward = LogPosition(timestamp: first.timestamp, key: first.key)
            forward = LogPosition(timestamp: last.timestamp, key: last.key)
        }
        return GetLogEventsResponse(
            events: page.map { OutputLogEvent(timestamp: $0.timestamp, message: $0.message, ingestionTime: $0.timestamp) },
            nextForwardToken: "f/" + forward.token, nextBackwardToken: "b/" + backward.token)
    }

    /// Every event of one stream in the time range, in order (bounded by retention).
    func streamEvents(_ source: LogSource, stream: String, from: Int64, through: Int64) async throws -> [LocalLogEvent] {
        if source.application {
            var result: [LocalLogEvent] = []
            var position: LogPosition?
            repeat {
                let found = source.applicationLog.events(from: from, through: through, after: position, limit: Int.max) { $0.stream == stream }
                result += found.events
                position = found.resume
            } while position != nil
            return result
        }
        return try await store.logEvents(group: source.name, streams: [stream], from: from, through: through,
                                         limit: options.logRetention.maxEventsPerGroup).map {
            LocalLogEvent(stream: $0.stream, timestamp: $0.timestamp, key: $0.sequence, message: $0.message)
        }
    }

    static func logsPage<T>(_ items: [T], limit: Int, token: String?) throws -> (items: [T], next: String?) {
        do {
            return try PageToken.page(items, maxResults: limit, nextToken: token)
        } catch {
            throw logsError("The specified nextToken is invalid.")
        }
    }
}
