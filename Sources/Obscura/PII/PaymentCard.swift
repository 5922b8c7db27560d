/// Payment card numbers (PANs): ISO/IEC 7812 issuer prefixes, the lengths each scheme issues,
/// and the Luhn check.
enum PaymentCard {
    /// An issuer range: numbers whose first `low.count` digits lie in `low...high`.
    struct Range {
        var low: String
        var high: String
        var lengths: ClosedRange<Int>
        var exactLengths: Set<Int>?

        func contains(_ digits: [Character]) -> Bool {
            guard digits.count >= low.count, lengths.contains(digits.count) else { return false }
            if let exactLengths, !exactLengths.contains(digits.count) { return false }
            let prefix = String(digits[0..<low.count])
            return prefix >= low && prefix <= high
        }
    }

    /// Issuer ranges of the schemes in wide use (Visa, Mastercard, American Express, Diners,
    /// Discover, JCB, UnionPay, Maestro, Mir, RuPay, Verve, Troy, UATP).
    static let ranges: [Range] = [
        Range(low: "4", high: "4", lengths: 13...19, exactLengths: [13, 16, 19]),               // Visa
        Range(low: "51", high: "55", lengths: 16...16),                                          // Mastercard
        Range(low: "2221", high: "2720", lengths: 16...16),                                      // Mastercard
        Range(low: "34", high: "34", lengths: 15...15), Range(low: "37", high: "37", lengths: 15...15), // Amex
        Range(low: "300", high: "305", lengths: 14...19), Range(low: "3095", high: "3095", lengths: 14...19),
        Range(low: "36", high: "36", lengths: 14...19), Range(low: "38", high: "39", lengths: 14...19),   // Diners
        Range(low: "6011", high: "6011", lengths: 16...19), Range(low: "644", high: "649", lengths: 16...19),
        Range(low: "65", high: "65", lengths: 16...19),                                          // Discover
        Range(low: "3528", high: "3589", lengths: 16...19),                                      // JCB
        Range(low: "62", high: "62", lengths: 16...19), Range(low: "81", high: "82", lengths: 16...19), // UnionPay, RuPay
        Range(low: "50", high: "50", lengths: 12...19), Range(low: "56", high: "69", lengths: 12...19), // Maestro, others
        Range(low: "2200", high: "2204", lengths: 16...19),                                      // Mir
        Range(low: "9792", high: "9792", lengths: 16...16),                                      // Troy
        Range(low: "1", high: "1", lengths: 15...15),                                            // UATP
    ]

    /// Whether `digits` (ASCII digits, no separators) is a plausible card number: 12–19 digits,
    /// a known issuer prefix with a length that issuer uses, and a valid Luhn check digit.
    static func isValid(_ digits: String) -> Bool {
        let characters = Array(digits)
        guard (12...19).contains(characters.count), characters.allSatisfy(OCRConfusion.isDigit) else { return false }
        guard ranges.contains(where: { $0.contains(characters) }) else { return false }
        return Luhn.isValid(characters)
    }

    /// Card numbers in a line: whole runs of 12–19 digits written together or in groups
    /// separated by spaces, dashes or dots (at most `maximumGroupGap` of them), not touching
    /// other letters or digits; punctuation around the number is not part of it. Letters OCR confuses with
    /// digits (O, I, S, B…) are read as those digits when at least three quarters of the run
    /// are real digits; the Luhn check then decides. The evidence is `checksumCorrected` when a
    /// look-alike was read as a digit.
    static func find(in characters: [Character]) -> [PIISpan] {
        let groups = characters.tokens(separatedBy: [" ", "-", "."], trimming: Array.enclosingPunctuation)
        var found: [PIISpan] = []
        var index = 0
        while index < groups.count {
            // A run of consecutive digit-like groups joined by exactly one separator.
            var end = index
            while end < groups.count, isDigitLike(groups[end]) {
                if end > index, groups[end].range.lowerBound - groups[end - 1].range.upperBound > maximumGroupGap { break }
                end += 1
            }
            guard end > index else { index += 1; continue }
            let run = Array(groups[index..<end])
            found += bestCards(in: run, characters: characters)
            index = end
        }
        return found
    }

    private static func isDigitLike(_ token: Token) -> Bool {
        token.characters.allSatisfy { OCRConfusion.digit($0) != nil }
            && token.characters.contains(where: OCRConfusion.isDigit)
    }

    /// The run as one card number: a valid card inside a longer run of digit groups (an order
    /// number, a table of figures) is not taken, since every extra window would be another
    /// one-in-ten chance for the Luhn check to pass by accident.
    private static func bestCards(in run: [Token], characters: [Character]) -> [PIISpan] {
        let range = run.first!.range.lowerBound..<run.last!.range.upperBound
        guard isIsolated(range, in: characters) else { return [] }
        let raw = run.flatMap { $0.characters }
        guard (12...19).contains(raw.count) else { return [] }
        let realDigits = raw.filter(OCRConfusion.isDigit).count
        guard realDigits * 4 >= raw.count * 3 else { return [] }
        let digits = raw.compactMap(OCRConfusion.digit)
        guard isValid(String(digits)) else { return [] }
        return [PIISpan(range: range, evidence: .checksum(read: raw, passed: digits))]
    }

    /// True when the characters just outside `range` are not letters or digits.
    static func isIsolated(_ range: Swift.Range<Int>, in characters: [Character]) -> Bool {
        let before = range.lowerBound > 0 ? characters[range.lowerBound - 1] : " "
        let after = range.upperBound < characters.count ? characters[range.upperBound] : " "
        return !before.isWordCharacter && !after.isWordCharacter
    }
}
