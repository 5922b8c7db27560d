/// The Italian codice fiscale of a person: 6 letters from the names, year, month letter, day
/// (+40 for women), place code, and a control letter from the odd/even position tables mod 26.
/// Digits of the date and place may be replaced by L–V where two codes would clash (omocodia).
enum CodiceFiscale {
    static let omocodia = Array("LMNPQRSTUV")
    static let monthLetters = Set("ABCDEHLMPRST")
    /// Values of characters in odd (1st, 3rd …) positions, for 0–9 and then A–Z.
    static let oddDigitValues = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21]
    static let oddLetterValues = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]

    static let format: IdentifierFormat = {
        let number = IdentifierFormat.Slot.oneOf(IdentifierFormat.digits.union(omocodia))
        let slots: [IdentifierFormat.Slot] = Array(repeating: .letter, count: 6) + [number, number, .oneOf(monthLetters), number, number,
                                                                                      .letter, number, number, number, .letter]
        return IdentifierFormat(slots: slots) { value in
            let day = (digitValue(value[9]) * 10 + digitValue(value[10])) % 40
            return (1...31).contains(day) && controlLetter(value[0..<15]) == value[15]
        }
    }()

    static func digitValue(_ character: Character) -> Int {
        character.wholeNumberValue ?? omocodia.firstIndex(of: character) ?? 0
    }

    static func controlLetter(_ characters: ArraySlice<Character>) -> Character? {
        var sum = 0
        for (offset, character) in characters.enumerated() {
            guard let ascii = character.asciiValue else { return nil }
            let isDigit = character.isNumber
            let index = isDigit ? Int(ascii - 48) : Int(ascii - 65)
            guard index >= 0, index < 26 else { return nil }
            // Positions count from 1, so offset 0 is odd.
            sum += offset % 2 == 0 ? (isDigit ? oddDigitValues[index] : oddLetterValues[index]) : index
        }
        return Character(UnicodeScalar(UInt8(65 + sum % 26)))
    }

    static func isValid(_ text: String) -> Bool { format.isValid(text) }
    static func find(in characters: [Character]) -> [PIISpan] { format.find(in: characters) }
}
