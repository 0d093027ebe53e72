/// "Did you mean": the candidates nearest to what was typed, by edit distance (case-insensitive),
/// with names that contain it, or that it contains, first.
public enum Suggestions {
    public static func nearest(to typed: String, in candidates: [String], limit: Int = 5, maxDistance: Int? = nil) -> [String] {
        let needle = typed.lowercased()
        let bound = maxDistance ?? max(2, needle.count / 3)
        var scored: [(name: String, score: Int)] = []
        for name in Set(candidates) {
            let lower = name.lowercased()
            if lower.contains(needle) || (!lower.isEmpty && needle.contains(lower)) {
                scored.append((name, 0))
                continue
            }
            let distance = editDistance(needle, lower)
            if distance <= bound { scored.append((name, distance)) }
        }
        return scored.sorted { $0.score == $1.score ? $0.name < $1.name : $0.score < $1.score }.prefix(limit).map(\.name)
    }

    /// Levenshtein distance over characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0...y.count)
        var current = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[y.count]
    }
}
