import AWSCore
import FoundationEssentials

/// Text formatting shared by the views.
public enum Format {
    /// `12.5%` for 12.5 (a value already in percent, as CloudWatch gives CPUUtilization).
    public static func percent(_ value: Double) -> String { String(cFormat: "%.1f%%", value) }

    /// `0.4%` for a share of 0.004.
    public static func percent(share: Double) -> String { percent(share * 100) }

    /// `42s`, `3m 05s`, `2h 07m`, `3d 4h`.
    public static func duration(_ seconds: TimeInterval) -> String {
        let s = max(0, Int(seconds.rounded(.down)))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m \(String(cFormat: "%02d", s % 60))s" }
        if s < 86400 { return "\(s / 3600)h \(String(cFormat: "%02d", (s % 3600) / 60))m" }
        return "\(s / 86400)d \((s % 86400) / 3600)h"
    }

    /// Short age: `42s`, `5m`, `3h`, `12d`.
    public static func age(_ seconds: TimeInterval) -> String {
        let s = max(0, Int(seconds.rounded(.down)))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" }
        if s < 86400 { return "\(s / 3600)h" }
        return "\(s / 86400)d"
    }

    /// `HH:MM:SS` in UTC (the dashboard shows UTC, marked as such in the header).
    public static func clock(_ date: Date) -> String {
        let s = Int(date.timeIntervalSince1970.rounded(.down))
        let day = ((s % 86400) + 86400) % 86400
        return String(cFormat: "%02d:%02d:%02d", day / 3600, (day % 3600) / 60, day % 60)
    }

    /// `YYYY-MM-DD HH:MM:SS` in UTC.
    public static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(cFormat: "%04d-%02d-%02d %02d:%02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    /// `1024` → `1 vCPU`, `256` → `0.25 vCPU`.
    public static func cpu(_ raw: String?) -> String {
        guard let raw else { return "-" }
        if let units = Double(raw) { return "\(trim(units / 1024)) vCPU" }
        return raw
    }

    /// `2048` → `2 GB`.
    public static func memory(_ raw: String?) -> String {
        guard let raw else { return "-" }
        if let mb = Double(raw) { return "\(trim(mb / 1024)) GB" }
        return raw
    }

    static func trim(_ value: Double) -> String {
        if value == value.rounded() { return String(Int(value)) }
        var text = String(cFormat: "%.2f", value)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}

extension Format {
    /// A measurement for a table: whole numbers without decimals, others with up to two (`12`, `0.25`, `1234.5`).
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        if abs(value) >= 1e12 { return String(cFormat: "%.0f", value) }
        return trim((value * 100).rounded() / 100)
    }

    /// A map's names only, in the order App Runner gave them (values may be secrets and are never
    /// shown); nil for none.
    public static func names(_ map: AWSMap<String>?) -> String? {
        guard let map, !map.isEmpty else { return nil }
        return map.keys.joined(separator: ", ")
    }
}
