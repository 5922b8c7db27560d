/// Photoshop image resource blocks (`8BIM id name size data`), found in JPEG APP13, TIFF tag
/// 0x8649 and PSD files. IPTC, EXIF, XMP, ICC and thumbnails inside are reported by kind; the
/// other resources are `photoshop` findings.
enum PhotoshopResources {
    static let names = MetadataTags.names16("photoshop")

    static func inspect(_ bytes: [UInt8], location: String, context: InspectionContext) {
        context.nested(location) { read(bytes, location: location, context: context) }
    }

    private static func read(_ bytes: [UInt8], location: String, context: InspectionContext) {
        var group = TagGroup(location: location)
        let reader = ByteReader(bytes)
        var offset = 0
        while offset + 12 <= bytes.count {
            guard context.spend() else { break }
            let signature = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
            guard ["8BIM", "MeSa", "PHUT", "AgHg", "DCSR"].contains(signature) else {
                if bytes[offset..<min(bytes.count, offset + 4)].contains(where: { $0 != 0 }) {
                    context.problem("\(location): unexpected bytes between image resources")
                }
                break
            }
            guard let id = reader.uint16(at: offset + 4) else { break }
            let nameLength = Int(bytes[offset + 6])
            var sizeAt = offset + 7 + nameLength
            if (1 + nameLength) % 2 == 1 { sizeAt += 1 }
            guard let size = reader.uint32(at: sizeAt).map(Int.init) else { context.problem("\(location): resource cut short"); break }
            let start = sizeAt + 4
            guard size <= bytes.count - start else {
                context.problem("\(location): resource \(TIFFTags.hex(id)) runs past the end")
                break
            }
            let data = Array(bytes[start..<start + size])
            let name = names[id] ?? "Photoshop_\(TIFFTags.hex(id).dropFirst(3))"
            switch id {
            case 0x0404: IPTCInspector.inspect(data, location: "\(location) IPTC", context: context)
            case 0x0409, 0x040C: group.add(.thumbnail, name, bytes: size, value: Printable.blob(size))
            case 0x040F: ICCProfileInspector.inspect(data, location: "\(location) ICC", context: context)
            case 0x0422, 0x0423: TIFFInspector.inspect(data, prefix: "\(location) EXIF", context: context)
            case 0x0424: XMPInspector.inspect(data, location: "\(location) XMP", context: context)
            default:
                let value = Printable.looksLikeText(data) ? Printable.text(data) : Printable.blob(size)
                group.add(.photoshop, name, bytes: size, value: context.includeValues ? value : nil)
            }
            offset = start + size + (size & 1)
        }
        context.add(group)
    }
}
