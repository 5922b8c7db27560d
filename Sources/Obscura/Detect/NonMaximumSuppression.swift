/// Greedy non-maximum suppression: keeps the highest-scoring detection of every group whose
/// boxes overlap by at least `overlap` (intersection over union). Ties are broken by position so
/// the result never depends on input order.
public func suppressOverlaps(_ detections: [Detection], overlap: Double = 0.3) -> [Detection] {
    let ordered = detections.sorted { a, b in
        if a.confidence != b.confidence { return a.confidence > b.confidence }
        if a.box.y != b.box.y { return a.box.y < b.box.y }
        if a.box.x != b.box.x { return a.box.x < b.box.x }
        return a.box.area > b.box.area
    }
    var kept: [Detection] = []
    for candidate in ordered where !kept.contains(where: { $0.box.intersectionOverUnion(with: candidate.box) >= overlap }) {
        kept.append(candidate)
    }
    return kept
}
