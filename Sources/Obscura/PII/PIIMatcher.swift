/// Finds personal data in recognised text lines and says where it is, without ever exposing the
/// text: payment cards (Luhn), IBANs (mod 97, registry lengths), e-mail addresses, phone
/// numbers, ICAO 9303 machine-readable zones (check digits), labelled dates of birth and user
/// rules. OCR look-alikes (O/0, I/1, S/5, B/8 …) are corrected only where a checksum confirms
/// the result. Deterministic and free of shared state: one matcher can serve every worker.
///
/// ```swift
/// let matcher = try PIIMatcher(kinds: [.card, .iban], rules: PIIRules(patterns: ["AB-\\d{6}"]))
/// let regions = matcher.matches(in: lines).map(\.detection)   // kinds "pii.card", …
/// ```
public struct PIIMatcher: Sendable {
    /// The built-in kinds looked for (`pii.custom` is looked for whenever `rules` has any).
    public let kinds: Set<PIIKind>
    public let rules: PIIRules
    private let compiled: CompiledRules

    /// Throws `settings.invalid` when a user pattern does not compile.
    public init(kinds: Set<PIIKind> = Set(PIIKind.builtIn), rules: PIIRules = .none) throws {
        self.kinds = kinds
        self.rules = rules
        compiled = try CompiledRules(rules)
    }

    /// Every match in `lines`, ordered by line and position. Lines may come in any order: the
    /// ones read together (an MRZ's lines, a label above its date) are paired by position.
    public func matches(in lines: [TextLine]) -> [PIIMatch] {
        var found: [PIIMatch] = []
        func add(_ kind: PIIKind, _ line: Int, _ ranges: [Range<Int>]) {
            for range in ranges { found.append(PIIMatch(kind: kind, box: lines[line].box(for: range), line: line, characters: range)) }
        }
        for (index, line) in lines.enumerated() {
            let characters = line.characters
            if kinds.contains(.card) { add(.card, index, PaymentCard.find(in: characters)) }
            if kinds.contains(.iban) { add(.iban, index, IBAN.find(in: characters)) }
            if kinds.contains(.email) { add(.email, index, EmailAddress.find(in: characters)) }
            if kinds.contains(.phone) {
                // A card or IBAN already claims its digits.
                let claimed = found.filter { $0.line == index }.map(\.characters)
                add(.phone, index, PhoneNumber.find(in: characters).filter { range in !claimed.contains { $0.overlaps(range) } })
            }
            if kinds.contains(.dateOfBirth) { add(.dateOfBirth, index, DateOfBirth.find(in: characters)) }
            add(.custom, index, compiled.find(in: characters))
        }
        let order = readingOrder(lines)
        if kinds.contains(.dateOfBirth) { found += datesBelowLabels(lines, order: order) }
        if kinds.contains(.mrz) { found += machineReadableZones(lines, order: order) }
        return found.sorted { ($0.line, $0.characters.lowerBound, $0.kind) < ($1.line, $1.characters.lowerBound, $1.kind) }
    }

    /// Convenience: the matches as detections for the region planner.
    public func detections(in lines: [TextLine]) -> [Detection] { matches(in: lines).map(\.detection) }

    /// Line indices sorted top to bottom, then left to right.
    private func readingOrder(_ lines: [TextLine]) -> [Int] {
        lines.indices.sorted { a, b in
            let boxA = lines[a].box, boxB = lines[b].box
            let sameRow = abs(boxA.y + boxA.height / 2 - (boxB.y + boxB.height / 2)) < min(boxA.height, boxB.height) / 2
            if !sameRow { return boxA.y < boxB.y }
            return (boxA.x, a) < (boxB.x, b)
        }
    }

    /// The line just below `line` that overlaps it horizontally, within two line heights.
    private func lineBelow(_ line: Int, in lines: [TextLine], order: [Int]) -> Int? {
        let box = lines[line].box
        return order.first { other in
            guard other != line else { return false }
            let candidate = lines[other].box
            let gap = candidate.y - box.maxY
            let overlap = min(box.maxX, candidate.maxX) - max(box.x, candidate.x)
            return candidate.y > box.y + box.height / 2 && gap < 2 * max(box.height, 1) && overlap > 0
        }
    }

    private func datesBelowLabels(_ lines: [TextLine], order: [Int]) -> [PIIMatch] {
        var found: [PIIMatch] = []
        for index in lines.indices where DateOfBirth.endsWithLabel(lines[index].characters) {
            guard let below = lineBelow(index, in: lines, order: order) else { continue }
            let characters = lines[below].characters
            var start = 0
            while start < characters.count, characters[start] == " " { start += 1 }
            if let end = DateOfBirth.date(in: characters, at: start) {
                found.append(PIIMatch(kind: .dateOfBirth, box: lines[below].box(for: start..<end), line: below, characters: start..<end))
            }
        }
        return found
    }

    /// Zones whose check digits agree; every line of a zone is painted, the name line included.
    private func machineReadableZones(_ lines: [TextLine], order: [Int]) -> [PIIMatch] {
        let candidates = order.filter { MRZ.looksLikeMRZ(lines[$0].characters) }
        var zoneLines = Set<Int>()
        for (position, index) in candidates.enumerated() {
            let next = position + 1 < candidates.count ? candidates[position + 1] : nil
            let previous = position > 0 ? candidates[position - 1] : nil
            // TD3 / TD2: this is line 2 (all the check digits); the line above is the name line.
            for format in [MRZ.Format.td3, .td2] {
                guard let second = MRZ.normalised(lines[index].characters, length: format.lineLength) else { continue }
                let first = previous.flatMap { MRZ.normalised(lines[$0].characters, length: format.lineLength) }
                if let first, MRZ.validated([first, second], format: format, correctingOCR: true) != nil {
                    zoneLines.formUnion([previous!, index])
                } else if MRZ.validated([[], second], format: format, correctingOCR: true) != nil {
                    zoneLines.insert(index)
                    if let previous, !zoneLines.contains(previous) { zoneLines.insert(previous) }
                }
            }
            // TD1: this is line 1 and the next is line 2; the one after is the name line.
            if let next,
               let first = MRZ.normalised(lines[index].characters, length: 30),
               let second = MRZ.normalised(lines[next].characters, length: 30),
               MRZ.validated([first, second], format: .td1, correctingOCR: true) != nil {
                zoneLines.formUnion([index, next])
                if position + 2 < candidates.count { zoneLines.insert(candidates[position + 2]) }
            }
        }
        return zoneLines.sorted().map { index in
            PIIMatch(kind: .mrz, box: lines[index].box, line: index, characters: 0..<lines[index].characters.count)
        }
    }
}
