import AppRunner
import Foundation

/// JSON as `aws … --output json` prints it: the model's member names, four-space indent,
/// `"Key": value`, timestamps as ISO 8601 in the local time zone with offset
/// (`2026-11-22T10:00:00.123000+00:00`, fraction only when non-zero — Python's `isoformat()`).
public enum CLIJSON {
    /// Renders `value` (an API response shape) the way the AWS CLI would, with a trailing newline.
    public static func render<T: Encodable>(_ value: T, timeZone: TimeZone = .current) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(timestamp(date, timeZone: timeZone))
        }
        let compact = try encoder.encode(value)
        return indent(compact) + "\n"
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

    /// Re-indents compact JSON as Python's `json.dumps(indent=4)` does; key order is kept.
    public static func indent(_ compact: Data) -> String {
        let bytes = [UInt8](compact)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        var depth = 0
        var inString = false
        var escaped = false
        var index = 0
        func newline() {
            out.append(0x0A)
            out.append(contentsOf: repeatElement(0x20, count: depth * 4))
        }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if inString {
                out.append(byte)
                if escaped {
                    escaped = false
                } else if byte == 0x5C {  // backslash
                    escaped = true
                } else if byte == 0x22 {
                    inString = false
                }
                continue
            }
            switch byte {
            case 0x22:
                inString = true
                out.append(byte)
            case 0x7B, 0x5B:  // { [
                let close: UInt8 = byte == 0x7B ? 0x7D : 0x5D
                var next = index
                while next < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[next]) { next += 1 }
                if next < bytes.count, bytes[next] == close {
                    out.append(byte)
                    out.append(close)
                    index = next + 1
                } else {
                    out.append(byte)
                    depth += 1
                    newline()
                }
            case 0x7D, 0x5D:
                depth -= 1
                newline()
                out.append(byte)
            case 0x2C:
                out.append(byte)
                newline()
            case 0x3A:
                out.append(byte)
                out.append(0x20)
            case 0x20, 0x0A, 0x0D, 0x09:
                continue
            default:
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
