/// The Polish PESEL: YYMMDD (the month carries the century: +20 for 2000–2099 …), a 4-digit
/// serial and a check digit with weights 1, 3, 7, 9, 1, 3, 7, 9, 1, 3 (mod 10).
enum PESEL {
    static let format = IdentifierFormat(slots: .digits(11)) { value in
        let digits = value.compactMap(\.wholeNumberValue)
        let month = (digits[2] * 10 + digits[3]) % 20, day = digits[4] * 10 + digits[5]
        guard (1...12).contains(month), (1...31).contains(day) else { return false }
        let sum = zip(digits.prefix(10), [1, 3, 7, 9, 1, 3, 7, 9, 1, 3]).map(*).reduce(0, +)
        return (10 - sum % 10) % 10 == digits[10]
    }

    static func isValid(_ text: String) -> Bool { format.isValid(text) }
    static func find(in characters: [Character]) -> [PIISpan] { format.find(in: characters) }
}
