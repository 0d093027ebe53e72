import AppRunner
import Foundation

/// JSON as `aws … --output json` prints it: the model's member names, four-space indent,
/// `"Key": value`, timestamps as ISO 8601 in the local time zone with offset
/// (`2026-11-22T10:00:00.123000+00:00`, fraction only when non-zero — Python's `isoformat()`).
public enum CLIJSON {
    /// Renders `value` (an API response shape) the way the AWS CLI would, with a trailing newline.
    public static func render<T: Encodable>(_ value: T, timeZone: TimeZone = .current) throws -> String {
        try OrderedJSONEncoder(dateText: { timestamp($0, timeZone: timeZone) }).encode(value) + "\n"
    }

    /// `datetime.fromtimestamp(t, tzlocal()).isoformat()` of Python.
    public static func timestamp(_ date: Date, timeZone: TimeZone = .current) -> String {
        // CPython's datetime.fromtimestamp: split with modf, round the fraction's microseconds half-even.
        let interval = date.timeIntervalSince1970
        let split = modf(interval)
        var seconds = Int64(split.0)
        var micros = Int64((split.1 * 1_000_000).rounded(.toNearestOrEven))
        if micros >= 1_000_000 {
            seconds += 1
            micros -= 1_000_000
        } else if micros < 0 {
            seconds -= 1
            micros += 1_000_000
        }
        let whole = Date(timeIntervalSince1970: TimeInterval(seconds))
        let offset = timeZone.secondsFromGMT(for: whole)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: whole)
        func pad(_ value: Int?, _ width: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        var text = "\(pad(parts.year, 4))-\(pad(parts.month, 2))-\(pad(parts.day, 2))T\(pad(parts.hour, 2)):\(pad(parts.minute, 2)):\(pad(parts.second, 2))"
        if micros != 0 {
            text += "." + pad(Int(micros), 6)
        }
        let sign = offset < 0 ? "-" : "+"
        let magnitude = abs(offset)
        text += "\(sign)\(pad(magnitude / 3600, 2)):\(pad((magnitude % 3600) / 60, 2))"
        if magnitude % 60 != 0 {
            text += ":\(pad(magnitude % 60, 2))"
        }
        return text
    }
}
