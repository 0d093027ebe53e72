import AppRunner
import Foundation

/// One cell of a listing: its text and, on a colour terminal, a colour.
struct Cell: Sendable, ExpressibleByStringLiteral {
    var text: String
    var color: ANSIColor?

    init(_ text: String, color: ANSIColor? = nil) {
        self.text = text
        self.color = color
    }

    init(stringLiteral value: String) {
        self.init(value)
    }
}

/// The 8 standard colours (SGR 30–37).
enum ANSIColor: Int, Sendable {
    case red = 31, green = 32, yellow = 33, blue = 34, magenta = 35, cyan = 36

    func wrap(_ text: String) -> String { "\u{1B}[\(rawValue)m\(text)\u{1B}[0m" }
}

/// Rows under a header, printed as aligned columns (`table`) or tab-separated (`text`).
struct Listing: Sendable {
    var headers: [String]
    var rows: [[Cell]]

    /// Aligned columns, two spaces apart, header in capitals; the last column is not padded.
    func table(color: Bool) -> String {
        let columns = headers.count
        var widths = headers.map(displayWidth)
        for row in rows {
            for (index, cell) in row.prefix(columns).enumerated() {
                widths[index] = max(widths[index], displayWidth(cell.text))
            }
        }
        func line(_ cells: [Cell]) -> String {
            var parts: [String] = []
            for (index, cell) in cells.prefix(columns).enumerated() {
                let text = sanitize(cell.text)
                let padding = index == columns - 1 ? "" : String(repeating: " ", count: widths[index] - displayWidth(text))
                let shown = color ? cell.color.map { $0.wrap(text) } ?? text : text
                parts.append(shown + padding)
            }
            return parts.joined(separator: "  ").trimmingTrailingSpaces() + "\n"
        }
        var text = line(headers.map { Cell($0.uppercased()) })
        for row in rows { text += line(row) }
        return text
    }

    /// One record a line, fields separated by tabs, no header, no colour.
    func text() -> String {
        rows.map { row in row.map { sanitize($0.text).replacingOccurrences(of: "\t", with: " ") }.joined(separator: "\t") + "\n" }.joined()
    }

    func render(_ format: OutputFormat, color: Bool) -> String {
        format == .text ? text() : table(color: color)
    }
}

/// Field–value pairs: a two-column table, or `field<TAB>value` lines.
struct Record: Sendable {
    var fields: [(String, Cell)] = []

    mutating func add(_ name: String, _ value: String?, color: ANSIColor? = nil) {
        guard let value, !value.isEmpty else { return }
        fields.append((name, Cell(value, color: color)))
    }

    func render(_ format: OutputFormat, color: Bool) -> String {
        switch format {
        case .text:
            return fields.map { "\($0.0)\t\(sanitize($0.1.text).replacingOccurrences(of: "\t", with: " "))\n" }.joined()
        default:
            let width = fields.map { displayWidth($0.0) }.max() ?? 0
            return fields.map { name, cell in
                let value = sanitize(cell.text)
                let shown = color ? cell.color.map { $0.wrap(value) } ?? value : value
                return name + String(repeating: " ", count: width - displayWidth(name)) + "  " + shown + "\n"
            }.joined()
        }
    }
}

/// Control characters (a value from the service could hold escape sequences) shown as `?`.
func sanitize(_ text: String) -> String {
    String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
        scalar.properties.generalCategory == .control ? "?" : scalar
    }))
}

/// Terminal columns a string takes: East Asian wide and emoji count 2, combining marks 0.
func displayWidth(_ text: String) -> Int {
    var width = 0
    for scalar in text.unicodeScalars {
        let value = scalar.value
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: continue
        default: break
        }
        if (0x1100...0x115F).contains(value) || (0x2E80...0xA4CF).contains(value) || (0xAC00...0xD7A3).contains(value)
            || (0xF900...0xFAFF).contains(value) || (0xFE30...0xFE4F).contains(value) || (0xFF00...0xFF60).contains(value)
            || (0xFFE0...0xFFE6).contains(value) || (0x1F300...0x1FAFF).contains(value) || (0x20000...0x3FFFD).contains(value) {
            width += 2
        } else {
            width += 1
        }
    }
    return width
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}

/// Status colours; the status text itself always carries the meaning.
enum StatusColor {
    static func service(_ status: ServiceStatus?) -> ANSIColor? {
        switch status {
        case .running?: return .green
        case .operationInProgress?: return .yellow
        case .paused?: return .blue
        case .createFailed?, .deleteFailed?: return .red
        case .deleted?: return .magenta
        default: return nil
        }
    }

    static func operation(_ status: OperationStatus?) -> ANSIColor? {
        switch status {
        case .succeeded?: return .green
        case .pending?, .inProgress?: return .yellow
        case .failed?, .rollbackFailed?: return .red
        case .rollbackInProgress?, .rollbackSucceeded?: return .magenta
        default: return nil
        }
    }

    static func domain(_ text: String) -> ANSIColor? {
        switch text.lowercased() {
        case "active", "success": return .green
        case "create_failed", "delete_failed", "failed": return .red
        default: return .yellow
        }
    }
}

/// Dates in tables: local time, to the second (`2026-11-22 10:00:00`), or empty.
func tableDate(_ date: Date?) -> String {
    guard let date else { return "" }
    let iso = CLIJSON.timestamp(Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)))
    // `2026-11-22T10:00:00+00:00` → `2026-11-22 10:00:00`
    return String(iso.prefix(19)).replacingOccurrences(of: "T", with: " ")
}

/// `1h02m`, `4m05s`, `12s`.
func durationText(_ seconds: TimeInterval) -> String {
    let total = max(0, Int(seconds.rounded()))
    if total >= 3600 { return "\(total / 3600)h" + String(format: "%02dm", (total % 3600) / 60) }
    if total >= 60 { return "\(total / 60)m" + String(format: "%02ds", total % 60) }
    return "\(total)s"
}
