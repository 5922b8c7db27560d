import Foundation

/// User rules for `pii.custom`: regular expressions (`--pii-pattern`, ICU syntax as in
/// `NSRegularExpression`) and words or phrases (`--pii-words FILE`, one per line, matched
/// case-insensitively as whole words). Empty by default.
struct PIIRules: Sendable, Equatable {
    var patterns: [String]
    var words: [String]

    init(patterns: [String] = [], words: [String] = []) {
        self.patterns = patterns
        self.words = words
    }

    static let none = PIIRules()

    var isEmpty: Bool { patterns.isEmpty && words.isEmpty }

    /// Reads a words file: one word or phrase per line; blank lines and lines starting with `#`
    /// are ignored, surrounding spaces trimmed. Errors never quote the file's contents.
    static func words(fromFile url: URL) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ObscuraError(.invalidSettings, "the PII words file could not be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ObscuraError(.invalidSettings, "the PII words file is not UTF-8 text")
        }
        return text.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }
}

/// Compiled rules. NSRegularExpression is immutable and documented as safe to share.
struct CompiledRules: @unchecked Sendable {
    let expressions: [NSRegularExpression]

    init(_ rules: PIIRules) throws {
        var expressions: [NSRegularExpression] = []
        for (index, pattern) in rules.patterns.enumerated() {
            do {
                expressions.append(try NSRegularExpression(pattern: pattern))
            } catch {
                throw ObscuraError(.invalidSettings, "PII pattern \(index + 1) is not a valid regular expression")
            }
        }
        for word in rules.words {
            let escaped = NSRegularExpression.escapedPattern(for: word)
                .replacingOccurrences(of: " ", with: "\\s+")
            expressions.append(try NSRegularExpression(pattern: "(?<![\\p{L}\\p{N}])" + escaped + "(?![\\p{L}\\p{N}])",
                                                       options: [.caseInsensitive]))
        }
        self.expressions = expressions
    }

    /// Character ranges (offsets into `characters`) of every non-empty match.
    func find(in characters: [Character]) -> [Range<Int>] {
        guard !expressions.isEmpty else { return [] }
        let text = String(characters)
        // UTF-16 offset of each Character boundary, to map NSRange back to Character offsets.
        var boundaries: [Int: Int] = [:]
        var utf16 = 0
        for (index, character) in characters.enumerated() {
            boundaries[utf16] = index
            utf16 += character.utf16.count
        }
        boundaries[utf16] = characters.count
        var found: [Range<Int>] = []
        let whole = NSRange(location: 0, length: utf16)
        for expression in expressions {
            for result in expression.matches(in: text, range: whole) where result.range.length > 0 {
                // Round outwards to whole Characters.
                var lower = result.range.location, upper = result.range.location + result.range.length
                while boundaries[lower] == nil, lower > 0 { lower -= 1 }
                while boundaries[upper] == nil, upper < utf16 { upper += 1 }
                if let start = boundaries[lower], let end = boundaries[upper], end > start { found.append(start..<end) }
            }
        }
        return found
    }
}
