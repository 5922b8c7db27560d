/// The German tax identification number (steuerliche Identifikationsnummer): 11 digits, no
/// leading 0; in the first ten exactly one digit occurs twice or three times; the last is an
/// ISO 7064 MOD 11,10 check digit.
enum GermanTaxID {
    /// `36574261809`, `36 574 261 809`.
    static let format = IdentifierFormat(slots: .digits(11), groupEnds: [2, 5, 8]) { value in
        let digits = value.compactMap(\.wholeNumberValue)
        guard digits[0] != 0 else { return false }
        var counts: [Int: Int] = [:]
        for digit in digits.prefix(10) { counts[digit, default: 0] += 1 }
        let repeated = counts.values.filter { $0 > 1 }
        guard repeated.count == 1, [2, 3].contains(repeated[0]) else { return false }
        return checkDigit(digits.prefix(10)) == digits[10]
    }

    /// ISO 7064 MOD 11,10.
    static func checkDigit(_ digits: ArraySlice<Int>) -> Int {
        var product = 10
        for digit in digits {
            var sum = (digit + product) % 10
            if sum == 0 { sum = 10 }
            product = sum * 2 % 11
        }
        let check = 11 - product
        return check == 10 ? 0 : check
    }

    static func isValid(_ text: String) -> Bool { format.isValid(text) }
    static func find(in characters: [Character]) -> [PIISpan] { format.find(in: characters) }
}
