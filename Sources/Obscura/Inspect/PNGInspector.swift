/// PNG chunks. The chunks that define the pixels are intrinsic; text chunks are sorted by their
/// keyword (compressed text is classified by keyword without being decompressed).
enum PNGInspector {
    static let intrinsic: Set<String> = ["IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA", "cHRM", "sRGB", "sBIT", "pHYs"]

    static func inspect(_ bytes: [UInt8], context: InspectionContext) {
        let reader = ByteReader(bytes)
        var offset = 8
        var structureTags: [String] = []
        var structureBytes = 8
        var ended = false
        while offset < bytes.count {
            guard context.spend() else { break }
            guard let length = reader.uint32(at: offset).map(Int.init), offset + 8 <= bytes.count else {
                context.problem("PNG: chunk header at offset \(offset) is cut short")
                break
            }
            let type = printableType(String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self))
            let start = offset + 8
            guard length <= bytes.count - start - 4 || (length <= bytes.count - start && type == "IEND") else {
                context.problem("PNG: chunk \(type) at offset \(offset) runs past the end")
                context.add(intrinsic.contains(type) ? .imageStructure : .containerChunk, "PNG \(type)", tags: [type],
                            bytes: bytes.count - offset, intrinsic: intrinsic.contains(type))
                offset = bytes.count
                break
            }
            let data = Array(bytes[start..<start + length])
            let size = length + 12
            let location = "PNG \(type)"
            switch type {
            case _ where intrinsic.contains(type):
                if !structureTags.contains(type) { structureTags.append(type) }
                structureBytes += size
            case "tEXt", "zTXt", "iTXt":
                inspectText(type: type, data, size: size, context: context)
            case "eXIf":
                TIFFInspector.inspect(data.starts(with: Array("Exif\0\0".utf8)) ? Array(data.dropFirst(6)) : data,
                                      prefix: "PNG eXIf", context: context)
            case "iCCP":
                // Name, NUL, compression method, zlib data.
                let name = data.prefix { $0 != 0 }.prefix(79)
                if name.count + 2 <= data.count, let profile = inflate(data[(name.count + 2)...], location: location, context: context) {
                    ICCProfileInspector.inspect(profile, location: location, context: context)
                } else {
                    context.add(.iccProfile, location, tags: ["iCCP"], bytes: size, values: ["ProfileName": Printable.text(name)])
                }
            case "tIME":
                let r = ByteReader(data)
                let value: String? = data.count >= 7
                    ? "\(r.uint16(at: 0) ?? 0)-\(two(data[2]))-\(two(data[3])) \(two(data[4])):\(two(data[5])):\(two(data[6]))"
                    : nil
                context.add(.timestamps, location, tags: ["ModifyDate"], bytes: size, values: value.map { ["ModifyDate": $0] })
            case "caBX":
                context.add(.c2pa, location, tags: ["caBX"], bytes: size)
            case "acTL", "fcTL", "fdAT":
                context.add(.extraImages, location, tags: [type], bytes: size)
            default:
                context.add(.containerChunk, location, tags: [type], bytes: size)
            }
            offset = start + length + 4
            if offset > bytes.count { context.problem("PNG: chunk \(type) has no CRC (file cut short)") }
            if type == "IEND" { ended = true; break }
        }
        context.add(.imageStructure, "PNG image data", tags: structureTags, bytes: structureBytes, intrinsic: true)
        if !ended { context.problem("PNG: no IEND chunk") }
        if ended, offset < bytes.count {
            context.add(.trailingData, "PNG after IEND", tags: ["trailing bytes"], bytes: bytes.count - offset)
        }
    }

    private static func two(_ value: UInt8) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// Kinds of well-known text keywords (compared case-insensitively).
    static func kind(ofKeyword keyword: String) -> MetadataKind {
        // ImageMagick copies each EXIF tag into its own "exif:Name" text chunk.
        if keyword.lowercased().hasPrefix("exif:") {
            let name = String(keyword.dropFirst(5))
            if name.hasPrefix("GPS") { return .gps }
            if TIFFTags.timestamps.values.contains(name) || name == "DateTime" || name == "DateTimeDigitized" { return .timestamps }
            if TIFFTags.serialNumbers.values.contains(name) || name.hasSuffix("SerialNumber") { return .serialNumbers }
            if TIFFTags.authorship.values.contains(name) || name == "CameraOwnerName" { return .authorship }
            return .exif
        }
        return switch keyword.lowercased() {
        case "xml:com.adobe.xmp", "raw profile type xmp": .xmp
        case "comment": .comment
        case "author", "copyright", "artist", "creator", "owner", "disclaimer": .authorship
        case "creation time", "date:create", "date:modify", "date:timestamp", "modify date", "create date", "datecreate", "datemodify": .timestamps
        case "raw profile type exif", "raw profile type app1": .exif
        case "raw profile type iptc", "raw profile type 8bim": .iptc
        case "raw profile type icc", "raw profile type icm": .iccProfile
        default: .text
        }
    }

    /// The most bytes one compressed chunk is inflated to.
    static let inflateLimit = 1 << 20

    /// Inflates a compressed chunk payload within the work budget: a fixed cost up front and
    /// one unit per 16 bytes produced, so many small "zip bombs" cannot add up.
    static func inflate(_ data: ArraySlice<UInt8>, location: String, context: InspectionContext) -> [UInt8]? {
        guard context.spend(1024) else { return nil }
        guard let (bytes, complete) = Inflate.zlib(data, limit: inflateLimit) else {
            context.problem("\(location): compressed data is not a zlib stream")
            return nil
        }
        _ = context.spend(bytes.count / 16)
        if !complete { context.problem("\(location): compressed data is damaged or longer than \(inflateLimit) bytes; read in part") }
        return bytes
    }

    private static func inspectText(type: String, _ data: [UInt8], size: Int, context: InspectionContext) {
        let keywordBytes = data.prefix { $0 != 0 }.prefix(79)
        let keyword = String(decoding: keywordBytes, as: UTF8.self)
        var textStart = keywordBytes.count + 1
        var compressed = type == "zTXt"
        if type == "zTXt" { textStart += 1 }
        if type == "iTXt" {
            compressed = data.count > textStart && data[textStart] != 0
            var at = textStart + 2
            for _ in 0..<2 {  // language tag, translated keyword
                while at < data.count, data[at] != 0 { at += 1 }
                at += 1
            }
            textStart = at
        }
        let location = "PNG \(type) \(Printable.text(keyword))"
        let stored = textStart < data.count ? data[textStart...] : []
        let text = compressed ? inflate(stored, location: location, context: context) : Array(stored)
        let kind = kind(ofKeyword: keyword)
        let lower = keyword.lowercased()
        if let text {
            if lower == "xml:com.adobe.xmp" {
                XMPInspector.inspect(text, location: location, context: context)
                return
            }
            if lower.hasPrefix("raw profile type "), let profile = decodeRawProfile(text) {
                switch kind {
                case .exif:
                    TIFFInspector.inspect(profile.starts(with: Array("Exif\0\0".utf8)) ? Array(profile.dropFirst(6)) : profile,
                                          prefix: location, context: context)
                    return
                case .xmp:
                    XMPInspector.inspect(profile, location: location, context: context)
                    return
                case .iptc:
                    if profile.starts(with: Array("8BIM".utf8)) {
                        PhotoshopResources.inspect(profile, location: location, context: context)
                    } else {
                        IPTCInspector.inspect(profile, location: location, context: context)
                    }
                    context.add(.iptc, location, tags: [Printable.text(keyword)], bytes: size)
                    return
                case .iccProfile:
                    ICCProfileInspector.inspect(profile, location: location, context: context)
                    return
                default:
                    break
                }
            }
        }
        let value = text.map { Printable.text($0) } ?? "<compressed, \(stored.count) bytes>"
        context.add(kind, location, tags: [keyword.isEmpty ? type : Printable.text(keyword)], bytes: size,
                    values: [Printable.text(keyword): value])
    }

    /// ImageMagick's "Raw profile type …" text: a name line, a length line, then hex digits.
    static func decodeRawProfile(_ text: [UInt8]) -> [UInt8]? {
        var lines = 0, index = 0
        while index < text.count, lines < 3 {
            if text[index] == 0x0A { lines += 1 }
            index += 1
        }
        var result: [UInt8] = []
        var high: UInt8?
        for byte in text[min(index, text.count)...].prefix(InspectionContext.maximumScan) {
            let nibble: UInt8
            switch byte {
            case 0x30...0x39: nibble = byte - 0x30
            case 0x61...0x66: nibble = byte - 0x61 + 10
            case 0x41...0x46: nibble = byte - 0x41 + 10
            default: continue
            }
            if let h = high { result.append(h << 4 | nibble); high = nil } else { high = nibble }
        }
        return result.isEmpty ? nil : result
    }
}

