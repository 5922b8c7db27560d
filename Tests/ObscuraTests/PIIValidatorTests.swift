import Testing
@testable import Obscura

/// Checksum validators against published test vectors, and look-alikes that must fail.
@Suite struct PIIValidatorTests {
    // Card numbers published by the schemes' processors as test numbers (PayPal / Stripe lists).
    static let validCards = [
        "4111111111111111", "4012888888881881", "4222222222222", "5555555555554444", "5105105105105100",
        "5500005555555559", "378282246310005", "371449635398431", "378734493671000", "6011111111111117",
        "6011000990139424", "3530111333300000", "3566002020360505", "30569309025904", "38520000023237",
        "2223003122003222",
    ]

    @Test("Luhn test card numbers are valid", arguments: validCards)
    func validCard(_ number: String) {
        #expect(PaymentCard.isValid(number))
    }

    @Test("changing any one digit of a test card breaks it")
    func offByOneCards() {
        for number in Self.validCards {
            var characters = Array(number)
            for index in characters.indices {
                let original = characters[index]
                characters[index] = Character(String((original.wholeNumberValue! + 1) % 10))
                #expect(!PaymentCard.isValid(String(characters)), "digit \(index) of a test card changed")
                characters[index] = original
            }
        }
    }

    @Test("Luhn-valid numbers without a plausible issuer or length are not cards")
    func implausibleCards() {
        #expect(Luhn.isValid(Array("0000000000000000")))
        #expect(!PaymentCard.isValid("0000000000000000"))        // no issuer starts with 0
        #expect(!PaymentCard.isValid("79927398713"))              // the textbook Luhn example: 11 digits
        #expect(!PaymentCard.isValid("411111111111111111111"))    // too long
        #expect(!PaymentCard.isValid("37828224631000"))           // Amex with 14 digits
    }

    static let validIBANs = [
        "GB82WEST12345698765432", "GB82 WEST 1234 5698 7654 32", "DE89370400440532013000",
        "FR1420041010050500013M02606", "NL91ABNA0417164300", "BE68539007547034", "CH9300762011623852957",
        "IT60X0542811101000000123456", "ES9121000418450200051332", "AT611904300234573201",
        "PL61109010140000071219812874", "NO9386011117947", "MT84MALT011000012345MTLCAST001S",
        "SA0380000000608010167519", "SE4550000000058398257466", "MU17BOMM0101101030300200000MUR",
        "LC55HEMM000100010012001200023015", "de89 3704 0044 0532 0130 00",
    ]

    @Test("ISO 13616 / SWIFT registry example IBANs are valid", arguments: validIBANs)
    func validIBAN(_ iban: String) {
        #expect(IBAN.isValid(iban))
    }

    @Test("mutated IBANs fail")
    func invalidIBANs() {
        #expect(!IBAN.isValid("GB82WEST12345698765431"))     // last digit changed
        #expect(!IBAN.isValid("GB28WEST12345698765432"))     // check digits swapped
        #expect(!IBAN.isValid("GB82WEST1234569876543"))      // one short
        #expect(!IBAN.isValid("DE8937040044053201300"))      // one short for DE (22)
        #expect(!IBAN.isValid("DE893704004405320130000"))    // one long
        #expect(!IBAN.isValid("XX82WEST12345698765432"))     // no such country
        #expect(!IBAN.isValid("GB82WES112345698765432"))     // digit where the registry wants a letter
        #expect(!IBAN.isValid("DE89370400440532O13000"))     // letter O in a digits-only BBAN (no OCR correction here)
        for iban in Self.validIBANs {
            var characters = Array(iban.filter { $0 != " " }.uppercased())
            for index in 4..<characters.count where characters[index].isNumber {
                let original = characters[index]
                characters[index] = Character(String((original.wholeNumberValue! + 3) % 10))
                #expect(!IBAN.isValid(String(characters)))
                characters[index] = original
            }
        }
    }

