/// Telephone numbers, conservatively: an international form (`+CC …` or `00CC …`, 8–15 digits
/// in all, as E.164 allows), a national form with a trunk `0` (9–11 digits, written in groups
/// or with an area code in brackets), or a North American `(555) 123-4567` / `555-123-4567`.
/// Dates, times, card and account numbers and bare digit strings are not phones.
enum PhoneNumber {
    static let phoneCharacters: Set<Character> = ["+", "(", ")", "-", ".", "/", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]

    /// Whether the whole of `text` is a phone number in one of the accepted forms.
    static func isValid(_ text: String) -> Bool {
        let characters = Array(text)
        return find(in: characters) == [0..<characters.count]
    }

    static func find(in characters: [Character]) -> [Range<Int>] {
        let tokens = characters.tokens(separatedBy: [" ", ",", ";", ":"])
        var found: [Range<Int>] = []
        var index = 0
        while index < tokens.count {
            // A maximal run of whitespace-separated tokens made only of phone characters.
            var end = index
            while end < tokens.count, tokens[end].characters.allSatisfy(phoneCharacters.contains) {
                if end > index, tokens[end].range.lowerBound - tokens[end - 1].range.upperBound > 1 { break }
                end += 1
            }
            guard end > index else { index += 1; continue }
            var range = tokens[index].range.lowerBound..<tokens[end - 1].range.upperBound
            // Trailing punctuation of the sentence is not part of the number.
            while range.count > 0, ".-/".contains(characters[range.upperBound - 1]) { range = range.lowerBound..<(range.upperBound - 1) }
            let previous = index > 0 ? tokens[index - 1] : nil
            if isPhone(Array(characters[range]), after: previous) { found.append(range) }
            index = end
        }
        return found
    }

    static func isPhone(_ text: [Character], after previous: Token?) -> Bool {
        let digits = text.filter(OCRConfusion.isDigit)
        guard let first = text.first, digits.count >= 7 else { return false }
        // A run right after an IBAN-like or card-like group belongs to that number.
        if let previous, previous.characters.contains(where: OCRConfusion.isDigit) { return false }
        // Separators: no letters, at most one "+" and only at the start, balanced brackets.
        let plusCount = text.filter { $0 == "+" }.count
        guard plusCount == 0 || (plusCount == 1 && first == "+") else { return false }
        guard text.filter({ $0 == "(" }).count == text.filter({ $0 == ")" }).count,
              text.filter({ $0 == "(" }).count <= 1 else { return false }
        if looksLikeDate(text) { return false }
        let groups = String(text).split(whereSeparator: { !$0.isNumber }).map(\.count)
        if first == "+" || String(text.prefix(2)) == "00" {
            // International: the country code must not start with 0, 8–15 digits in all.
            let afterPrefix = first == "+" ? digits : Array(digits.dropFirst(2))
            guard afterPrefix.first != "0", (8...15).contains(afterPrefix.count) else { return false }
            return true
        }
        let hasSeparator = text.contains(where: { !$0.isNumber })
        if digits.first == "0" {
            // National with a trunk prefix: 0xx xxxx xxxx, (0xx) xxxxxxx, 0xxxx/xxxxxx … at most 11
            // digits: 12-digit runs in groups (0151 2345 6789) read as often as order or account
            // numbers, so those phones are found only in the international form.
            guard (9...11).contains(digits.count), hasSeparator || text.first == "(" else { return false }
            // French 0X XX XX XX XX, or groups of 2+ digits with at least one of 3+.
            if groups == [2, 2, 2, 2, 2] { return true }
            return groups.contains(where: { $0 >= 3 }) && groups.allSatisfy({ $0 >= 2 })
        }
        // North American: (NXX) NXX-XXXX, NXX-NXX-XXXX, NXX.NXX.XXXX, optionally led by 1.
        var nanp = groups
        if nanp.count == 4, nanp[0] == 1, text.first == "1" { nanp.removeFirst() }
        guard nanp == [3, 3, 4] else { return false }
        let national = digits.count == 11 ? Array(digits.dropFirst()) : digits
        return national[0] >= "2" && national[3] >= "2"
    }

    /// d.m.yyyy, dd/mm/yy, yyyy-mm-dd and the like: digits in 1–2 / 1–2 / 2–4 groups with one
    /// kind of separator.
    static func looksLikeDate(_ text: [Character]) -> Bool {
        let separators = Set(text.filter { !$0.isNumber })
        guard separators.count == 1, let separator = separators.first, "./-".contains(separator) else { return false }
        let groups = String(text).split(separator: separator).map(\.count)
        guard groups.count == 3 else { return false }
        return (groups[0] <= 2 && groups[1] <= 2 && [2, 4].contains(groups[2])) || (groups[0] == 4 && groups[1] <= 2 && groups[2] <= 2)
    }
}
