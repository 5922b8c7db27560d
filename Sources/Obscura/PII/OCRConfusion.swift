/// Characters OCR commonly reads in place of one another. Validators use these only where a
/// checksum then confirms the corrected value, so a look-alike with a wrong check digit still
/// fails.
enum OCRConfusion {
    /// The digit a character most likely stands for where a digit is expected: itself for a digit,
    /// O/Q/D→0, I/l/|→1, Z→2, S→5, G→6, B→8; nil for anything else.
    static func digit(_ character: Character) -> Character? {
        if character.isASCII, character.isNumber { return character }
        switch character {
        case "O", "o", "Q", "D": return "0"
        case "I", "l", "|", "i": return "1"
        case "Z", "z": return "2"
        case "S", "s": return "5"
        case "G": return "6"
        case "B": return "8"
        default: return nil
        }
    }

    /// A second digit a letter may stand for where a digit is expected, after `digit`'s: Z is
    /// also a serif 7 (measured on rendered zones: "Z908035" for "7908035"); nil for others.
    static func secondDigit(_ character: Character) -> Character? {
        character == "Z" || character == "z" ? "7" : nil
    }

    /// The capital letter a character most likely stands for where a letter is expected:
    /// 0→O, 1→I, 2→Z, 5→S, 6→G, 8→B, lower case → upper case; nil for anything else.
    static func letter(_ character: Character) -> Character? {
        if character.isASCII, character.isLetter { return Character(character.uppercased()) }
        switch character {
        case "0": return "O"
        case "1": return "I"
        case "2": return "Z"
        case "5": return "S"
        case "6": return "G"
        case "8": return "B"
        default: return nil
        }
    }

    /// Whether a character is a real ASCII digit.
    static func isDigit(_ character: Character) -> Bool { character.isASCII && character.isNumber }
}

/// A run of characters in a line, as offsets into `TextLine.characters`.
struct Token {
    var range: Range<Int>
    var characters: ArraySlice<Character>
}

extension Array where Element == Character {
    /// Punctuation that ends a sentence or a clause, or encloses a number, and is not part of it
    /// ("… 4111 1111 1111 1111.", "(DE89 3704 …),").
    static let enclosingPunctuation: Set<Character> = [".", ",", ";", ":", "!", "?", "(", ")", "[", "]", "«", "»", "\"", "'"]

    /// Splits into runs separated by any of `separators` (the separators are dropped); each run
    /// then loses the characters of `trimming` at its ends.
    func tokens(separatedBy separators: Set<Character>, trimming: Set<Character> = []) -> [Token] {
        var tokens: [Token] = []
        var start: Int?
        for index in 0...count {
            let isSeparator = index == count || separators.contains(self[index])
            if isSeparator {
                if var begin = start {
                    var end = index
                    while begin < end, trimming.contains(self[begin]) { begin += 1 }
                    while end > begin, trimming.contains(self[end - 1]) { end -= 1 }
                    if begin < end { tokens.append(Token(range: begin..<end, characters: self[begin..<end])) }
                }
                start = nil
            } else if start == nil {
                start = index
            }
        }
        return tokens
    }
}

/// How far apart two groups of one number may be: one separator as printed, or up to three
/// (" - ", a doubled space) as OCR and layouts leave them; wider gaps are columns.
let maximumGroupGap = 3

extension Character {
    /// Letters and digits of any script: what must not touch a match's ends.
    var isWordCharacter: Bool { isLetter || isNumber }
}
