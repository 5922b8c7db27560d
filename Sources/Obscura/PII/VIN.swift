/// Vehicle identification numbers (ISO 3779): 17 characters without I, O and Q, with the North
/// American check digit (0–9 or X) in position 9: letters transliterated to digits, weighted
/// and taken mod 11. Found only with a letter in them: 17 digits alone are some other number.
enum VIN {
    static let transliteration: [Character: Int] = {
        var values: [Character: Int] = [:]
        for (letters, start) in [("ABCDEFGH", 1), ("JKLMN", 1), ("P", 7), ("R", 9), ("STUVWXYZ", 2)] {
            for (offset, letter) in letters.enumerated() { values[letter] = start + offset }
        }
        return values
    }()
    static let weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
    static let alphabet = IdentifierFormat.digits.union(transliteration.keys)

    /// `1M8GDM9AXKP042788`.
    static let format = IdentifierFormat(
        slots: Array(repeating: .oneOf(alphabet), count: 8) + [.oneOf(IdentifierFormat.digits.union(["X"]))]
            + Array(repeating: .oneOf(alphabet), count: 8),
        needsLetter: true
    ) { value in
        var sum = 0
        for (character, weight) in zip(value, weights) {
            guard let number = character.wholeNumberValue ?? transliteration[character] else { return false }
            sum += number * weight
        }
        let check = sum % 11
        return value[8] == (check == 10 ? "X" : Character(String(check)))
    }

    static func isValid(_ text: String) -> Bool { format.isValid(text) }
    static func find(in characters: [Character]) -> [PIISpan] { format.find(in: characters) }
}
