/// The document number of a German identity card (Personalausweis, since 2010): 9 characters
/// of the document alphabet (digits and consonants without B, D, Q, S) starting with a letter,
/// then the ICAO 9303 check digit (weights 7, 3, 1) as printed in the card's MRZ.
enum GermanIDCard {
    static let letters = Set("CFGHJKLMNPRTVWXYZ")

    /// `T220001293`.
    static let format = IdentifierFormat(
        slots: [.oneOf(letters)] + Array(repeating: .oneOf(letters.union(IdentifierFormat.digits)), count: 8) + [.digit],
        needsLetter: true
    ) { value in
        MRZ.checkDigit(value[0..<9]) == value[9].wholeNumberValue
    }

    static func isValid(_ text: String) -> Bool { format.isValid(text) }
    static func find(in characters: [Character]) -> [PIISpan] { format.find(in: characters) }
}
