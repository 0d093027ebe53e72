import FoundationEssentials

/// One stored log event of a service log group (deployment logs and service events). Events are written
/// when an operation starts, with the times at which the operation reaches each step; readers see only
/// those at or before the clock, so the log advances with the operation.
struct StoredLogEvent: Sendable, Equatable {
    var group: String
    var stream: String
    /// Milliseconds since 1970.
    var timestamp: Int64
    var message: String
    /// Order among events of the same timestamp (and the event id): the row id once stored.
    var sequence: Int64 = 0
}

/// How much of the service logs the store keeps: per log group, the newest `maxEventsPerGroup` events, and
/// none older than `maxAge` before the newest write.
struct LogRetention: Sendable {
    var maxEventsPerGroup: Int = 10_000
    var maxAge: TimeInterval = 7 * 86_400
}

/// A stream of a stored log group, with its first and last event times (milliseconds).
struct StoredLogStream: Sendable, Equatable {
    var name: String
    var first: Int64
    var last: Int64
}

extension LocalStore {
    static func createLogTable(_ db: SQLiteConnection) throws {
        try db.execute("""
            CREATE TABLE IF NOT EXISTS log_events (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                grp TEXT NOT NULL,
                stream TEXT NOT NULL,
                ts INTEGER NOT NULL,
                message TEXT NOT NULL
            )
            """)
        try db.execute("CREATE INDEX IF NOT EXISTS log_events_by_group ON log_events (grp, ts, seq)")
    }

    /// Appends `events`, then trims every group written to to `retention` (measured from the newest event).
    static func append(_ events: [StoredLogEvent], retention: LogRetention, in db: SQLiteConnection) throws {
        guard !events.isEmpty else { return }
        for event in events {
            try db.execute("INSERT INTO log_events (grp, stream, ts, message) VALUES (?, ?, ?, ?)",
                           [.text(event.group), .text(event.stream), .integer(event.timestamp), .text(event.message)])
        }
        let newest = events.map(\.timestamp).max() ?? 0
        let oldest = newest - Int64(retention.maxAge * 1000)
        try db.execute("DELETE FROM log_events WHERE ts < ?", [.integer(oldest)])
        for group in Set(events.map(\.group)).sorted() {
            try db.execute("""
                DELETE FROM log_events WHERE grp = ? AND seq NOT IN (
                    SELECT seq FROM log_events WHERE grp = ? ORDER BY ts DESC, seq DESC LIMIT ?)
                """, [.text(group), .text(group), .integer(Int64(max(0, retention.maxEventsPerGroup)))])
        }
    }

    /// Events of `group` with `from <= ts <= through` (milliseconds), in time order, after the position
    /// `after` (timestamp, sequence) when given, at most `limit`.
    func logEvents(group: String, streams: Set<String>? = nil, from: Int64, through: Int64,
                   after: (Int64, Int64)? = nil, limit: Int) async throws -> [StoredLogEvent] {
        var sql = "SELECT seq, stream, ts, message FROM log_events WHERE grp = ? AND ts >= ? AND ts <= ?"
        var arguments: [SQLiteValue] = [.text(group), .integer(from), .integer(through)]
        if let after {
            sql += " AND (ts > ? OR (ts = ? AND seq > ?))"
            arguments += [.integer(after.0), .integer(after.0), .integer(after.1)]
        }
        if let streams {
            sql += " AND stream IN (\(streams.map { _ in "?" }.joined(separator: ",")))"
            arguments += streams.sorted().map { .text($0) }
        }
        sql += " ORDER BY ts, seq LIMIT ?"
        arguments.append(.integer(Int64(max(0, limit))))
        return try await database.perform { [sql, arguments] db in
            try db.fetchAll(sql, arguments).map { row in
                StoredLogEvent(group: group, stream: try row.text(1), timestamp: try row.int64(2), message: try row.text(3), sequence: try row.int64(0))
            }
        }
    }

    /// The streams of `group` with an event at or before `through`.
    func logStreams(group: String, through: Int64) async throws -> [StoredLogStream] {
        try await database.perform { db in
            try db.fetchAll("""
                SELECT stream, MIN(ts) AS first, MAX(ts) AS last FROM log_events
                WHERE grp = ? AND ts <= ? GROUP BY stream ORDER BY stream
                """, [.text(group), .integer(through)]).map { row in
                StoredLogStream(name: try row.text(0), first: try row.int64(1), last: try row.int64(2))
            }
        }
    }

    /// How many events the store holds (all groups).
    func logEventCount() async throws -> Int {
        try await database.perform { db in Int(try db.fetchOne("SELECT COUNT(*) FROM log_events")?.int64(0) ?? 0) }
    }

    /// Moves every stored event of `groups` `milliseconds` back in time (the demo's backdated history).
    func shiftLogEvents(back milliseconds: Int64, groups: [String]) async throws {
        try await database.write { db in
            for group in groups {
                try db.execute("UPDATE log_events SET ts = ts - ? WHERE grp = ?", [.integer(milliseconds), .text(group)])
            }
        }
    }
}
