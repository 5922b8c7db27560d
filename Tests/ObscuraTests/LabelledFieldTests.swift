import Foundation
import Testing
@testable import Obscura

/// Names and addresses found by their labels: on the label's line after a colon or a wide gap,
/// beside the label, or below it; never the label itself, and nothing without a label.
@Suite struct LabelledFieldTests {
    static func line(_ text: String, row: Int = 0, x: Double = 0) -> TextLine { PIIMatcherTests.line(text, row: row, x: x) }

    /// The matched text of each match, for checking what would be painted.
    static func painted(_ lines: [TextLine], kinds: Set<PIIKind>? = nil) throws -> [String] {
        let matcher = try kinds.map { try PIIMatcher(kinds: $0) } ?? PIIMatcher()
        return matcher.matches(in: lines).map { "\($0.kind.rawValue) \(String(lines[$0.line].characters[$0.characters]))" }
    }

    @Test("a name after a label and a colon, in each language; the label itself stays")
    func sameLine() throws {
        #expect(try Self.painted([Self.line("Name: Maria Gonzalez")]) == ["pii.name Maria Gonzalez"])
        #expect(try Self.painted([Self.line("Kontoinhaber: Jürgen Weiß")]) == ["pii.name Jürgen Weiß"])
        #expect(try Self.painted([Self.line("Titulaire du compte : Élodie Martin")]) == ["pii.name Élodie Martin"])
        #expect(try Self.painted([Self.line("Nombre: José Luis Pérez")]) == ["pii.name José Luis Pérez"])
        #expect(try Self.painted([Self.line("Intestatario: Giulia Romano")]) == ["pii.name Giulia Romano"])
        #expect(try Self.painted([Self.line("Naam: Sanne de Vries")]) == ["pii.name Sanne de Vries"])
        #expect(try Self.painted([Self.line("• Passenger: MR JOHN SMITH")]) == ["pii.name MR JOHN SMITH"])
        // The next field's label ends the value.
        #expect(try Self.painted([Self.line("Name: Maria Gonzalez  Ref: 20931")]) == ["pii.name Maria Gonzalez"])
        #expect(try Self.painted([Self.line("Address: 12 Baker Street, London")]) == ["pii.address 12 Baker Street, London"])
    }

    @Test("a name beside or below a label that stands alone (a bank app's 'Recipient' above the name)")
    func besideAndBelow() throws {
        #expect(try Self.painted([Self.line("Recipient", row: 0), Self.line("Maria Gonzalez", row: 1)]) == ["pii.name Maria Gonzalez"])
        #expect(try Self.painted([Self.line("Empfänger:", row: 0), Self.line("Max Mustermann", row: 0, x: 300)])
            == ["pii.name Max Mustermann"])
        // A form's two columns read as one line: the gap after the label separates them.
        var words = [TextWord(text: "Patient", box: Box(x: 0, y: 0, width: 70, height: 20)),
                     TextWord(text: "Anna", box: Box(x: 200, y: 0, width: 40, height: 20)),
                     TextWord(text: "Eriksson", box: Box(x: 250, y: 0, width: 80, height: 20))]
        #expect(try Self.painted([TextLine(words: words)]) == ["pii.name Anna Eriksson"])
        // The same words set close together are a sentence, not a field.
        words[1].box.x = 80
        words[2].box.x = 130
        #expect(try Self.painted([TextLine(words: words)]) == [])
        // An address takes the lines that continue it, and stops at the next label.
        let lines = [Self.line("Anschrift", row: 0), Self.line("Hauptstraße 5", row: 1), Self.line("10115 Berlin", row: 2),
                     Self.line("Telefon: 030 1234567", row: 3)]
        let address = try Self.painted(lines, kinds: [.name, .address])
        #expect(address == ["pii.address Hauptstraße 5", "pii.address 10115 Berlin"], "\(address)")
        // In a form's two columns, the value on the next row belongs to that row's label.
        let form = [Self.line("Address", row: 0), Self.line("12 Baker Street", row: 0, x: 200),
                    Self.line("Note", row: 1), Self.line("Maria Gonzalez", row: 1, x: 200)]
        #expect(try Self.painted(form, kinds: [.name, .address]) == ["pii.address 12 Baker Street"])
    }

    @Test("no label, a label inside a sentence, or a value that is no name: nothing painted")
    func leftAlone() throws {
        #expect(try Self.painted([Self.line("Maria Gonzalez")]) == [])
        #expect(try Self.painted([Self.line("Please enter your name: below")]) == [])
        #expect(try Self.painted([Self.line("Name of the bank Deutsche Bank")]) == [])
        #expect(try Self.painted([Self.line("Customer service: 0800 123 456 789")]) == [])
        #expect(try Self.painted([Self.line("Customer: 0800 123 456 789")]) == [])
        #expect(try Self.painted([Self.line("Recipient", row: 0), Self.line("IBAN:", row: 1)]) == [])
        #expect(try Self.painted([Self.line("Nomination: best picture")]) == [], "a label must end at a word boundary")
        // Asked for other kinds only, names are not looked for.
        #expect(try Self.painted([Self.line("Name: Maria Gonzalez")], kinds: [.email]) == [])
        #expect(try Self.painted([Self.line("Name: Maria Gonzalez")], kinds: [.name]) == ["pii.name Maria Gonzalez"])
    }
}
