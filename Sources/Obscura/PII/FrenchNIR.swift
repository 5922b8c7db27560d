/// The French NIR (numéro de sécurité sociale): sex, year, month, department, commune and
/// order number (13 characters) and a 2-digit key, 97 − (number mod 97). Corsica's departments
/// 2A and 2B count as 19 and 18 for the key.
enum FrenchNIR {
    /// `2 95 10 99 126 111 93`, `253072A07300443`.
    static let format = IdentifierFormat(
        slots: [.oneOf(["1", "2", "3", "4", "7", "8"])] + .digits(5) + [.oneOf(IdentifierFormat.digits.union(["A", "B"]))] + .digits(8),
        groupEnds: [1, 3, 5, 7, 10, 13]
    ) { value in
        var number = value[0..<13]
        switch value[6] {
        case "A", "B":
            guard value[5] == "2" else { return false }
            number[5] = "1"
            number[6] = value[6] == "A" ? "9" : "8"
        default: break
        }
        return 97 - IdentifierFormat.number(number) % 97 == IdentifierFormat.number(value[13..<15])
    }

    static func isValid(_ text: String) -> Bool { format.isValid(text) }
    static func find(in characters: [Character]) -> [PIISpan] { format.find(in: characters) }
}
