/// Finds personal data in recognised text lines and says where it is, without ever exposing the
/// text: payment cards (Luhn), IBANs (mod 97, registry lengths), national identity and tax
/// numbers, bank routing numbers and VINs (their check digits), labelled US SSNs and UK NINOs,
/// e-mail addresses, phone numbers, ICAO 9303 machine-readable zones (check digits), labelled dates of birth and user
/// rules. OCR look-alikes (O/0, I/1, S/5, B/8 …) are corrected only where a checksum confirms
/// the result. Each match says why it was taken (`PIIEvidence`): a checksum on the text as read
/// or only after such a correction, a label, its format, or a user rule. Deterministic and free
/// of shared state: one matcher can serve every worker.
///
/// ```swift
/// let matcher = try PIIMatcher(kinds: [.card, .iban], rules: PIIRules(patterns: ["AB-\\d{6}"]))
/// let regions = matcher.matches(in: lines).map(\.detection)   // kinds "pii.card", …
/// ```
struct PIIMatcher: Sendable {
    /// The built-in kinds looked for (`pii.custom` is looked for whenever `rules` has any).
    let kinds: Set<PIIKind>
    let rules: PIIRules
    private let compiled: CompiledRules

    /// Throws `settings.invalid` when a user pattern does not compile.
    init(kinds: Set<PIIKind> = Set(PIIKind.builtIn), rules: PIIRules = .none) throws {
        self.kinds = kinds
        self.rules = rules
        compiled = try CompiledRules(rules)
    }

    /// Every match in `lines`, ordered by line and position. Lines may come in any order: the
    /// ones read together (an MRZ's lines, a label above its date) are paired by position.
    func matches(in lines: [TextLine]) -> [PIIMatch] {
        var found: [PIIMatch] = []
        func add(_ kind: PIIKind, _ line: Int, _ spans: [PIISpan]) {
            for span in spans {
                found.append(PIIMatch(kind: kind, evidence: span.evidence, box: lines[line].box(for: span.range), line: line,
                                      characters: span.range))
            }
        }
        func add(_ kind: PIIKind, _ line: Int, _ ranges: [Range<Int>], evidence: PIIEvidence) {
            add(kind, line, ranges.map { PIISpan(range: $0, evidence: evidence) })
        }
        for (index, line) in lines.enumerated() {
            let characters = line.characters
            if kinds.contains(.card) { add(.card, index, PaymentCard.find(in: characters)) }
            if kinds.contains(.iban) { add(.iban, index, IBAN.find(in: characters)) }
            if kinds.contains(.email) { add(.email, index, EmailAddress.find(in: characters), evidence: .format) }
            for (kind, finders) in Self.identifiers where kinds.contains(kind) {
                // Characters a card, IBAN, address or an earlier kind matched are taken.
                let claimed = found.filter { $0.line == index }.map(\.characters)
                let spans = finders.flatMap { $0(characters) }.filter { span in !claimed.contains { $0.overlaps(span.range) } }
                add(kind, index, IdentifierFormat.merged(spans))
            }
            if kinds.contains(.phone) {
                // A card, IBAN or identifier already claims its digits.
                let claimed = found.filter { $0.line == index }.map(\.characters)
                add(.phone, index, PhoneNumber.find(in: characters).filter { range in !claimed.contains { $0.overlaps(range) } },
                    evidence: .format)
            }
            if kinds.contains(.dateOfBirth) { add(.dateOfBirth, index, DateOfBirth.find(in: characters), evidence: .label) }
            add(.custom, index, compiled.find(in: characters), evidence: .rule)
        }
        let order = readingOrder(lines)
        if kinds.contains(.dateOfBirth) { found += datesBelowLabels(lines, order: order) }
        if kinds.contains(.mrz) { found += machineReadableZones(lines, order: order) }
        if kinds.contains(.name) || kinds.contains(.address) { found += labelledFields(lines, order: order) }
        return found.sorted { ($0.line, $0.characters.lowerBound, $0.kind) < ($1.line, $1.characters.lowerBound, $1.kind) }
    }

