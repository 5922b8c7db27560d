/// XMP packets: property names are read from the XML text (element and attribute names such as
/// `exif:GPSLatitude` or `dc:creator`) without a full XML parser, and sorted by kind. Every
/// packet is an `xmp` finding; the GPS, date, serial-number and authorship properties in it are
/// also reported under those kinds.
enum XMPInspector {
    static let timestampNames: Set<String> = [
        "CreateDate", "ModifyDate", "MetadataDate", "DateTimeOriginal", "DateTimeDigitized", "DateCreated",
        "DateTime", "date", "when", "DateTimeCreated", "DigitalCreationDate",
    ]
    static let serialNames: Set<String> = [
        "SerialNumber", "LensSerialNumber", "BodySerialNumber", "CameraSerialNumber", "InternalSerialNumber",
    ]
    static let authorshipNames: Set<String> = [
        "creator", "rights", "Artist", "Copyright", "OwnerName", "CameraOwnerName", "Owner", "AuthorsPosition",
        "CaptionWriter", "Credit", "CreatorContactInfo",
    ]

    static func kind(of localName: String) -> MetadataKind {
        if localName.hasPrefix("GPS") { return .gps }
        let lower = localName.lowercased()
        if timestampNames.contains(localName) || lower.hasSuffix("date") || lower.hasSuffix("when") { return .timestamps }
        if serialNames.contains(localName) { return .serialNumbers }
        if authorshipNames.contains(localName) { return .authorship }
        return .xmp
    }

    /// `baseKind` is `.xmp` for XMP packets and `.text` for other XML (a JPEG 2000 `xml ` box).
    static func inspect(_ bytes: [UInt8], location: String, baseKind: MetadataKind = .xmp, context: InspectionContext) {
        var group = TagGroup(location: location)
        group.add(baseKind, baseKind == .xmp ? "XMP" : "XML", bytes: bytes.count)
        let properties = scan(bytes, wantValues: context.includeValues, context: context)
        for (name, value) in properties {
            let local = name.split(separator: ":").last.map(String.init) ?? name
            let kind = kind(of: local)
            group.add(baseKind, name, value: value)
            if kind != .xmp { group.add(kind, name, value: value) }
        }
        context.add(group)
    }

    /// Qualified property names in document order, with their text values when asked for.
    static func scan(_ bytes: [UInt8], wantValues: Bool, context: InspectionContext) -> [(String, String?)] {
        let text = Array(bytes.prefix(InspectionContext.maximumScan))
        guard context.spend(text.count / 32) else { return [] }
        var result: [(String, String?)] = []
        var positions: [String: Int] = [:]
        var index = 0
        var lastProperty: Int?
        func isNameByte(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2D || b == 0x2E || b == 0x3A
        }
        func readName(_ from: Int) -> (String, Int) {
            var end = from
            while end < text.count, end - from < 128, isNameByte(text[end]) { end += 1 }
            return (String(decoding: text[from..<end], as: UTF8.self), end)
        }
        func record(_ name: String, _ value: String?) -> Int? {
            guard name.contains(":") else { return nil }
            let prefix = name.split(separator: ":").first ?? ""
            if ["rdf", "x", "xml", "xmlns", "xmpG", "stRef"].contains(prefix) { return nil }
            if let existing = positions[name] {
                if let value, wantValues { result[existing].1 = join(result[existing].1, value) }
                return existing
            }
            guard result.count < 2000 else { return nil }
            result.append((name, wantValues ? value : nil))
            positions[name] = result.count - 1
            return result.count - 1
        }
        while index < text.count {
            guard text[index] == UInt8(ascii: "<") else { index += 1; continue }
            index += 1
            guard index < text.count else { break }
            let first = text[index]
            if first == UInt8(ascii: "/") || first == UInt8(ascii: "?") || first == UInt8(ascii: "!") { continue }
            let (element, afterName) = readName(index)
            index = afterName
            let elementIndex = record(element, nil)
            if elementIndex != nil { lastProperty = elementIndex }
            // Attributes up to the end of the tag.
            var selfClosing = false
            while index < text.count, text[index] != UInt8(ascii: ">") {
                if text[index] == UInt8(ascii: "/") { selfClosing = true; index += 1; continue }
                if isNameByte(text[index]) {
                    let (attribute, end) = readName(index)
                    index = end
                    var value: String?
                    if index + 1 < text.count, text[index] == UInt8(ascii: "="), text[index + 1] == 0x22 || text[index + 1] == 0x27 {
                        let quote = text[index + 1]
                        var close = index + 2
                        while close < text.count, text[close] != quote { close += 1 }
                        if wantValues { value = unescape(text[min(index + 2, close)..<close]) }
                        index = close + 1
                    }
                    if !attribute.hasPrefix("xmlns") { _ = record(attribute, value) }
                    continue
                }
                selfClosing = false
                index += 1
            }
            index += 1
            guard !selfClosing, wantValues, index < text.count else { continue }
            var close = index
            while close < text.count, text[close] != UInt8(ascii: "<") { close += 1 }
            let body = unescape(text[index..<close]).trimmingWhitespace
            if !body.isEmpty, let target = elementIndex ?? (element.hasPrefix("rdf:li") ? lastProperty : nil) {
                result[target].1 = join(result[target].1, body)
            }
        }
        return result
    }

    private static func join(_ existing: String?, _ value: String) -> String {
        guard let existing, !existing.isEmpty else { return Printable.text(value) }
        return Printable.text(existing + "; " + value)
    }

    private static func unescape(_ bytes: ArraySlice<UInt8>) -> String {
        var string = String(decoding: bytes.prefix(Printable.limit * 4), as: UTF8.self)
        for (entity, replacement) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&apos;", "'"), ("&amp;", "&")] {
            string = string.replacingAll(entity, with: replacement)
        }
        return string
    }
}

extension String {
    /// Without leading and trailing spaces and line breaks (no Foundation needed).
    var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }

    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
