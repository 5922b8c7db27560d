/// E-mail addresses: `local@domain.tld` with a dot-separated domain whose last label is at least
/// two letters.
public enum EmailAddress {
    static func isLocalCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || "._%+-'".contains(c))
    }

    static func isDomainCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "-" || c == ".")
    }

    /// Whether the whole of `text` is an e-mail address.
    public static func isValid(_ text: String) -> Bool {
        let characters = Array(text)
        return find(in: characters) == [0..<characters.count]
    }

    static func find(in characters: [Character]) -> [Range<Int>] {
        var found: [Range<Int>] = []
        for at in characters.indices where characters[at] == "@" {
            var start = at
            while start > 0, isLocalCharacter(characters[start - 1]) { start -= 1 }
            while start < at, ".'".contains(characters[start]) { start += 1 }
            var end = at + 1
            while end < characters.count, isDomainCharacter(characters[end]) { end += 1 }
            while end > at + 1, ".-".contains(characters[end - 1]) { end -= 1 }
            guard start < at, end > at + 1, found.last.map({ $0.upperBound <= start }) ?? true else { continue }
            let local = characters[start..<at]
            guard local.first != ".", local.last != ".", !String(local).contains("..") else { continue }
            let labels = String(characters[(at + 1)..<end]).split(separator: ".", omittingEmptySubsequences: false)
            guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && !$0.hasPrefix("-") && !$0.hasSuffix("-") }),
                  let top = labels.last, top.count >= 2, top.allSatisfy(\.isLetter) else { continue }
            found.append(start..<end)
        }
        return found
    }
}
