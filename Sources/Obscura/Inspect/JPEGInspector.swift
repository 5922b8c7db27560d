/// JPEG marker segments: every APPn, COM and unknown segment is reported by kind; the markers
/// that define the pixels form one intrinsic finding; bytes after EOI are trailing data or
/// appended images.
enum JPEGInspector {
    static func inspect(_ bytes: [UInt8], context: InspectionContext, location prefix: String = "JPEG", depth: Int = 0) {
        let reader = ByteReader(bytes)
        var offset = 2
        var structureTags: [String] = []
        var structureBytes = 2
        var iccChunks: [(Int, [UInt8])] = []
        var ended = false
        var sawInfiRay = false
        func noteStructure(_ name: String, _ size: Int) {
            if !structureTags.contains(name) { structureTags.append(name) }
            structureBytes += size
        }
        scan: while offset + 2 <= bytes.count {
            guard context.spend() else { break }
            guard bytes[offset] == 0xFF else {
                offset += 1  // a segment length a little off: resynchronise on the next marker
                continue
            }
            let marker = bytes[offset + 1]
            switch marker {
            case 0xFF: offset += 1; continue scan
            case 0xD9:
                noteStructure("EOI", 2)
                offset += 2
                ended = true
                break scan
            case 0xD0...0xD7, 0x01, 0x00:
                offset += 2
                continue scan
            default: break
            }
            guard let length = reader.uint16(at: offset + 2).map(Int.init), length >= 2 else {
                context.problem("\(prefix): segment at offset \(offset) is cut short")
                break
            }
            let start = offset + 4, end = offset + 2 + length
            guard end <= bytes.count else {
                context.problem("\(prefix): segment \(markerName(marker)) at offset \(offset) runs past the end")
                context.add(kindOfUnreadable(marker), "\(prefix) \(markerName(marker))", tags: [markerName(marker)], bytes: bytes.count - offset)
                offset = bytes.count
                break
            }
            let payload = Array(bytes[start..<end])
            let name = markerName(marker)
            let location = "\(prefix) \(name)"
            func starts(_ text: String) -> Bool { payload.starts(with: Array(text.utf8)) }
            // An APPn segment that none of the cases for its marker recognises is reported by
            // `case 0xE0...0xEF` below.
            switch marker {
            case 0xE0 where starts("JFIF\0"):
                var tags = ["JFIFVersion", "ResolutionUnit", "XResolution", "YResolution"]
                let hasThumbnail = payload.count >= 14 && payload[12] > 0 && payload[13] > 0
                if hasThumbnail { tags.append("ThumbnailImage") }
                context.add(.imageStructure, "\(location) JFIF", tags: Array(tags.prefix(4)), bytes: length + 2, intrinsic: true)
                if hasThumbnail { context.add(.thumbnail, "\(location) JFIF", tags: ["ThumbnailImage"], bytes: payload.count - 14) }
            case 0xE0 where starts("JFXX\0"):
                context.add(.thumbnail, "\(location) JFXX", tags: ["ThumbnailImage"], bytes: length + 2)
            case 0xE1 where starts("Exif\0"):
                TIFFInspector.inspect(Array(payload.dropFirst(6)), prefix: "\(location) Exif", context: context)
            case 0xE1 where starts("http://ns.adobe.com/xap/1.0/\0"):
                XMPInspector.inspect(Array(payload.dropFirst(29)), location: "\(location) XMP", context: context)
            case 0xE1 where starts("http://ns.adobe.com/xmp/extension/\0"):
                XMPInspector.inspect(Array(payload.dropFirst(35 + 40)), location: "\(location) extended XMP", context: context)
            case 0xE1 where starts("<x:xmpmeta") || starts("<?xpacket"):
                XMPInspector.inspect(payload, location: "\(location) XMP", context: context)
            case 0xE2 where starts("ICC_PROFILE\0") && payload.count >= 14:
                iccChunks.append((Int(payload[12]), Array(payload.dropFirst(14))))
            case 0xE2 where starts("MPF\0"):
                MPFInspector.inspect(Array(payload.dropFirst(4)), segmentOffset: start + 4, location: "\(location) MPF",
                                     fileSize: bytes.count, context: context)
            case 0xE2 where starts("FPXR\0"):
                // FlashPix extensions: Kodak and Minolta keep a screen-nail preview image here.
                let hasPreview = containsUTF16(payload, "Screen Nail") || containsUTF16(payload, "Preview")
                context.add(.containerChunk, "\(location) FlashPix", tags: ["FPXR"], bytes: length + 2)
                if hasPreview { context.add(.extraImages, "\(location) FlashPix", tags: ["ScreenNail"], bytes: length + 2) }
            case 0xEB where starts("JP") || contains(payload, "jumb") || contains(payload, "c2pa"):
                context.add(.c2pa, "\(location) JUMBF", tags: ["JUMBF"], bytes: length + 2)
            case 0xEC where starts("Ducky"):
                inspectDucky(payload, location: "\(location) Ducky", context: context)
            case 0xED where starts("Photoshop 3.0\0"):
                PhotoshopResources.inspect(Array(payload.dropFirst(14)), location: "\(location) Photoshop", context: context)
            case 0xED where starts("Adobe_Photoshop2.5:"):
                PhotoshopResources.inspect(Array(payload.dropFirst(27)), location: "\(location) Photoshop", context: context)
            case 0xEE where starts("Adobe"):
                // The 12-byte form (version, two flag words, colour transform) is how a JPEG says
                // that it holds CMYK, YCCK or RGB; decoders need it and it names nothing.
                context.add(.containerChunk, "\(location) Adobe", tags: ["Adobe"], bytes: length + 2,
                            intrinsic: payload.count == 12)
            case 0xE6 where starts("GoPro"):
                context.add(.containerChunk, "\(location) GoPro", tags: ["GoPro"], bytes: length + 2)
                // GoPro metadata (GPMF): the camera serial number is the `CASN` key.
                if contains(payload, "CASN") { context.add(.serialNumbers, "\(location) GoPro", tags: ["CameraSerialNumber"], bytes: 0) }
            case 0xE9 where sawInfiRay && payload.count >= 0x260:
                // InfiRay thermal cameras: the sensor serial numbers sit at fixed offsets.
                context.add(.containerChunk, "\(location) InfiRay", tags: ["InfiRay"], bytes: length + 2)
                context.add(.serialNumbers, "\(location) InfiRay", tags: ["IRSensorSerialNumber", "VisibleSensorSerialNumber"], bytes: 64,
                            values: ["IRSensorSerialNumber": Printable.text(payload[0xC0..<0xE0].prefix { $0 != 0 }),
                                     "VisibleSensorSerialNumber": Printable.text(payload[0x240..<0x260].prefix { $0 != 0 })])
            case 0xE2 where contains(Array(payload.prefix(16)), "IJPEG"):
                sawInfiRay = true
                fallthrough
            case 0xE0...0xEF:
                context.add(.containerChunk, location, tags: [identifier(payload)], bytes: length + 2)
            case 0xFE:
                let value = Printable.looksLikeText(payload) ? Printable.text(payload) : Printable.blob(payload.count)
                context.add(.comment, location, tags: ["Comment"], bytes: length + 2, values: ["Comment": value])
            case 0xC0...0xCF, 0xDB, 0xDD, 0xDA, 0xDC, 0xDE, 0xDF:
                noteStructure(name, length + 2)
            default:
                context.add(.containerChunk, location, tags: [name], bytes: length + 2)
            }
            offset = end
            if marker == 0xDA {
                // Entropy-coded data runs to the next marker that is not a stuffed zero or restart.
                let scanStart = offset
                while offset + 1 < bytes.count {
                    if bytes[offset] == 0xFF {
                        let next = bytes[offset + 1]
                        if next == 0x00 || (0xD0...0xD7).contains(next) { offset += 2; continue }
                        if next == 0xFF { offset += 1; continue }
                        break
                    }
                    offset += 1
                }
                if offset + 1 >= bytes.count { offset = bytes.count }
                structureBytes += offset - scanStart
                _ = context.spend((offset - scanStart) / 65536)
            }
        }
        context.add(.imageStructure, "\(prefix) image data", tags: structureTags, bytes: structureBytes, intrinsic: true)
        if !iccChunks.isEmpty {
            let profile = iccChunks.sorted { $0.0 < $1.0 }.flatMap(\.1)
            ICCProfileInspector.inspect(profile, location: "\(prefix) APP2 ICC_PROFILE", context: context)
        }
        if !ended { context.problem("\(prefix): no end-of-image marker") }
        if ended, offset < bytes.count {
            inspectTrailer(Array(bytes[offset...]), fileOffset: offset, prefix: prefix, context: context, depth: depth)
        }
    }

