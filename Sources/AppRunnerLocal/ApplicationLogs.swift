import AWSCore
import FoundationEssentials

/// One log event as the Logs API returns it, with its place in the group's order (`timestamp`, `key`).
struct LocalLogEvent: Sendable, Equatable {
    var stream: String
    var timestamp: Int64
    var key: Int64
    var message: String

    var eventId: String { String(cFormat: "%013lld%020lld", timestamp, key) }

    func isAfter(_ position: LogPosition) -> Bool {
        (timestamp, key) > (position.timestamp, position.key)
    }
}

/// A place in a log group's order: events strictly after it come next.
struct LogPosition: Sendable, Equatable {
    var timestamp: Int64
    var key: Int64

    var token: String { Data("\(timestamp):\(key)".utf8).base64EncodedString() }

    init(timestamp: Int64, key: Int64) {
        self.timestamp = timestamp
        self.key = key
    }

    init?(token: String) {
        guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: ":")
        guard parts.count == 2, let timestamp = Int64(parts[0]), let key = Int64(parts[1]) else { return nil }
        self.init(timestamp: timestamp, key: key)
    }
}

/// The application log of a service: what its instances print while it serves, generated on read from
/// 10-second buckets and a hash of the serving stretch, so it is the same on every read and takes no space.
/// One access-log line per instance per bucket; during a deployment that rolls back, 5xx answers and the
/// new instance's failed health checks.
struct ApplicationLog: Sendable {
    static let bucketMilliseconds: Int64 = 10_000
    /// Buckets looked at per call at most; a call that stops there returns a token to continue.
    static let maxBucketsPerCall: Int64 = 20_000

    let activity: ServiceActivity
    let serviceId: String

    static func stream(_ instance: String) -> String { "instance/\(instance)" }

    /// The streams (instance ids) that have events before `now`, with their first and last event times.
    func streams(through now: Int64) -> [StoredLogStream] {
        var result: [String: StoredLogStream] = [:]
        for stretch in activity.serving {
            let first = LocalAppRunner.milliseconds(stretch.from)
            guard first <= now else { continue }
            let last = min(now, stretch.until.map(LocalAppRunner.milliseconds) ?? now)
            for instance in stretch.instances {
                let name = Self.stream(instance)
                result[name] = StoredLogStream(name: name, first: min(first, result[name]?.first ?? first), last: max(last, result[name]?.last ?? last))
            }
        }
        for failing in activity.failing {
            let first = LocalAppRunner.milliseconds(failing.from)
            guard first <= now else { continue }
            let name = Self.stream(failing.instance)
            result[name] = StoredLogStream(name: name, first: first, last: min(now, LocalAppRunner.milliseconds(failing.until)))
        }
        return result.values.sorted { $0.name < $1.name }
    }

    /// Events with `from <= timestamp <= through`, after `position`, accepted by `keep`, in order: at most `limit`,
    /// looking at no more than ``maxBucketsPerCall`` buckets. Returns where to continue when it stopped early.
    func events(from: Int64, through: Int64, after position: LogPosition?, limit: Int,
                keep: (LocalLogEvent) -> Bool) -> (events: [LocalLogEvent], resume: LogPosition?) {
        var result: [LocalLogEvent] = []
        // Nothing before the first serving stretch or failing deployment: start there.
        let earliest = (activity.serving.map(\.from) + activity.failing.map(\.from)).min().map(LocalAppRunner.milliseconds)
        guard let earliest else { return ([], nil) }
        let begin = max(from, position?.timestamp ?? from, earliest)
        var bucket = Self.floor(begin)
        var scanned: Int64 = 0
        while bucket <= through {
            if scanned >= Self.maxBucketsPerCall {
                return (result, LogPosition(timestamp: bucket - 1, key: Int64.max))
            }
            scanned += 1
            for event in events(inBucket: bucket)
            where event.timestamp >= from && event.timestamp <= through && (position.map { event.isAfter($0) } ?? true) && keep(event) {
                result.append(event)
                if result.count >= limit { return (result, nil) }
            }
            bucket += Self.bucketMilliseconds
        }
        return (result, nil)
    }