/// WebP RIFF chunks.
enum WebPInspector {
    static func inspect(_ bytes: [UInt8], context: InspectionContext) {
        let reader = ByteReader(bytes, littleEndian: true)
        let declared = Int(reader.uint32(at: 4) ?? 0)
        var end = min(bytes.count, 8 + declared)
        if 8 + declared > bytes.count {
            context.problem("WebP: the RIFF size is larger than the file")
            end = bytes.count
        }
        var offset = 12
        var structureTags: [String] = []
        var structureBytes = 12
        var frames = 0
        while offset + 8 <= end {
            guard context.spend(), let size = reader.uint32(at: offset + 4).map(Int.init) else { break }
            let type = printableType(String(decoding: bytes[offset..<offset + 4], as: UTF8.self))
            let start = offset + 8
            guard size <= end - start else {
                context.problem("WebP: chunk \(type) at offset \(offset) runs past the end")
                context.add(.containerChunk, "WebP \(type)", tags: [type], bytes: end - offset)
                offset = end
                break
            }
            let data = Array(bytes[start..<start + size])
            let location = "WebP \(type)"
            switch type {
            case "VP8 ", "VP8L", "VP8X", "ALPH", "ANIM":
                if !structureTags.contains(type) { structureTags.append(type) }
                structureBytes += size + 8
            case "ANMF":
                frames += 1
                if frames == 1 {
                    structureTags.append(type)
                    structureBytes += size + 8
                } else {
                    context.add(.extraImages, "\(location) frame \(frames)", tags: ["ANMF"], bytes: size + 8)
                }
            case "ICCP":
                ICCProfileInspector.inspect(data, location: location, context: context)
            case "EXIF":
                TIFFInspector.inspect(data.starts(with: Array("Exif\0\0".utf8)) ? Array(data.dropFirst(6)) : data,
                                      prefix: location, context: context)
            case "XMP ":
                XMPInspector.inspect(data, location: location, context: context)
            default:
                context.add(.containerChunk, location, tags: [type], bytes: size + 8)
            }
            offset = start + size + (size & 1)
        }
        context.add(.imageStructure, "WebP image data", tags: structureTags, bytes: structureBytes, intrinsic: true)
        if offset < end { context.problem("WebP: chunk list ends inside the RIFF data") }
        if bytes.count > 8 + declared {
            context.add(.trailingData, "WebP after RIFF", tags: ["trailing bytes"], bytes: bytes.count - 8 - declared)
        }
    }
}