    /// Data after EOI: appended JPEGs (MPF images, previews) are extra images; anything else is
    /// trailing data.
    static func inspectTrailer(_ trailer: [UInt8], fileOffset: Int, prefix: String, context: InspectionContext, depth: Int) {
        if trailer.starts(with: [0xFF, 0xD8, 0xFF]) {
            context.add(.extraImages, "\(prefix) after EOI: appended JPEG at offset \(fileOffset)", tags: ["JPEG"], bytes: trailer.count)
            return
        }
        var kind = MetadataKind.trailingData
        var name = "trailing bytes"
        let text = String(decoding: trailer.suffix(64), as: UTF8.self)
        if trailer.suffix(4) == [0xA1, 0xB2, 0xC3, 0xD4] || trailer.starts(with: [0xA1, 0xB2, 0xC3, 0xD4]) { name = "FotoStation trailer" }
        else if text.contains("SEFT") { name = "Samsung trailer" }
        else if trailer.allSatisfy({ $0 == 0 }) { name = "zero padding" }
        if let jpeg = firstIndex(of: [0xFF, 0xD8, 0xFF, 0xE0], in: trailer) ?? firstIndex(of: [0xFF, 0xD8, 0xFF, 0xE1], in: trailer) {
            context.add(.extraImages, "\(prefix) after EOI: embedded JPEG at offset \(fileOffset + jpeg)", tags: ["JPEG"], bytes: trailer.count - jpeg)
            if jpeg == 0 { return }
        }
        if name == "FotoStation trailer", let iptc = firstIndex(of: [0x1C, 0x02, 0x00, 0x00, 0x02], in: trailer) {
            IPTCInspector.inspect(Array(trailer[iptc...]), location: "\(prefix) FotoStation trailer IPTC", context: context)
        }
        if trailer.starts(with: Array("PHUT".utf8)) || text.contains("PHUT") { name = "PhotoMechanic trailer"; kind = .trailingData }
        context.add(kind, "\(prefix) after EOI", tags: [name], bytes: trailer.count)
    }

