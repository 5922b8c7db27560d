/// One line of recognised text with the pixels each character came from: what `PIIMatcher`
/// reads. Lines come from OCR (`TextRecognizer`) or from any other source.
///
/// The text is personal data: it is never logged, written to reports or put into errors.
struct TextLine: Sendable, Equatable {
    /// The line's characters (`Character`s, i.e. grapheme clusters).
    var characters: [Character]
    /// The box of the whole line in image pixels.
    var box: Box
    /// One box per character when known (`nil` for a character with no box of its own, such as
    /// the space that joins two words). When absent, a match paints the whole line.
    var characterBoxes: [Box?]?
    /// How sure the recogniser was of its words, 0...100 (Tesseract's mean word confidence, which
    /// weighs in its dictionary and language model), when known. Low on text it could not really
    /// read, such as a plate photographed small.
    var confidence: Double?

    /// A line from its text; `characterBoxes`, when given, must have one entry per `Character`.
    init(text: String, box: Box, characterBoxes: [Box?]? = nil, confidence: Double? = nil) {
        characters = Array(text)
        precondition(characterBoxes == nil || characterBoxes!.count == characters.count,
                     "one character box per Character")
        self.box = box
        self.characterBoxes = characterBoxes
        self.confidence = confidence
    }

    /// A line from OCR words: they are joined with one space and each character takes its word's
    /// box. The line box is the union of the word boxes unless given.
    init(words: [TextWord], box: Box? = nil) {
        var characters: [Character] = []
        var boxes: [Box?] = []
        for (index, word) in words.enumerated() {
            if index > 0 {
                characters.append(" ")
                boxes.append(nil)
            }
            for character in word.text {
                characters.append(character)
                boxes.append(word.box)
            }
        }
        self.characters = characters
        self.characterBoxes = boxes
        self.box = box ?? Box.union(words.map(\.box)) ?? Box(x: 0, y: 0, width: 0, height: 0)
    }

    var text: String { String(characters) }

    /// The area to paint for characters `range`: the union of their boxes, or the line's box
    /// when characters carry none.
    func box(for range: Range<Int>) -> Box {
        guard let characterBoxes else { return box }
        let clamped = range.clamped(to: 0..<characterBoxes.count)
        return Box.union(characterBoxes[clamped].compactMap { $0 }) ?? box
    }
}

/// A recognised word and its box in image pixels.
struct TextWord: Sendable, Equatable {
    var text: String
    var box: Box
    /// Recognition confidence, 0...100 as Tesseract reports it (100 when unknown).
    var confidence: Double

    init(text: String, box: Box, confidence: Double = 100) {
        self.text = text
        self.box = box
        self.confidence = confidence
    }
}

extension Box {
    /// The smallest box holding all `boxes`; nil for none.
    static func union(_ boxes: [Box]) -> Box? {
        guard let first = boxes.first else { return nil }
        var x0 = first.x, y0 = first.y, x1 = first.maxX, y1 = first.maxY
        for box in boxes.dropFirst() {
            x0 = min(x0, box.x); y0 = min(y0, box.y)
            x1 = max(x1, box.maxX); y1 = max(y1, box.maxY)
        }
        return Box(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }
}
