@testable import Obscura

/// Valid personal data items and their checksum-invalid look-alikes, generated from a seed.
enum DocumentGenerator {
    static func digits(_ count: Int, _ rng: inout SplitMix64) -> String {
        String((0..<count).map { _ in Character(String(Int.random(in: 0...9, using: &rng))) })
    }

    static func grouped(_ text: String, _ sizes: [Int], separator: String = " ") -> String {
        var groups: [String] = [], rest = Substring(text)
        for size in sizes where !rest.isEmpty { groups.append(String(rest.prefix(size))); rest = rest.dropFirst(size) }
        if !rest.isEmpty { groups.append(String(rest)) }
        return groups.joined(separator: separator)
    }

    /// The same items as `document`, drawn far more broadly (issue 11, item 8): 9 faces of 3
    /// Debian font packages (DejaVu, Liberation, FreeFont), 12–40 px, tilt up to ±6°, a phone's
    /// perspective, blur, noise, uneven light, JPEG 60–95, on paper or a light or dark app card,
    /// with cards and IBANs grouped by spaces, dashes, dots or nothing.
    /// Seeds 1001–1999 are for tuning; seeds from 2001 are kept for reporting.
    static func broadDocument(seed: UInt64) -> DocumentRenderer.Spec {
        var rng = SplitMix64(seed: seed)
        var spec = document(seed: seed, separators: [" ", "-", ".", ""], rng: &rng)
        spec.font = ["DejaVu-Sans", "DejaVu-Serif", "DejaVu-Sans-Condensed", "Liberation-Sans", "Liberation-Serif",
                     "Liberation-Mono", "FreeSans", "FreeSerif", "FreeMono"].randomElement(using: &rng)!
        spec.pointSize = Double(Int.random(in: 12...40, using: &rng))
        spec.width = max(700, Int(spec.pointSize * 48))
        spec.angle = Double(Int.random(in: -60...60, using: &rng)) / 10
        spec.perspective = Bool.random(using: &rng) ? Double(Int.random(in: 0...6, using: &rng)) / 100 : 0
        spec.blur = Int.random(in: 0...2, using: &rng) == 0 ? Double(Int.random(in: 3...12, using: &rng)) / 10 : 0
        spec.noise = Double(Int.random(in: 0...12, using: &rng)) / 10
        spec.unevenLight = Bool.random(using: &rng) ? Double(Int.random(in: 1...4, using: &rng)) / 10 : 0
        spec.quality = Int.random(in: 60...95, using: &rng)
        switch Int.random(in: 0...2, using: &rng) {
        case 0: break
        case 1: (spec.background, spec.ink) = ("#f2f2f7", "#1c1c1e")
        default: (spec.background, spec.ink) = ("#1c1c1e", "#f2f2f7")
        }
        return spec
    }

    /// A Luhn-valid card number (grouped as printed) and the same number with its last digit changed.
    static func card(_ rng: inout SplitMix64, separator: String = " ") -> (valid: String, invalid: String) {
        let prefixes = ["4", "51", "52", "55", "37", "6011", "35"]
        var prefix = prefixes.randomElement(using: &rng)!
        // JCB issues 3528-3589 only; "35" alone made numbers no card scheme issues.
        if prefix == "35" { prefix += String(Int.random(in: 28...89, using: &rng)) }
        let length = prefix == "37" ? 15 : 16
        let body = prefix + digits(length - 1 - prefix.count, &rng)
        let check = (0...9).first { Luhn.isValid(Array(body + String($0))) }!
        let number = body + String(check)
        let wrong = body + String((check + Int.random(in: 1...9, using: &rng)) % 10)
        let sizes = length == 15 ? [4, 6, 5] : [4, 4, 4, 4]
        return (grouped(number, sizes, separator: separator), grouped(wrong, sizes, separator: separator))
    }

    /// A valid IBAN for DE, GB, FR or NL (grouped by four) and one with a BBAN digit changed.
    static func iban(_ rng: inout SplitMix64, separator: String = " ") -> (valid: String, invalid: String) {
        let country = ["DE", "GB", "FR", "NL", "AT", "BE"].randomElement(using: &rng)!
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        var bban = ""
        for kind in IBAN.layouts[country]!.dropFirst(4) {
            bban += kind == "a" ? String(letters.randomElement(using: &rng)!) : digits(1, &rng)
        }
        let check = 98 - IBAN.mod97(Array(bban + country + "00"))
        let valid = country + (check < 10 ? "0" : "") + String(check) + bban
        var characters = Array(valid)
        let position = characters.indices.dropFirst(4).filter { characters[$0].isNumber }.randomElement(using: &rng)!
        characters[position] = Character(String((characters[position].wholeNumberValue! + Int.random(in: 1...9, using: &rng)) % 10))
        let groups = [4, 4, 4, 4, 4, 4, 4, 4]
        return (grouped(valid, groups, separator: separator), grouped(String(characters), groups, separator: separator))
    }