    private static func inspectDucky(_ payload: [UInt8], location: String, context: InspectionContext) {
        var group = TagGroup(location: location)
        let reader = ByteReader(payload)
        var offset = 5
        while let tag = reader.uint16(at: offset), tag != 0, let size = reader.uint16(at: offset + 2).map(Int.init), context.spend() {
            let start = offset + 4
            guard size <= payload.count - start else { context.problem("\(location): block runs past the end"); break }
            let data = payload[start..<start + size]
            // Comment and Copyright are UTF-16 after a 4-byte count.
            let text = String(decoding: stride(from: data.startIndex + 4, to: data.endIndex - 1, by: 2).map { UInt16(data[$0]) << 8 | UInt16(data[$0 + 1]) }, as: UTF16.self)
            switch tag {
            case 1: group.add(.containerChunk, "Quality", bytes: size, value: context.includeValues ? String(reader.uint32(at: start) ?? 0) : nil)
            case 2: group.add(.comment, "Comment", bytes: size, value: context.includeValues ? Printable.text(text) : nil)
            case 3: group.add(.authorship, "Copyright", bytes: size, value: context.includeValues ? Printable.text(text) : nil)
            default: group.add(.containerChunk, "Ducky_\(tag)", bytes: size)
            }
            offset = start + size
        }
        if group.isEmpty { group.add(.containerChunk, "Ducky", bytes: payload.count) }
        context.add(group)
    }

