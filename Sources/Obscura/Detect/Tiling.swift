/// How a detector that needs memory in proportion to its input cuts a long side into tiles.
enum Tiling {
    /// The fewest equal spans of at most `limit` covering `length`, evenly spread, neighbours
    /// overlapping by at least `overlap`; each span rounded up to a multiple of `step` where the
    /// length allows (less padding for networks with a coarsest stride).
    static func spans(length: Int, limit: Int, overlap: Int, step: Int = 1) -> [(origin: Int, length: Int)] {
        if length <= limit { return [(0, length)] }
        let count = Int((Double(length - overlap) / Double(limit - overlap)).rounded(.up))
        let even = (length + (count - 1) * overlap + count - 1) / count
        let span = min(length, (even + step - 1) / step * step)
        return (0..<count).map { index in ((length - span) * index / (count - 1), span) }
    }
}
