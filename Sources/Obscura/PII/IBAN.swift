/// International Bank Account Numbers (ISO 13616): country code, two check digits and a
/// country-specific BBAN, checked with mod 97 (ISO 7064) against the SWIFT IBAN registry's
/// length and format for the country.
enum IBAN {
    /// BBAN formats from the SWIFT IBAN registry: `n` digits, `a` capital letters, `c` letters or
    /// digits, with counts (`4!a6!n8!n` is four letters, six digits, eight digits).
    static let registry: [String: String] = [
        "AD": "4!n4!n12!c", "AE": "3!n16!n", "AL": "8!n16!c", "AT": "5!n11!n", "AZ": "4!a20!c",
        "BA": "3!n3!n8!n2!n", "BE": "3!n7!n2!n", "BG": "4!a4!n2!n8!c", "BH": "4!a14!c",
        "BI": "5!n5!n11!n2!n", "BR": "8!n5!n10!n1!a1!c", "BY": "4!c4!n16!c", "CH": "5!n12!c",
        "CR": "4!n14!n", "CY": "3!n5!n16!c", "CZ": "4!n6!n10!n", "DE": "8!n10!n",
        "DJ": "5!n5!n11!n2!n", "DK": "4!n9!n1!n", "DO": "4!c20!n", "EE": "2!n14!n",
        "EG": "4!n4!n17!n", "ES": "4!n4!n1!n1!n10!n", "FI": "3!n11!n", "FK": "2!a12!n",
        "FO": "4!n9!n1!n", "FR": "5!n5!n11!c2!n", "GB": "4!a6!n8!n", "GE": "2!a16!n",
        "GI": "4!a15!c", "GL": "4!n9!n1!n", "GR": "3!n4!n16!c", "GT": "4!c20!c", "HN": "4!a20!n",
        "HR": "7!n10!n", "HU": "3!n4!n1!n15!n1!n", "IE": "4!a6!n8!n", "IL": "3!n3!n13!n",
        "IQ": "4!a3!n12!n", "IS": "4!n2!n6!n10!n", "IT": "1!a5!n5!n12!c", "JO": "4!a4!n18!c",
        "KW": "4!a22!c", "KZ": "3!n13!c", "LB": "4!n20!c", "LC": "4!a24!c", "LI": "5!n12!c",
        "LT": "5!n11!n", "LU": "3!n13!c", "LV": "4!a13!c", "LY": "3!n3!n15!n", "MC": "5!n5!n11!c2!n",
        "MD": "2!c18!c", "ME": "3!n13!n2!n", "MK": "3!n10!c2!n", "MN": "4!n12!n",
        "MR": "5!n5!n11!n2!n", "MT": "4!a5!n18!c", "MU": "4!a2!n2!n12!n3!n3!a", "NI": "4!a20!n",
        "NL": "4!a10!n", "NO": "4!n6!n1!n", "OM": "3!n16!c", "PK": "4!a16!c", "PL": "8!n16!n",
        "PS": "4!a21!c", "PT": "4!n4!n11!n2!n", "QA": "4!a21!c", "RO": "4!a16!c", "RS": "3!n13!n2!n",
        "RU": "9!n5!n15!c", "SA": "2!n18!c", "SC": "4!a2!n2!n16!n3!a", "SD": "2!n12!n",
        "SE": "3!n16!n1!n", "SI": "5!n8!n2!n", "SK": "4!n6!n10!n", "SM": "1!a5!n5!n12!c",
        "SO": "4!n3!n12!n", "ST": "8!n11!n2!n", "SV": "4!a20!n", "TL": "3!n14!n2!n",
        "TN": "2!n3!n13!n2!n", "TR": "5!n1!n16!c", "UA": "6!n19!c", "VA": "3!n15!n",
        "VG": "4!a16!n", "XK": "4!n10!n2!n", "YE": "4!a4!n18!c",
    ]

    /// Per country, one class character per IBAN position (`a` `a` `n` `n` then the BBAN).
    static let layouts: [String: [Character]] = registry.mapValues { format in
        var layout: [Character] = ["a", "a", "n", "n"]
        var count = 0
        for character in format {
            if let digit = character.wholeNumberValue {
                count = count * 10 + digit
            } else if character == "n" || character == "a" || character == "c" {
                layout += Array(repeating: character, count: count)
                count = 0
            }
        }
        return layout
    }

    /// The registry's IBAN length for a country code, nil when the country has no IBAN.
    static func length(forCountry code: String) -> Int? { layouts[code]?.count }

    /// Whether `text` (spaces allowed, case-insensitive) is a valid IBAN: a registry country, its
    /// exact length and format, and check digits that make the number ≡ 1 (mod 97).
    static func isValid(_ text: String) -> Bool {
        let compact = text.filter { $0 != " " }.uppercased()
        return validated(Array(compact), correctingOCR: false) != nil
    }

