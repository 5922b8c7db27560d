import Testing
@testable import Obscura

/// National identity, tax, routing and vehicle numbers: published specimens, every single-digit
/// change of them, look-alikes with wrong check digits, and `find` on written forms.
extension PIIValidatorTests {
    struct Specimens: CustomStringConvertible, Sendable {
        var name: String
        var isValid: @Sendable (String) -> Bool
        var numbers: [String]
        var description: String { name }
    }

    static let identifierSpecimens: [Specimens] = [
        // 12345678Z: the example usually given with the Interior Ministry's mod 23 table (source not
        // rechecked here); 54362315-K and x-2482300w: python-stdnum's es.dni / es.nie documentation examples.
        Specimens(name: "DNI/NIE", isValid: SpanishID.isValid, numbers: ["12345678Z", "54362315-K", "x-2482300w"]),
        // 1112.22.333: python-stdnum nl.bsn documentation example (the usual 11-test example 111222333).
        Specimens(name: "BSN", isValid: DutchBSN.isValid, numbers: ["1112.22.333"]),
        // RCCMNL83S18D969H, CNTCHR83T41D969D: python-stdnum it.codicefiscale examples; RSSMRA85T10A562S:
        // the widely cited "Mario Rossi" example (attributed to Italian Wikipedia; not rechecked here).
        Specimens(name: "codice fiscale", isValid: CodiceFiscale.isValid,
                  numbers: ["RCCMNL83S18D969H", "CNTCHR83T41D969D", "RSSMRA85T10A562S"]),
        // python-stdnum fr.nir examples (the 2A and 2B ones for Corsica); 2 06 12 75 111 005 64: the
        // worked example on lbcd78.fr ("Calcul de la clé du numéro de sécurité sociale", 2007).
        Specimens(name: "NIR", isValid: FrenchNIR.isValid,
                  numbers: ["2 95 10 99 126 111 93", "253072B07300470", "253072A07300443", "2 06 12 75 111 005 64"]),
        // python-stdnum be.nn examples: born 1985, and born 2017 (the "2" prefix rule).
        Specimens(name: "Belgian national number", isValid: BelgianNationalNumber.isValid,
                  numbers: ["85.07.30-033.28", "17 07 30 033 84"]),
        // 44051401359: python-stdnum pl.pesel example; 44051401458: English Wikipedia's PESEL example (from memory, not rechecked).
        Specimens(name: "PESEL", isValid: PESEL.isValid, numbers: ["44051401359", "44051401458"]),
        // 811218-9876: English Wikipedia's worked Luhn example; 880320-0016, 890102-3286, 811228-9841:
        // python-stdnum se.personnummer examples; the last also in its 12-digit form.
        Specimens(name: "personnummer", isValid: Personnummer.isValid,
                  numbers: ["811218-9876", "880320-0016", "890102-3286", "811228-9841", "19811228-9841"]),
        // 36 574 261 809: python-stdnum de.idnr example; 12345678995: kryptografie.de's worked example.
        Specimens(name: "Steuer-ID", isValid: GermanTaxID.isValid, numbers: ["36 574 261 809", "12345678995"]),
        // T22000129 with check digit 3: the document number of the 2010 specimen card "Erika Mustermann" (BMI; not rechecked here).
        Specimens(name: "German ID card", isValid: GermanIDCard.isValid, numbers: ["T220001293"]),
        // 111000025: English Wikipedia's ABA routing number example; 011000015: Federal Reserve Bank of Boston (not rechecked here).
        Specimens(name: "ABA", isValid: ABARoutingNumber.isValid, numbers: ["111000025", "011000015"]),
        // 1M8GDM9AXKP042788: English Wikipedia's VIN check-digit worked example (check digit X).
        Specimens(name: "VIN", isValid: VIN.isValid, numbers: ["1M8GDM9AXKP042788"]),
    ]

    @Test("published specimens of identifiers with check digits are valid", arguments: identifierSpecimens)
    func identifierSpecimen(_ specimens: Specimens) {
        for number in specimens.numbers {
            #expect(specimens.isValid(number), "\(specimens.name) \(number)")
        }
    }

    @Test("changing any one digit of a specimen breaks it", arguments: identifierSpecimens)
    func identifierOffByOne(_ specimens: Specimens) {
        for number in specimens.numbers {
            var characters = Array(number)
            for index in characters.indices where OCRConfusion.isDigit(characters[index]) {
                let original = characters[index]
                for digit in "0123456789" where digit != original {
                    characters[index] = digit
                    #expect(!specimens.isValid(String(characters)), "\(specimens.name) \(String(characters))")
                }
                characters[index] = original
            }
        }
    }

