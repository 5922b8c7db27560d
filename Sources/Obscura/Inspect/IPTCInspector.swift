/// IPTC-IIM records (`0x1C record dataset length data`), as stored in Photoshop resource 0x0404,
/// TIFF tag 0x83BB and elsewhere.
enum IPTCInspector {
    static let names: [Int: String] = [
        0x0100: "ModelVersion", 0x0105: "Destination", 0x0114: "FileFormat", 0x0116: "FileVersion",
        0x011E: "ServiceIdentifier", 0x0128: "EnvelopeNumber", 0x0132: "ProductID", 0x013C: "EnvelopePriority",
        0x0146: "DateSent", 0x0150: "TimeSent", 0x015A: "CodedCharacterSet", 0x0164: "UniqueObjectName",
        0x0200: "ApplicationRecordVersion", 0x0203: "ObjectTypeReference", 0x0204: "ObjectAttributeReference",
        0x0205: "ObjectName", 0x0207: "EditStatus", 0x020A: "Urgency", 0x020C: "SubjectReference",
        0x020F: "Category", 0x0214: "SupplementalCategories", 0x0216: "FixtureIdentifier", 0x0219: "Keywords",
        0x021A: "ContentLocationCode", 0x021B: "ContentLocationName", 0x021E: "ReleaseDate", 0x0223: "ReleaseTime",
        0x0225: "ExpirationDate", 0x0226: "ExpirationTime", 0x0228: "SpecialInstructions", 0x022A: "ActionAdvised",
        0x022D: "ReferenceService", 0x022F: "ReferenceDate", 0x0232: "ReferenceNumber", 0x0237: "DateCreated",
        0x023C: "TimeCreated", 0x023E: "DigitalCreationDate", 0x023F: "DigitalCreationTime",
        0x0241: "OriginatingProgram", 0x0246: "ProgramVersion", 0x024B: "ObjectCycle", 0x0250: "By-line",
        0x0255: "By-lineTitle", 0x025A: "City", 0x025C: "Sub-location", 0x025F: "Province-State",
        0x0264: "Country-PrimaryLocationCode", 0x0265: "Country-PrimaryLocationName",
        0x0267: "OriginalTransmissionReference", 0x0269: "Headline", 0x026E: "Credit", 0x0273: "Source",
        0x0274: "CopyrightNotice", 0x0276: "Contact", 0x0278: "Caption-Abstract", 0x027A: "Writer-Editor",
        0x0282: "ImageType", 0x0283: "ImageOrientation", 0x0287: "LanguageIdentifier",
        0x02C8: "ObjectPreviewFileFormat", 0x02C9: "ObjectPreviewFileVersion", 0x02CA: "ObjectPreviewData",
    ]
    static let authorship: Set<Int> = [0x0250, 0x0255, 0x026E, 0x0274, 0x0276, 0x027A]
    static let timestamps: Set<Int> = [0x0146, 0x0150, 0x021E, 0x0223, 0x0225, 0x0226, 0x0237, 0x023C, 0x023E, 0x023F]

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