    /// Checks a compact candidate; with `correctingOCR`, letters in digit positions and digits
    /// in letter positions are first replaced by their usual OCR look-alikes. Returns the
    /// (corrected, upper-case) value when it is valid, nil otherwise.
    static func validated(_ candidate: [Character], correctingOCR: Bool) -> [Character]? {
        guard candidate.count >= 4 else { return nil }
        var value = candidate
        if correctingOCR {
            for index in 0..<2 { guard let letter = OCRConfusion.letter(value[index]) else { return nil }; value[index] = letter }
        }
        let country = String(value[0..<2])
        guard let layout = layouts[country], layout.count == value.count else { return nil }
        for (index, kind) in layout.enumerated() {
            var character = value[index]
            if correctingOCR {
                switch kind {
                case "n": character = OCRConfusion.digit(character) ?? character
                case "a": character = OCRConfusion.letter(character) ?? character
                default: character = Character(character.uppercased())
                }
                value[index] = character
            }
            guard character.isASCII else { return nil }
            switch kind {
            case "n": guard character.isNumber else { return nil }
            case "a": guard character.isUppercase else { return nil }
            default: guard character.isNumber || character.isUppercase else { return nil }
            }
        }
        return mod97(value[4...] + value[0..<4]) == 1 ? value : nil
    }

    /// The remainder mod 97 of the number formed by replacing A…Z with 10…35.
    static func mod97<C: Collection>(_ characters: C) -> Int where C.Element == Character {
        var remainder = 0
        for character in characters {
            guard let ascii = character.asciiValue else { return -1 }
            if character.isNumber {
                remainder = (remainder * 10 + Int(ascii - 48)) % 97
            } else {
                remainder = (remainder * 100 + Int(ascii - 55)) % 97
            }
        }
        return remainder
    }

    /// IBANs in a line: a country code and check digits followed by the rest of the number,
    /// written together or in groups separated by spaces, dashes or dots (at most
    /// `maximumGroupGap` of them), not touching other letters or digits; punctuation around it
    /// is not part of it. OCR look-alikes are corrected position by position from the country's format,
    /// and mod 97 then decides; the evidence is `checksumCorrected` when one was replaced.
    static func find(in characters: [Character]) -> [PIISpan] {
        // A comma counts as a separator too: OCR reads a printed dot as one ("BE48.2360,6877").
        let groups = characters.tokens(separatedBy: [" ", "-", ".", ","], trimming: Array.enclosingPunctuation.subtracting([":"]))
        var found: [PIISpan] = []
        var index = 0
        groupLoop: while index < groups.count {
            var start = groups[index]
            // "IBAN:DE89…" written as one word: look past a leading "IBAN" label.
            let labelled = String(start.characters.prefix(5)).uppercased()
            if labelled.hasPrefix("IBAN"), start.characters.count > 6 {
                let skip = labelled == "IBAN:" ? 5 : 4
                start = Token(range: (start.range.lowerBound + skip)..<start.range.upperBound,
                              characters: start.characters.dropFirst(skip))
            }
            var compact: [Character] = []
            var end = index
            var upper = start.range.lowerBound
            let lower = start.range.lowerBound
            while end < groups.count {
                let group = end == index ? start : groups[end]
                if end > index, group.range.lowerBound - upper > maximumGroupGap { break }
                guard group.characters.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { break }
                compact += group.characters
                upper = group.range.upperBound
                end += 1
                if compact.count >= 4 {
                    let country = String(compact[0..<2].compactMap(OCRConfusion.letter))
                    guard let length = length(forCountry: country) else { break }
                    if compact.count == length {
                        let range = lower..<upper
                        // Groups end at separators or trimmed punctuation, so only the left side can touch a word.
                        let touchesLeft = lower > 0 && characters[lower - 1].isWordCharacter
                        if !touchesLeft, let value = validated(compact, correctingOCR: true) {
                            found.append(PIISpan(range: range, evidence: .checksum(read: compact, passed: value)))
                            index = end
                            continue groupLoop
                        }
                        break
                    }
                    // "GBO65-JFQM-…" for "GB65-JFQM-…": a first group of five, one character
                    // too many, read as the check digits. Each of those three is left out in
                    // turn; mod 97 decides (a wrong value passes about once in 97 per try).
                    if compact.count == length + 1, start.characters.count == 5, end > index + 1 {
                        let touchesLeft = lower > 0 && characters[lower - 1].isWordCharacter
                        for dropped in 2..<5 where !touchesLeft {
                            var shorter = compact
                            shorter.remove(at: dropped)
                            if validated(shorter, correctingOCR: true) != nil {
                                found.append(PIISpan(range: lower..<upper, evidence: .checksumCorrected))
                                index = end
                                continue groupLoop
                            }
                        }
                    }
                    if compact.count > length { break }
                }
            }
            index += 1
        }
        return found
    }
}
