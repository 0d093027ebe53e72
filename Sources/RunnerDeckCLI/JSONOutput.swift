import AWSCore
import AppRunner
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// JSON as `aws … --output json` prints it: the model's member names, four-space indent,
/// `"Key": value`, timestamps as the profile's `cli_timestamp_format` says (``TimestampFormat``): by
/// default ISO 8601 in the local time zone with offset (`2026-11-22T10:00:00.123000+00:00`, fraction
/// only when non-zero — Python's `isoformat()`).
enum CLIJSON {
    /// Renders `value` (an API response shape) the way the AWS CLI would, with a trailing newline.
    public static func render<T: Encodable>(_ value: T, timeZone: TimeZone? = nil, timestamps: TimestampFormat = .iso8601) throws -> String {
        try OrderedJSONEncoder(dateText: { timestamps.json($0, timeZone: timeZone) }).encode(value) + "\n"
    }

    /// The tree `render` writes from (what `--query` reads).
    static func tree<T: Encodable>(_ value: T, timestamps: TimestampFormat = .iso8601) throws -> JSONNode {
        try OrderedJSONEncoder(dateText: { timestamps.json($0) }).tree(value)
    }

    /// `value` on one line (a JSON Lines record), with a trailing newline.
    public static func renderLine<T: Encodable>(_ value: T, timestamps: TimestampFormat = .iso8601) throws -> String {
        try OrderedJSONEncoder(dateText: { timestamps.json($0) }, compact: true).encode(value) + "\n"
    }

    /// `datetime.fromtimestamp(t, tzlocal()).isoformat()` of Python. The local offset comes from the C
    /// library (`localtime_r`, honouring `TZ`), as Python's does; `timeZone` overrides it (tests).
    /// No Calendar: ICU's start-up costs more than a whole `runnerdeck services` otherwise does.
    public static func timestamp(_ date: Date, timeZone: TimeZone? = nil) -> String {
        // CPython's datetime.fromtimestamp: split with modf, round the fraction's microseconds half-even.
        let split = modf(date.timeIntervalSince1970)
        var seconds = Int64(split.0)
        var micros = Int64((split.1 * 1_000_000).rounded(.toNearestOrEven))
        if micros >= 1_000_000 {
            seconds += 1
            micros -= 1_000_000
        } else if micros < 0 {
            seconds -= 1
            micros += 1_000_000
        }
        let offset = timeZone.map { Int64($0.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))) }
            ?? localOffset(seconds)
        let local = seconds + offset
        var days = local / 86_400
        var secondOfDay = local % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let civil = DateText.civil(Int(days))
        let (year, month, day) = (Int64(civil.year), Int64(civil.month), Int64(civil.day))
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        var text = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay % 3600 / 60, 2)):\(pad(secondOfDay % 60, 2))"
        if micros != 0 {
            text += "." + pad(micros, 6)
        }
        let magnitude = abs(offset)
        text += "\(offset < 0 ? "-" : "+")\(pad(magnitude / 3600, 2)):\(pad(magnitude % 3600 / 60, 2))"
        if magnitude % 60 != 0 {
            text += ":\(pad(magnitude % 60, 2))"
        }
        return text
    }

    /// The local time zone's offset from UTC at `seconds` since the epoch.
    static func localOffset(_ seconds: Int64) -> Int64 {
        var time = time_t(seconds)
        var parts = tm()
        guard localtime_r(&time, &parts) != nil else { return 0 }
        return Int64(parts.tm_gmtoff)
    }
}
