/// How a national identifier is written: what each character of its compact form may be, where
/// the written form may put one separator between groups, and the check that decides. Shared by
/// the identifier validators so that all of them find numbers the same way: whole words, not
/// touching other letters or digits, not part of a longer run of digit groups, OCR look-alikes
/// corrected only where the check then passes.
struct IdentifierFormat: Sendable {
    /// What one character of the compact form may be.
    enum Slot: Sendable {
        case digit
        case letter
        /// One of a fixed alphabet (upper case).
        case oneOf(Set<Character>)

        /// The character read for this slot: upper-cased, and with `correctingOCR` replaced by
        /// its look-alike when only that fits; nil when nothing fits.
        func read(_ character: Character, correctingOCR: Bool) -> Character? {
            switch self {
            case .digit:
                return correctingOCR ? OCRConfusion.digit(character) : (OCRConfusion.isDigit(character) ? character : nil)
            case .letter:
                guard character.isASCII else { return nil }
                if character.isLetter { return Character(character.uppercased()) }
                return correctingOCR ? OCRConfusion.letter(character) : nil
            case .oneOf(let alphabet):
                let upper = character.isASCII ? Character(character.uppercased()) : character
                if alphabet.contains(upper) { return upper }
                guard correctingOCR else { return nil }
                if let digit = OCRConfusion.digit(character), alphabet.contains(digit) { return digit }
                if let letter = OCRConfusion.letter(character), alphabet.contains(letter) { return letter }
                return nil
            }
        }
    }

    static let digits: Set<Character> = Set("0123456789")
    /// Characters that join the groups of a written number, for telling whether a candidate
    /// continues a longer run of digit groups.
    static let joiners: Set<Character> = [" ", "-", ".", "+", "/"]

    var slots: [Slot]
    /// Compact lengths after which one separator may stand (`12.345.678-Z`: 2, 5 and 8).
    var groupEnds: Set<Int> = []
    var separators: Set<Character> = [" ", "-", "."]
    /// Off for numbers without a check digit: nothing would confirm a correction.
    var correctsOCR = true
    /// For alphanumeric formats: a run of digits alone is taken for some other number.
    var needsLetter = false
    /// The check on the compact, upper-case value whose slots all fit.
    var check: @Sendable ([Character]) -> Bool

    /// Whether `text`, written with or without separators, has this format and passes the check
    /// as written (no OCR correction).
    func isValid(_ text: String) -> Bool {
        let compact = Array(text.filter { !Self.joiners.contains($0) })
        guard compact.count == slots.count, let value = read(compact, correctingOCR: false) else { return false }
        return check(value)
    }

    /// The compact value with every slot read, nil when one does not fit.
    func read(_ compact: [Character], correctingOCR: Bool) -> [Character]? {
        guard compact.count == slots.count else { return nil }
        var value: [Character] = []
        for (slot, character) in zip(slots, compact) {
            guard let read = slot.read(character, correctingOCR: correctingOCR) else { return nil }
            value.append(read)
        }
        return value
    }

    /// Every match in a line, left to right. The evidence is `checksum`, or `checksumCorrected`
    /// when a look-alike had to be replaced; `format` for a number without a check digit
    /// (`correctsOCR` off), which only a label can confirm (`labelled`).
    func find(in characters: [Character]) -> [PIISpan] {
        var found: [PIISpan] = []
        var start = 0
        while start < characters.count {
            if startsWord(at: start, in: characters), let match = match(from: start, in: characters) {
                found.append(PIISpan(range: start..<match.end, evidence: match.evidence))
                start = match.end
            } else {
                start += 1
            }
        }
        return found
    }

    /// True at the first character of a word that does not continue a group of digits.
    private func startsWord(at index: Int, in characters: [Character]) -> Bool {
        guard characters[index].isWordCharacter else { return false }
        if index == 0 { return true }
        if characters[index - 1].isWordCharacter { return false }
        return !(index >= 2 && Self.joiners.contains(characters[index - 1]) && OCRConfusion.isDigit(characters[index - 2]))
    }

    /// The end of a valid number starting at `start` and why it is one, nil when there is none.
    private func match(from start: Int, in characters: [Character]) -> (end: Int, evidence: PIIEvidence)? {
        var compact: [Character] = []
        var index = start
        while index < characters.count, compact.count < slots.count {
            let character = characters[index]
            if character.isWordCharacter {
                compact.append(character)
            } else if !(separators.contains(character) && groupEnds.contains(compact.count)
                        && index + 1 < characters.count && characters[index + 1].isWordCharacter) {
                break
            }
            index += 1
        }
        guard compact.count == slots.count else { return nil }
        // It must end where its word ends, and not run on into a further group of digits.
        if index < characters.count, characters[index].isWordCharacter { return nil }
        if index + 1 < characters.count, Self.joiners.contains(characters[index]), OCRConfusion.isDigit(characters[index + 1]) {
            return nil
        }
        if needsLetter, !compact.contains(where: { $0.isLetter }) { return nil }
        // As for cards: look-alikes may stand for at most a quarter of the expected digits.
        let digitSlots = slots.indices.filter { if case .digit = slots[$0] { return true } else { return false } }
        let realDigits = digitSlots.filter { OCRConfusion.isDigit(compact[$0]) }.count
        guard realDigits * 4 >= digitSlots.count * 3 else { return nil }
        guard let value = read(compact, correctingOCR: correctsOCR), check(value) else { return nil }
        return (index, correctsOCR ? .checksum(read: compact, passed: value) : .format)
    }

    /// Matches from several formats without overlaps: where two overlap, the one that starts
    /// first (then the longer) is kept.
    static func merged(_ spans: [PIISpan]) -> [PIISpan] {
        var kept: [PIISpan] = []
        for span in spans.sorted(by: { ($0.range.lowerBound, -$0.range.count) < ($1.range.lowerBound, -$1.range.count) })
        where !kept.contains(where: { $0.range.overlaps(span.range) }) {
            kept.append(span)
        }
        return kept
    }

    /// The integer value of ASCII digits.
    static func number<C: Collection>(_ digits: C) -> Int where C.Element == Character {
        digits.reduce(0) { $0 * 10 + ($1.wholeNumberValue ?? 0) }
    }

    /// Matches that follow one of `labels` (lower case, whole words) on the same line, with at
    /// most 24 characters and no digit between the label and the number. A match with a check
    /// keeps its evidence; one without (`format`) was found by the label: `label`.
    static func labelled(_ spans: [PIISpan], labels: [String], in characters: [Character]) -> [PIISpan] {
        let lower = characters.map { Character($0.lowercased()) }
        var labelEnds: [Int] = []
        for label in labels.map(Array.init) where label.count <= lower.count {
            for start in 0...(lower.count - label.count) where Array(lower[start..<(start + label.count)]) == label {
                let end = start + label.count
                let before = start > 0 ? lower[start - 1] : " "
                let after = end < lower.count ? lower[end] : " "
                if !before.isLetter, !after.isLetter { labelEnds.append(end) }
            }
        }
        return spans.filter { span in
            labelEnds.contains { end in
                end <= span.range.lowerBound && span.range.lowerBound - end <= 24
                    && !characters[end..<span.range.lowerBound].contains(where: { $0.isNumber })
            }
        }.map { span in
            PIISpan(range: span.range, evidence: span.evidence == .format ? .label : span.evidence)
        }
    }
}

extension Array where Element == IdentifierFormat.Slot {
    /// `count` digit slots.
    static func digits(_ count: Int) -> [IdentifierFormat.Slot] { Array(repeating: .digit, count: count) }
}
