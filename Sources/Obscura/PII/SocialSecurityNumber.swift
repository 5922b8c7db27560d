/// US social security numbers, only after a label ("SSN", "Social Security") on the same line:
/// AAA-GG-SSSS has no check digit, so only the never-issued areas (000, 666, 900–999), group 00
/// and serial 0000 are ruled out, and look-alikes are not corrected.
enum SocialSecurityNumber {
    static let labels = ["ssn", "social security"]

    /// `078-05-1120`, `078 05 1120`, `078051120`.
    static let format = IdentifierFormat(slots: .digits(9), groupEnds: [3, 5], separators: [" ", "-"], correctsOCR: false) { value in
        let area = IdentifierFormat.number(value[0..<3])
        return area != 0 && area != 666 && area < 900
            && IdentifierFormat.number(value[3..<5]) != 0 && IdentifierFormat.number(value[5..<9]) != 0
    }

    /// Whether `text` has the form and a possibly issued area, group and serial.
    static func isValid(_ text: String) -> Bool { format.isValid(text) }

    static func find(in characters: [Character]) -> [PIISpan] {
        IdentifierFormat.labelled(format.find(in: characters), labels: labels, in: characters)
    }
}
