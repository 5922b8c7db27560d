/// Spanish identity numbers: the DNI (8 digits and a control letter) and the NIE of foreign
/// residents (X, Y or Z, 7 digits and a control letter). The letter is the number mod 23 looked
/// up in the Ministry of the Interior's table; for a NIE, X, Y and Z count as 0, 1 and 2.
enum SpanishID {
    static let controlLetters = Array("TRWAGMYFPDXBNJZSQVHLCKE")

    /// `12345678Z`, `12.345.678-Z`.
    static let dni = IdentifierFormat(slots: .digits(8) + [.oneOf(Set(controlLetters))], groupEnds: [2, 5, 8]) { value in
        hasControlLetter(IdentifierFormat.number(value[0..<8]), value[8])
    }

    /// `X1234567L`, `X-1234567-L`.
    static let nie = IdentifierFormat(slots: [.oneOf(["X", "Y", "Z"])] + .digits(7) + [.oneOf(Set(controlLetters))],
                                      groupEnds: [1, 8]) { value in
        guard let prefix = Array("XYZ").firstIndex(of: value[0]) else { return false }
        return hasControlLetter(prefix * 10_000_000 + IdentifierFormat.number(value[1..<8]), value[8])
    }

    static func hasControlLetter(_ number: Int, _ letter: Character) -> Bool {
        controlLetters[number % 23] == letter
    }

    /// Whether `text` (separators allowed) is a DNI or NIE with the right control letter.
    static func isValid(_ text: String) -> Bool { dni.isValid(text) || nie.isValid(text) }

    static func find(in characters: [Character]) -> [PIISpan] {
        IdentifierFormat.merged(dni.find(in: characters) + nie.find(in: characters))
    }
}
