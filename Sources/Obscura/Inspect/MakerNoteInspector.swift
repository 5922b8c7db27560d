/// Maker notes: camera-specific blocks inside EXIF. Their content is reported as one finding;
/// for the layouts below (IFD-based notes of Canon, Nikon, Olympus, Pentax, Panasonic, Fujifilm,
/// Sony, Apple, Ricoh) the serial-number tags inside are named too.
enum MakerNoteInspector {
    private struct Layout {
        var maker: String
        var view: TIFFView
        var ifdOffset: Int
        /// Added to value offsets (non-zero when a note was moved, as in DNGPrivateData).
        var base = 0
        var serials: [UInt16: String] = [:]
        /// Tags pointing at sub-IFDs, with the serial tags inside each.
        var subdirectories: [UInt16: [UInt16: String]] = [:]
    }

    static func inspect(data: ArraySlice<UInt8>, in parent: TIFFView, make: String, location: String, context: InspectionContext,
                        base: Int = 0, littleEndian: Bool? = nil) {
        let view = littleEndian.map { TIFFView(bytes: parent.bytes, littleEndian: $0) } ?? parent
        var layout = identify(data: data, parent: view, make: make)
        if layout?.view.bytes.count == parent.bytes.count { layout?.base = base }
        let place = layout.map { "\(location) (\($0.maker))" } ?? location
        var tags = ["MakerNote"]
        var serials = TagGroup(location: place)
        if let layout {
            var visited: Set<Int> = []
            walk(layout, offset: layout.ifdOffset, serialTags: layout.serials, depth: 0, visited: &visited,
                 tags: &tags, serials: &serials, context: context)
        }
        context.add(.makerNotes, place, tags: tags, bytes: data.count,
                    values: ["MakerNote": Printable.blob(data.count)])
        context.add(serials)
    }

    private static func walk(_ layout: Layout, offset: Int, serialTags: [UInt16: String], depth: Int, visited: inout Set<Int>,
                             tags: inout [String], serials: inout TagGroup, context: InspectionContext) {
        guard depth <= 2, visited.insert(offset).inserted,
              let (entries, _) = layout.view.entries(at: offset, base: layout.base, context: context) else { return }
        for entry in entries {
            let name = "\(layout.maker)_\(TIFFTags.hex(entry.tag).dropFirst(3))"
            if tags.count < 400 { tags.append(name) }
            if let serial = serialTags[entry.tag] {
                let value = context.includeValues ? layout.view.printable(entry) : nil
                serials.add(.serialNumbers, serial, bytes: entry.byteCount == Int.max ? 0 : entry.byteCount, value: value)
            }
            if depth == 0, let inner = layout.subdirectories[entry.tag] {
                // A sub-IFD is either pointed at or stored in place (type UNDEFINED).
                let target = entry.type == 7 || entry.type == 2 ? entry.dataOffset : layout.view.integer(entry)
                if let target {
                    walk(layout, offset: target, serialTags: inner, depth: depth + 1, visited: &visited,
                         tags: &tags, serials: &serials, context: context)
                }
            }
        }
    }

    private static func identify(data: ArraySlice<UInt8>, parent: TIFFView, make: String) -> Layout? {
        let start = data.startIndex
        func has(_ text: String) -> Bool { data.starts(with: Array(text.utf8)) }
        func byteOrder(at offset: Int) -> Bool? {
            guard data.count > offset + 1 else { return nil }
            switch (data[start + offset], data[start + offset + 1]) {
            case (0x49, 0x49): return true
            case (0x4D, 0x4D): return false
            default: return nil
            }
        }
        /// A view of the note alone, for layouts whose offsets count from the note's start.
        func own(littleEndian: Bool) -> TIFFView { TIFFView(bytes: Array(data), littleEndian: littleEndian) }
        let upperMake = make.uppercased()
        let olympusEquipment: [UInt16: [UInt16: String]] = [0x2010: [
            0x0101: "SerialNumber", 0x0102: "InternalSerialNumber", 0x0203: "LensSerialNumber",
            0x0303: "ExtenderSerialNumber", 0x1003: "FlashSerialNumber",
        ]]
        if has("Nikon\0") {
            if data.count > 10, data[start + 6] == 2, let view = TIFFView(Array(data.dropFirst(10))), let first = view.firstIFD {
                return Layout(maker: "Nikon", view: view, ifdOffset: first, serials: [0x001D: "SerialNumber", 0x00A0: "SerialNumber"])
            }
            return Layout(maker: "Nikon", view: parent, ifdOffset: start + 8)
        }
        if has("OLYMPUS\0") || has("OM SYSTEM\0") {
            let orderAt = has("OLYMPUS\0") ? 8 : 12
            guard let little = byteOrder(at: orderAt) else { return nil }
            return Layout(maker: "Olympus", view: own(littleEndian: little), ifdOffset: orderAt + 4,
                          serials: [0x0404: "SerialNumber"], subdirectories: olympusEquipment)
        }
        if has("OLYMP\0") || has("EPSON\0") || has("MINOL\0") || has("CAMER\0") {
            return Layout(maker: "Olympus", view: parent, ifdOffset: start + 8, serials: [0x0404: "SerialNumber"],
                          subdirectories: olympusEquipment)
        }
        if has("AOC\0") {
            let little = byteOrder(at: 4) ?? parent.littleEndian
            return Layout(maker: "Pentax", view: TIFFView(bytes: parent.bytes, littleEndian: little), ifdOffset: start + 6,
                          serials: [0x0229: "SerialNumber", 0x0215: "InternalSerialNumber"])
        }
        if has("PENTAX \0"), let little = byteOrder(at: 8) {
            return Layout(maker: "Pentax", view: own(littleEndian: little), ifdOffset: 10,
                          serials: [0x0229: "SerialNumber", 0x0215: "InternalSerialNumber"])
        }
        if has("Panasonic\0") {
            return Layout(maker: "Panasonic", view: parent, ifdOffset: start + 12, serials: [0x0025: "InternalSerialNumber"])
        }
        if has("FUJIFILM") || has("GENERALE") {
            let view = own(littleEndian: true)
            guard let offset = view.reader.uint32(at: 8) else { return nil }
            return Layout(maker: "FujiFilm", view: view, ifdOffset: Int(offset), serials: [0x0010: "InternalSerialNumber"])
        }
        if has("Apple iOS\0"), let little = byteOrder(at: 12) {
            return Layout(maker: "Apple", view: own(littleEndian: little), ifdOffset: 14)
        }
        if has("SONY DSC \0") || has("SONY CAM \0") {
            return Layout(maker: "Sony", view: parent, ifdOffset: start + 12)
        }
        if has("Ricoh") || has("RICOH") {
            // Ricoh's big-endian IFD follows an 8-byte header; offsets count from the TIFF header.
            guard data.count > 10, data[start + 8] != 0 || data[start + 9] != 0 else { return nil }
            return Layout(maker: "Ricoh", view: TIFFView(bytes: parent.bytes, littleEndian: false), ifdOffset: start + 8,
                          serials: [0x0005: "InternalSerialNumber"])
        }
        if upperMake.hasPrefix("CANON") {
            return Layout(maker: "Canon", view: parent, ifdOffset: start,
                          serials: [0x000C: "SerialNumber", 0x0096: "InternalSerialNumber"])
        }
        if upperMake.hasPrefix("NIKON") {
            return Layout(maker: "Nikon", view: parent, ifdOffset: start, serials: [0x001D: "SerialNumber", 0x00A0: "SerialNumber"])
        }
        return nil
    }
}