    /// The identifiers with check digits (or a label), by kind, in the order they claim characters.
    static let identifiers: [(PIIKind, [@Sendable ([Character]) -> [PIISpan]])] = [
        (.nationalID, [SpanishID.find, DutchBSN.find, CodiceFiscale.find, FrenchNIR.find, BelgianNationalNumber.find,
                       PESEL.find, Personnummer.find, GermanIDCard.find]),
        (.taxID, [GermanTaxID.find]),
        (.bankRouting, [ABARoutingNumber.find]),
        (.vin, [VIN.find]),
        (.ssn, [SocialSecurityNumber.find]),
        (.nino, [NationalInsuranceNumber.find]),
    ]

    /// The matches in `lines` and, where they add something, those in `second`: the same lines
    /// read by another recogniser, one entry per line in the same order. A match in `second` is
    /// dropped when one of the same kind on the same line in `lines` covers half of either box.
    func matches(in lines: [TextLine], alsoIn second: [TextLine]) -> [PIIMatch] {
        precondition(second.count == lines.count, "one second reading per line")
        let first = matches(in: lines)
        let added = matches(in: second).filter { match in
            !first.contains { $0.kind == match.kind && $0.line == match.line
                && $0.box.intersectionArea(with: match.box) >= 0.5 * min($0.box.area, match.box.area) }
        }
        return (first + added).sorted { ($0.line, $0.characters.lowerBound, $0.kind) < ($1.line, $1.characters.lowerBound, $1.kind) }
    }

    /// Convenience: the matches as detections for the region planner.
    func detections(in lines: [TextLine]) -> [Detection] { matches(in: lines).map(\.detection) }

    /// Whether two boxes sit on one row: their centres closer vertically than half the lower box.
    private static func onOneRow(_ a: Box, _ b: Box) -> Bool {
        abs(a.y + a.height / 2 - (b.y + b.height / 2)) < min(a.height, b.height) / 2
    }

    /// Line indices sorted top to bottom, then left to right.
    private func readingOrder(_ lines: [TextLine]) -> [Int] {
        lines.indices.sorted { a, b in
            let boxA = lines[a].box, boxB = lines[b].box
            if !Self.onOneRow(boxA, boxB) { return boxA.y < boxB.y }
            return (boxA.x, a) < (boxB.x, b)
        }
    }