    /// A TD3 passport zone with correct check digits, and one whose birth date was changed.
    static func passport(_ rng: inout SplitMix64) -> (valid: [String], invalid: [String]) {
        func pad(_ text: String, _ length: Int) -> String { text + String(repeating: "<", count: max(0, length - text.count)) }
        func check(_ text: String) -> String { String(MRZ.checkDigit(Array(text))!) }
        let surnames = ["ERIKSSON", "MUELLER", "DUPONT", "ROSSI", "NOVAK", "SMITH"]
        let given = ["ANNA", "JONAS", "MARIE", "LUCA", "EVA", "JOHN"]
        let nation = ["UTO", "D<<", "FRA", "GBR", "ITA"].randomElement(using: &rng)!
        let line1 = pad("P<" + nation + surnames.randomElement(using: &rng)! + "<<" + given.randomElement(using: &rng)!, 44)
        let letters = Array("ABCDEFGHJKLMNPRSTUVWXYZ")
        let document = String((0..<2).map { _ in letters.randomElement(using: &rng)! }) + digits(7, &rng)
        let birth = String(format: "%02d%02d%02d", Int.random(in: 40...99, using: &rng), Int.random(in: 1...12, using: &rng), Int.random(in: 1...28, using: &rng))
        let expiry = String(format: "%02d%02d%02d", Int.random(in: 25...35, using: &rng), Int.random(in: 1...12, using: &rng), Int.random(in: 1...28, using: &rng))
        let sex = ["M", "F"].randomElement(using: &rng)!
        let optional = pad(digits(Int.random(in: 0...9, using: &rng), &rng), 14)
        let optionalCheck = optional.allSatisfy { $0 == "<" } ? "<" : check(optional)
        let body = document + check(document) + nation + birth + check(birth) + sex + expiry + check(expiry) + optional + optionalCheck
        let composite = check(String(Array(body)[0..<10]) + String(Array(body)[13..<20]) + String(Array(body)[21..<43]))
        let line2 = body + composite
        var wrong = Array(line2)
        wrong[14] = Character(String((wrong[14].wholeNumberValue! + 1) % 10))
        return ([line1, line2], [line1, String(wrong)])
    }

    static func email(_ rng: inout SplitMix64) -> String {
        let names = ["anna.eriksson", "j.mueller", "marie_dupont", "luca.rossi", "eva.novak", "john.smith42"]
        let domains = ["example.com", "mail.example.org", "post.example.de", "example.co.uk"]
        return names.randomElement(using: &rng)! + "@" + domains.randomElement(using: &rng)!
    }

    static func phone(_ rng: inout SplitMix64) -> String {
        switch Int.random(in: 0...4, using: &rng) {
        case 0: return "+44 20 7946 " + digits(4, &rng)
        case 1: return "+49 30 " + digits(7, &rng)
        case 2: return "030 " + digits(7, &rng)
        case 3: return "(415) 555-" + digits(4, &rng)
        default: return "+33 1 " + grouped(digits(8, &rng), [2, 2, 2, 2])
        }
    }

