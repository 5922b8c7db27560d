/// One IFD entry, with its value's place resolved and checked against the block's bounds.
struct TIFFEntry {
    var tag: UInt16
    var type: UInt16
    var count: Int
    /// Absolute offset of the value in the block, or nil when it lies outside it.
    var dataOffset: Int?
    var byteCount: Int
    /// The raw offset field (for pointer tags and relative maker-note offsets).
    var rawOffset: Int
}

/// A TIFF-structured block (a TIFF file, an EXIF payload or a maker note) read with bounds
/// checks only.
struct TIFFView {
    let bytes: [UInt8]
    let reader: ByteReader
    let bigTIFF: Bool
    /// The first IFD's offset from the header, when this view was made from a header.
    var firstIFD: Int?

    /// Reads a TIFF or BigTIFF header; nil when the bytes do not start with one.
    init?(_ bytes: [UInt8]) {
        guard bytes.count >= 8 else { return nil }
        let little: Bool
        switch (bytes[0], bytes[1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return nil
        }
        let reader = ByteReader(bytes, littleEndian: little)
        guard let magic = reader.uint16(at: 2) else { return nil }
        switch magic {
        case 42:
            self.init(bytes: bytes, littleEndian: little)
            firstIFD = reader.uint32(at: 4).map(Int.init)
        case 43:
            self.init(bytes: bytes, littleEndian: little, bigTIFF: true)
            guard reader.uint16(at: 4) == 8, let first = offsetValue(at: 8) else { return nil }
            firstIFD = first
        default:
            return nil
        }
    }

    init(bytes: [UInt8], littleEndian: Bool, bigTIFF: Bool = false) {
        self.bytes = bytes
        self.reader = ByteReader(bytes, littleEndian: littleEndian)
        self.bigTIFF = bigTIFF
    }

    var littleEndian: Bool { reader.littleEndian }

    /// An unsigned offset-sized value (4 bytes, or 8 in BigTIFF); nil past the end or when it
    /// does not fit an Int.
    func offsetValue(at offset: Int) -> Int? {
        guard bigTIFF else { return reader.uint32(at: offset).map(Int.init) }
        guard let a = reader.uint32(at: offset), let b = reader.uint32(at: offset + 4) else { return nil }
        let (low, high) = littleEndian ? (a, b) : (b, a)
        guard high < 0x10000 else { return nil }
        return Int(high) << 32 | Int(low)
    }

    /// The entries of the IFD at `offset` and the next IFD's offset (0 for none). Offsets in
    /// entries are relative to `base`. Nil when the IFD itself lies outside the block.
    func entries(at offset: Int, base: Int = 0, context: InspectionContext) -> (entries: [TIFFEntry], next: Int)? {
        let countSize = bigTIFF ? 8 : 2, entrySize = bigTIFF ? 20 : 12, inline = bigTIFF ? 8 : 4
        let rawCount: Int? = bigTIFF ? offsetValue(at: offset) : reader.uint16(at: offset).map(Int.init)
        guard offset >= 0, let rawCount else { return nil }
        var count = rawCount
        if count > 4096 {
            context.problem("IFD at offset \(offset) claims \(count) entries; read the first 4096")
            count = 4096
        }
        var result: [TIFFEntry] = []
        for index in 0..<count {
            let at = offset + countSize + index * entrySize
            guard context.spend(), let tag = reader.uint16(at: at), let type = reader.uint16(at: at + 2),
                  let valueCount = bigTIFF ? offsetValue(at: at + 4) : reader.uint32(at: at + 4).map(Int.init) else {
                context.problem("IFD at offset \(offset) is cut short")
                return (result, 0)
            }
            let valueField = at + (bigTIFF ? 12 : 8)
            let size = TIFFTags.typeSize(type) ?? 1
            let (total, overflow) = valueCount.multipliedReportingOverflow(by: size)
            var entry = TIFFEntry(tag: tag, type: type, count: valueCount, dataOffset: nil, byteCount: overflow ? Int.max : total,
                                  rawOffset: offsetValue(at: valueField) ?? 0)
            if overflow || total > bytes.count {
                context.problem("tag \(TIFFTags.hex(tag)) in IFD at offset \(offset) claims more data than the file holds")
            } else if total <= inline {
                entry.dataOffset = valueField
            } else if let pointer = offsetValue(at: valueField) {
                let (start, o1) = pointer.addingReportingOverflow(base)
                let (end, o2) = start.addingReportingOverflow(total)
                if !o1 && !o2 && start >= 0 && end <= bytes.count {
                    entry.dataOffset = start
                } else {
                    context.problem("tag \(TIFFTags.hex(tag)) in IFD at offset \(offset) points past the end")
                }
            }
            result.append(entry)
        }
        let nextAt = offset + countSize + count * entrySize
        let next = offsetValue(at: nextAt) ?? 0
        return (result, next)
    }

    func data(_ entry: TIFFEntry) -> ArraySlice<UInt8>? {
        guard let start = entry.dataOffset, entry.byteCount <= bytes.count - start else { return nil }
        return bytes[start..<start + entry.byteCount]
    }

    /// The i-th value of an integer-typed entry.
    func integer(_ entry: TIFFEntry, index: Int = 0) -> Int? {
        guard let start = entry.dataOffset, index < entry.count else { return nil }
        switch entry.type {
        case 1, 7: return reader.uint8(at: start + index).map(Int.init)
        case 3: return reader.uint16(at: start + index * 2).map(Int.init)
        case 4, 13: return reader.uint32(at: start + index * 4).map(Int.init)
        case 16, 18: return offsetValue(at: start + index * 8)
        default: return nil
        }
    }

    func rational(_ entry: TIFFEntry, index: Int) -> Double? {
        guard let start = entry.dataOffset, entry.type == 5 || entry.type == 10, index < entry.count,
              let n = reader.uint32(at: start + index * 8), let d = reader.uint32(at: start + index * 8 + 4), d != 0 else { return nil }
        if entry.type == 10 { return Double(Int32(bitPattern: n)) / Double(Int32(bitPattern: d)) }
        return Double(n) / Double(d)
    }

    /// A printable rendering of an entry's value (only used when values were asked for).
    func printable(_ entry: TIFFEntry) -> String {
        guard let data = data(entry) else { return Printable.blob(entry.byteCount == Int.max ? 0 : entry.byteCount) }
        switch entry.type {
        case 2:
            return Printable.text(data)
        case 3, 4, 8, 9, 13, 16, 18:
            let shown = (0..<min(entry.count, 8)).compactMap { integer(entry, index: $0) }.map(String.init)
            return entry.count > 8 ? shown.joined(separator: " ") + " … (\(entry.count) values)" : shown.joined(separator: " ")
        case 5, 10:
            let shown = (0..<min(entry.count, 8)).compactMap { rational(entry, index: $0) }.map { String($0) }
            return shown.joined(separator: " ")
        default:
            return Printable.looksLikeText(data) && data.count <= 4096 ? Printable.text(data) : Printable.blob(data.count)
        }
    }
}

/// Walks the IFDs of a TIFF-structured block and reports every tag by kind.
struct TIFFInspector {
    enum Role { case primary, embeddedIFD0, exif, gps, interop, thumbnail, extraImage }

