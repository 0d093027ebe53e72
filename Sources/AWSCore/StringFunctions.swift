// String functions in place of the ones full Foundation adds to String (it pulls in ICU, issue #17):
// trimming by CharacterSet's sets, replacing, case-insensitive search, percent decoding.

/// Trimming by scalar class, with the sets Foundation's `CharacterSet` names (without Foundation: its
/// `CharacterSet` pulls in ICU). Trimming works on Unicode scalars, as `trimmingCharacters(in:)` does.
public enum TrimSet: Sendable {
    /// `CharacterSet.whitespaces`: tab and the space separators (General Category Zs: space, no-break space…).
    case whitespaces
    /// `CharacterSet.newlines`: U+000A–U+000D, U+0085, U+2028 and U+2029.
    case newlines
    /// `CharacterSet.whitespacesAndNewlines`: both of the above.
    case whitespacesAndNewlines

    public func contains(_ scalar: Unicode.Scalar) -> Bool {
        switch self {
        case .whitespaces: return Self.isWhitespace(scalar)
        case .newlines: return Self.isNewline(scalar)
        case .whitespacesAndNewlines: return Self.isWhitespace(scalar) || Self.isNewline(scalar)
        }
    }

    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\t" || scalar.properties.generalCategory == .spaceSeparator
    }

    static func isNewline(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A...0x0D, 0x85, 0x2028, 0x2029: return true
        default: return false
        }
    }
}

extension StringProtocol {
    /// The text without leading and trailing scalars of `set` (`trimmingCharacters(in:)`).
    public func trimming(_ set: TrimSet) -> String {
        trimming { set.contains($0) }
    }

    /// The text without leading and trailing tabs and spaces (`CharacterSet.whitespaces`).
    public var trimmingWhitespace: String { trimming(.whitespaces) }

    /// The text without leading and trailing scalars found in `characters` (`CharacterSet(charactersIn:)`).
    public func trimming(charactersIn characters: String) -> String {
        let scalars = Set(characters.unicodeScalars)
        return trimming { scalars.contains($0) }
    }

    private func trimming(where predicate: (Unicode.Scalar) -> Bool) -> String {
        let text = String(self)
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !predicate($0) }),
              let last = scalars.lastIndex(where: { !predicate($0) }) else { return "" }
        return String(scalars[first...last])
    }
}

extension StringProtocol {
    /// Every occurrence of `target` replaced, as Foundation's `replacingOccurrences(of:with:)` did: compared
    /// scalar by scalar (a `\n` inside `\r\n` is found too), but not where a combining mark follows (the
    /// `e` of `e\u{301}` is part of `é`).
    public func replacingEvery(_ target: String, with replacement: String) -> String {
        let scalars = String(self).unicodeScalars
        let wanted = Array(target.unicodeScalars)
        guard !wanted.isEmpty else { return String(self) }
        var result = String.UnicodeScalarView()
        var position = scalars.startIndex
        while position < scalars.endIndex {
            var end = position
            var matched = 0
            while matched < wanted.count, end < scalars.endIndex, scalars[end] == wanted[matched] {
                end = scalars.index(after: end)
                matched += 1
            }
            if matched == wanted.count, end == scalars.endIndex || !Self.isCombiningMark(scalars[end]) {
                result.append(contentsOf: replacement.unicodeScalars)
                position = end
            } else {
                result.append(scalars[position])
                position = scalars.index(after: position)
            }
        }
        return String(result)
    }

    private static func isCombiningMark(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }

    /// The ranges of `needle` in the text, in order and not overlapping, compared case-insensitively
    /// (character by character, lowercased), and without diacritics when `ignoringDiacritics`.
    public func caseInsensitiveRanges(of needle: String, ignoringDiacritics: Bool = false) -> [Range<Index>] {
        func fold(_ character: Character) -> String {
            let lower = character.lowercased()
            guard ignoringDiacritics else { return lower }
            return String(String.UnicodeScalarView(lower.unicodeScalars.filter { $0.properties.generalCategory != .nonspacingMark }))
        }
        let wanted = needle.map(fold)
        guard !wanted.isEmpty else { return [] }
        var result: [Range<Index>] = []
        var start = startIndex
        while start < endIndex {
            var position = start
            var matched = 0
            while matched < wanted.count, position < endIndex, fold(self[position]) == wanted[matched] {
                position = index(after: position)
                matched += 1
            }
            if matched == wanted.count {
                result.append(start..<position)
                start = position
            } else {
                start = index(after: start)
            }
        }
        return result
    }

    /// True when `needle` occurs in the text, compared as ``caseInsensitiveRanges(of:ignoringDiacritics:)`` does.
    public func containsCaseInsensitive(_ needle: String, ignoringDiacritics: Bool = false) -> Bool {
        !caseInsensitiveRanges(of: needle, ignoringDiacritics: ignoringDiacritics).isEmpty
    }
}

extension StringProtocol {
    /// The text with `%XX` sequences decoded as UTF-8 bytes (`+` stays `+`); nil when a `%` is not
    /// followed by two hex digits or the bytes are not UTF-8, as Foundation's `removingPercentEncoding`.
    public var percentDecoded: String? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(Self.hexValue), let low = iterator.next().flatMap(Self.hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
