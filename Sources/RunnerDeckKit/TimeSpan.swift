import AWSCore
import FoundationEssentials

/// Spans and points in time as people type them: `90s`, `10m`, `3h`, `2d`, `1w`, `1h30m`, or an
/// ISO 8601 time (`2026-11-30T05:00:00Z`, with an offset or fractional seconds).
public enum TimeSpan {
    static let unitSeconds: [Character: Double] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800]

    /// Seconds of a span like `10m` or `1h30m` (each number followed by s, m, h, d or w); nil otherwise
    /// (also for zero).
    public static func seconds(_ text: String) -> TimeInterval? {
        let trimmed = text.trimmingWhitespace.lowercased()
        guard !trimmed.isEmpty else { return nil }
        var total = 0.0
        var digits = ""
        for character in trimmed {
            if character.isASCII && character.isNumber {
                digits.append(character)
            } else if let unit = unitSeconds[character], let value = Double(digits) {
                total += value * unit
                digits = ""
            } else {
                return nil
            }
        }
        guard digits.isEmpty, total > 0, total.isFinite else { return nil }
        return total
    }

    /// An ISO 8601 time with a zone (`Z` or an offset), with or without fractional seconds.
    public static func date(_ text: String) -> Date? {
        DateText.iso8601(text.trimmingWhitespace)
    }

    /// The start of a window given as a span back from `now` or as a time; nil when `text` is neither.
    public static func start(_ text: String, now: Date) -> Date? {
        if let seconds = seconds(text) { return now.addingTimeInterval(-seconds) }
        return date(text)
    }

    /// A time of day in UTC, `HH:MM` or `HH:MM:SS`: the latest such moment at or before `now`
    /// (so `23:50` typed just after midnight is yesterday's); nil when `text` is not one.
    public static func clockTime(_ text: String, now: Date) -> Date? {
        let parts = text.trimmingWhitespace.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3,
              parts.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isNumber } }) else { return nil }
        let numbers = parts.compactMap { Int($0) }
        guard numbers.count == parts.count, numbers[0] < 24, numbers[1] < 60, numbers.count == 2 || numbers[2] < 60 else { return nil }
        let secondOfDay = numbers[0] * 3600 + numbers[1] * 60 + (numbers.count == 3 ? numbers[2] : 0)
        let midnight = (now.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400
        var moment = midnight + Double(secondOfDay)
        if moment > now.timeIntervalSince1970 { moment -= 86_400 }
        return Date(timeIntervalSince1970: moment)
    }

    /// Where a "jump to time" goes: a time of day (UTC), a span back from `now` (`10m`, `-10m`), or an
    /// ISO 8601 time; nil when `text` is none of these.
    public static func point(_ text: String, now: Date) -> Date? {
        let trimmed = text.trimmingWhitespace
        if let clock = clockTime(trimmed, now: now) { return clock }
        let span = trimmed.hasPrefix("-") ? String(trimmed.dropFirst()) : trimmed
        if let seconds = seconds(span) { return now.addingTimeInterval(-seconds) }
        return date(trimmed)
    }
}
