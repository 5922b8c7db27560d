/// The Belgian national register number: YYMMDD, a 3-digit counter and a 2-digit check,
/// 97 − (first 9 digits mod 97). For births from 2000 a "2" is put before the 9 digits first;
/// the number does not say its century, so either check is accepted.
enum BelgianNationalNumber {
    /// `85073003328`, `85.07.30-033.28`, `85 07 30 033 28`.
    static let format = IdentifierFormat(slots: .digits(11), groupEnds: [2, 4, 6, 9]) { value in
        // Month 0 or day 0 mean unknown; bis numbers add 20 or 40 to the month.
        let month = IdentifierFormat.number(value[2..<4]) % 20, day = IdentifierFormat.number(value[4..<6])
        guard IdentifierFormat.number(value[2..<4]) <= 52, month <= 12, day <= 31 else { return false }
        let base = IdentifierFormat.number(value[0..<9]), check = IdentifierFormat.number(value[9..<11])
        guard base > 0 else { return false }
        return 97 - base % 97 == check || 97 - (2_000_000_000 + base) % 97 == check
    }

    static func isValid(_ text: String) -> Bool { format.isValid(text) }
    static func find(in characters: [Character]) -> [PIISpan] { format.find(in: characters) }
}