    /// A form of names and addresses after their labels (six languages), with a name under a
    /// label that is no name label (it must be left alone), in a seeded font, size and angle.
    static func form(seed: UInt64) -> DocumentRenderer.Spec {
        var rng = SplitMix64(seed: seed)
        let given = ["Maria", "Jonas", "Élodie", "Luca", "Sanne", "José Luis", "Anna", "Mehmet", "Zofia", "Giulia", "Pieter", "Amélie"]
        let family = ["Gonzalez", "Becker", "Martin", "Rossi", "de Vries", "Pérez", "Eriksson", "Yilmaz", "Nowak", "Romano",
                      "van Dijk", "Dubois", "Müller", "O'Brien"]
        let nameLabels = ["Name", "Recipient", "Account holder", "Passenger", "Patient", "Customer", "Empfänger", "Kontoinhaber",
                          "Nom", "Titulaire", "Nombre", "Titular", "Intestatario", "Nome", "Naam", "Begunstigde"]
        let addressLabels = ["Address", "Anschrift", "Adresse", "Dirección", "Indirizzo", "Adres"]
        let streets = ["Baker Street", "Hauptstraße", "Rue de la Paix", "Calle Mayor", "Via Roma", "Kerkstraat"]
        let cities = ["London", "Berlin", "Lyon", "Madrid", "Milano", "Utrecht"]
        let otherLabels = ["Note", "Memo", "Betreff", "Objet", "Asunto", "Causale", "Omschrijving"]
        func name() -> String { given.randomElement(using: &rng)! + " " + family.randomElement(using: &rng)! }
        func colon() -> String { Bool.random(using: &rng) ? ":" : "" }
        var items: [DocumentRenderer.Item] = [
            .init(label: "Amount", value: "\(Int.random(in: 10...999, using: &rng)).00 EUR", expected: nil),
        ]
        for _ in 0..<2 {
            items.append(.init(label: nameLabels.randomElement(using: &rng)! + colon(), value: name(), expected: .name))
        }
        let street = "\(streets.randomElement(using: &rng)!) \(Int.random(in: 1...120, using: &rng)), \(cities.randomElement(using: &rng)!)"
        items.append(.init(label: addressLabels.randomElement(using: &rng)! + colon(), value: street, expected: .address))
        items.append(.init(label: otherLabels.randomElement(using: &rng)! + colon(), value: name(), expected: nil))
        items.shuffle(using: &rng)
        let fonts = ["DejaVu-Sans", "DejaVu-Serif", "DejaVu-Sans-Mono", "DejaVu-Sans-Condensed"]
        return DocumentRenderer.Spec(
            width: 1400, font: fonts.randomElement(using: &rng)!, pointSize: [22, 26, 30, 36].randomElement(using: &rng)!,
            angle: Double(Int.random(in: -20...20, using: &rng)) / 10, noise: Double(Int.random(in: 0...8, using: &rng)) / 10,
            quality: Int.random(in: 60...92, using: &rng), seed: Int(seed % 1000), items: items)
    }

    /// One document: a mix of valid items and look-alikes, in a seeded font, size and angle.
    static func document(seed: UInt64) -> DocumentRenderer.Spec {
        var rng = SplitMix64(seed: seed)
        return document(seed: seed, separators: [" "], rng: &rng)
    }

    /// `document`, grouping cards and IBANs with separators drawn from `separators`.
    static func document(seed: UInt64, separators: [String], rng: inout SplitMix64) -> DocumentRenderer.Spec {
        var items: [DocumentRenderer.Item] = []
        let cardSeparator = separators.count == 1 ? separators[0] : separators.randomElement(using: &rng)!
        let ibanSeparator = separators.count == 1 ? separators[0] : separators.randomElement(using: &rng)!
        let card = card(&rng, separator: cardSeparator), iban = iban(&rng, separator: ibanSeparator), zone = passport(&rng)
        items.append(.init(label: "Card", value: card.valid, expected: .card))
        items.append(.init(label: "Card", value: card.invalid, expected: nil))
        items.append(.init(label: "IBAN", value: iban.valid, expected: .iban))
        items.append(.init(label: "IBAN", value: iban.invalid, expected: nil))
        items.append(.init(label: "E-mail", value: email(&rng), expected: .email))
        items.append(.init(label: "Phone", value: phone(&rng), expected: .phone))
        items.append(.init(label: "Order", value: digits(4, &rng) + " " + digits(4, &rng) + " " + digits(4, &rng), expected: nil))
        if Bool.random(using: &rng) {
            items += zone.valid.map { .init(label: "", value: $0, expected: .mrz, monospace: true) }
        } else {
            items += zone.invalid.map { .init(label: "", value: $0, expected: nil, monospace: true) }
        }
        let fonts = ["DejaVu-Sans", "DejaVu-Serif", "DejaVu-Sans-Mono", "DejaVu-Sans-Condensed"]
        return DocumentRenderer.Spec(
            width: 1500, font: fonts.randomElement(using: &rng)!, pointSize: [22, 26, 30, 36].randomElement(using: &rng)!,
            angle: Double(Int.random(in: -20...20, using: &rng)) / 10, noise: Double(Int.random(in: 0...8, using: &rng)) / 10,
            quality: Int.random(in: 60...92, using: &rng), seed: Int(seed % 1000), items: items)
    }
}
