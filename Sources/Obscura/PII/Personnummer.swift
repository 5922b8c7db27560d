/// The Swedish personnummer: YYMMDD-NNNC (`+` instead of `-` from the age of 100) or
/// YYYYMMDDNNNC, with a Luhn check over the 10-digit form. Coordination numbers
/// (samordningsnummer) add 60 to the day.
enum Personnummer {
    /// `811218-9876`, `8112189876`.
    static let short = IdentifierFormat(slots: .digits(10), groupEnds: [6], separators: ["-", "+"]) { value in
        isValidShort(value[...])
    }

    /// `19811218-9876`, `198112189876`.
    static let long = IdentifierFormat(slots: .digits(12), groupEnds: [8], separators: ["-"]) { value in
        ["19", "20"].contains(String(value[0..<2])) && isValidShort(value[2...])
    }

    static func isValidShort(_ value: ArraySlice<Character>) -> Bool {
        let digits = value.compactMap(\.wholeNumberValue)
        let month = digits[2] * 10 + digits[3], day = digits[4] * 10 + digits[5]
        guard (1...12).contains(month), (1...31).contains(day % 60), day != 60 else { return false }
        return Luhn.isValid(value)
    }

    static func isValid(_ text: String) -> Bool { short.isValid(text) || long.isValid(text) }

    static func find(in characters: [Character]) -> [PIISpan] {
        IdentifierFormat.merged(short.find(in: characters) + long.find(in: characters))
    }
}
