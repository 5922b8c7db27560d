import Foundation

/// Whether the text read from a plate-shaped line rules out a licence plate.
///
/// A plate holds 4 to 10 capitals and digits, usually with at least one digit ("AYO-9034",
/// "M5XSX", "6XTU6K1"). A line read clearly as something else is not a plate: a caption ("Maria
/// Gonzalez"), a field label ("Recipient"), a time, a date, an amount or a hashtag. A line the
/// recogniser could not really read (low confidence) proves nothing and stays a plate candidate:
/// most plates photographed small read as noise, and a missed plate is the worse mistake.
///
/// The rules and both confidence levels were chosen on half of `../shared/eval/plates` (its even
/// entries) and on generated captioned photos and app screenshots; see the README's plate figures.
enum PlateReading {
    /// What a clear reading showed instead of a plate.
    enum NotAPlate: String, Sendable, Equatable {
        /// Words in lower case, as in names, labels and sentences.
        case words
        /// A time of day ("08:03").
        case time
        /// A date ("08.01.2024", "1/2/24", "2014-05-02").
        case date
        /// A currency, hash, at, percent, ampersand or copyright sign, or an amount ("173.71").
        case symbol
        /// Fewer than 4 or more than 10 letters and digits.
        case length
        /// Letters only (a word in capitals, "BOUTIQUE"; vanity plates are rare).
        case noDigit
    }

    /// The confidence (0...100, `TextLine.confidence`) from which a reading of words, a time,
    /// a date or a symbol rules a plate out.
    static let clearReading = 50.0
    /// The confidence from which a reading of the wrong length or without digits rules a plate
    /// out: such readings are also what noise on a real plate gives, so they must be surer.
    static let certainReading = 80.0

    /// Why `text`, read with `confidence`, is not a plate; nil when it may be one.
    static func notAPlate(_ text: String, confidence: Double) -> NotAPlate? {
        guard let reason = reason(text) else { return nil }
        switch reason {
        case .length, .noDigit: return confidence >= certainReading ? reason : nil
        default: return confidence >= clearReading ? reason : nil
        }
    }

    /// The confidence from which the recognition network's reading of one or two letters and
    /// digits rules a plate out: it reads a plate's text, right or wrong, as more characters.
    static let shortNetworkReading = 40.0

    /// Whether the network's reading of a plate-shaped text line rules out a plate: one or two
    /// letters and digits from `shortNetworkReading` ("YA", "RX", "10"). Nothing read at all, or
    /// letters alone even at 90, are not enough: real plates read so ("CHOAPBY" at 91 for
    /// CH0P8Y). Chosen on the even entries of the plate set and on half of the crowd photos of
    /// `../shared/eval/faces` (see the README's plate figures).
    static func networkNotAPlate(_ text: String, confidence: Double) -> Bool {
        let letterOrDigit = text.filter { $0.isLetter || $0.isNumber }.count
        return (1...2).contains(letterOrDigit) && confidence >= shortNetworkReading
    }

    /// What the text looks like, whatever the confidence.
    static func reason(_ text: String) -> NotAPlate? {
        let trimmed = text.trimmingCharacters(in: edgeNoise), characters = Array(trimmed)
        if containsTime(characters) { return .time }
        if containsDate(characters) { return .date }
        if characters.contains(where: { symbols.contains($0) }) || trimmed.contains("EUR") || trimmed.contains("USD")
            || endsInAmount(characters) { return .symbol }
        if containsLowerCaseWord(characters) { return .words }
        let letterOrDigit = characters.filter { $0.isLetter || $0.isNumber }
        if !(4...10).contains(letterOrDigit.count) { return .length }
        if !letterOrDigit.contains(where: \.isNumber) { return .noDigit }
        return nil
    }

