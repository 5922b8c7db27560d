/// IPTC-IIM records (`0x1C record dataset length data`), as stored in Photoshop resource 0x0404,
/// TIFF tag 0x83BB and elsewhere.
enum IPTCInspector {
    static let names = MetadataTags.names("iptc")
    static let authorship = Set(MetadataTags.names("iptc", kind: "authorship").keys)
    static let timestamps = Set(MetadataTags.names("iptc", kind: "timestamps").keys)

    static func inspect(_ bytes: [UInt8], location: String, context: InspectionContext) {
        var group = TagGroup(location: location)
        group.add(.iptc, "IPTC", bytes: bytes.count)
        let reader = ByteReader(bytes)
        var offset = 0
        while offset + 5 <= bytes.count {
            guard context.spend() else { break }
            guard bytes[offset] == 0x1C else {
                if bytes[offset] != 0 { context.problem("\(location): IPTC data ends with unexpected bytes") }
                break
            }
            let record = Int(bytes[offset + 1]), dataset = Int(bytes[offset + 2])
            guard var length = reader.uint16(at: offset + 3).map(Int.init) else { break }
            var start = offset + 5
            if length & 0x8000 != 0 {
                // Extended dataset: the low bits give the size of the length field.
                let size = length & 0x7FFF
                guard size <= 4, start + size <= bytes.count else { context.problem("\(location): bad IPTC length"); break }
                length = bytes[start..<start + size].reduce(0) { $0 << 8 | Int($1) }
                start += size
            }
            guard length <= bytes.count - start else {
                context.problem("\(location): IPTC dataset \(record):\(dataset) runs past the end")
                break
            }
            let key = record << 8 | dataset
            let name = names[key] ?? "IPTC_\(record)_\(dataset)"
            let value: String? = context.includeValues
                ? (Printable.looksLikeText(bytes[start..<start + length]) ? Printable.text(bytes[start..<start + length]) : Printable.blob(length))
                : nil
            group.add(.iptc, name, bytes: length, value: value)
            if authorship.contains(key) { group.add(.authorship, name, value: value) }
            if timestamps.contains(key) { group.add(.timestamps, name, value: value) }
            offset = start + length
        }
        // An empty IPTC block (no datasets) carries nothing.
        if group.order.count > 1 || (group.entries[.iptc]?.tags.count ?? 0) > 1 { context.add(group) }
    }
}
