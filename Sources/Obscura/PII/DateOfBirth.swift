/// Dates of birth: a calendar date that follows a date-of-birth label on the same line
/// ("DOB: 12.03.1980", "Date of birth 1980-03-12", "Born 12 March 1980", "Geburtsdatum",
/// "né le", "née le", "né(e) le" …) or starts the next line below such a label.
enum DateOfBirth {
    /// Labels, lower case, without their trailing colon.
    static let labels: [String] = [
        "date of birth", "birth date", "birthdate", "date de naissance", "né(e) le", "née le", "né le", "ne le", "nee le",
        "geburtsdatum", "geb.", "geboren am", "geboren", "d.o.b.", "d.o.b", "dob", "born on", "born",
        "fecha de nacimiento", "data di nascita", "data de nascimento", "geboortedatum", "födelsedatum",
        "fødselsdato", "syntymäaika", "data urodzenia",
    ]

    static let months: [String: Int] = {
        let names: [[String]] = [
            ["january", "jan", "januar", "janvier", "jänner", "enero", "gennaio"],
            ["february", "feb", "februar", "février", "fevrier", "febrero", "febbraio"],
            ["march", "mar", "märz", "maerz", "mars", "marzo"],
            ["april", "apr", "avril", "abril", "aprile"],
            ["may", "mai", "mayo", "maggio"],
            ["june", "jun", "juni", "juin", "junio", "giugno"],
            ["july", "jul", "juli", "juillet", "julio", "luglio"],
            ["august", "aug", "août", "aout", "agosto"],
            ["september", "sep", "sept", "septembre", "septiembre", "settembre"],
            ["october", "oct", "oktober", "okt", "octobre", "octubre", "ottobre"],
            ["november", "nov", "novembre", "noviembre"],
            ["december", "dec", "dezember", "dez", "décembre", "decembre", "diciembre", "dicembre"],
        ]
        var table: [String: Int] = [:]
        for (index, list) in names.enumerated() { for name in list { table[name] = index + 1 } }
        return table
    }()

    /// Where a label ends in the line (after any colon), for each label occurrence.
    static func labelEnds(in characters: [Character]) -> [Int] {
        let lower = characters.map { Character($0.lowercased()) }
        var ends: [Int] = []
        var position = 0
        while position < lower.count {
            var matched: Int?
            if position == 0 || !lower[position - 1].isWordCharacter {
                for label in labels {
                    let labelCharacters = Array(label)
                    guard position + labelCharacters.count <= lower.count,
                          Array(lower[position..<(position + labelCharacters.count)]) == labelCharacters else { continue }
                    let after = position + labelCharacters.count
                    if after < lower.count, lower[after].isWordCharacter, labelCharacters.last!.isWordCharacter { continue }
                    matched = after
                    break
                }
            }
            if let end = matched {
                var cursor = end
                while cursor < lower.count, " :.-/".contains(lower[cursor]) || lower[cursor] == "\t" { cursor += 1 }
                ends.append(cursor)
                position = end
            } else {
                position += 1
            }
        }
        return ends
    }

    /// A date starting exactly at `start`; returns its end.
    static func date(in characters: [Character], at start: Int) -> Int? {
        // Numeric: d.m.yyyy, dd/mm/yyyy, dd-mm-yyyy, yyyy-mm-dd, d.m.yy (two-digit years allowed
        // only after a label, which is always the case here).
        var end = start
        while end < characters.count, characters[end].isNumber || "./- ".contains(characters[end]) { end += 1 }
        var candidate = String(characters[start..<end])
        while let last = candidate.last, !last.isNumber { candidate.removeLast() }
        for separator in [".", "/", "-"] {
            let parts = candidate.replacingOccurrences(of: " ", with: "").split(separator: Character(separator), omittingEmptySubsequences: false)
            guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) else { continue }
            let numbers = parts.compactMap { Int($0) }
            guard numbers.count == 3 else { continue }
            let valid: Bool
            if parts[0].count == 4 {
                valid = isCalendarDate(year: numbers[0], month: numbers[1], day: numbers[2])
            } else if parts[2].count == 4 || parts[2].count == 2, parts[0].count <= 2, parts[1].count <= 2 {
                let year = parts[2].count == 2 ? 1900 + numbers[2] : numbers[2]
                // Day first (most of the world) or month first (US).
                valid = isCalendarDate(year: year, month: numbers[1], day: numbers[0])
                    || isCalendarDate(year: year, month: numbers[0], day: numbers[1])
            } else {
                valid = false
            }
            if valid { return start + candidateLength(candidate, in: characters, from: start) }
        }
        // Written months: "12 March 1980", "12. März 1980", "March 12, 1980", "12 MAR 1980".
        let words = characters[start...].tokens(separatedBy: [" ", ",", "."])
        guard words.count >= 3 else { return nil }
        let first = String(words[0].characters).lowercased(), second = String(words[1].characters).lowercased()
        let third = String(words[2].characters)
        if let day = Int(first), let month = months[second], third.count == 4, let year = Int(third),
           isCalendarDate(year: year, month: month, day: day) {
            return words[2].range.upperBound
        }
        if let month = months[first], let day = Int(second), third.count == 4, let year = Int(third),
           isCalendarDate(year: year, month: month, day: day) {
            return words[2].range.upperBound
        }
        return nil
    }

    private static func candidateLength(_ candidate: String, in characters: [Character], from start: Int) -> Int {
        // The candidate was read from characters[start...] and only lost trailing separators.
        var consumed = 0, index = start
        let target = candidate.count
        while consumed < target, index < characters.count { consumed += 1; index += 1 }
        return index - start
    }

    static func isCalendarDate(year: Int, month: Int, day: Int) -> Bool {
        guard (1900...2099).contains(year), (1...12).contains(month), day >= 1 else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= lengths[month - 1]
    }

    /// Dates right after a label on this line.
    static func find(in characters: [Character]) -> [Range<Int>] {
        labelEnds(in: characters).compactMap { start in
            guard start < characters.count, let end = date(in: characters, at: start) else { return nil }
            return start..<end
        }
    }

    /// Whether the line ends with a label and no date after it (the date may be on the next line).
    static func endsWithLabel(_ characters: [Character]) -> Bool {
        labelEnds(in: characters).last == characters.count
    }
}

extension ArraySlice where Element == Character {
    func tokens(separatedBy separators: Set<Character>) -> [Token] {
        let offset = startIndex
        return Array(self).tokens(separatedBy: separators).map {
            Token(range: ($0.range.lowerBound + offset)..<($0.range.upperBound + offset), characters: self[($0.range.lowerBound + offset)..<($0.range.upperBound + offset)])
        }
    }
}
