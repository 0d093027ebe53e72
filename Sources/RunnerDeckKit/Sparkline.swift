import FoundationEssentials

/// A series drawn as one line of block characters (`▁▂▃▄▅▆▇█`), or ASCII (`_.-:=+*#`) where the
/// locale is not UTF-8. Gaps are spaces; the newest value is at the right.
public enum Sparkline {
    public static let unicodeLevels: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    public static let asciiLevels: [Character] = ["_", ".", "-", ":", "=", "+", "*", "#"]

    /// Exactly `width` characters. More values than columns are averaged into columns (gaps ignored,
    /// a column of gaps stays a gap); fewer values are padded with spaces on the left. The scale runs
    /// from 0 (or the minimum, when negative) to the maximum, or to `ceiling` when given.
    public static func render(_ values: [Double?], width: Int, ascii: Bool = false, ceiling: Double? = nil) -> String {
        guard width > 0 else { return "" }
        let columns = resample(values, width: width)
        let levels = ascii ? asciiLevels : unicodeLevels
        let present = columns.compactMap { $0 }
        let low = min(0, present.min() ?? 0)
        let high = max(ceiling ?? present.max() ?? 0, low)
        var line = String(repeating: " ", count: width - columns.count)
        for value in columns {
            guard let value else {
                line.append(" ")
                continue
            }
            guard high > low else {
                line.append(levels[0])
                continue
            }
            let fraction = min(1, max(0, (value - low) / (high - low)))
            let index = Int((fraction * Double(levels.count - 1)).rounded())
            line.append(levels[index])
        }
        return line
    }

    /// At most `width` columns: each the mean of the present values of its share of `values`.
    static func resample(_ values: [Double?], width: Int) -> [Double?] {
        guard values.count > width else { return values }
        return (0..<width).map { column in
            let from = column * values.count / width
            let to = max(from + 1, (column + 1) * values.count / width)
            let present = values[from..<to].compactMap { $0 }
            return present.isEmpty ? nil : present.reduce(0, +) / Double(present.count)
        }
    }

    /// True when the environment's locale (`LC_ALL`, else `LC_CTYPE`, else `LANG`) is not UTF-8
    /// (unset means the C locale): draw with ``asciiLevels``.
    public static func prefersASCII(environment: [String: String]) -> Bool {
        let locale = ["LC_ALL", "LC_CTYPE", "LANG"].lazy.compactMap { environment[$0] }.first { !$0.isEmpty } ?? "C"
        let lowered = locale.lowercased()
        return !(lowered.contains("utf-8") || lowered.contains("utf8"))
    }
}
