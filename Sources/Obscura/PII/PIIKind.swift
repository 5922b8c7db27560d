/// The kind of personal data a match is, written to reports as the region's kind (for example
/// `pii.iban`) in place of the text itself. New kinds may be added; existing names never change.
struct PIIKind: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    let rawValue: String
    init(rawValue: String) { self.rawValue = rawValue }
    var description: String { rawValue }
    static func < (lhs: PIIKind, rhs: PIIKind) -> Bool { lhs.rawValue < rhs.rawValue }

    /// A payment card number: 12–19 digits, a known issuer prefix and a valid Luhn digit.
    static let card = PIIKind(rawValue: "pii.card")
    /// An IBAN with the registry's length and format for its country and a valid mod-97 check.
    static let iban = PIIKind(rawValue: "pii.iban")
    /// An e-mail address.
    static let email = PIIKind(rawValue: "pii.email")
    /// A telephone number in international (+CC / 00CC) or a common national form.
    static let phone = PIIKind(rawValue: "pii.phone")
    /// A line of an ICAO 9303 machine-readable zone whose check digits agree.
    static let mrz = PIIKind(rawValue: "pii.mrz")
    /// A calendar date next to a date-of-birth label.
    static let dateOfBirth = PIIKind(rawValue: "pii.dob")
    /// A national identity number with its check: Spanish DNI/NIE (mod 23 letter), Dutch BSN (11-test),
    /// Italian codice fiscale (control letter), French NIR (97 − mod 97), Belgian national number
    /// (97 − mod 97), Polish PESEL (weights 1-3-7-9), Swedish personnummer (Luhn), German ID card
    /// number (ICAO 7-3-1).
    static let nationalID = PIIKind(rawValue: "pii.national-id")
    /// A German tax identification number (Steuer-ID): ISO 7064 MOD 11,10 and its digit-repetition rule.
    static let taxID = PIIKind(rawValue: "pii.tax-id")
    /// A US ABA bank routing number: a Federal Reserve prefix and weights 3, 7, 1 (mod 10).
    static let bankRouting = PIIKind(rawValue: "pii.bank-routing")
    /// A vehicle identification number: 17 characters without I, O, Q and a valid check digit in position 9.
    static let vin = PIIKind(rawValue: "pii.vin")
    /// A US social security number after an "SSN" or "Social Security" label (no never-issued area, group or serial).
    static let ssn = PIIKind(rawValue: "pii.ssn")
    /// A UK National Insurance number after a "NINO" or "National Insurance" label (no unallocated prefix).
    static let nino = PIIKind(rawValue: "pii.nino")
    /// A person's name: the value after a name label such as "Name:", "Recipient", "Kontoinhaber",
    /// "Titulaire", "Intestatario" or "Naam" (see `LabelledField`).
    static let name = PIIKind(rawValue: "pii.name")
    /// A postal address: the value after an address label such as "Address:", "Anschrift",
    /// "Adresse", "Dirección", "Indirizzo" or "Adres", with the lines that continue it.
    static let address = PIIKind(rawValue: "pii.address")
    /// Text matched by a user rule (`--pii-pattern`, `--pii-words`).
    static let custom = PIIKind(rawValue: "pii.custom")

    /// The kinds found by default (user rules apply whenever rules are given).
    static let builtIn: [PIIKind] = [.card, .iban, .email, .phone, .mrz, .dateOfBirth, .nationalID, .taxID,
                                          .bankRouting, .vin, .ssn, .nino, .name, .address]
}

/// One piece of personal data found in recognised text: its kind, why it was taken for one and
/// the area to paint. Deliberately carries no text, so it can be logged and reported.
struct PIIMatch: Sendable, Equatable, CustomStringConvertible {
    var kind: PIIKind
    /// What made it personal data: a checksum (on the text as read or after correcting OCR
    /// look-alikes), a field label, its format, or a user rule.
    var evidence: PIIEvidence
    /// The area to paint, in image pixels.
    var box: Box
    /// Index of the line in the matcher's input.
    var line: Int
    /// Character offsets of the match within that line.
    var characters: Range<Int>

    init(kind: PIIKind, evidence: PIIEvidence, box: Box, line: Int, characters: Range<Int>) {
        self.kind = kind
        self.evidence = evidence
        self.box = box
        self.line = line
        self.characters = characters
    }

    /// A detection for the region planner (score 1: a validated match is certain enough).
    var detection: Detection { Detection(kind: RegionKind(kind), box: box, score: 1, evidence: evidence) }

    var description: String { "\(kind) (\(evidence.rawValue)) line \(line) chars \(characters.lowerBound)..<\(characters.upperBound)" }
}
