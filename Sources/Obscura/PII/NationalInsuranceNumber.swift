/// UK National Insurance numbers, only after a label ("NINO", "National Insurance") on the same
/// line: two letters, six digits and a suffix A–D. No check digit, so only the prefixes HMRC
/// never allocates are ruled out, and look-alikes are not corrected.
enum NationalInsuranceNumber {
    static let labels = ["nino", "national insurance"]
    static let excludedFirst = Set("DFIQUV")
    static let excludedSecond = Set("DFIQUVO")
    static let excludedPrefixes: Set<String> = ["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"]

    /// `AB123456C`, `AB 12 34 56 C`.
    static let format = IdentifierFormat(slots: [.letter, .letter] + .digits(6) + [.oneOf(["A", "B", "C", "D"])],
                                         groupEnds: [2, 4, 6, 8], separators: [" ", "-"], correctsOCR: false) { value in
        !excludedFirst.contains(value[0]) && !excludedSecond.contains(value[1]) && !excludedPrefixes.contains(String(value[0..<2]))
    }

    static func isValid(_ text: String) -> Bool { format.isValid(text) }

    static func find(in characters: [Character]) -> [PIISpan] {
        IdentifierFormat.labelled(format.find(in: characters), labels: labels, in: characters)
    }
}