    /// Tags whose value is a whole block that is opened and read.
    static let embeddedBlocks: Set<UInt16> = [0x927C, 0x02BC, 0x83BB, 0x8649, 0x8773, 0xC634]

    let view: TIFFView
    let context: InspectionContext
    /// Names the place, e.g. "JPEG APP1 Exif" or "TIFF".
    let prefix: String
    /// A TIFF-family file: the first IFD's structure is intrinsic and other IFDs are pages.
    let isFile: Bool
    private var visited: Set<Int> = []
    private var make = ""

    init(view: TIFFView, context: InspectionContext, prefix: String, isFile: Bool) {
        self.view = view
        self.context = context
        self.prefix = prefix
        self.isFile = isFile
    }

    /// Inspects an EXIF/TIFF payload; reports a problem when it is not one.
    static func inspect(_ bytes: [UInt8], prefix: String, isFile: Bool = false, context: InspectionContext) {
        guard let view = TIFFView(bytes) else {
            context.add(.exif, prefix, tags: ["unreadable EXIF block"], bytes: bytes.count)
            context.problem("\(prefix): no TIFF header")
            return
        }
        context.nested(prefix) {
            var inspector = TIFFInspector(view: view, context: context, prefix: prefix, isFile: isFile)
            inspector.run()
        }
    }

    mutating func run() {
        var offset = view.firstIFD ?? 0
        var index = 0
        while offset != 0 {
            guard index < 256 else { context.problem("\(prefix): more than 256 IFDs; stopped"); break }
            guard visited.insert(offset).inserted else { context.problem("\(prefix): IFD loop at offset \(offset)"); break }
            let role: Role
            if index == 0 { role = isFile ? .primary : .embeddedIFD0 } else { role = .thumbnail }  // refined below
            guard let next = walk(offset, name: "IFD\(index)", role: role, chainIndex: index, depth: 0) else {
                context.problem("\(prefix): IFD\(index) at offset \(offset) lies outside the data")
                break
            }
            offset = next
            index += 1
        }
    }