    @Test("look-alikes: wrong check characters, forbidden letters, wrong lengths and rule breaks fail")
    func identifierLookAlikes() {
        for letter in SpanishID.controlLetters where letter != "Z" { #expect(!SpanishID.isValid("12345678\(letter)")) }
        #expect(!SpanishID.isValid("A1234567L"))                       // NIE prefixes are X, Y, Z
        #expect(!SpanishID.isValid("1234567Z"))                        // one digit short
        #expect(!DutchBSN.isValid("000000000"))                        // passes the 11-test, but no number
        #expect(!DutchBSN.isValid("111222334"))
        #expect(!CodiceFiscale.isValid("RCCMNL83S18D969A"))            // wrong control letter
        #expect(!CodiceFiscale.isValid("RCCMNL83F18D969H"))            // F is no month letter
        #expect(CodiceFiscale.isValid("RCCMNL83S18D96VW"))             // omocodia: 9 → V, control letter recomputed
        #expect(!CodiceFiscale.isValid("RCCMNL83S18D96VH"))
        #expect(!FrenchNIR.isValid("253072C07300443"))                 // only 2A and 2B
        #expect(!FrenchNIR.isValid("253072B07300443"))                 // 2A's key on 2B
        #expect(!FrenchNIR.isValid("595109912611193"))                 // first digit is the sex (1, 2, 3, 4, 7, 8)
        #expect(!BelgianNationalNumber.isValid("12345678901"))         // python-stdnum's invalid example
        #expect(!BelgianNationalNumber.isValid("85.13.30-033.29"))            // month 13
        #expect(!PESEL.isValid("44131401350"))                         // month 13
        #expect(!Personnummer.isValid("880320-0018"))                  // python-stdnum's wrong check digit
        #expect(!Personnummer.isValid("29811228-9841"))                // century must be 19 or 20
        #expect(!GermanTaxID.isValid("36554266806"))                   // python-stdnum: more digits repeated
        #expect(!GermanTaxID.isValid("06574261809"))                   // leading zero
        #expect(!GermanIDCard.isValid("T220001294"))
        #expect(!GermanIDCard.isValid("A220001293"))                   // A is no letter of the document alphabet
        #expect(!ABARoutingNumber.isValid("111000026"))
        #expect(!ABARoutingNumber.isValid("501000017"))                // weights pass, 50 is no routing symbol
        #expect(!VIN.isValid("1M8GDM9A1KP042788"))                     // check digit 1 for X
        #expect(!VIN.isValid("1M8GDM9AXKP04278"))                      // 16 characters
        #expect(!VIN.isValid("IM8GDM9AXKP042788"))                     // I is not used in VINs
        #expect(VIN.isValid("11111111111111111"))                      // valid, but …
        #expect(VIN.find(in: Array("11111111111111111")).isEmpty)      // … 17 digits alone are not taken for a VIN
    }

    @Test("SSN and NINO: no check digit, so the never-issued forms are ruled out")
    func labelledNumbers() {
        // 078-05-1120: the Woolworth wallet card number; 219-09-9999: the 1940 Social Security Board
        // pamphlet's (both English Wikipedia, "Social Security number").
        for valid in ["078-05-1120", "219-09-9999", "078 05 1120"] { #expect(SocialSecurityNumber.isValid(valid), "\(valid)") }
        // Area 000, 666 and 900–999 (987-65-4320: SSA's advertising range), group 00, serial 0000.
        for invalid in ["000-12-3456", "666-12-3456", "987-65-4320", "078-00-1120", "078-05-0000", "078-05-112"] {
            #expect(!SocialSecurityNumber.isValid(invalid), "\(invalid)")
        }
        // HMRC's manuals write "QQ 12 34 56 C" as the example: Q is never a first letter.
        #expect(!NationalInsuranceNumber.isValid("QQ 12 34 56 C"))
        #expect(NationalInsuranceNumber.isValid("AB 12 34 56 C"))
        for invalid in ["DA123456C", "AO123456C", "GB123456A", "NK123456A", "TN123456A", "ZZ123456A", "AB123456E", "AB12345C"] {
            #expect(!NationalInsuranceNumber.isValid(invalid), "\(invalid)")
        }
    }

    /// The texts `find` returns in `line`.
    static func found(_ find: ([Character]) -> [PIISpan], _ line: String) -> [String] {
        let characters = Array(line)
        return find(characters).map { String(characters[$0.range]) }
    }

    @Test("find: written forms with separators, OCR look-alikes the check confirms, not inside longer numbers")
    func findIdentifiers() {
        let cases: [(([Character]) -> [PIISpan], String, [String])] = [
            (SpanishID.find, "DNI 12.345.678-Z, NIE X-1234567-L.", ["12.345.678-Z", "X-1234567-L"]),
            (SpanishID.find, "DNI l2345678Z", ["l2345678Z"]),              // l read as 1
            (SpanishID.find, "DNI 1234567B2", ["1234567B2"]),              // B as 8, 2 as Z
            (SpanishID.find, "DNI l2345678T", []),                          // wrong letter even after correction
            (SpanishID.find, "Ref 99 12345678Z", []),                       // continues a group of digits
            (SpanishID.find, "Ref 12345678Z-7", []),
            (SpanishID.find, "A12345678Z", []),
            (DutchBSN.find, "BSN 1112.22.333 of 111 222 333", ["1112.22.333", "111 222 333"]),
            (DutchBSN.find, "BSN 11122 2333", []),                          // a space where the format has none
            (DutchBSN.find, "BSN 1l1222333", ["1l1222333"]),
            (DutchBSN.find, "BSN 1l1222334", []),
            (DutchBSN.find, "1111222333", []),
            (CodiceFiscale.find, "CF: RSSMRA85T10A562S", ["RSSMRA85T10A562S"]),
            (CodiceFiscale.find, "CF: RSSMRA85T1OA5625", ["RSSMRA85T1OA5625"]),  // O as 0, 5 as S
            (CodiceFiscale.find, "CF: RSSMRA85T10A562T", []),
            (CodiceFiscale.find, "XRSSMRA85T10A562S", []),
            (FrenchNIR.find, "NIR 2 95 10 99 126 111 93", ["2 95 10 99 126 111 93"]),
            (FrenchNIR.find, "n° 2 53 07 2A 073 004 43", ["2 53 07 2A 073 004 43"]),
            (FrenchNIR.find, "NIR 2 95 1O 99 l26 111 93", ["2 95 1O 99 l26 111 93"]),
            (FrenchNIR.find, "NIR 2 95 1O 99 l26 111 94", []),
            (FrenchNIR.find, "1 2 95 10 99 126 111 93", []),
            (BelgianNationalNumber.find, "RRN 85.07.30-033.28", ["85.07.30-033.28"]),
            (BelgianNationalNumber.find, "RRN 85.O7.30-O33.28", ["85.O7.30-O33.28"]),
            (BelgianNationalNumber.find, "RRN 85.07.30-033.29", []),
            (BelgianNationalNumber.find, "185073003328", []),
            (PESEL.find, "PESEL: 44051401359", ["44051401359"]),
            (PESEL.find, "PESEL: 44O514O1359", ["44O514O1359"]),
            (PESEL.find, "PESEL: 44O514O1358", []),
            (PESEL.find, "440514013590", []),
            (Personnummer.find, "811218-9876, 19811228-9841, 811218+9876", ["811218-9876", "19811228-9841", "811218+9876"]),
            (Personnummer.find, "pnr 8112l8-9876", ["8112l8-9876"]),
            (Personnummer.find, "pnr 811218-9877", []),
            (Personnummer.find, "no. 5 811218-9876", []),
            (Personnummer.find, "811218-98761", []),
            (GermanTaxID.find, "Steuer-ID: 36 574 261 809", ["36 574 261 809"]),
            (GermanTaxID.find, "IdNr 36 574 26l 8O9", ["36 574 26l 8O9"]),
            (GermanTaxID.find, "IdNr 36 574 26l 8O8", []),
            (GermanTaxID.find, "36 574 261 809 12", []),
            (GermanIDCard.find, "Ausweis-Nr. T220001293", ["T220001293"]),
            (GermanIDCard.find, "Ausweis-Nr. T22OOO1293", ["T22OOO1293"]),  // O is not in the alphabet: 0
            (GermanIDCard.find, "Ausweis-Nr. T220001294", []),
            (GermanIDCard.find, "T2200012931", []),
            (ABARoutingNumber.find, "Routing 111000025", ["111000025"]),
            (ABARoutingNumber.find, "Routing 11l000025", ["11l000025"]),
            (ABARoutingNumber.find, "Routing 11l000026", []),
            (ABARoutingNumber.find, "1111000025", []),
            (ABARoutingNumber.find, "Order 111000025", []),   // a valid routing number without its label
            (VIN.find, "VIN 1M8GDM9AXKP042788", ["1M8GDM9AXKP042788"]),
            (VIN.find, "VIN IM8GDM9AXKPO42788", ["IM8GDM9AXKPO42788"]),    // I and O are never in a VIN
            (VIN.find, "VIN 1M8GDM9A1KP042788", []),
            (VIN.find, "1M8GDM9AXKP0427881", []),
            (SocialSecurityNumber.find, "SSN: 078-05-1120", ["078-05-1120"]),
            (SocialSecurityNumber.find, "Social Security No. 078 05 1120", ["078 05 1120"]),
            (SocialSecurityNumber.find, "Ref 078-05-1120", []),             // no label
            (SocialSecurityNumber.find, "078-05-1120 SSN", []),             // label after the number
            (SocialSecurityNumber.find, "SSN 666-05-1120", []),
            (SocialSecurityNumber.find, "SSN 078-05-l120", []),             // nothing confirms a correction
            (NationalInsuranceNumber.find, "NINO: AB 12 34 56 C", ["AB 12 34 56 C"]),
            (NationalInsuranceNumber.find, "National Insurance number AB123456C", ["AB123456C"]),
            (NationalInsuranceNumber.find, "AB123456C", []),
            (NationalInsuranceNumber.find, "NINO QQ123456C", []),
        ]
        for (find, line, expected) in cases {
            #expect(Self.found(find, line) == expected, "\(line)")
        }
    }
}
