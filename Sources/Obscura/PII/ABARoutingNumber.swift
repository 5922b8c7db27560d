/// A US bank routing number (ABA routing transit number): 9 digits whose first two are a
/// Federal Reserve routing symbol (00–12, 21–32, 61–72, 80) and whose sum with weights
/// 3, 7, 1 is a multiple of 10. Found only after a label ("routing", "ABA", "RTN", "transit")
/// on the same line: about one in 25 other 9-digit numbers (order numbers, references) passes
/// the check by chance, and a routing number names a bank, not a person.
enum ABARoutingNumber {
    static let labels = ["routing", "aba", "rtn", "transit"]

    static let format = IdentifierFormat(slots: .digits(9)) { value in
        let digits = value.compactMap(\.wholeNumberValue)
        let prefix = digits[0] * 10 + digits[1]
        guard (0...12).contains(prefix) || (21...32).contains(prefix) || (61...72).contains(prefix) || prefix == 80 else { return false }
        guard digits.contains(where: { $0 != 0 }) else { return false }
        let sum = zip(digits, [3, 7, 1, 3, 7, 1, 3, 7, 1]).map(*).reduce(0, +)
        return sum % 10 == 0
    }

    static func isValid(_ text: String) -> Bool { format.isValid(text) }
    static func find(in characters: [Character]) -> [PIISpan] {
        IdentifierFormat.labelled(format.find(in: characters), labels: labels, in: characters)
    }
}
