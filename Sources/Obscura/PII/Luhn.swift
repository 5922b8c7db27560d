/// The Luhn (mod 10) check used by payment card numbers (ISO/IEC 7812-1).
enum Luhn {
    /// Whether `digits` (ASCII digits only) ends in a valid Luhn check digit.
    static func isValid<S: Sequence>(_ digits: S) -> Bool where S.Element == Character {
        var sum = 0, count = 0
        for character in digits.reversed() {
            guard let value = character.wholeNumberValue, character.isASCII else { return false }
            let doubled = count % 2 == 1 ? value * 2 : value
            sum += doubled > 9 ? doubled - 9 : doubled
            count += 1
        }
        return count > 1 && sum % 10 == 0
    }
}
