import FoundationEssentials

/// Times as text in the forms the project reads and writes, without Foundation's `DateFormatter` and
/// `ISO8601DateFormatter` (full Foundation, which pulls in ICU). All in UTC, proleptic Gregorian.
public enum DateText {
    /// An ISO 8601 internet time with a zone (`Z`, `+01:00`, `+0100`), with or without fractional seconds
    /// (`2026-11-30T05:00:00Z`, `2026-11-30T05:00:00.5+01:00`), as `ISO8601DateFormatter` read them.
    public static func iso8601(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
        return try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)
    }

    /// `2026-11-30T08:00:00Z`: whole seconds (rounded down), UTC.
    public static func iso8601String(_ date: Date) -> String {
        let (day, second) = split(date)
        let (year, month, dayOfMonth) = civil(day)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(dayOfMonth, 2))T\(clock(second))Z"
    }

    /// `30/Nov/2026:04:00:00 +0000`, the time of a Common Log Format line (in UTC).
    public static func commonLogTime(_ date: Date) -> String {
        let (day, second) = split(date)
        let (year, month, dayOfMonth) = civil(day)
        return "\(pad(dayOfMonth, 2))/\(months[month - 1])/\(pad(year, 4)):\(clock(second)) +0000"
    }

    /// An HTTP `Date`: IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`)
    /// or asctime (`Sun Nov  6 08:49:37 1994`). The weekday is not checked; the zone is GMT, UTC, UT, Z or ±hhmm.
    public static func httpDate(_ text: String, now: Date = Date()) -> Date? {
        let words = text.trimmingWhitespace.split(separator: " ")
        guard let weekday = words.first, weekday.count >= 3 else { return nil }
        if weekday.hasSuffix(",") {
            guard weekday.dropLast().allSatisfy(\.isLetter) else { return nil }
            // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
            if words.count == 6, words[3].count == 4, let year = Int(words[3]) {
                return make(day: words[1], month: words[2], year: year, time: words[4], zone: words[5])
            }
            // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
            let date = words.count == 4 ? words[1].split(separator: "-", omittingEmptySubsequences: false) : []
            guard date.count == 3, date[2].count == 2 || date[2].count == 4, let year = Int(date[2]) else { return nil }
            return make(day: date[0], month: date[1], year: date[2].count == 2 ? century(year, now: now) : year, time: words[2], zone: words[3])
        }
        // asctime: Sun Nov  6 08:49:37 1994 (the split drops the second space before a one-digit day)
        guard weekday.allSatisfy(\.isLetter), words.count == 5, words[4].count == 4, let year = Int(words[4]) else { return nil }
        return make(day: words[2], month: words[1], year: year, time: words[3], zone: "GMT")
    }

    // MARK: Civil time

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Days since 1970-01-01 and the second of that day.
    static func split(_ date: Date) -> (day: Int, second: Int) {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let day = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        return (day, seconds - day * 86_400)
    }

    static func clock(_ second: Int) -> String {
        "\(pad(second / 3600, 2)):\(pad(second / 60 % 60, 2)):\(pad(second % 60, 2))"
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(abs(value))
        return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Year, month and day of `day` days since 1970-01-01 (Howard Hinnant's algorithm).
    public static func civil(_ day: Int) -> (year: Int, month: Int, day: Int) {
        let z = day + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shifted = (5 * dayOfYear + 2) / 153
        let dayOfMonth = dayOfYear - (153 * shifted + 2) / 5 + 1
        let month = shifted < 10 ? shifted + 3 : shifted - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, dayOfMonth)
    }

    /// Days since 1970-01-01 of a civil date (months and days past their ends roll over, as ICU's lenient parse does).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let year = month <= 2 ? year - 1 : year
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func century(_ twoDigits: Int, now: Date) -> Int {
        let start = civil(split(now).day).year - 80
        var year = start - start % 100 + twoDigits
        if year < start { year += 100 }
        return year
    }

    private static func make(day: Substring, month: Substring, year: Int, time: Substring, zone: Substring) -> Date? {
        guard let dayOfMonth = Int(day), (1...31).contains(dayOfMonth), day.count <= 2,
              let monthIndex = months.firstIndex(where: { $0.lowercased() == month.lowercased() }) else { return nil }
        let parts = time.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ $0.count == 2 }),
              let hour = Int(parts[0]), let minute = Int(parts[1]), let second = Int(parts[2]),
              hour < 24, minute < 60, second < 60 else { return nil }
        let offset: Int
        switch zone.uppercased() {
        case "GMT", "UTC", "UT", "Z": offset = 0
        default:
            guard zone.count == 5, let sign = zone.first, sign == "+" || sign == "-",
                  let hours = Int(zone.dropFirst().prefix(2)), let minutes = Int(zone.suffix(2)) else { return nil }
            offset = (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
        }
        let seconds = days(year: year, month: monthIndex + 1, day: dayOfMonth) * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds))
    }
}
