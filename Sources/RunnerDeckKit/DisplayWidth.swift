/// Display width of text in terminal columns, independent of the C library's locale tables so
/// that layout (and the tests) behave the same everywhere: CJK and emoji take two columns,
/// combining marks and joiners none.
public enum DisplayWidth {
    /// Columns taken by one Unicode scalar: 0, 1 or 2. Control characters count 0 (they are
    /// replaced before painting).
    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return 0 }
        if v < 0x300 { return 1 }
        if isZeroWidth(v) { return 0 }
        if isWide(v) { return 2 }
        return 1
    }

    /// Columns taken by one grapheme cluster (a `Character`): the widest scalar, and 2 for an
    /// emoji presentation sequence (`U+FE0F`).
    public static func of(_ character: Character) -> Int {
        var width = 0
        for scalar in character.unicodeScalars {
            if scalar.value == 0xFE0F { return 2 }
            width = max(width, of(scalar))
        }
        return min(width, 2)
    }

    /// Columns taken by a string.
    public static func of(_ text: String) -> Int {
        var total = 0
        for character in text {
            if character.isASCII {
                total += (character.asciiValue.map { $0 >= 0x20 && $0 < 0x7F } ?? false) ? 1 : 0
            } else {
                total += of(character)
            }
        }
        return total
    }

    static func isZeroWidth(_ v: UInt32) -> Bool {
        switch v {
        case 0x0300...0x036F, 0x0483...0x0489, 0x0591...0x05BD, 0x0610...0x061A, 0x064B...0x065F,
             0x1AB0...0x1AFF, 0x1DC0...0x1DFF, 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x2064,
             0x20D0...0x20FF, 0xFE00...0xFE0F, 0xFE20...0xFE2F, 0xFEFF, 0xE0100...0xE01EF:
            return true
        default:
            return false
        }
    }

    static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0, 0x23F3,
             0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F, 0x2693, 0x26A1,
             0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE, 0x26D4, 0x26EA,
             0x26F2...0x26F3, 0x26F5, 0x26FA, 0x26FD, 0x2705, 0x270A...0x270B, 0x2728, 0x274C,
             0x274E, 0x2753...0x2755, 0x2757, 0x2795...0x2797, 0x27B0, 0x27BF, 0x2B1B...0x2B1C,
             0x2B50, 0x2B55,
             0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xA960...0xA97F, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F,
             0xFF00...0xFF60, 0xFFE0...0xFFE6,
             0x1F004, 0x1F0CF, 0x1F18E, 0x1F191...0x1F19A, 0x1F200...0x1F251,
             0x1F300...0x1F64F, 0x1F680...0x1F6FF, 0x1F7E0...0x1F7EB, 0x1F90C...0x1F9FF,
             0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD:
            return true
        default:
            return false
        }
    }
}

extension String {
    /// Columns this string takes on a terminal.
    public var displayWidth: Int { DisplayWidth.of(self) }

    /// The longest prefix that fits in `columns`, with `ellipsis` at the end when cut.
    public func truncated(toWidth columns: Int, ellipsis: String = "…") -> String {
        if columns <= 0 { return "" }
        if DisplayWidth.of(self) <= columns { return self }
        let ellipsisWidth = DisplayWidth.of(ellipsis)
        let room = max(0, columns - ellipsisWidth)
        var out = ""
        var used = 0
        for character in self {
            let w = DisplayWidth.of(character)
            if used + w > room { break }
            out.append(character)
            used += w
        }
        return ellipsisWidth <= columns ? out + ellipsis : out
    }

    /// Pads with spaces (or cuts) to exactly `columns`.
    public func padded(toWidth columns: Int, ellipsis: String = "…", alignRight: Bool = false) -> String {
        let cut = truncated(toWidth: columns, ellipsis: ellipsis)
        let pad = max(0, columns - DisplayWidth.of(cut))
        let spaces = String(repeating: " ", count: pad)
        return alignRight ? spaces + cut : cut + spaces
    }

    /// Splits into lines of at most `columns` display columns; nothing is dropped. A line breaks after
    /// its last space when it has one (words stay whole), otherwise exactly at the width (ARNs, records).
    public func wrapped(toWidth columns: Int) -> [String] {
        guard columns > 0 else { return [self] }
        var lines: [String] = []
        var current = ""
        var used = 0
        for character in self {
            let w = DisplayWidth.of(character)
            if used + w > columns, !current.isEmpty {
                if character != " ", let space = current.lastIndex(of: " "), space != current.startIndex {
                    let rest = String(current[current.index(after: space)...])
                    lines.append(String(current[...space]))
                    current = rest
                    used = DisplayWidth.of(rest)
                } else {
                    lines.append(current)
                    current = ""
                    used = 0
                }
            }
            current.append(character)
            used += w
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }
}
