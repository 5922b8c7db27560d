import Foundation
import Testing
@testable import Obscura

/// The matcher on text lines: kinds, boxes, OCR look-alikes confirmed by checksums, and
/// look-alikes with wrong check digits left alone.
@Suite struct PIIMatcherTests {
    /// A line at row `row` whose characters are 10 px wide boxes (monospace layout).
    static func line(_ text: String, row: Int = 0, x: Double = 0) -> TextLine {
        let characters = Array(text)
        let boxes: [Box?] = characters.indices.map { Box(x: x + Double($0) * 10, y: Double(row) * 30, width: 10, height: 20) }
        return TextLine(text: text, box: Box(x: x, y: Double(row) * 30, width: Double(characters.count) * 10, height: 20),
                        characterBoxes: boxes)
    }

    static func kinds(_ text: String, matcher: PIIMatcher? = nil) throws -> [String] {
        try (matcher ?? PIIMatcher()).matches(in: [line(text)]).map(\.kind.rawValue)
    }

    @Test("each kind in running text, with the box of just its characters")
    func kindsAndBoxes() throws {
        let matcher = try PIIMatcher()
        let text = "Card 4111 1111 1111 1111 exp 12/27"
        let matches = matcher.matches(in: [Self.line(text)])
        #expect(matches.map(\.kind) == [.card])
        #expect(matches.first?.box == Box(x: 50, y: 0, width: 190, height: 20))
        #expect(try Self.kinds("IBAN: GB82 WEST 1234 5698 7654 32") == ["pii.iban"])
        #expect(try Self.kinds("IBAN:DE89370400440532013000") == ["pii.iban"])
        #expect(try Self.kinds("write to anna.eriksson@example.com today") == ["pii.email"])
        #expect(try Self.kinds("Tel. +44 20 7946 0958, fax 020 7946 0959.") == ["pii.phone", "pii.phone"])
        #expect(try Self.kinds("Date of birth: 12 March 1980") == ["pii.dob"])
        #expect(try Self.kinds("Amex 3782-822463-10005") == ["pii.card"])
    }

    @Test("cards and IBANs with any separator (spaces, dashes, dots, doubled), and the punctuation around them left out")
    func separatorsAndPunctuation() throws {
        for text in ["Card 4111  1111  1111  1111", "Card 4111.1111.1111.1111", "Card 4111 - 1111 - 1111 - 1111",
                     "Card 4111 11111111 1111", "Card 4111 1111 1111 1111."] {
            #expect(try Self.kinds(text) == ["pii.card"], "\(text)")
        }
        for text in ["IBAN DE89  3704  0044  0532  0130  00", "IBAN DE89-3704-0044-0532-0130-00", "IBAN DE89.3704.0044.0532.0130.00",
                     "IBAN:DE89 3704 0044 0532 0130 00,", "(IBAN DE89 3704 0044 0532 0130 00)",
                     "IBAN DE89.3704,0044.0532.0130.00"] {
            #expect(try Self.kinds(text) == ["pii.iban"], "\(text)")
        }
        // The box is the number's, not the full stop's or the bracket's.
        let sentence = "Pay to DE89 3704 0044 0532 0130 00."
        let iban = try PIIMatcher().matches(in: [Self.line(sentence)])
        #expect(iban.map(\.characters) == [7..<34])
        let card = try PIIMatcher().matches(in: [Self.line("(4111-1111-1111-1111)")])
        #expect(card.map(\.characters) == [1..<20])
        // Look-alikes stay refused with the new separators; groups further apart than three
        // characters are columns, not one number.
        #expect(try Self.kinds("Card 4111.1111.1111.1112.") == [])
        #expect(try Self.kinds("IBAN DE89-3704-0044-0532-0130-01") == [])
        #expect(try Self.kinds("Totals 4111 1111    1111 1111") == [])
    }

