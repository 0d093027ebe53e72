import AWSCore
import FoundationEssentials

/// How timestamps print, the profile's `cli_timestamp_format` as the AWS CLI reads it: `iso8601` (the
/// default, as in AWS CLI v2: `2026-11-30T08:07:00.685910+00:00` in the local zone with its offset) or
/// `none` (the value as on the wire: seconds since 1970, a JSON number).
enum TimestampFormat: String, Sendable, CaseIterable {
    case iso8601
    case none

    /// A timestamp as a JSON value: a quoted ISO 8601 string, or a number.
    func json(_ date: Date, timeZone: TimeZone? = nil) -> String {
        switch self {
        case .iso8601: return JSONNode.quote(CLIJSON.timestamp(date, timeZone: timeZone))
        case .none: return Self.wire(date)
        }
    }

    /// A timestamp in table and text records: ISO 8601 to the second with the offset
    /// (`2026-11-30T03:07:00-05:00`), or the wire number; empty for none.
    func record(_ date: Date?) -> String {
        guard let date else { return "" }
        switch self {
        case .iso8601: return CLIJSON.timestamp(Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)))
        case .none: return Self.wire(date)
        }
    }

    /// Seconds since 1970 as App Runner sent them, printed as Python prints a float (the shortest text
    /// that reads back as the same number). The decoded `Date` keeps the wire's double exactly: for
    /// today's times the shift to and from 2001 is exact (Sterbenz), so the text matches the wire's.
    /// A whole number of seconds prints without a fraction, as a JSON integer on the wire reads back.
    static func wire(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        if seconds == seconds.rounded(), abs(seconds) < 1e15 { return String(Int64(seconds)) }
        return "\(seconds)"
    }
}

/// The profile's output settings, read once per command: `output` (after `--output` and
/// `AWS_DEFAULT_OUTPUT`) and `cli_timestamp_format`. A value RunnerDeck does not know is a
/// configuration error (exit 253), reported when the command starts.
struct OutputSettings: Sendable {
    var output: OutputFormat?
    var timestamps: TimestampFormat = .iso8601
    var problem: CLIError?

    init(globals: GlobalOptions, environment: [String: String]) {
        let profile = globals.profile
        if let name = environment["AWS_DEFAULT_OUTPUT"].flatMap({ $0.isEmpty ? nil : $0 })
            ?? AWSClientConfiguration.profileSetting("output", profile: profile, environment: environment) {
            if let format = OutputFormat(rawValue: name.lowercased()) {
                output = format
            } else {
                problem = CLIError(.configuration, "output '\(name)' (AWS_DEFAULT_OUTPUT or the profile's output) is not one RunnerDeck prints: use json, text or table")
            }
        }
        if let name = AWSClientConfiguration.profileSetting("cli_timestamp_format", profile: profile, environment: environment) {
            if let format = TimestampFormat(rawValue: name.lowercased()) {
                timestamps = format
            } else {
                problem = CLIError(.configuration, "unknown cli_timestamp_format value '\(name)' in the profile; valid values are none or iso8601")
            }
        }
    }
}
