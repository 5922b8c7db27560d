/// Machine-readable zones of travel documents (ICAO Doc 9303): TD1 (ID cards, 3 × 30
/// characters), TD2 (2 × 36) and TD3 (passports, 2 × 44). A zone is accepted only when every
/// check digit it carries agrees: document number, birth date, expiry date, optional data (TD3)
/// and the composite.
package enum MRZ {
    enum Format: String, Sendable, CaseIterable {
        case td1, td2, td3

        /// Characters per line.
        package var lineLength: Int {
            switch self {
            case .td1: 30
            case .td2: 36
            case .td3: 44
            }
        }

        package var lineCount: Int { self == .td1 ? 3 : 2 }
    }

    /// The ICAO 9303 check digit (weights 7, 3, 1; `<` = 0, A…Z = 10…35) of `characters`;
    /// nil when one of them is not allowed in an MRZ.
    package static func checkDigit<C: Collection>(_ characters: C) -> Int? where C.Element == Character {
        let weights = [7, 3, 1]
        var sum = 0
        for (index, character) in characters.enumerated() {
            guard let value = value(of: character) else { return nil }
            sum += value * weights[index % 3]
        }
        return sum % 10
    }

    static func value(of character: Character) -> Int? {
        guard let ascii = character.asciiValue else { return nil }
        switch ascii {
        case 48...57: return Int(ascii - 48)
        case 65...90: return Int(ascii - 55)
        case 60: return 0  // "<"
        default: return nil
        }
    }

    /// A field's place on a line and what it holds: `n` digits, `a` letters or `<`, `c` either.
    struct Field {
        var line: Int
        var range: Range<Int>
        var kind: Character
    }

    /// A checked span (one or more fields) and the position of its check digit.
    struct Check {
        var spans: [Field]
        var digit: (line: Int, index: Int)
        /// TD3's optional-data check may be `<` when the optional data is empty.
        var fillerAllowed = false
    }

    /// The fields that carry check digits, and the character classes of the fixed fields.
    static func layout(_ format: Format) -> (checks: [Check], classes: [Field]) {
        switch format {
        case .td3, .td2:
            // Line 2: document number 0-8, check 9, nationality 10-12, birth 13-18, check 19,
            // sex 20, expiry 21-26, check 27, optional 28…, (TD3: optional check 42), composite.
            let last = format.lineLength - 1
            let document = Field(line: 1, range: 0..<9, kind: "c")
            let birth = Field(line: 1, range: 13..<19, kind: "n")
            let expiry = Field(line: 1, range: 21..<27, kind: "n")
            let optional = Field(line: 1, range: 28..<(format == .td3 ? 42 : last), kind: "c")
            var checks = [
                Check(spans: [document], digit: (1, 9)),
                Check(spans: [birth], digit: (1, 19)),
                Check(spans: [expiry], digit: (1, 27)),
            ]
            if format == .td3 {
                checks.append(Check(spans: [optional], digit: (1, 42), fillerAllowed: true))
                checks.append(Check(spans: [Field(line: 1, range: 0..<10, kind: "c"), Field(line: 1, range: 13..<20, kind: "c"),
                                            Field(line: 1, range: 21..<43, kind: "c")], digit: (1, last)))
            } else {
                checks.append(Check(spans: [Field(line: 1, range: 0..<10, kind: "c"), Field(line: 1, range: 13..<20, kind: "c"),
                                            Field(line: 1, range: 21..<last, kind: "c")], digit: (1, last)))
            }
            let classes = [
                Field(line: 0, range: 0..<1, kind: "a"), Field(line: 0, range: 2..<5, kind: "a"),
                Field(line: 1, range: 9..<10, kind: "n"), Field(line: 1, range: 10..<13, kind: "a"),
                birth, Field(line: 1, range: 19..<20, kind: "n"), Field(line: 1, range: 20..<21, kind: "a"),
                expiry, Field(line: 1, range: 27..<28, kind: "n"), Field(line: 1, range: last..<(last + 1), kind: "n"),
            ]
            return (checks, classes)
        case .td1:
            // Line 1: type 0-1, issuer 2-4, document number 5-13, check 14, optional 15-29.
            // Line 2: birth 0-5, check 6, sex 7, expiry 8-13, check 14, nationality 15-17,
            // optional 18-28, composite 29 (over line 1 5-29, line 2 0-6, 8-14, 18-28).
            let birth = Field(line: 1, range: 0..<6, kind: "n")
            let expiry = Field(line: 1, range: 8..<14, kind: "n")
            let checks = [
                Check(spans: [Field(line: 0, range: 5..<14, kind: "c")], digit: (0, 14)),
                Check(spans: [birth], digit: (1, 6)),
                Check(spans: [expiry], digit: (1, 14)),
                Check(spans: [Field(line: 0, range: 5..<30, kind: "c"), Field(line: 1, range: 0..<7, kind: "c"),
                              Field(line: 1, range: 8..<15, kind: "c"), Field(line: 1, range: 18..<29, kind: "c")],
                      digit: (1, 29)),
            ]
            let classes = [
                Field(line: 0, range: 0..<1, kind: "a"), Field(line: 0, range: 2..<5, kind: "a"),
                Field(line: 0, range: 14..<15, kind: "n"), birth, Field(line: 1, range: 6..<7, kind: "n"),
                Field(line: 1, range: 7..<8, kind: "a"), expiry, Field(line: 1, range: 14..<15, kind: "n"),
                Field(line: 1, range: 15..<18, kind: "a"), Field(line: 1, range: 29..<30, kind: "n"),
            ]
            return (checks, classes)
        }
    }

    /// Whether `lines` form a valid zone of `format`: the right lengths, MRZ characters only,
    /// and every check digit correct. Only the lines that carry check digits are needed: the
    /// first two (the name line of TD1 may be left out).
    static func isValid(_ lines: [String], format: Format) -> Bool {
        validated(lines.map(Array.init), format: format, correctingOCR: false) != nil
    }

    /// Validates the check-digit lines of a zone (TD3/TD2: lines 1 and 2, where line 1 may be
    /// empty when only line 2 was read; TD1: lines 1 and 2). With `correctingOCR`, letters in
    /// digit fields and digits in letter fields are replaced by their OCR look-alikes first.
    /// Returns the corrected lines, or nil.
    /// With `ignoringComposite`, the composite check digit is not read at all (the other checks
    /// cover every field it covers).
    static func validated(_ input: [[Character]], format: Format, correctingOCR: Bool,
                          ignoringComposite: Bool = false) -> [[Character]]? {
        guard input.count >= 2 else { return nil }
        var lines = Array(input.prefix(2))
        let nameLineMissing = format != .td1 && lines[0].isEmpty
        for (index, line) in lines.enumerated() where !(index == 0 && nameLineMissing) {
            guard line.count == format.lineLength else { return nil }
        }
        var (checks, classes) = layout(format)
        if ignoringComposite, let composite = checks.popLast() {
            classes.removeAll { $0.line == composite.digit.line && $0.range == composite.digit.index..<(composite.digit.index + 1) }
        }
        // Digit-field letters with a second plausible reading ("Z" is a 2 or a serif 7), tried
        // when the first reading fails a check.
        var ambiguous: [(line: Int, index: Int, digit: Character)] = []
        for field in classes where !(field.line == 0 && nameLineMissing) {
            for index in field.range {
                var character = lines[field.line][index]
                if correctingOCR {
                    if field.kind == "n" {
                        if let second = OCRConfusion.secondDigit(character) { ambiguous.append((field.line, index, second)) }
                        character = OCRConfusion.digit(character) ?? character
                    }
                    if field.kind == "a", character != "<" { character = OCRConfusion.letter(character) ?? character }
                    lines[field.line][index] = character
                }
            }
        }
        // At most 3 such letters (8 readings; with more, only the first): each check digit still has to agree.
        let tried = ambiguous.count <= 3 ? ambiguous : []
        for choice in 0..<(1 << tried.count) {
            var reading = lines
            for (bit, letter) in tried.enumerated() where choice & (1 << bit) != 0 { reading[letter.line][letter.index] = letter.digit }
            if let valid = checked(reading, format: format, checks: checks, classes: classes, nameLineMissing: nameLineMissing) { return valid }
        }
        return nil
    }

    /// `lines` (corrected as `validated` corrects them) when every character is an MRZ
    /// character, the fixed fields hold their classes and every check digit agrees; else nil.
    private static func checked(_ lines: [[Character]], format: Format, checks: [Check], classes: [Field],
                                nameLineMissing: Bool) -> [[Character]]? {
        for line in lines.indices where !(line == 0 && nameLineMissing) {
            guard lines[line].allSatisfy({ value(of: $0) != nil }) else { return nil }
        }
        // Letters in the fixed letter fields, digits in the numeric ones.
        for field in classes where !(field.line == 0 && nameLineMissing) {
            for character in lines[field.line][field.range] {
                switch field.kind {
                case "n": guard character.isNumber || (field.range.count == 1 && character == "<") else { return nil }
                default: guard character.isLetter || character == "<" else { return nil }
                }
            }
        }
        for check in checks {
            let digit = lines[check.digit.line][check.digit.index]
            let text = check.spans.flatMap { lines[$0.line][$0.range] }
            if check.fillerAllowed, digit == "<", text.allSatisfy({ $0 == "<" }) { continue }
            guard let expected = checkDigit(text), digit.wholeNumberValue == expected, digit.isASCII else { return nil }
        }
        return lines
    }

    /// Whether the check-digit lines (as for `validated`) form a valid zone once OCR look-alikes
    /// are corrected: `checksum` when every check passed on the lines as given, `checksumCorrected`
    /// when a look-alike had to be replaced first, nil when a check fails. Fillers stretched by
    /// `normalised` do not count as a correction.
    static func evidence(_ input: [[Character]], format: Format) -> PIIEvidence? {
        guard let lines = validated(input, format: format, correctingOCR: true) else { return nil }
        return .checksum(read: input.prefix(2).joined(), passed: lines.joined())
    }

    /// A zone whose every field check agrees but whose composite digit was misread ("…<<79" for
    /// "…<<70", or a letter): `checksumCorrected` when a name line was read above it
    /// (`beginsNameLine`, even cut short), which with the field checks leaves no doubt that this
    /// is a zone. Nil otherwise. `input` is as for `validated`; its name line may be empty.
    static func evidenceDespiteComposite(_ input: [[Character]], format: Format, nameLine: [Character]?) -> PIIEvidence? {
        guard let nameLine, beginsNameLine(nameLine),
              validated(input, format: format, correctingOCR: true, ignoringComposite: true) != nil else { return nil }
        return .checksumCorrected
    }

    /// Whether a line begins as a TD3/TD2 name line: a document type (P, I, A, C or V), a second
    /// type letter or filler, three issuer letters or fillers, and more fillers later on.
    static func beginsNameLine(_ characters: [Character]) -> Bool {
        let line = compacted(characters)
        guard line.count >= 8, "PIACV".contains(line[0]) else { return false }
        return line[1...4].allSatisfy { ($0.isASCII && $0.isUppercase) || $0 == "<" } && line[5...].contains("<")
    }

    /// A line's characters as MRZ characters: spaces dropped, upper case, `«` read as `<<`.
    static func compacted(_ characters: [Character]) -> [Character] {
        var line: [Character] = []
        for character in characters where character != " " {
            switch character {
            case "«": line += ["<", "<"]
            case "‹", "〈", "≤": line.append("<")
            default: line.append(Character(character.uppercased()))
            }
        }
        return line
    }

    /// A line read one character too long ("…<<<<<790" for "…<<<<<70": OCR saw a stroke twice),
    /// once for each character left out. Only the check digits can tell which reading is right,
    /// and passing them all by chance is about one in 10⁵ for each.
    static func withOneCharacterDropped(_ characters: [Character], length: Int) -> [[Character]] {
        let line = compacted(characters)
        guard line.count == length + 1 else { return [] }
        return line.indices.map { index in var shorter = line; shorter.remove(at: index); return shorter }
    }

    /// Characters OCR reads for one another where a document number allows both letters and
    /// digits, so no field class can say which was printed ("FI7…" or "F37…" for "FJ7…").
    static let documentNumberLookAlikes: [Character: [Character]] = [
        "3": ["J"], "I": ["J", "1"], "1": ["I", "J"], "0": ["O", "D"], "O": ["0"], "D": ["0"],
        "5": ["S"], "S": ["5"], "8": ["B"], "B": ["8"], "2": ["Z"], "Z": ["2"], "6": ["G"], "G": ["6"],
    ]

    /// A TD3/TD2 second line (already `normalised`) with one document-number character replaced
    /// by a look-alike, once for each. The document number's check digit and the composite must
    /// then both agree, which a wrong reading does about once in a hundred.
    static func withOneLookAlikeReplaced(_ line: [Character]) -> [[Character]] {
        guard line.count >= 9 else { return [] }
        return (0..<9).flatMap { index in
            (documentNumberLookAlikes[line[index]] ?? []).map { replacement in
                var changed = line
                changed[index] = replacement
                return changed
            }
        }
    }

    /// One line as an MRZ candidate (`compacted`), with a run of fillers stretched or shrunk by up
    /// to three so the line has `length` characters.
    static func normalised(_ characters: [Character], length: Int) -> [Character]? {
        var line = compacted(characters)
        let difference = length - line.count
        guard abs(difference) <= 3 else { return nil }
        if difference == 0 { return line }
        // Find the longest run of fillers and adjust it.
        var best: Range<Int>?
        var start: Int?
        for index in 0...line.count {
            if index < line.count, line[index] == "<" {
                if start == nil { start = index }
            } else if let begin = start {
                if best == nil || index - begin > best!.count { best = begin..<index }
                start = nil
            }
        }
        guard let run = best, run.count >= 2, run.count + difference >= 1 else { return nil }
        if difference > 0 {
            line.insert(contentsOf: Array(repeating: "<", count: difference), at: run.upperBound)
        } else {
            line.removeSubrange(run.upperBound + difference..<run.upperBound)
        }
        return line
    }

    /// Whether a line looks like an MRZ line at all: mostly capitals, digits and fillers, with
    /// about the length of one of the formats.
    static func looksLikeMRZ(_ characters: [Character]) -> Bool {
        let compact = characters.filter { $0 != " " }
        guard compact.count >= 26, compact.count <= 48 else { return false }
        let allowed = compact.filter { ($0.isASCII && ($0.isUppercase || $0.isNumber)) || "<«‹".contains($0) }.count
        return allowed * 10 >= compact.count * 9 && compact.contains(where: { "<«‹".contains($0) })
    }
}