    @Test("e-mail addresses with the spaces OCR puts beside dots and underscores; sentences around them stay")
    func emailSpacing() throws {
        let cases: [(String, String)] = [
            ("write to marie _dupont@example. com today", "marie _dupont@example. com"),
            ("J-mueller@example. com", "J-mueller@example. com"),
            ("anna. eriksson@mail .example.org", "anna. eriksson@mail .example.org"),
            ("mail a@b.de. Then call", "a@b.de"),
            ("ask a@example. Then call", ""),
            // One space beside the "@", and a dot read as a comma between letters of the domain.
            ("eva.novak @mail.example.org", "eva.novak @mail.example.org"),
            ("mail anna@ example.com now", "anna@ example.com"),
            ("luca.rossi@example,co.uk", "luca.rossi@example,co.uk"),
            // A comma that ends a valid address is a list, not a dot; "@" alone between spaces is none.
            ("a@b.com,c@d.com", "a@b.com|c@d.com"),
            ("meet @ home today", ""),
        ]
        for (text, expected) in cases {
            let line = Self.line(text)
            let matches = try PIIMatcher(kinds: [.email]).matches(in: [line])
            let want = expected.isEmpty ? [] : expected.split(separator: "|").map(String.init)
            #expect(matches.map { String(line.characters[$0.characters]) } == want, "\(text)")
        }
    }

    @Test("an MRZ cell outside the line's crop has no ink extent (it trapped on a generated document)")
    func mrzCellOutsideTheCrop() {
        let width = 100, height = 40
        var ink = [Bool](repeating: false, count: width * height)
        for y in 10..<30 { for x in 40..<48 { ink[y * width + x] = true } }
        // Cells right of, left of, above and inside the crop.
        for (origin, intercept) in [(150.0, 20.0), (-60.0, 20.0), (44.0, -90.0)] {
            let grid = MRZLineReader.Grid(count: 44, origin: origin, pitch: 10, intercept: intercept, slope: 0, capHeight: 12)
            #expect(MRZLineReader.inkExtent(ink, width: width, height: height, grid: grid, cell: 0) == nil)
        }
        let inside = MRZLineReader.Grid(count: 44, origin: 44, pitch: 10, intercept: 20, slope: 0, capHeight: 12)
        #expect(MRZLineReader.inkExtent(ink, width: width, height: height, grid: inside, cell: 0) == 20)
    }

    @Test("checksum-invalid look-alikes are left alone")
    func lookAlikes() throws {
        #expect(try Self.kinds("Card 4111 1111 1111 1112 exp 12/27") == [])
        #expect(try Self.kinds("IBAN: GB82 WEST 1234 5698 7654 33") == [])
        #expect(try Self.kinds("IBAN DE89 3704 0044 0532 0130 01") == [])
        #expect(try Self.kinds("Order 1234 5678 9012 3456") == [])
        #expect(try Self.kinds("Invoice 2024-03-12 total 1.234,56") == [])
    }

    @Test("OCR look-alikes are read as digits when the checksum then agrees")
    func ocrConfusions() throws {
        #expect(try Self.kinds("4111 1111 1111 1lll") == ["pii.card"])
        #expect(try Self.kinds("55OO OO55 5555 5559") == ["pii.card"])
        #expect(try Self.kinds("DE89 37O4 OO44 O532 O13O OO") == ["pii.iban"])
        #expect(try Self.kinds("GB82 WE5T 1234 S698 7654 32") == ["pii.iban"])
        // The same confusions with a wrong check digit stay unmatched.
        #expect(try Self.kinds("4111 1111 1111 1ll2") == [])
        #expect(try Self.kinds("DE89 37O4 OO44 O532 O13O O1") == [])
        // Words are not digits.
        #expect(try Self.kinds("BOSS BOOS SOIL ISLE") == [])
    }

