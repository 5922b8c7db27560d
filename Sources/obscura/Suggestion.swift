/// "did you mean 'faces'?" for a name that is close to a known one.
enum Suggestion {
    /// The known name closest to `given`: equal but for case, or at most two edits away (one
    /// for short names), so a plural, a typo or a capital is caught and nonsense is not matched.
    static func closest(to given: String, among known: [String]) -> String? {
        let lowered = given.lowercased()
        if let same = known.first(where: { $0.lowercased() == lowered }) { return same }
        let scored = known.map { ($0, distance(lowered, $0.lowercased())) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        return best.1 <= (min(given.count, best.0.count) <= 4 ? 1 : 2) ? best.0 : nil
    }

    /// "; did you mean 'faces'?", or "" when nothing is close.
    static func hint(for given: String, among known: [String]) -> String {
        closest(to: given, among: known).map { "; did you mean '\($0)'?" } ?? ""
    }

    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
