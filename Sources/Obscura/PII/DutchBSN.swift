/// The Dutch citizen service number (burgerservicenummer): 9 digits passing the "11-test",
/// 9·d1 + 8·d2 + … + 2·d8 − d9 ≡ 0 (mod 11).
enum DutchBSN {
    /// `111222333`, `1112.22.333`, `111 222 333`.
    static let format = IdentifierFormat(slots: .digits(9), groupEnds: [3, 4, 6]) { value in
        let digits = value.compactMap(\.wholeNumberValue)
        guard digits.contains(where: { $0 != 0 }) else { return false }
        let weighted = zip(digits.prefix(8), [9, 8, 7, 6, 5, 4, 3, 2]).map(*).reduce(0, +) - digits[8]
        return weighted % 11 == 0
    }

    static func isValid(_ text: String) -> Bool { format.isValid(text) }
    static func find(in characters: [Character]) -> [PIISpan] { format.find(in: characters) }
}