    /// The line just below `line` that overlaps it horizontally, within two line heights. Below
    /// means its top is under the line's middle, or, for tilted lines whose upright boxes overlap
    /// (a long zone line at 3°), its middle is half a line under the line's middle.
    private func lineBelow(_ line: Int, in lines: [TextLine], order: [Int]) -> Int? {
        let box = lines[line].box
        return order.first { other in
            guard other != line else { return false }
            let candidate = lines[other].box
            let gap = candidate.y - box.maxY
            let overlap = min(box.maxX, candidate.maxX) - max(box.x, candidate.x)
            let middles = (candidate.y + candidate.height / 2) - (box.y + box.height / 2)
            let below = candidate.y > box.y + box.height / 2 || middles > min(box.height, candidate.height) / 2
            return below && gap < 2 * max(box.height, 1) && overlap > 0
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
                found.append(PIIMatch(kind: .dateOfBirth, evidence: .label, box: lines[below].box(for: start..<end), line: below,
                                      characters: start..<end))
            }
        }
        return found
    }

    /// Names and addresses after their labels (`LabelledField`). On the label's own line the
    /// value follows a colon, or a gap wider than 1.5 line heights (a form's two columns read as
    /// one line). A label alone takes the text beside it on its row, else the line below; an
    /// address also takes up to two more lines that continue it (same left edge, no gap).
    private func labelledFields(_ lines: [TextLine], order: [Int]) -> [PIIMatch] {
        var found: [PIIMatch] = []
        for index in order {
            let characters = lines[index].characters
            guard let label = LabelledField.label(at: characters), kinds.contains(label.kind) else { continue }
            if label.valueStart < characters.count {
                let end = LabelledField.valueEnd(characters, from: label.valueStart)
                guard end > label.valueStart, label.colon || Self.gap(in: lines[index], after: label.labelEnd, before: label.valueStart),
                      LabelledField.plausible(characters[label.valueStart..<end], kind: label.kind) else { continue }
                found.append(PIIMatch(kind: label.kind, evidence: .label, box: lines[index].box(for: label.valueStart..<end),
                                      line: index, characters: label.valueStart..<end))
                continue
            }
            guard let value = lineBeside(index, in: lines, order: order) ?? lineBelow(index, in: lines, order: order) else { continue }
            var taken = [value]
            if label.kind == .address {
                while taken.count < 3, let next = lineBelow(taken.last!, in: lines, order: order),
                      Self.continues(lines[next], lines[taken.last!]), !hasLineBefore(next, in: lines) {
                    taken.append(next)
                }
            }
            for line in taken {
                let text = lines[line].characters
                guard LabelledField.label(at: text) == nil, !LabelledField.startsWithAnyLabel(text) else { break }
                let end = LabelledField.valueEnd(text, from: 0)
                guard end > 0, LabelledField.plausible(text[0..<end], kind: label.kind) else { break }
                found.append(PIIMatch(kind: label.kind, evidence: .label, box: lines[line].box(for: 0..<end), line: line,
                                      characters: 0..<end))
            }
        }
        return found
    }

    /// Whether the characters `labelEnd..<valueStart` span more than 1.5 line heights on the page.
    private static func gap(in line: TextLine, after labelEnd: Int, before valueStart: Int) -> Bool {
        guard labelEnd > 0, let boxes = line.characterBoxes, let last = boxes[labelEnd - 1], let next = boxes[valueStart] else { return false }
        return next.x - last.maxX > 1.5 * line.box.height
    }

    /// The nearest line to the right of `line` on its row, within 15 line heights.
    private func lineBeside(_ line: Int, in lines: [TextLine], order: [Int]) -> Int? {
        let box = lines[line].box
        return order.filter { other in
            guard other != line else { return false }
            let candidate = lines[other].box
            return Self.onOneRow(box, candidate) && candidate.x >= box.maxX - box.height / 2 && candidate.x - box.maxX < 15 * max(box.height, 1)
        }.min { lines[$0].box.x < lines[$1].box.x }
    }

    /// Whether another line sits left of `line` on its row: a form's next label, so `line` is
    /// another field's value.
    private func hasLineBefore(_ line: Int, in lines: [TextLine]) -> Bool {
        let box = lines[line].box
        return lines.indices.contains { other in
            let candidate = lines[other].box
            return other != line && candidate.maxX <= box.x + box.height / 2 && Self.onOneRow(box, candidate)
        }
    }

    /// Whether `next` continues `line` as a block: the same left edge (within a line height) and
    /// at most one line height between them.
    private static func continues(_ next: TextLine, _ line: TextLine) -> Bool {
        abs(next.box.x - line.box.x) < line.box.height && next.box.y - line.box.maxY < line.box.height
    }

    /// Zones whose check digits agree; every line of a zone is painted, the name line included.
    /// The text detector often leaves a name line's trailing run of fillers out of its box, so
    /// the lines of a zone that carry no check digit (and may not look like an MRZ line once
    /// cut short) are taken by position, and painted across the whole width of the checked line.
    /// Every line of a zone has the zone's evidence (the stronger one for a line in two zones).
    private func machineReadableZones(_ lines: [TextLine], order: [Int]) -> [PIIMatch] {
        let candidates = order.filter { MRZ.looksLikeMRZ(lines[$0].characters) }
        var boxes: [Int: Box] = [:]
        var evidence: [Int: PIIEvidence] = [:]
        func paint(_ line: Int, like reference: Int, _ found: PIIEvidence) {
            let box = line == reference ? lines[line].box : Self.zoneLineBox(lines[line], reference: lines[reference])
            boxes[line] = boxes[line].flatMap { Box.union([$0, box]) } ?? box
            evidence[line] = min(evidence[line] ?? found, found)
        }
        for (position, index) in candidates.enumerated() {
            let next = position + 1 < candidates.count ? candidates[position + 1] : nil
            // TD3 / TD2: this is line 2 (all the check digits); the line above is the name line.
            for format in [MRZ.Format.td3, .td2] {
                // The line as read, else with one character dropped or one document-number
                // look-alike replaced (a correction).
                let readings = [MRZ.normalised(lines[index].characters, length: format.lineLength)].compactMap { $0 }
                let dropped = MRZ.withOneCharacterDropped(lines[index].characters, length: format.lineLength)
                    + readings.flatMap(MRZ.withOneLookAlikeReplaced)
                // The name line holds fillers ("P<", "I<", between names) even when cut short.
                let above = lineAbove(index, in: lines, order: order).flatMap { lines[$0].characters.contains { "<«‹".contains($0) } ? $0 : nil }
                let first = above.flatMap { MRZ.normalised(lines[$0].characters, length: format.lineLength) }
                let checked = (readings + dropped).lazy.enumerated().compactMap { number, second -> PIIEvidence? in
                    guard let found = first.flatMap({ MRZ.evidence([$0, second], format: format) })
                            ?? MRZ.evidence([[], second], format: format) else { return nil }
                    return number < readings.count ? found : .checksumCorrected
                }.first ?? readings.lazy.compactMap { second in
                    MRZ.evidenceDespiteComposite([first ?? [], second], format: format, nameLine: above.map { lines[$0].characters })
                }.first
                guard let checked else { continue }
                paint(index, like: index, checked)
                if let above { paint(above, like: index, checked) }
            }
            // TD1: this is line 1 and the next is line 2; the one below that is the name line.
            if let next,
               let first = MRZ.normalised(lines[index].characters, length: 30),
               let second = MRZ.normalised(lines[next].characters, length: 30),
               let checked = MRZ.evidence([first, second], format: .td1) {
                paint(index, like: index, checked)
                paint(next, like: next, checked)
                if let name = lineBelow(next, in: lines, order: order), lines[name].characters.contains(where: { "<«‹".contains($0) }) {
                    paint(name, like: next, checked)
                }
            }
        }
        return boxes.keys.sorted().map { index in
            PIIMatch(kind: .mrz, evidence: evidence[index]!, box: boxes[index]!, line: index,
                     characters: 0..<lines[index].characters.count)
        }
    }

    /// The nearest line whose line below is `line`.
    private func lineAbove(_ line: Int, in lines: [TextLine], order: [Int]) -> Int? {
        order.last { other in other != line && lineBelow(other, in: lines, order: order) == line }
    }

    /// The box of a zone line that shares its length and slant with the checked `reference`
    /// line: its own box joined with the reference box moved onto it. The reference line's
    /// first and last character boxes give the slant; without them the line is taken as level.
    static func zoneLineBox(_ line: TextLine, reference: TextLine) -> Box {
        var slope = 0.0
        var anchor = (x: reference.box.x + reference.box.width / 2, y: reference.box.y + reference.box.height / 2)
        if let characterBoxes = reference.characterBoxes?.compactMap({ $0 }), let first = characterBoxes.first,
           let last = characterBoxes.last, last.x > first.x {
            let a = (x: first.x + first.width / 2, y: first.y + first.height / 2)
            let b = (x: last.x + last.width / 2, y: last.y + last.height / 2)
            slope = (b.y - a.y) / (b.x - a.x)
            anchor = a
        }
        let middle = (x: line.box.x + line.box.width / 2, y: line.box.y + line.box.height / 2)
        let shift = middle.y - (anchor.y + slope * (middle.x - anchor.x))
        let moved = Box(x: reference.box.x, y: reference.box.y + shift, width: reference.box.width, height: reference.box.height)
        return Box.union([line.box, moved]) ?? line.box
    }
}