    @Test("an MRZ is found when its check digits agree, with OCR spaces and look-alikes")
    func machineReadableZones() throws {
        let matcher = try PIIMatcher()
        let td3 = [Self.line("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", row: 0),
                   Self.line("L898902C36UTO74O8122F12O4159ZE184226B<<<<< 10", row: 1)]
        #expect(matcher.matches(in: td3).map(\.kind) == [.mrz, .mrz])
        let td1 = [Self.line("I<UTOD231458907<<<<<<<<<<<<<<<", row: 0), Self.line("7408122F1204159UTO<<<<<<<<<<<6", row: 1),
                   Self.line("ERIKSSON<<ANNA<MARIA<<<<<<<<<<", row: 2)]
        #expect(matcher.matches(in: td1).map(\.line) == [0, 1, 2])
        // A filler dropped by OCR is put back.
        let short = [Self.line("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<", row: 0),
                     Self.line("L898902C36UTO7408122F1204159ZE184226B<<<<10", row: 1)]
        #expect(matcher.matches(in: short).count == 2)
        // Lines given bottom first are paired by position.
        #expect(matcher.matches(in: td3.reversed()).count == 2)
        let corrupted = [Self.line("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", row: 0),
                         Self.line("L898902C36UTO7408122F1204169ZE184226B<<<<<10", row: 1)]
        #expect(matcher.matches(in: corrupted).isEmpty)
        // One character too many (a stroke read twice, "<<<<<910" for "<<<<<10") is dropped when
        // the check digits then agree: a correction. The look-alike stays refused with it.
        let doubled = [Self.line("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", row: 0),
                       Self.line("L898902C36UTO7408122F1204159ZE184226B<<<<<910", row: 1)]
        #expect(matcher.matches(in: doubled).map(\.evidence) == [.checksumCorrected, .checksumCorrected])
        let doubledLookAlike = [corrupted[0], Self.line("L898902C36UTO7408122F1204169ZE184226B<<<<<910", row: 1)]
        #expect(matcher.matches(in: doubledLookAlike).isEmpty)
        // A document number's "J" read as "3" (both are allowed there, so no field class can
        // tell) is replaced when both its check digit and the composite then agree.
        func zone(document: String, birth: String) -> String {
            func check(_ text: String) -> String { String(MRZ.checkDigit(Array(text))!) }
            let body = document + check(document) + "GBR" + birth + check(birth) + "M" + "350917" + check("350917")
                + String(repeating: "<", count: 14) + "<"
            let characters = Array(body)
            return body + check(String(characters[0..<10]) + String(characters[13..<20]) + String(characters[21..<43]))
        }
        let nameLine = Self.line("P<GBRSMITH<<LUCA<<<<<<<<<<<<<<<<<<<<<<<<<<<<", row: 0)
        let printed = zone(document: "FJ7193910", birth: "560214")
        #expect(MRZ.isValid([nameLine.text, printed], format: .td3))
        let misread = printed.replacingOccurrences(of: "FJ7", with: "F37")
        #expect(matcher.matches(in: [nameLine, Self.line(misread, row: 1)]).map(\.evidence) == [.checksumCorrected, .checksumCorrected])
        // The same misreading of a zone whose birth date does not match its check digit stays refused.
        var wrongBirth = Array(misread)
        wrongBirth[14] = Character(String((wrongBirth[14].wholeNumberValue! + 1) % 10))
        #expect(matcher.matches(in: [nameLine, Self.line(String(wrongBirth), row: 1)]).isEmpty)
        // Only the composite misread ("…<<Y" for "…<<2"): every field check agrees, and the name
        // line beside it makes it a zone. Without the name line it is not taken.
        let badComposite = String(printed.dropLast()) + "Y"
        #expect(matcher.matches(in: [nameLine, Self.line(badComposite, row: 1)]).map(\.evidence) == [.checksumCorrected, .checksumCorrected])
        #expect(matcher.matches(in: [Self.line(badComposite, row: 1)]).isEmpty)
        // The name line may be cut short, as the detector often leaves its fillers out.
        #expect(matcher.matches(in: [Self.line("P<GBRSMITH<<LUCA<<<", row: 0), Self.line(badComposite, row: 1)]).count == 2)
        #expect(matcher.matches(in: [Self.line("Order 1234 <<", row: 0), Self.line(badComposite, row: 1)]).isEmpty)
        // Tilted (a long zone at 3°), the upright boxes of the two lines overlap: the second
        // line's top is above the name line's middle, but its middle is half a line lower.
        let tiltedName = TextLine(text: "P<GBRSMITH<<LUCA<<<", box: Box(x: 0, y: 0, width: 440, height: 60))
        let tiltedSecond = TextLine(text: badComposite, box: Box(x: 0, y: 25, width: 440, height: 100))
        #expect(matcher.matches(in: [tiltedName, tiltedSecond]).map(\.line) == [0, 1])
        var badBirthAndComposite = Array(badComposite)
        badBirthAndComposite[14] = Character(String((badBirthAndComposite[14].wholeNumberValue! + 1) % 10))
        #expect(matcher.matches(in: [nameLine, Self.line(String(badBirthAndComposite), row: 1)]).isEmpty)
    }

    /// `kind:evidence` of each match on one line.
    static func evidence(_ text: String, matcher: PIIMatcher? = nil) throws -> [String] {
        try (matcher ?? PIIMatcher()).matches(in: [line(text)]).map { "\($0.kind):\($0.evidence.rawValue)" }
    }