    private static func kindOfUnreadable(_ marker: UInt8) -> MetadataKind {
        switch marker {
        case 0xFE: .comment
        case 0xC0...0xCF, 0xDA, 0xDB, 0xDD: .imageStructure
        default: .containerChunk
        }
    }

    static func markerName(_ marker: UInt8) -> String {
        switch marker {
        case 0xE0...0xEF: "APP\(marker - 0xE0)"
        case 0xFE: "COM"
        case 0xDB: "DQT"
        case 0xC4: "DHT"
        case 0xDA: "SOS"
        case 0xDD: "DRI"
        case 0xC0...0xCF: "SOF\(marker - 0xC0)"
        default: "marker 0x" + String(marker, radix: 16, uppercase: true)
        }
    }

    /// The NUL-terminated identifier at the start of an APPn payload ("Ducky", "GoPro"…), or
    /// "unknown" when the payload does not start with one (so no content is ever echoed).
    static func identifier(_ payload: [UInt8]) -> String {
        let head = payload.prefix(24)
        guard let nul = head.firstIndex(of: 0), nul > 0,
              head[..<nul].allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F || $0 == 0x20 || $0 == 0x2E || $0 == 0x2D })
        else { return "unknown" }
        return String(decoding: head[..<nul], as: UTF8.self)
    }

    static func contains(_ data: [UInt8], _ text: String) -> Bool { firstIndex(of: Array(text.utf8), in: data) != nil }

    static func containsUTF16(_ data: [UInt8], _ text: String) -> Bool {
        firstIndex(of: text.utf8.flatMap { [$0, 0] }, in: data) != nil
    }

    static func firstIndex(of needle: [UInt8], in data: [UInt8]) -> Int? {
        guard !needle.isEmpty, data.count >= needle.count else { return nil }
        let limit = min(data.count - needle.count, InspectionContext.maximumScan)
        var index = 0
        while index <= limit {
            if data[index] == needle[0], data[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}

/// The Multi-Picture Format index (APP2 "MPF"): every image after the first is an extra image.
enum MPFInspector {
    static func inspect(_ tiff: [UInt8], segmentOffset: Int, location: String, fileSize: Int, context: InspectionContext) {
        guard let view = TIFFView(tiff), let first = view.firstIFD, let (entries, _) = view.entries(at: first, context: context) else {
            context.add(.containerChunk, location, tags: ["MPF"], bytes: tiff.count)
            context.problem("\(location): unreadable MP index")
            return
        }
        context.add(.containerChunk, location, tags: ["MPFVersion", "NumberOfImages", "MPImageList"], bytes: tiff.count)
        guard let list = entries.first(where: { $0.tag == 0xB002 }), let start = list.dataOffset else { return }
        for index in 0..<min(list.byteCount / 16, 64) where index > 0 {
            let at = start + index * 16
            guard let size = view.reader.uint32(at: at + 4), let offset = view.reader.uint32(at: at + 8), size > 0 else { continue }
            let absolute = Int(offset) + segmentOffset
            if absolute + Int(size) > fileSize { context.problem("\(location): image \(index + 1) lies past the end") }
            context.add(.extraImages, "\(location) image \(index + 1)", tags: ["MPImage\(index + 1)"], bytes: Int(size))
        }
    }
}