    @Test("registry lengths")
    func lengths() {
        #expect(IBAN.length(forCountry: "DE") == 22)
        #expect(IBAN.length(forCountry: "GB") == 22)
        #expect(IBAN.length(forCountry: "FR") == 27)
        #expect(IBAN.length(forCountry: "NO") == 15)
        #expect(IBAN.length(forCountry: "MT") == 31)
        #expect(IBAN.length(forCountry: "LC") == 32)
        #expect(IBAN.length(forCountry: "RU") == 33)
        #expect(IBAN.length(forCountry: "US") == nil)
    }

    // ICAO Doc 9303 specimens (Part 4 TD3, Part 5 TD1, Part 6 TD2).
    static let td3 = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]
    static let td1 = ["I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"]
    static let td2 = ["I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"]

    @Test("ICAO 9303 specimen MRZs are valid")
    func specimens() {
        #expect(MRZ.isValid(Self.td3, format: .td3))
        #expect(MRZ.isValid(Self.td1, format: .td1))
        #expect(MRZ.isValid(Self.td2, format: .td2))
        #expect(MRZ.checkDigit(Array("L898902C3")) == 6)
        #expect(MRZ.checkDigit(Array("740812")) == 2)
        #expect(MRZ.checkDigit(Array("120415")) == 9)
    }

    @Test("corrupted MRZs fail: every changed digit or document-number character breaks a check")
    func corruptedMRZ() {
        for (lines, format, line) in [(Self.td3, MRZ.Format.td3, 1), (Self.td2, .td2, 1), (Self.td1, .td1, 0), (Self.td1, .td1, 1)] {
            var characters = Array(lines[line])
            for index in characters.indices where characters[index].isNumber {
                let original = characters[index]
                characters[index] = Character(String((original.wholeNumberValue! + 1) % 10))
                var changed = lines
                changed[line] = String(characters)
                #expect(!MRZ.isValid(changed, format: format), "\(format) line \(line) position \(index)")
                characters[index] = original
            }
        }
        #expect(!MRZ.isValid(["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C46UTO7408122F1204159ZE184226B<<<<<10"], format: .td3))
        #expect(!MRZ.isValid([Self.td3[0], String(Self.td3[1].dropLast())], format: .td3))
    }

    // Evidence: whether a check passed on the characters as read, or only once OCR look-alikes
    // were replaced (case and separators are no correction); a look-alike that fails even then
    // is not found at all.

    @Test("IBAN evidence: `checksum` as read, `checksum-corrected` after an O for a 0 or a 5 for an S, nothing when mod 97 still fails")
    func ibanEvidence() {
        func evidence(_ text: String) -> [PIIEvidence] { IBAN.find(in: Array(text)).map(\.evidence) }
        #expect(evidence("DE89 3704 0044 0532 0130 00") == [.checksum])
        #expect(evidence("de89 3704 0044 0532 0130 00") == [.checksum])
        #expect(evidence("DE89 3704 0044 O532 0130 00") == [.checksumCorrected])
        #expect(evidence("GB82 WE5T 1234 5698 7654 32") == [.checksumCorrected])
        #expect(evidence("DE89 3704 0044 O532 0130 01") == [])
    }

    @Test("card evidence: `checksum` as read, `checksum-corrected` after an l for a 1, nothing when Luhn still fails")
    func cardEvidence() {
        func evidence(_ text: String) -> [PIIEvidence] { PaymentCard.find(in: Array(text)).map(\.evidence) }
        #expect(evidence("4111 1111 1111 1111") == [.checksum])
        #expect(evidence("4111-1111-1111-1111.") == [.checksum])
        #expect(evidence("4111 1111 1111 111l") == [.checksumCorrected])
        #expect(evidence("55OO OO55 5555 5559") == [.checksumCorrected])
        #expect(evidence("4111 1111 1111 11l2") == [])
    }

    @Test("identifier evidence: the check as read or after a look-alike; a number with no check digit is confirmed by its label")
    func identifierEvidence() {
        #expect(SpanishID.find(in: Array("DNI 12345678Z")).map(\.evidence) == [.checksum])
        #expect(SpanishID.find(in: Array("DNI 1234S678Z")).map(\.evidence) == [.checksumCorrected])
        #expect(SpanishID.find(in: Array("DNI 1234S678A")).isEmpty)
        // A routing number needs its label too, but its check is the stronger evidence.
        #expect(ABARoutingNumber.find(in: Array("ABA 111000025")).map(\.evidence) == [.checksum])
        #expect(ABARoutingNumber.find(in: Array("ABA 111000O25")).map(\.evidence) == [.checksumCorrected])
        #expect(SocialSecurityNumber.find(in: Array("SSN: 078-05-1120")).map(\.evidence) == [.label])
        #expect(NationalInsuranceNumber.find(in: Array("NINO AB 12 34 56 C")).map(\.evidence) == [.label])
    }

    @Test("MRZ evidence: every check digit as read, after an O for a 0 or a Z for a 2 or 7 in the birth date, nil when a check still fails")
    func mrzEvidence() {
        let first = Array(Self.td3[0])
        #expect(MRZ.evidence([first, Array(Self.td3[1])], format: .td3) == .checksum)
        #expect(MRZ.evidence([first, Array("L898902C36UTO74O8122F1204159ZE184226B<<<<<10")], format: .td3) == .checksumCorrected)
        #expect(MRZ.evidence([first, Array("L898902C36UTO74O8122F1204169ZE184226B<<<<<10")], format: .td3) == nil)
        #expect(MRZ.evidence(Self.td1.prefix(2).map(Array.init), format: .td1) == .checksum)
        // A Z in a digit field is a 2 or, in serif fonts, a 7: whichever the check digits accept.
        #expect(MRZ.evidence([first, Array("L898902C36UTO74081Z2F1204159ZE184226B<<<<<10")], format: .td3) == .checksumCorrected)
        #expect(MRZ.evidence([first, Array("L898902C36UTOZ408122F1204159ZE184226B<<<<<10")], format: .td3) == .checksumCorrected)
        #expect(MRZ.evidence([first, Array("L898902C36UTO7Z08122F1204159ZE184226B<<<<<10")], format: .td3) == nil)
    }

    @Test("e-mail addresses")
    func emails() {
        for valid in ["anna.eriksson@example.com", "a+tag@mail.example.co.uk", "x_y-z@sub-domain.org"] {
            #expect(EmailAddress.isValid(valid), "\(valid)")
        }
        for invalid in ["anna@example", "@example.com", "anna@.com", "anna@example.c", "anna..e@example.com", "anna@-x.com"] {
            #expect(!EmailAddress.isValid(invalid), "\(invalid)")
        }
    }

    @Test("phone numbers: international and common national forms, conservatively")
    func phones() {
        for valid in ["+44 20 7946 0958", "+49 30 1234567", "+49 (0)30 1234 5678", "+1 415-555-2671", "0044 20 7946 0958",
                      "030 1234567", "(030) 123 4567", "020 7946 0958", "01 23 45 67 89", "(415) 555-2671", "415-555-2671",
                      "415.555.2671", "1-800-555-0199", "+33 1 23 45 67 89"] {
            #expect(PhoneNumber.isValid(valid), "\(valid)")
        }
        for invalid in ["12345678", "2024-03-12", "12.03.1980", "4111 1111 1111 1111", "+49 30", "555-1234",
                        "123-456-7890", "0123", "1980", "12:30", "+0 123 456 789", "10 000 000", "0123 4567 8901"] {
            #expect(!PhoneNumber.isValid(invalid), "\(invalid)")
        }
    }

    @Test("dates of birth need a label and a real calendar date")
    func datesOfBirth() {
        let cases: [(String, String?)] = [
            ("DOB: 12.03.1980", "12.03.1980"), ("Date of birth 1980-03-12", "1980-03-12"),
            ("Born 12 March 1980", "12 March 1980"), ("Geburtsdatum: 29.02.1984", "29.02.1984"),
            ("née le 3 mars 1975", "3 mars 1975"), ("né(e) le 03/04/1975", "03/04/1975"),
            ("D.O.B. 04/23/1990", "04/23/1990"), ("Date: 12.03.1980", nil), ("DOB: 31.02.1980", nil),
            ("Geburtsdatum: 29.02.1983", nil), ("Invoice 12.03.1980", nil),
        ]
        for (line, expected) in cases {
            let characters = Array(line)
            let found = DateOfBirth.find(in: characters).map { String(characters[$0]) }
            #expect(found == (expected.map { [$0] } ?? []), "\(line)")
        }
    }
}