    @Test("evidence `checksum`: the check passed on the text as read")
    func checksumEvidence() throws {
        #expect(try Self.evidence("Card 4111 1111 1111 1111 exp 12/27") == ["pii.card:checksum"])
        #expect(try Self.evidence("IBAN: GB82 WEST 1234 5698 7654 32") == ["pii.iban:checksum"])
        #expect(try Self.evidence("DNI: 12345678Z") == ["pii.national-id:checksum"])
        #expect(try Self.evidence("VIN: 1M8GDM9AXKP042788") == ["pii.vin:checksum"])
        let td3 = [Self.line("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", row: 0),
                   Self.line("L898902C36UTO7408122F1204159ZE184226B<<<<<10", row: 1)]
        #expect(try PIIMatcher().matches(in: td3).map(\.evidence) == [.checksum, .checksum])
    }

    @Test("evidence `checksum-corrected`: the check passed only after OCR look-alikes were replaced; failing look-alikes give nothing")
    func correctedEvidence() throws {
        #expect(try Self.evidence("Card 4111 1111 1111 1lll") == ["pii.card:checksum-corrected"])
        #expect(try Self.evidence("IBAN DE89 37O4 OO44 O532 O13O OO") == ["pii.iban:checksum-corrected"])
        #expect(try Self.evidence("IBAN GB82 WE5T 1234 S698 7654 32") == ["pii.iban:checksum-corrected"])
        #expect(try Self.evidence("Steuer-ID 36 574 261 8O9") == ["pii.tax-id:checksum-corrected"])
        // Every line of a zone takes the zone's evidence, the name line (no check digit) included.
        let td3 = [Self.line("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", row: 0),
                   Self.line("L898902C36UTO74O8122F12O4159ZE184226B<<<<< 10", row: 1)]
        #expect(try PIIMatcher().matches(in: td3).map(\.evidence) == [.checksumCorrected, .checksumCorrected])
        // A first group read one character too long ("GBO82" for "GB82"), when mod 97 then agrees.
        #expect(try Self.evidence("IBAN GBO82-WEST-1234-5698-7654-32") == ["pii.iban:checksum-corrected"])
        #expect(try Self.evidence("IBAN GB822-WEST-1234-5698-7654-33") == [])
        #expect(try Self.evidence("Card 4111 1111 1111 1ll2") == [])
        #expect(try Self.evidence("IBAN DE89 37O4 OO44 O532 O13O O1") == [])
    }

    @Test("evidence `label`: names, addresses, dates of birth and numbers without a check digit, found by their label")
    func labelEvidence() throws {
        #expect(try Self.evidence("Name: Maria Gonzalez") == ["pii.name:label"])
        #expect(try Self.evidence("Address: 12 Baker Street, London") == ["pii.address:label"])
        #expect(try Self.evidence("Date of birth: 12 March 1980") == ["pii.dob:label"])
        #expect(try Self.evidence("SSN: 078-05-1120") == ["pii.ssn:label"])
        #expect(try Self.evidence("NINO AB 12 34 56 C") == ["pii.nino:label"])
        let below = try PIIMatcher().matches(in: [Self.line("Date of birth", row: 0), Self.line("12.03.1980", row: 1)])
        #expect(below.map(\.evidence) == [.label])
    }

    @Test("evidence `format` for e-mail addresses and phones, `rule` for user rules; detections carry it, other kinds have none")
    func formatAndRuleEvidence() throws {
        #expect(try Self.evidence("write to anna.eriksson@example.com today") == ["pii.email:format"])
        #expect(try Self.evidence("Tel. +44 20 7946 0958") == ["pii.phone:format"])
        let rules = try PIIMatcher(kinds: [], rules: PIIRules(patterns: ["AB-\\d{6}"]))
        #expect(try Self.evidence("Ref AB-123456", matcher: rules) == ["pii.custom:rule"])
        let match = try #require(try PIIMatcher().matches(in: [Self.line("IBAN DE89 37O4 OO44 O532 O13O OO")]).first)
        #expect(match.detection.evidence == .checksumCorrected)
        #expect(match.description.contains("checksum-corrected") && !match.description.contains("DE89"))
        #expect(Detection(kind: .face, box: Box(x: 0, y: 0, width: 10, height: 10), score: 0.9).evidence == nil)
    }

