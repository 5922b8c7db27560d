/// The tag tables of `tags.tsv`, compiled into the binary: names and kinds of TIFF/EXIF, GPS,
/// IPTC and Photoshop tags are data, kept as data, one tag per line (`table tag name [kind]`).
enum MetadataTags {
    struct Entry {
        var table: String
        var tag: Int
        var name: String
        /// `structure`, `timestamps`, `serialNumbers`, `authorship`, or nil for a name only.
        var kind: String?
    }

    static let entries: [Entry] = String(decoding: PackageResources.tags_tsv, as: UTF8.self)
        .split(separator: "\n")
        .filter { !$0.hasPrefix("#") }
        .map { line in
            let fields = line.split(separator: "\t").map(String.init)
            // The file ships inside the binary and a test reads every line, so a bad line is a
            // build mistake, not an input.
            guard fields.count >= 3, fields[1].hasPrefix("0x"), let tag = Int(fields[1].dropFirst(2), radix: 16) else {
                preconditionFailure("tags.tsv: bad line \(line)")
            }
            return Entry(table: fields[0], tag: tag, name: fields[2], kind: fields.count > 3 ? fields[3] : nil)
        }

    /// The names of one table's tags: those of one kind when `kind` is given, those of no kind
    /// when `unclassifiedOnly` is set.
    static func names(_ table: String, kind: String? = nil, unclassifiedOnly: Bool = false) -> [Int: String] {
        var names: [Int: String] = [:]
        for entry in entries where entry.table == table && (kind == nil || entry.kind == kind)
            && !(unclassifiedOnly && entry.kind != nil) {
            names[entry.tag] = entry.name
        }
        return names
    }

    /// The same keyed by 16-bit tags, as TIFF and Photoshop number them.
    static func names16(_ table: String, kind: String? = nil, unclassifiedOnly: Bool = false) -> [UInt16: String] {
        Dictionary(uniqueKeysWithValues: names(table, kind: kind, unclassifiedOnly: unclassifiedOnly).map { (UInt16($0.key), $0.value) })
    }
}