    static func floor(_ milliseconds: Int64) -> Int64 {
        milliseconds - ((milliseconds % bucketMilliseconds) + bucketMilliseconds) % bucketMilliseconds
    }

    private static let paths = ["/", "/api/items", "/api/orders", "/api/orders/42", "/static/app.js", "/login"]
    private static let agents = ["Mozilla/5.0 (X11; Linux x86_64)", "curl/8.5.0", "python-requests/2.32.3", "Go-http-client/1.1"]

    /// The events of one bucket, in order.
    func events(inBucket bucket: Int64) -> [LocalLogEvent] {
        let start = Date(timeIntervalSince1970: Double(bucket) / 1000)
        var result: [LocalLogEvent] = []
        if let stretch = activity.serving(at: start) {
            for (index, instance) in stretch.instances.enumerated() {
                let hash = StableHash.of(serviceId, stretch.epoch, String(index), String(bucket))
                let timestamp = bucket + Int64(hash % UInt64(Self.bucketMilliseconds))
                // Nothing after the stretch ends (a pause or deletion inside the bucket).
                if let until = stretch.until, timestamp >= LocalAppRunner.milliseconds(until) { continue }
                let failing = activity.failing(at: Date(timeIntervalSince1970: Double(timestamp) / 1000)) != nil
                let status: Int
                if failing && hash % 2 == 0 {
                    status = hash % 4 == 0 ? 502 : 503
                } else {
                    status = hash % 23 == 0 ? 404 : 200
                }
                let path = Self.paths[Int((hash >> 8) % UInt64(Self.paths.count))]
                let agent = Self.agents[Int((hash >> 16) % UInt64(Self.agents.count))]
                let client = "10.0.\((hash >> 24) % 256).\((hash >> 32) % 254 + 1)"
                let bytes = status == 200 ? 200 + (hash >> 40) % 4000 : 0
                let time = DateText.commonLogTime(Date(timeIntervalSince1970: Double(timestamp) / 1000))
                result.append(LocalLogEvent(stream: Self.stream(instance), timestamp: timestamp, key: Int64(index),
                                            message: "\(client) - - [\(time)] \"GET \(path) HTTP/1.1\" \(status) \(bytes) \"-\" \"\(agent)\""))
            }
        }
        // A failing deployment's new instance: as many failed health checks as the default unhealthy threshold
        // (5), evenly over its window, each with a 502 answered meanwhile.
        for failing in activity.failing {
            let from = LocalAppRunner.milliseconds(failing.from), until = LocalAppRunner.milliseconds(failing.until)
            for check in Int64(0)..<5 {
                let timestamp = from + (until - from) * check / 5
                guard timestamp >= bucket, timestamp < bucket + Self.bucketMilliseconds else { continue }
                result.append(LocalLogEvent(stream: Self.stream(failing.instance), timestamp: timestamp, key: 1_000 + check,
                                            message: "Health check failed on \(failing.healthTarget): connection refused. The application did not start listening."))
                // Traffic sent to the new instance meanwhile fails: a 502 on a serving instance's log.
                let date = Date(timeIntervalSince1970: Double(timestamp) / 1000)
                guard let serving = activity.serving(at: date)?.instances.first else { continue }
                result.append(LocalLogEvent(stream: Self.stream(serving), timestamp: timestamp, key: 2_000 + check,
                                            message: "10.0.0.1 - - [\(DateText.commonLogTime(date))] \"GET / HTTP/1.1\" 502 0 \"-\" \"\(Self.agents[0])\""))
            }
        }
        return result.sorted { ($0.timestamp, $0.key) < ($1.timestamp, $1.key) }
    }
}
