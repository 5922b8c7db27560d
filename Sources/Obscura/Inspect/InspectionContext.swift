/// The state of one inspection: what was found so far, the problems noticed, and a work budget
/// that bounds every parser, so no input can make the inspector loop for long.
final class InspectionContext {
    let includeValues: Bool
    private(set) var findings: [MetadataFinding] = []
    private(set) var problems: [String] = []
    /// Units of work left (one per IFD entry, box, chunk, segment or scanned kilobyte).
    private var budget: Int
    private var budgetExhausted = false

    /// The deepest nesting followed in any container (boxes inside boxes, IFDs inside IFDs).
    static let maximumDepth = 12
    /// The most bytes any single text or value is scanned for.
    static let maximumScan = 4 << 20

    init(includeValues: Bool, budget: Int = 2_000_000) {
        self.includeValues = includeValues
        self.budget = budget
    }

    /// Takes `units` of work from the budget; false (once with a problem) when it is spent.
    func spend(_ units: Int = 1) -> Bool {
        guard !budgetExhausted else { return false }
        budget -= max(1, units)
        if budget < 0 {
            budgetExhausted = true
            problem("inspection stopped early: the file's structure needs more work than allowed")
            return false
        }
        return true
    }

    /// How many embedded blocks deep the inspection is (EXIF inside Photoshop resources inside
    /// EXIF…); blocks beyond `maximumDepth` are reported but not opened.
    private var nesting = 0

    /// Runs `body` one level deeper; false (with a problem) when that would be too deep.
    @discardableResult
    func nested(_ location: String, _ body: () -> Void) -> Bool {
        guard nesting < Self.maximumDepth else {
            problem("\(location): embedded blocks nested more than \(Self.maximumDepth) deep; not opened")
            return false
        }
        nesting += 1
        body()
        nesting -= 1
        return true
    }

    func problem(_ message: String) {
        guard problems.count < 200, !problems.contains(message) else { return }
        problems.append(message)
    }

    /// Findings kept before further ones are merged into the last finding of their kind.
    static let maximumFindings = 5000
    private var lastIndexOfKind: [MetadataKind: Int] = [:]

    func add(_ kind: MetadataKind, _ location: String, tags: [String] = [], bytes: Int,
             values: @autoclosure () -> [String: String]? = nil, intrinsic: Bool = false) {
        // Past the cap, a finding joins the last one of its kind, so every kind stays listed.
        if findings.count >= Self.maximumFindings, let index = lastIndexOfKind[kind] {
            problem("more than \(Self.maximumFindings) findings; later ones are merged into the last finding of their kind")
            findings[index].byteCount += bytes
            findings[index].isIntrinsic = findings[index].isIntrinsic && intrinsic
            return
        }
        lastIndexOfKind[kind] = findings.count
        findings.append(MetadataFinding(kind: kind, location: location, tags: tags, byteCount: bytes,
                                        values: includeValues ? values() : nil, isIntrinsic: intrinsic))
    }

    func add(_ group: TagGroup) {
        for kind in group.order {
            guard let entry = group.entries[kind] else { continue }
            add(kind, group.location, tags: entry.tags, bytes: entry.bytes,
                values: entry.values.isEmpty ? nil : entry.values, intrinsic: kind == .imageStructure && group.structureIsIntrinsic)
        }
    }
}

/// Tags of one place (an IFD, an XMP packet, an IPTC block), gathered by kind so that each kind
/// becomes one finding.
struct TagGroup {
    let location: String
    /// Structure tags are intrinsic only where the place describes the file's own pixels.
    var structureIsIntrinsic = false
    fileprivate(set) var order: [MetadataKind] = []
    fileprivate(set) var entries: [MetadataKind: (tags: [String], bytes: Int, values: [String: String])] = [:]
    private var seen: [MetadataKind: Set<String>] = [:]

    init(location: String, structureIsIntrinsic: Bool = false) {
        self.location = location
        self.structureIsIntrinsic = structureIsIntrinsic
    }

    var isEmpty: Bool { order.isEmpty }

    mutating func add(_ kind: MetadataKind, _ tag: String, bytes: Int = 0, value: String? = nil) {
        if entries[kind] == nil {
            entries[kind] = ([], 0, [:])
            order.append(kind)
        }
        if seen[kind, default: []].insert(tag).inserted, (entries[kind]?.tags.count ?? 0) < 2000 { entries[kind]?.tags.append(tag) }
        entries[kind]?.bytes += bytes
        if let value { entries[kind]?.values[tag] = value }
    }
}

/// Making values printable, used only when values were asked for.
enum Printable {
    static let limit = 200

    /// Text with control characters replaced and cut to about 200 characters.
    static func text(_ bytes: some Collection<UInt8>) -> String {
        var trimmed = Array(bytes.prefix(limit * 4))
        while let last = trimmed.last, last == 0 || last == 0x20 { trimmed.removeLast() }
        return text(String(decoding: trimmed, as: UTF8.self))
    }

    static func text(_ string: String) -> String {
        let cleaned = String(string.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : Character($0) })
        return cleaned.count > limit ? String(cleaned.prefix(limit)) + "…" : cleaned
    }

    static func blob(_ count: Int) -> String { "<\(count) bytes>" }

    /// True when the bytes look like text (printable ASCII/UTF-8, trailing NULs allowed).
    static func looksLikeText(_ bytes: some Collection<UInt8>) -> Bool {
        var sawText = false
        for byte in bytes.prefix(4096) {
            if byte == 0 { continue }
            if byte < 0x09 || (byte > 0x0D && byte < 0x20) { return false }
            sawText = true
        }
        return sawText
    }
}