    /// Reports one IFD and follows its pointers; returns the next IFD's offset.
    @discardableResult
    private mutating func walk(_ offset: Int, name: String, role initialRole: Role, chainIndex: Int?, depth: Int) -> Int? {
        guard depth <= InspectionContext.maximumDepth else { context.problem("\(prefix): IFDs nested too deeply"); return 0 }
        guard let (entries, next) = view.entries(at: offset, context: context) else { return nil }
        let tags = Set(entries.map(\.tag))
        let hasImageData = tags.contains(0x0111) || tags.contains(0x0144)
        var role = initialRole
        if let chainIndex, chainIndex > 0 {
            if isFile {
                role = hasImageData || chainIndex > 1 || !tags.contains(0x0201) ? .extraImage : .thumbnail
            } else {
                role = chainIndex == 1 ? .thumbnail : .extraImage
            }
        }
        if role == .primary || role == .embeddedIFD0, let makeEntry = entries.first(where: { $0.tag == 0x010F }),
           let data = view.data(makeEntry) {
            make = String(decoding: data.prefix(64), as: UTF8.self)
        }
        var group = TagGroup(location: "\(prefix) \(name)", structureIsIntrinsic: role == .primary)
        var subIFDs: [(Int, String, Role)] = []
        for entry in entries {
            let tag = entry.tag
            let bytes = entry.byteCount == Int.max ? 0 : entry.byteCount
            func value() -> String? { context.includeValues ? view.printable(entry) : nil }
            // Embedded blocks cost work in proportion to their size: many tags pointing at the
            // same large block cannot multiply the work without limit.
            if Self.embeddedBlocks.contains(tag), entry.dataOffset != nil, !context.spend(bytes / 64) {
                group.add(.containerChunk, TIFFTags.name(tag), bytes: bytes)
                continue
            }
            if role == .gps {
                group.add(.gps, TIFFTags.gpsNames[tag] ?? TIFFTags.hex(tag), bytes: bytes, value: value())
                continue
            }
            switch tag {
            case 0x8769, 0x8825, 0xA005:
                if let pointer = view.integer(entry) {
                    let (sub, subRole): (String, Role) = tag == 0x8769 ? ("ExifIFD", .exif) : tag == 0x8825 ? ("GPS", .gps) : ("InteropIFD", .interop)
                    subIFDs.append((pointer, sub, subRole))
                }
            case 0x014A:
                for index in 0..<min(entry.count, 64) {
                    if let pointer = view.integer(entry, index: index) { subIFDs.append((pointer, "SubIFD\(index)", .extraImage)) }
                }
            case 0x927C:
                if let data = view.data(entry) {
                    MakerNoteInspector.inspect(data: data, in: view, make: make, location: "\(prefix) MakerNote", context: context)
                } else {
                    context.add(.makerNotes, "\(prefix) MakerNote", tags: ["MakerNote"], bytes: bytes)
                }
            case 0x02BC:
                if let data = view.data(entry) { XMPInspector.inspect(Array(data), location: "\(prefix) \(name) XMP", context: context) }
            case 0x83BB:
                if let data = view.data(entry) { IPTCInspector.inspect(Array(data), location: "\(prefix) \(name) IPTC", context: context) }
            case 0x8649:
                if let data = view.data(entry) { PhotoshopResources.inspect(Array(data), location: "\(prefix) \(name) Photoshop", context: context) }
            case 0x8773:
                if let data = view.data(entry) { ICCProfileInspector.inspect(Array(data), location: "\(prefix) \(name) ICC", context: context) }
            case 0xC634:
                // DNGPrivateData: Adobe keeps the camera's original maker note here ("Adobe\0MakN").
                if let data = view.data(entry), data.starts(with: Array("Adobe\0MakN".utf8)), data.count > 20 {
                    let note = data.dropFirst(20)
                    let little = data[data.startIndex + 14] == 0x49
                    let original = ByteReader(Array(data), littleEndian: false).uint32(at: 16).map(Int.init) ?? 0
                    MakerNoteInspector.inspect(data: note, in: view, make: make, location: "\(prefix) DNGPrivateData MakerNote",
                                               context: context, base: note.startIndex - original, littleEndian: little)
                } else {
                    group.add(.exif, "DNGPrivateData", bytes: bytes, value: context.includeValues ? Printable.blob(bytes) : nil)
                }
            case 0xC4A5:
                group.add(.containerChunk, "PrintIM", bytes: bytes, value: context.includeValues ? Printable.blob(bytes) : nil)
            case 0x0201, 0x0202:
                let kind: MetadataKind = role == .thumbnail ? .thumbnail : role == .primary ? .imageStructure : .extraImages
                let tagName = kind == .thumbnail ? TIFFTags.name(tag) : (tag == 0x0201 ? "PreviewImageStart" : "PreviewImageLength")
                group.add(kind, tagName, bytes: tag == 0x0201 ? thumbnailBytes(entries) : 0, value: value())
            default:
                if let tagName = TIFFTags.timestamps[tag] {
                    group.add(.timestamps, tagName, bytes: bytes, value: value())
                } else if let tagName = TIFFTags.serialNumbers[tag] {
                    group.add(.serialNumbers, tagName, bytes: bytes, value: value())
                } else if let tagName = TIFFTags.authorship[tag] {
                    group.add(.authorship, tagName, bytes: bytes, value: value())
                } else if let tagName = TIFFTags.structure[tag] {
                    let kind: MetadataKind = switch role {
                    case .primary: .imageStructure
                    case .thumbnail: .thumbnail
                    case .extraImage: .extraImages
                    default: .exif
                    }
                    let large = tag == 0x0111 || tag == 0x0144 || tag == 0x0117 || tag == 0x0145
                    group.add(kind, tagName, bytes: bytes, value: large && entry.count > 1 ? "<\(entry.count) values>" : value())
                } else {
                    group.add(.exif, TIFFTags.name(tag), bytes: bytes, value: value())
                }
            }
        }
        if role == .gps { addDecimalDegrees(entries, to: &group) }
        if hasImageData, let counts = entries.first(where: { $0.tag == 0x0117 || $0.tag == 0x0145 }) {
            // The pixel data's own size, from StripByteCounts or TileByteCounts.
            var total = 0
            for index in 0..<min(counts.count, 65536) {
                guard index % 256 != 0 || context.spend(), let count = view.integer(counts, index: index) else { break }
                total += count
            }
            let kind: MetadataKind = switch role {
            case .primary: .imageStructure
            case .thumbnail: .thumbnail
            case .extraImage: .extraImages
            default: .exif
            }
            group.add(kind, TIFFTags.name(counts.tag), bytes: min(total, view.bytes.count))
        }
        // DNG (0xC612): a reduced-resolution first image with the raw data in SubIFDs is a thumbnail.
        if role == .primary, tags.contains(0xC612), tags.contains(0x014A), hasImageData,
           let subfile = entries.first(where: { $0.tag == 0x00FE }).flatMap({ view.integer($0) }), subfile & 1 == 1 {
            group.add(.thumbnail, "ThumbnailTIFF", bytes: 0)
        }
        context.add(group)
        for (pointer, sub, subRole) in subIFDs {
            guard visited.insert(pointer).inserted else {
                context.problem("\(prefix): IFD loop at offset \(pointer)")
                continue
            }
            if walk(pointer, name: sub, role: subRole, chainIndex: nil, depth: depth + 1) == nil {
                context.problem("\(prefix): \(sub) at offset \(pointer) lies outside the data")
            }
        }
        return next
    }