    @Test("a date below its label")
    func dateBelowLabel() throws {
        let matches = try PIIMatcher().matches(in: [Self.line("Date of birth", row: 0), Self.line("12.03.1980", row: 1)])
        #expect(matches.map(\.kind) == [.dateOfBirth])
        #expect(matches.first?.line == 1)
    }

    @Test("user rules: patterns and a words file, whole words, case-insensitive")
    func userRules() throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("words.txt")
        try "# names\nAnna Eriksson\n\n  Zürich  \n".write(to: file, atomically: true, encoding: .utf8)
        let rules = PIIRules(patterns: ["AB-\\d{6}"], words: try PIIRules.words(fromFile: file))
        #expect(rules.words == ["Anna Eriksson", "Zürich"])
        let matcher = try PIIMatcher(kinds: [], rules: rules)
        let matches = matcher.matches(in: [Self.line("Ref AB-123456 for ANNA  ERIKSSON in zürich, not Zürichsee")])
        #expect(matches.map(\.kind) == [.custom, .custom, .custom])
        #expect(matches.map(\.characters) == [4..<13, 18..<32, 36..<42])
        #expect(throws: ObscuraError.self) { try PIIMatcher(rules: PIIRules(patterns: ["(unclosed"])) }
    }

    @Test("kinds can be chosen, and matches never describe their text")
    func selectionAndPrivacy() throws {
        let matcher = try PIIMatcher(kinds: [.email])
        let matches = matcher.matches(in: [Self.line("anna@example.com 4111111111111111")])
        #expect(matches.map(\.kind) == [.email])
        #expect(!matches[0].description.contains("anna"))
        #expect(matches[0].detection.kind == "pii.email")
    }

    @Test("lines built from OCR words give each match its words' boxes")
    func wordBoxes() throws {
        let words = [TextWord(text: "Mail:", box: Box(x: 0, y: 0, width: 50, height: 20)),
                     TextWord(text: "a@b.org", box: Box(x: 60, y: 0, width: 80, height: 20))]
        let matches = try PIIMatcher().matches(in: [TextLine(words: words)])
        #expect(matches.map(\.box) == [Box(x: 60, y: 0, width: 80, height: 20)])
        // Without character boxes the whole line is painted.
        let bare = TextLine(text: "Mail: a@b.org", box: Box(x: 0, y: 0, width: 140, height: 20))
        #expect(try PIIMatcher().matches(in: [bare]).map(\.box) == [bare.box])
    }

    @Test("identifiers: their kind on exactly their characters, and no phone or second kind on the same digits")
    func identifierKinds() throws {
        let matcher = try PIIMatcher()
        let dni = matcher.matches(in: [Self.line("DNI: 12345678Z")])
        #expect(dni.map(\.kind) == [.nationalID])
        #expect(dni.map(\.characters) == [5..<14])
        #expect(try Self.kinds("Steuer-ID 36 574 261 809") == ["pii.tax-id"])
        #expect(try Self.kinds("ABA 111000025") == ["pii.bank-routing"])
        #expect(try Self.kinds("VIN: 1M8GDM9AXKP042788") == ["pii.vin"])
        // The phone finder alone takes this SSN (trunk 0, groups of 3, 2, 4); the matcher reports the SSN only.
        #expect(!PhoneNumber.find(in: Array("SSN: 078-05-1120")).isEmpty)
        #expect(try Self.kinds("SSN: 078-05-1120") == ["pii.ssn"])
        #expect(try Self.kinds("NINO AB 12 34 56 C") == ["pii.nino"])
        #expect(try Self.kinds("Ref 219-09-9999 and AB 12 34 56 C") == [])   // no label

        // Born in 2005, so the "2" prefix rule: key 26 = 97 − (2050730033 mod 97). Written like a
        // national phone number with a trunk 0, which the phone finder alone takes.
        let belgian = "RRN 05.07.30-033.26"
        #expect(!PhoneNumber.find(in: Array(belgian)).isEmpty)
        let matches = matcher.matches(in: [Self.line(belgian)])
        #expect(matches.map(\.kind) == [.nationalID])
        #expect(matches.map(\.characters) == [4..<19])

        // A Luhn-valid Amex number whose first 13 digits and last 2 also make a valid NIR key: one match, the card.
        #expect(FrenchNIR.isValid("378282246303497"))
        #expect(try Self.kinds("Amex 378282246303497") == ["pii.card"])
        // A NIR with the key of another number is not taken.
        #expect(try Self.kinds("NIR 2 95 10 99 126 111 94") == [])
    }
}
