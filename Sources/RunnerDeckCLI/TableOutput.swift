import AWSCore
import AppRunner
import FoundationEssentials
import RunnerDeckKit

/// One cell of a listing: its text and, on a colour terminal, a colour.
struct TableCell: Sendable, ExpressibleByStringLiteral {
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

    /// The colour of a role (the same roles the dashboard paints).
    init?(_ role: ColorRole) {
        switch role {
        case .ok: self = .green
        case .warn: self = .yellow
        case .error: self = .red
        case .info: self = .blue
        case .accent: self = .magenta
        case .title: self = .cyan
        case .muted, .normal: return nil
        }
    }
}

/// Rows under a header, printed as aligned columns (`table`) or tab-separated (`text`).
struct Listing: Sendable {
    var headers: [String]
    var rows: [[TableCell]]

    /// Aligned columns, two spaces apart, header in capitals; the last column is not padded.
    func table(color: Bool) -> String {
        let columns = headers.count
        var widths = headers.map(DisplayWidth.of)
        for row in rows {
            for (index, cell) in row.prefix(columns).enumerated() {
                widths[index] = max(widths[index], DisplayWidth.of(cell.text))
            }
        }
        func line(_ cells: [TableCell]) -> String {
            var parts: [String] = []
            for (index, cell) in cells.prefix(columns).enumerated() {
                let text = sanitizeForTerminal(cell.text)
                let padding = index == columns - 1 ? "" : String(repeating: " ", count: widths[index] - DisplayWidth.of(text))
                let shown = color ? cell.color.map { $0.wrap(text) } ?? text : text
                parts.append(shown + padding)
            }
            return parts.joined(separator: "  ").trimmingTrailingSpaces() + "\n"
        }
        var text = line(headers.map { TableCell($0.uppercased()) })
        for row in rows { text += line(row) }
        return text
    }

    /// One record a line, fields separated by tabs, no header, no colour.
    func text() -> String {
        rows.map { row in row.map { sanitizeForTerminal($0.text).replacingEvery("\t", with: " ") }.joined(separator: "\t") + "\n" }.joined()
    }

    func render(_ format: OutputFormat, color: Bool) -> String {
        format == .text ? text() : table(color: color)
    }
}

/// Field–value pairs: a two-column table, or `field<TAB>value` lines.
struct Record: Sendable {
    var fields: [(String, TableCell)] = []

    mutating func add(_ name: String, _ value: String?, color: ANSIColor? = nil) {
        guard let value, !value.isEmpty else { return }
        fields.append((name, TableCell(value, color: color)))
    }

    func render(_ format: OutputFormat, color: Bool) -> String {
        switch format {
        case .text:
            return fields.map { "\($0.0)\t\(sanitizeForTerminal($0.1.text).replacingEvery("\t", with: " "))\n" }.joined()
        default:
            let width = fields.map { DisplayWidth.of($0.0) }.max() ?? 0
            return fields.map { name, cell in
                let value = sanitizeForTerminal(cell.text)
                let shown = color ? cell.color.map { $0.wrap(value) } ?? value : value
                return name + String(repeating: " ", count: width - DisplayWidth.of(name)) + "  " + shown + "\n"
            }.joined()
        }
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}

/// Status colours from the shared status words; the status text itself always carries the meaning.
enum StatusColor {
    static func service(_ status: ServiceStatus?) -> ANSIColor? { ANSIColor(StatusWords.service(status).role) }
    static func operation(_ status: OperationStatus?) -> ANSIColor? { ANSIColor(StatusWords.operation(status).role) }
    static func domain(_ text: String) -> ANSIColor? { ANSIColor(StatusWords.domain(text).role) }
}


