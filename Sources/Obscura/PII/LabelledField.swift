/// Names and addresses, found by the field label in front of them: a name or address has no
/// checksum, but a form, a bank app or a ticket says which text is one ("Recipient", "Name:",
/// "Kontoinhaber", "Adresse"). Labels are in English, German, French, Spanish, Italian and
/// Dutch, and must start their line. The value is what follows on the line after a colon or a
/// wide gap, or else the text beside the label on its row, or the line below it (for an address,
/// the lines that continue it too).
enum LabelledField {
    /// Lower case, without a trailing colon; matched longest first.
    static let labels: [(label: [Character], kind: PIIKind)] = {
        let names = [
            "name", "full name", "first name", "last name", "surname", "given name", "given names", "family name",
            "recipient", "recipient name", "account holder", "account holder name", "account name", "cardholder",
            "cardholder name", "card holder", "name on card", "beneficiary", "beneficiary name", "payee", "passenger",
            "passenger name", "patient", "patient name", "customer", "customer name", "employee", "employee name",
            // German
            "vorname", "nachname", "empfänger", "empfängerin", "kontoinhaber", "kontoinhaberin", "karteninhaber",
            "begünstigter", "kunde", "kundin", "mitarbeiter", "mitarbeiterin", "fahrgast", "passagier",
            // French
            "nom", "prénom", "prenom", "nom complet", "titulaire", "titulaire du compte", "bénéficiaire", "beneficiaire",
            "destinataire", "passager", "client", "cliente", "patiente", "employé", "employe",
            // Spanish
            "nombre", "apellidos", "apellido", "nombre completo", "titular", "titular de la cuenta", "destinatario",
            "beneficiario", "pasajero", "paciente", "empleado",
            // Italian
            "nome", "cognome", "nome e cognome", "intestatario", "intestataria", "passeggero", "paziente", "dipendente",
            // Dutch
            "naam", "voornaam", "achternaam", "volledige naam", "rekeninghouder", "begunstigde", "ontvanger",
            "klant", "werknemer",
        ]
        let addresses = [
            "address", "home address", "postal address", "street address", "billing address", "shipping address",
            "delivery address", "mailing address",
            "adresse", "anschrift", "wohnadresse", "wohnort", "lieferadresse", "rechnungsadresse",
            "adresse postale", "adresse de livraison", "adresse de facturation", "domicile",
            "dirección", "direccion", "domicilio", "dirección postal", "direccion postal",
            "indirizzo", "residenza", "indirizzo di residenza",
            "adres", "woonadres", "bezorgadres", "factuuradres",
        ]
        let all = names.map { (Array($0), PIIKind.name) } + addresses.map { (Array($0), PIIKind.address) }
        return all.sorted { $0.0.count > $1.0.count }
    }()

    /// A label that starts a line (after spaces or a bullet).
    struct Label {
        var kind: PIIKind
        /// Where the label's last character ends.
        var labelEnd: Int
        /// Where the value may start: after spaces and one colon.
        var valueStart: Int
        var colon: Bool
    }

    static func label(at characters: [Character]) -> Label? {
        let lower = characters.map { Character($0.lowercased()) }
        var start = 0
        while start < lower.count, " •·-–*".contains(lower[start]) { start += 1 }
        for (label, kind) in labels {
            let end = start + label.count
            guard end <= lower.count, Array(lower[start..<end]) == label else { continue }
            if end < lower.count, lower[end].isWordCharacter { continue }
            var cursor = end
            while cursor < lower.count, lower[cursor] == " " { cursor += 1 }
            let colon = cursor < lower.count && ":：".contains(lower[cursor])
            if colon { cursor += 1 }
            while cursor < lower.count, lower[cursor] == " " { cursor += 1 }
            return Label(kind: kind, labelEnd: end, valueStart: cursor, colon: colon)
        }
        return nil
    }

    /// Whether a line opens with a label of any field ("Telefon:", "IBAN:"): its first word ends
    /// in a colon.
    static func startsWithAnyLabel(_ characters: [Character]) -> Bool {
        guard let first = characters.tokens(separatedBy: [" "]).first?.characters.last else { return false }
        return ":：".contains(first)
    }

    /// The value's end in `characters` from `start`: the line's end, or before a later token that
    /// ends in a colon (the next field's label); trailing spaces and punctuation left out.
    static func valueEnd(_ characters: [Character], from start: Int) -> Int {
        var end = characters.count
        for token in characters[start...].tokens(separatedBy: [" "]) where token.range.lowerBound > start {
            if let last = token.characters.last, ":：".contains(last) { end = token.range.lowerBound; break }
        }
        while end > start, " ,;|".contains(characters[end - 1]) { end -= 1 }
        return end
    }

    /// Whether `characters` look like a value of `kind` rather than more labels or nothing.
    static func plausible(_ characters: ArraySlice<Character>, kind: PIIKind) -> Bool {
        let letters = characters.filter(\.isLetter).count
        guard letters >= 2, characters.last.map({ !":：".contains($0) }) ?? false else { return false }
        if kind == .name {
            // A name has letters and at most a few digits ("Maria Gonzalez", "J. Smith Jr."), not a sentence.
            let words = characters.split(separator: " ").count
            let digits = characters.filter(\.isNumber).count
            return words <= 6 && digits * 4 <= letters
        }
        return true
    }
}
