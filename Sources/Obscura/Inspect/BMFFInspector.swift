/// ISO base media files: HEIF/HEIC, AVIF, JPEG 2000 and JPEG XL containers. Boxes are walked to a
/// fixed depth; HEIF items are classified from `iinf`, `iref` and `pitm`, and Exif and XMP item
/// payloads are read through `iloc` (bounded to the file).
struct BMFFInspector {
    let bytes: [UInt8]
    let context: InspectionContext
    let format: String
    private let reader: ByteReader

    // HEIF item state gathered from `meta`.
    private var itemTypes: [Int: String] = [:]
    private var itemContentTypes: [Int: String] = [:]
    private var references: [(type: String, from: Int, to: [Int])] = []
    private var locations: [Int: [(offset: Int, length: Int)]] = [:]
    private var primaryItem: Int?
    private var idat: (start: Int, count: Int)?

    static let xmpUUID: [UInt8] = [0xBE, 0x7A, 0xCF, 0xCB, 0x97, 0xA9, 0x42, 0xE8, 0x9C, 0x71, 0x99, 0x94, 0x91, 0xE3, 0xAF, 0xAC]
    static let exifUUID: [UInt8] = Array("JpgTiffExif->JP2".utf8)
    static let geoTIFFUUID: [UInt8] = [0xB1, 0x4B, 0xF8, 0xBD, 0x08, 0x3D, 0x4B, 0x43, 0xA5, 0xAE, 0x8C, 0xD7, 0xD5, 0xA6, 0xCE, 0x03]
    static let containers: Set<String> = ["moov", "trak", "mdia", "minf", "stbl", "dinf", "iprp", "ipco", "jp2h", "res ", "udta", "edts", "moof", "traf"]
    static let structure: Set<String> = [
        "ftyp", "mdat", "hdlr", "pitm", "iloc", "iinf", "iref", "ipma", "ispe", "pixi", "hvcC", "av1C", "irot",
        "imir", "clap", "pasp", "auxC", "idat", "ihdr", "jp2c", "jP  ", "jxlc", "jxlp", "jxll", "jxli", "JXL ",
        "bpcc", "pclr", "cmap", "cdef", "resc", "resd", "mvhd", "tkhd", "mdhd", "stsd", "stts", "stsc", "stsz",
        "stco", "co64", "stss", "vmhd", "dref", "url ", "clli", "mdcv", "a1lx", "a1op", "lsel", "grpl", "free", "skip",
        "ftbl", "jxlc", "dinf", "lhvC", "iscl", "rloc", "jpgC", "uncC", "cmpd",
    ]

    init(bytes: [UInt8], format: String, context: InspectionContext) {
        self.bytes = bytes
        self.format = format
        self.context = context
        self.reader = ByteReader(bytes)
    }

    mutating func run() {
        walk(from: 0, to: bytes.count, path: format, depth: 0)
        reportItems()
    }

