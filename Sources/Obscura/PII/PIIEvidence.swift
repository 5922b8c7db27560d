/// Why a piece of personal data was taken for one: what the report writes as a PII region's
/// `evidence`, beside its kind. The raw values are stable; new ones may be added.
///
/// A checksum that passes only after OCR look-alikes were replaced is still strong evidence (a
/// wrong number passes by chance about once in 10 to 97 tries, depending on the check), but the
/// text as read did not pass: `checksumCorrected` says so, so a reviewer knows where the
/// recognition was unsure.
public enum PIIEvidence: String, Sendable, Codable, CaseIterable, Comparable {
    /// A check digit or checksum passed on the characters as read (Luhn, mod 97, ICAO 9303, the
    /// national identifiers' checks); case and separators do not count as changes.
    case checksum
    /// The check passed only after OCR look-alikes were replaced (O→0, I→1, S→5, B→8, Z→2 and
    /// back where a letter is expected).
    case checksumCorrected = "checksum-corrected"
    /// Found because of the field label before it, with no check digit: names, addresses, dates
    /// of birth, US SSNs and UK NINOs.
    case label
    /// Its shape alone: e-mail addresses and phone numbers.
    case format
    /// A user rule (`--pii-pattern`, `--pii-words`).
    case rule

    /// The stronger first: a check on the text as read, then one after corrections, then the rest.
    public static func < (lhs: PIIEvidence, rhs: PIIEvidence) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// `checksum` when the value that passed its check is the text as read (ignoring case),
    /// `checksumCorrected` when a look-alike had to be replaced first.
    static func checksum<Read: Collection, Passed: Collection>(read: Read, passed: Passed) -> PIIEvidence
        where Read.Element == Character, Passed.Element == Character {
        String(read).uppercased() == String(passed).uppercased() ? .checksum : .checksumCorrected
    }
}

/// Characters of a line that a validator matched, and why (`PIIEvidence`).
struct PIISpan: Sendable, Equatable {
    var range: Range<Int>
    var evidence: PIIEvidence
}
