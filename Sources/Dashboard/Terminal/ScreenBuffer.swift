import RunnerDeckKit

/// Attributes and colour role of a cell.
public struct Style: Hashable, Sendable {
    public var role: ColorRole
    public var bold: Bool
    public var reverse: Bool
    var underline: Bool
    var dim: Bool

    public init(_ role: ColorRole = .normal, bold: Bool = false, reverse: Bool = false, underline: Bool = false, dim: Bool = false) {
        self.role = role
        self.bold = bold
        self.reverse = reverse
        self.underline = underline
        self.dim = dim
    }

    public static let plain = Style()
    static let bar = Style(.normal, reverse: true)
    static let heading = Style(.normal, bold: true)

    public func with(reverse: Bool) -> Style {
        var copy = self
        copy.reverse = reverse
        return copy
    }
}

/// One terminal cell: a grapheme cluster of width 1 or 2, or `""` for the right half of a wide one.
struct Cell: Hashable, Sendable {
    public var text: String
    public var style: Style

    public init(text: String = " ", style: Style = .plain) {
        self.text = text
        self.style = style
    }

    static let blank = Cell()
    /// True for the second column of a double-width character.
    var isContinuation: Bool { text.isEmpty }
}

/// A frame: a grid of cells that views draw into and the painter diffs against the previous one.
struct ScreenBuffer: Hashable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]
    /// When true (non-UTF-8 locale), anything outside printable ASCII is drawn as `?`.
    var asciiOnly: Bool

    public init(width: Int, height: Int, asciiOnly: Bool = false) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.cells = Array(repeating: .blank, count: self.width * self.height)
        self.asciiOnly = asciiOnly
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Writes `text` at (x, y) in `style`, clipped to `maxWidth` columns and to the row; returns the
    /// number of columns written. Control characters become `?`; a wide character that does not fit
    /// becomes a space.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style = .plain, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let limit = min(width, x + (maxWidth ?? width))
        var column = x
        for character in text {
            if column >= limit { break }
            var glyph = String(character)
            var w: Int
            if character.isASCII, let a = character.asciiValue {
                if a < 0x20 || a == 0x7F { glyph = "?" }
                w = 1
            } else if asciiOnly {
                glyph = "?"
                w = 1
            } else {
                w = DisplayWidth.of(character)
                if w == 0 {
                    // A lone combining mark or control: attach nothing, draw nothing.
                    continue
                }
            }
            if column < 0 {
                column += w
                continue
            }
            if column + w > limit {
                self[column, y] = Cell(text: " ", style: style)
                column += 1
                break
            }
            clearWideNeighbours(x: column, y: y, width: w)
            self[column, y] = Cell(text: glyph, style: style)
            if w == 2 { self[column + 1, y] = Cell(text: "", style: style) }
            column += w
        }
        return max(0, column - x)
    }

    /// Overwriting half of a wide character blanks the other half so the grid stays consistent.
    private mutating func clearWideNeighbours(x: Int, y: Int, width w: Int) {
        if self[x, y].isContinuation, x > 0 { self[x - 1, y] = Cell(text: " ", style: self[x - 1, y].style) }
        let end = x + w - 1
        if end + 1 < width, self[end + 1, y].isContinuation { self[end + 1, y] = Cell(text: " ", style: self[end + 1, y].style) }
    }

    /// Fills `count` columns of row `y` from `x` with spaces in `style`.
    mutating func fill(y: Int, x: Int = 0, count: Int? = nil, style: Style) {
        guard y >= 0, y < height else { return }
        let start = max(0, x)
        let end = min(width, x + (count ?? width))
        guard start < end else { return }
        for column in start..<end { self[column, y] = Cell(text: " ", style: style) }
    }

    /// Applies `style` to existing cells (e.g. highlight a selected row) without changing text.
    mutating func restyle(y: Int, x: Int = 0, count: Int? = nil, _ transform: (Style) -> Style) {
        guard y >= 0, y < height else { return }
        let end = min(width, x + (count ?? width))
        guard max(0, x) < end else { return }
        for column in max(0, x)..<end {
            var cell = self[column, y]
            cell.style = transform(cell.style)
            self[column, y] = cell
        }
    }

    /// The text of row `y` (trailing spaces kept), for tests and the e2e harness.
    public func line(_ y: Int) -> String {
        guard y >= 0, y < height else { return "" }
        var out = ""
        for x in 0..<width { out += self[x, y].text }
        return out
    }

    /// Every row as text with trailing spaces removed.
    public var text: String {
        (0..<height).map { line($0).replacingTrailingSpaces() }.joined(separator: "\n")
    }
}

extension String {
    func replacingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}

/// Glyphs for lines, bars and markers: Unicode in a UTF-8 locale, plain ASCII otherwise.
struct Glyphs: Sendable, Hashable {
    var hline: String
    var vline: String
    var barFull: String
    var barEmpty: String
    public var pointer: String
    public var ellipsis: String
    public var up: String
    public var down: String
    var bullet: String

    static let unicode = Glyphs(hline: "─", vline: "│", barFull: "█", barEmpty: "·", pointer: "▶", ellipsis: "…", up: "↑", down: "↓", bullet: "•")
    public static let ascii = Glyphs(hline: "-", vline: "|", barFull: "#", barEmpty: ".", pointer: ">", ellipsis: "~", up: "^", down: "v", bullet: "*")
}
