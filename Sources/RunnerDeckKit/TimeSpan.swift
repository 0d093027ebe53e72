import Foundation

/// Spans and points in time as people type them: `90s`, `10m`, `3h`, `2d`, `1w`, `1h30m`, or an
/// ISO 8601 time (`2026-11-30T05:00:00Z`, with an offset or fractional seconds).
public enum TimeSpan {
    static let unitSeconds: [Character: Double] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800]

    /// Seconds of a span like `10m` or `1h30m` (each number followed by s, m, h, d or w); nil otherwise
    /// (also for zero).
    public static func seconds(_ text: String) -> TimeInterval? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
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
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: trimmed) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: trimmed)
    }

    /// The start of a window given as a span back from `now` or as a time; nil when `text` is neither.
    public static func start(_ text: String, now: Date) -> Date? {
        if let seconds = seconds(text) { return now.addingTimeInterval(-seconds) }
        return date(text)
    }
}
