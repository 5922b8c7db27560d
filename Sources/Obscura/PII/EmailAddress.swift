/// E-mail addresses: `local@domain.tld` with a dot-separated domain whose last label is at least
/// two letters.
enum EmailAddress {
    static func isLocalCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || "._%+-'".contains(c))
    }

    static func isDomainCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "-" || c == ".")
    }

    /// Whether the whole of `text` is an e-mail address.
    static func isValid(_ text: String) -> Bool {
        let characters = Array(text)
        return find(in: characters) == [0..<characters.count]
    }

    /// OCR often puts a space next to a dot or an underscore ("marie _dupont@example. com"): a
    /// single space is part of the address when a dot or underscore touches it and the address
    /// goes on across it (on the domain side, in lower case or digits).
    static func find(in characters: [Character]) -> [Range<Int>] {
        var found: [Range<Int>] = []
        func isSeparator(_ index: Int) -> Bool { index >= 0 && index < characters.count && "._".contains(characters[index]) }
        for at in characters.indices where characters[at] == "@" {
            var start = at
            // "eva.novak @mail.example.org": one space before the "@".
            if at >= 2, characters[at - 1] == " ", isLocalCharacter(characters[at - 2]) { start = at - 1 }
            while start > 0 {
                if isLocalCharacter(characters[start - 1]) { start -= 1; continue }
                // "marie _dupont@", "anna. eriksson@"
                if characters[start - 1] == " ", start - 2 >= 0, isLocalCharacter(characters[start - 2]), start < at,
                   isSeparator(start) || isSeparator(start - 2) {
                    start -= 1
                    continue
                }
                break
            }
            while start < at, ".' ".contains(characters[start]) { start += 1 }
            var end = at + 1
            // "anna@ example.com": one space after it.
            if end + 1 < characters.count, characters[end] == " ", characters[end + 1].isLetter || characters[end + 1].isNumber { end += 1 }
            var comma: Int?
            while end < characters.count {
                if isDomainCharacter(characters[end]) { end += 1; continue }
                // "example,co.uk": OCR reads a dot between letters as a comma. Tried first as a
                // dot, then as the end of the address ("a@b.com,c@d.com" lists two).
                if characters[end] == ",", comma == nil, end > at + 1, end + 1 < characters.count,
                   characters[end - 1].isLetter, characters[end + 1].isLowercase {
                    comma = end
                    end += 1
                    continue
                }
                // "example. com", "mail .example.org"
                if characters[end] == " ", end > at + 1, end + 1 < characters.count, isDomainCharacter(characters[end + 1]),
                   characters[end + 1].isLowercase || characters[end + 1].isNumber || characters[end + 1] == ".",
                   characters[end - 1] == "." || characters[end + 1] == "." {
                    end += 1
                    continue
                }
                break
            }
            while end > at + 1, ".- ".contains(characters[end - 1]) { end -= 1 }
            guard start < at, end > at + 1, found.last.map({ $0.upperBound <= start }) ?? true else { continue }
            let local = characters[start..<at].filter { $0 != " " }
            guard local.first != ".", local.last != ".", !String(local).contains("..") else { continue }
            func isDomain(_ end: Int) -> Bool {
                let domain = characters[(at + 1)..<end].filter { $0 != " " }.map { $0 == "," ? "." : $0 }
                let labels = String(domain).split(separator: ".", omittingEmptySubsequences: false)
                return labels.count >= 2 && labels.allSatisfy({ !$0.isEmpty && !$0.hasPrefix("-") && !$0.hasSuffix("-") })
                    && labels.last!.count >= 2 && labels.last!.allSatisfy(\.isLetter)
            }
            if let comma, comma < end, !isDomain(end) { end = comma }
            guard end > at + 1, isDomain(end) else { continue }
            found.append(start..<end)
        }
        return found
    }
}