    /// Header of the box at `offset`: type, payload start and end; nil when it does not fit.
    private func box(at offset: Int, end: Int) -> (type: String, start: Int, end: Int)? {
        guard offset + 8 <= end, let size32 = reader.uint32(at: offset) else { return nil }
        let type = String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self)
        var start = offset + 8
        var boxEnd: Int
        switch size32 {
        case 0: boxEnd = end
        case 1:
            guard let high = reader.uint32(at: offset + 8), let low = reader.uint32(at: offset + 12), high < 0x10000 else { return nil }
            start += 8
            boxEnd = offset + (Int(high) << 32 | Int(low))
        default:
            boxEnd = offset + Int(size32)
        }
        guard boxEnd >= start, boxEnd <= end else { return nil }
        return (type, start, boxEnd)
    }

    private mutating func walk(from: Int, to end: Int, path: String, depth: Int) {
        guard depth <= InspectionContext.maximumDepth else {
            context.problem("\(path): boxes nested more than \(InspectionContext.maximumDepth) deep; not followed")
            return
        }
        var offset = from
        while offset < end {
            guard context.spend() else { return }
            guard let (type, start, boxEnd) = box(at: offset, end: end) else {
                if end - offset >= 8 || depth > 0 { context.problem("\(path): box at offset \(offset) runs past its container") }
                if depth == 0 { context.add(.trailingData, "\(format) after the last box", bytes: end - offset) }
                return
            }
            let name = printableType(type)
            let location = "\(format) \(name)"
            let size = boxEnd - offset
            switch type {
            case "meta":
                // A full box (version and flags) in ISO files; QuickTime's older form has none.
                let childStart = start + 4 <= boxEnd && reader.uint32(at: start) == 0 ? start + 4 : start
                walk(from: childStart, to: boxEnd, path: location, depth: depth + 1)
            case _ where Self.containers.contains(type):
                walk(from: start, to: boxEnd, path: location, depth: depth + 1)
                if type == "jp2h" || type == "res " { context.add(.imageStructure, location, tags: [name], bytes: size, intrinsic: true) }
            case "iinf": readItemInfo(start, boxEnd)
            case "iref": readReferences(start, boxEnd)
            case "iloc": readLocations(start, boxEnd)
            case "pitm":
                primaryItem = reader.uint8(at: start) == 0 ? reader.uint16(at: start + 4).map(Int.init) : reader.uint32(at: start + 4).map(Int.init)
                context.add(.imageStructure, location, tags: [name], bytes: size, intrinsic: true)
            case "idat":
                idat = (start, boxEnd - start)
                context.add(.imageStructure, location, tags: [name], bytes: size, intrinsic: true)
            case "colr":
                let kind = String(decoding: bytes[start..<min(boxEnd, start + 4)], as: UTF8.self)
                if kind == "prof" || kind == "rICC" {
                    ICCProfileInspector.inspect(Array(bytes[start + 4..<boxEnd]), location: "\(location) ICC", context: context)
                } else if format == "JPEG 2000", reader.uint8(at: start) == 2 {
                    ICCProfileInspector.inspect(Array(bytes[min(boxEnd, start + 3)..<boxEnd]), location: "\(location) ICC", context: context)
                } else {
                    context.add(.imageStructure, location, tags: [name], bytes: size, intrinsic: true)
                }
            case "uuid":
                let id = Array(bytes[start..<min(boxEnd, start + 16)])
                let payload = Array(bytes[min(boxEnd, start + 16)..<boxEnd])
                if id == Self.xmpUUID {
                    XMPInspector.inspect(payload, location: "\(format) uuid XMP", context: context)
                } else if id == Self.exifUUID {
                    TIFFInspector.inspect(payload.starts(with: Array("Exif\0\0".utf8)) ? Array(payload.dropFirst(6)) : payload,
                                          prefix: "\(format) uuid Exif", context: context)
                } else if id == Self.geoTIFFUUID {
                    TIFFInspector.inspect(payload, prefix: "\(format) uuid GeoTIFF", context: context)
                } else {
                    context.add(.containerChunk, location, tags: ["uuid"], bytes: size)
                }
            case "Exif":
                // JPEG XL: a 4-byte offset to the TIFF header.
                let skip = Int(reader.uint32(at: start) ?? 0)
                let tiffStart = start + 4 + min(skip, boxEnd - start - 4)
                TIFFInspector.inspect(Array(bytes[min(tiffStart, boxEnd)..<boxEnd]), prefix: "\(format) Exif", context: context)
            case "xml ":
                let payload = Array(bytes[start..<boxEnd])
                let isXMP = contains(payload, "x:xmpmeta") || contains(payload, "adobe:ns:meta")
                XMPInspector.inspect(payload, location: location, baseKind: isXMP ? .xmp : .text, context: context)
            case "jumb", "jumd", "c2pa":
                context.add(.c2pa, location, tags: [name], bytes: size)
            case "sefd":
                // Samsung's extended data (exiftool reads it as Samsung maker notes).
                context.add(.makerNotes, "\(location) (Samsung)", tags: [name], bytes: size)
            case "thmb":
                context.add(.thumbnail, location, tags: [name], bytes: size)
            case "brob":
                let inner = String(decoding: bytes[start..<min(boxEnd, start + 4)], as: UTF8.self)
                let kind: MetadataKind = switch inner {
                case "Exif": .exif
                case "xml ": .xmp
                case "jumb": .c2pa
                default: .containerChunk
                }
                context.add(kind, "\(location) (compressed \(printableType(inner)))", tags: [printableType(inner)], bytes: size)
            case "mdat", "jp2c", "jxlc", "jxlp":
                context.add(.imageStructure, location, tags: [name], bytes: size, intrinsic: true)
            case _ where Self.structure.contains(type):
                context.add(.imageStructure, location, tags: [name], bytes: size, intrinsic: true)
            default:
                context.add(.containerChunk, location, tags: [name], bytes: size)
            }
            offset = boxEnd
            if size == 0 { break }
        }
    }

    private mutating func readItemInfo(_ start: Int, _ end: Int) {
        guard let version = reader.uint8(at: start) else { return }
        var offset = start + (version == 0 ? 6 : 8)
        context.add(.imageStructure, "\(format) iinf", tags: ["iinf"], bytes: end - start, intrinsic: true)
        while offset < end, context.spend() {
            guard let (type, boxStart, boxEnd) = box(at: offset, end: end) else {
                context.problem("\(format) iinf: entry runs past the box")
                return
            }
            if type == "infe", let entryVersion = reader.uint8(at: boxStart), entryVersion >= 2 {
                let idSize = entryVersion == 2 ? 2 : 4
                let idAt = boxStart + 4
                let id = idSize == 2 ? reader.uint16(at: idAt).map(Int.init) : reader.uint32(at: idAt).map(Int.init)
                let typeAt = idAt + idSize + 2
                if let id, typeAt + 4 <= boxEnd {
                    let itemType = String(decoding: bytes[typeAt..<typeAt + 4], as: UTF8.self)
                    itemTypes[id] = itemType
                    if itemType == "mime" {
                        var at = typeAt + 4
                        while at < boxEnd, bytes[at] != 0 { at += 1 }  // item name
                        let contentStart = at + 1
                        var contentEnd = contentStart
                        while contentEnd < boxEnd, bytes[contentEnd] != 0 { contentEnd += 1 }
                        if contentStart < contentEnd {
                            itemContentTypes[id] = String(decoding: bytes[contentStart..<contentEnd].prefix(128), as: UTF8.self)
                        }
                    }
                }
            }
            offset = boxEnd
        }
    }

    private mutating func readReferences(_ start: Int, _ end: Int) {
        guard let version = reader.uint8(at: start) else { return }
        let idSize = version == 0 ? 2 : 4
        func id(at offset: Int) -> Int? { idSize == 2 ? reader.uint16(at: offset).map(Int.init) : reader.uint32(at: offset).map(Int.init) }
        var offset = start + 4
        context.add(.imageStructure, "\(format) iref", tags: ["iref"], bytes: end - start, intrinsic: true)
        while offset < end, context.spend() {
            guard let (type, boxStart, boxEnd) = box(at: offset, end: end), let from = id(at: boxStart),
                  let count = reader.uint16(at: boxStart + idSize) else {
                context.problem("\(format) iref: reference runs past the box")
                return
            }
            var targets: [Int] = []
            for index in 0..<Int(count) {
                let at = boxStart + idSize + 2 + index * idSize
                guard at + idSize <= boxEnd, let target = id(at: at) else { break }
                targets.append(target)
            }
            if references.count < 10_000 { references.append((type, from, targets)) }
            offset = boxEnd
        }
    }

    private mutating func readLocations(_ start: Int, _ end: Int) {
        guard let version = reader.uint8(at: start), let sizes = reader.uint16(at: start + 4) else { return }
        context.add(.imageStructure, "\(format) iloc", tags: ["iloc"], bytes: end - start, intrinsic: true)
        let offsetSize = Int(sizes >> 12), lengthSize = Int(sizes >> 8 & 0xF), baseSize = Int(sizes >> 4 & 0xF)
        let indexSize = version == 1 || version == 2 ? Int(sizes & 0xF) : 0
        var at = start + 6
        func read(_ size: Int) -> Int? {
            defer { at += size }
            guard at + size <= end else { return nil }
            switch size {
            case 0: return 0
            case 2: return reader.uint16(at: at).map(Int.init)
            case 4: return reader.uint32(at: at).map(Int.init)
            case 8:
                guard let high = reader.uint32(at: at), let low = reader.uint32(at: at + 4), high < 0x10000 else { return nil }
                return Int(high) << 32 | Int(low)
            default: return nil
            }
        }
        guard let count = read(version < 2 ? 2 : 4) else { return }
        for _ in 0..<count {
            guard context.spend(), let id = read(version < 2 ? 2 : 4) else { return }
            var method = 0
            if version == 1 || version == 2 { guard let value = read(2) else { return }; method = value & 0xF }
            guard read(2) != nil, let base = read(baseSize), let extents = read(2) else { return }
            var list: [(Int, Int)] = []
            for _ in 0..<extents {
                guard context.spend() else { return }
                if indexSize > 0 { guard read(indexSize) != nil else { return } }
                guard let offset = read(offsetSize), let length = read(lengthSize) else { return }
                if method == 1, let idat {
                    list.append((idat.start + base + offset, length))
                } else if method == 0 {
                    list.append((base + offset, length))
                }
            }
            locations[id] = list
        }
    }

    /// The bytes of an item, bounded by the file; nil when any extent lies outside it.
    private func payload(of item: Int) -> [UInt8]? {
        guard let extents = locations[item] else { return nil }
        var result: [UInt8] = []
        for (offset, length) in extents {
            guard context.spend(length / 64) else { return nil }
            let (end, overflow) = offset.addingReportingOverflow(length)
            guard !overflow, offset >= 0, end <= bytes.count, result.count + length <= InspectionContext.maximumScan * 4 else {
                context.problem("\(format): item \(item) lies outside the file")
                return nil
            }
            // A length of 0 means "to the end of the file".
            result += length == 0 ? bytes[offset...] : bytes[offset..<end]
        }
        return result
    }

    private func reportItems() {
        let imageTypes: Set<String> = ["hvc1", "av01", "grid", "iden", "iovl", "jpeg", "unci", "j2k1", "vvc1", "avc1", "tmap"]
        var thumbnails: Set<Int> = [], auxiliary: Set<Int> = [], derivedInputs: Set<Int> = []
        for reference in references {
            switch reference.type {
            case "thmb": thumbnails.insert(reference.from)
            case "auxl": auxiliary.insert(reference.from)
            case "dimg", "base": derivedInputs.formUnion(reference.to)
            default: break
            }
        }
        for (item, type) in itemTypes.sorted(by: { $0.key < $1.key }) {
            let location = "\(format) item \(item) \(printableType(type))"
            let size = locations[item]?.reduce(0) { $0 + $1.length } ?? 0
            if type == "Exif" {
                guard let data = payload(of: item) else { context.add(.exif, location, tags: ["Exif"], bytes: size); continue }
                // A 4-byte offset to the TIFF header comes first.
                let skip = data.count >= 4 ? Int(ByteReader(data).uint32(at: 0) ?? 0) : 0
                let start = min(data.count, 4 + min(skip, 1 << 20))
                TIFFInspector.inspect(Array(data[start...]), prefix: "\(format) item Exif", context: context)
            } else if type == "mime" {
                let content = itemContentTypes[item] ?? ""
                if content.contains("rdf+xml") || content.contains("xmp"), let data = payload(of: item) {
                    XMPInspector.inspect(data, location: "\(format) item XMP", context: context)
                } else {
                    context.add(.containerChunk, location, tags: ["mime"], bytes: size)
                }
            } else if type == "jumb" || type == "c2pa" {
                context.add(.c2pa, location, tags: [type], bytes: size)
            } else if imageTypes.contains(type) {
                if item == primaryItem || derivedInputs.contains(item) {
                    context.add(.imageStructure, location, tags: [printableType(type)], bytes: size, intrinsic: true)
                } else if thumbnails.contains(item) {
                    context.add(.thumbnail, location, tags: [printableType(type), "thmb"], bytes: size)
                } else if auxiliary.contains(item) {
                    context.add(.extraImages, location, tags: [printableType(type), "auxl"], bytes: size)
                } else {
                    context.add(.extraImages, location, tags: [printableType(type)], bytes: size)
                }
            } else {
                context.add(.containerChunk, location, tags: [printableType(type)], bytes: size)
            }
        }
    }

    private func contains(_ data: [UInt8], _ text: String) -> Bool {
        let needle = Array(text.utf8)
        let haystack = data.prefix(65536)
        guard haystack.count >= needle.count else { return false }
        return haystack.indices.dropLast(needle.count - 1).contains { haystack[$0..<$0 + needle.count].elementsEqual(needle) }
    }
}

/// A four-character code made printable (odd bytes become `?`).
func printableType(_ type: String) -> String {
    String(type.unicodeScalars.map { $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "?" })
}