    /// The thumbnail's byte count from 0x0202, when present.
    private func thumbnailBytes(_ entries: [TIFFEntry]) -> Int {
        entries.first { $0.tag == 0x0202 }.flatMap { view.integer($0) } ?? 0
    }

    /// Replaces GPSLatitude/GPSLongitude values with signed decimal degrees.
    private func addDecimalDegrees(_ entries: [TIFFEntry], to group: inout TagGroup) {
        guard context.includeValues else { return }
        func degrees(_ tag: UInt16, ref: UInt16, negative: UInt8) -> String? {
            guard let entry = entries.first(where: { $0.tag == tag }), entry.count >= 3,
                  let d = view.rational(entry, index: 0), let m = view.rational(entry, index: 1),
                  let s = view.rational(entry, index: 2) else { return nil }
            var value = d + m / 60 + s / 3600
            if let refEntry = entries.first(where: { $0.tag == ref }), let data = view.data(refEntry), data.first == negative { value = -value }
            return String(format6(value))
        }
        if let latitude = degrees(0x0002, ref: 0x0001, negative: UInt8(ascii: "S")) { group.add(.gps, "GPSLatitude", value: latitude) }
        if let longitude = degrees(0x0004, ref: 0x0003, negative: UInt8(ascii: "W")) { group.add(.gps, "GPSLongitude", value: longitude) }
    }
}

/// A number with six decimals, without Foundation.
func format6(_ value: Double) -> String {
    guard value.isFinite else { return "nan" }
    let scaled = (abs(value) * 1_000_000).rounded()
    guard scaled < 1e15 else { return String(value) }
    let whole = Int(scaled) / 1_000_000, fraction = Int(scaled) % 1_000_000
    let digits = String(fraction)
    return (value < 0 ? "-" : "") + "\(whole)." + String(repeating: "0", count: 6 - digits.count) + digits
}