    /// Marks OCR leaves at the ends of a crop: frame edges, screws, quotes.
    static let edgeNoise = Set<Character>(" |[](){}‘’“”\"'.,:;=*-_~°®").characterSet
    static let symbols: Set<Character> = ["€", "$", "£", "#", "@", "%", "&", "©"]
    /// Letters whose small and capital forms look alike, which OCR may read either way on a plate.
    static let caseAlike: Set<Character> = ["c", "o", "s", "u", "v", "w", "x", "z"]

    /// A run of 3 or more letters, at least half of them small, and at least one small letter
    /// that does not look like its capital.
    static func containsLowerCaseWord(_ characters: [Character]) -> Bool {
        var word: [Character] = []
        for character in characters + [" "] {
            if character.isLetter { word.append(character); continue }
            if word.count >= 3 {
                let small = word.filter(\.isLowercase)
                if small.contains(where: { !caseAlike.contains($0) }), 2 * small.count >= word.count { return true }
            }
            word.removeAll()
        }
        return false
    }

    /// A digit, a colon, two digits.
    static func containsTime(_ c: [Character]) -> Bool {
        for index in c.indices where c[index] == ":" {
            if digitsBefore(c, index) >= 1, digitsAfter(c, index + 1) >= 2 { return true }
        }
        return false
    }

    /// Day, month and year joined by dots or slashes: digits, 1–2 digits, 2 or more digits.
    static func containsDate(_ c: [Character]) -> Bool {
        for index in c.indices where c[index] == "." || c[index] == "/" {
            guard digitsBefore(c, index) >= 1 else { continue }
            let month = digitsAfter(c, index + 1)
            guard (1...2).contains(month), index + 1 + month < c.count else { continue }
            let second = c[index + 1 + month]
            if second == "." || second == "/", digitsAfter(c, index + 2 + month) >= 2 { return true }
        }
        return containsDashedDate(c)
    }

    /// A date joined by dashes, as cameras stamp it on photos ("2014-05-02", "02-05-2014"). A
    /// dash also joins a plate's groups ("AB-12-34", "12-AB-34"), so here the numbers must make a
    /// date: a year of 4 digits first or last, a month of 1 to 12, a day of 1 to 31.
    static func containsDashedDate(_ c: [Character]) -> Bool {
        for index in c.indices where c[index] == "-" {
            let firstLength = digitsBefore(c, index)
            let monthLength = digitsAfter(c, index + 1)
            guard firstLength >= 1, (1...2).contains(monthLength), index + 1 + monthLength < c.count,
                  c[index + 1 + monthLength] == "-" else { continue }
            let lastStart = index + 2 + monthLength, lastLength = digitsAfter(c, lastStart)
            guard lastLength >= 1 else { continue }
            let first = number(c[(index - firstLength)..<index]), month = number(c[(index + 1)..<(index + 1 + monthLength)])
            let last = number(c[lastStart..<(lastStart + lastLength)])
            guard (1...12).contains(month) else { continue }
            if firstLength == 4, lastLength <= 2, (1...31).contains(last) { return true }
            if firstLength <= 2, lastLength == 4, (1...31).contains(first) { return true }
        }
        return false
    }

    private static func number(_ digits: ArraySlice<Character>) -> Int { Int(String(digits)) ?? 0 }

    /// A digit, a dot or comma, and exactly two digits at the end ("173.71", "8368,65").
    static func endsInAmount(_ c: [Character]) -> Bool {
        guard c.count >= 4 else { return false }
        let n = c.count
        return c[n - 1].isNumber && c[n - 2].isNumber && (c[n - 3] == "." || c[n - 3] == ",") && c[n - 4].isNumber
    }

    private static func digitsBefore(_ c: [Character], _ index: Int) -> Int {
        var count = 0
        while index - count - 1 >= 0, c[index - count - 1].isNumber { count += 1 }
        return count
    }

    private static func digitsAfter(_ c: [Character], _ index: Int) -> Int {
        var count = 0
        while index + count < c.count, c[index + count].isNumber { count += 1 }
        return count
    }
}

private extension Set where Element == Character {
    var characterSet: CharacterSet {
        CharacterSet(charactersIn: String(self))
    }
}
