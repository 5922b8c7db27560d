/// ICC colour profiles. A profile is intrinsic (an allowed part of a clean image) only when its
/// description names a standard colour space and it describes a display or colour space, not an
/// input device.
enum ICCProfileInspector {
    /// Descriptions of standard profiles, compared case-insensitively as prefixes.
    static let standardDescriptions = [
        "srgb", "display p3", "adobe rgb", "prophoto", "dci-p3", "dci p3", "rec. 2020", "rec.2020", "itu-r bt.2020",
        "bt.2020", "rec. 709", "rec.709", "itu-r bt.709", "bt.709", "p3 ", "linear srgb", "scrgb", "gray gamma",
        "dot gain", "generic gray", "generic rgb", "colormatch rgb", "apple rgb", "wide gamut rgb", "ecirgb",
        "srgb iec61966-2.1", "iec 61966", "uncoated fogra", "coated fogra", "u.s. web coated", "japan color",
        "gimp built-in srgb", "gimp built-in linear srgb", "gimp built-in linear grayscale",
    ]

    static func inspect(_ bytes: [UInt8], location: String, context: InspectionContext) {
        let reader = ByteReader(bytes)
        guard bytes.count >= 132, String(decoding: bytes[36..<40], as: UTF8.self) == "acsp",
              let tagCount = reader.uint32(at: 128) else {
            context.add(.iccProfile, location, tags: ["ICC_Profile"], bytes: bytes.count,
                        values: ["ICC_Profile": Printable.blob(bytes.count)])
            if bytes.count >= 40 { context.problem("\(location): not a readable ICC profile") }
            return
        }
        var tags: [String] = []
        var values: [String: String] = [:]
        var description = ""
        for index in 0..<min(Int(tagCount), 256) {
            let at = 132 + index * 12
            guard context.spend(), let offset = reader.uint32(at: at + 4).map(Int.init),
                  let size = reader.uint32(at: at + 8).map(Int.init), at + 4 <= bytes.count else { break }
            let signature = String(decoding: bytes[at..<at + 4], as: UTF8.self)
            tags.append(signature)
            guard offset <= bytes.count, size <= bytes.count - offset else {
                context.problem("\(location): ICC tag runs past the end")
                continue
            }
            if ["desc", "cprt", "dmnd", "dmdd"].contains(signature) {
                let text = self.text(Array(bytes[offset..<offset + size]))
                if signature == "desc" { description = text }
                values[signature] = Printable.text(text)
            }
        }
        let deviceClass = String(decoding: bytes[12..<16], as: UTF8.self)
        let lower = description.lowercased()
        // Input-device (scanner/camera, class "scnr") profiles describe one device: never intrinsic.
        let standard = !lower.isEmpty && standardDescriptions.contains { lower.hasPrefix($0) }
            && ["mntr", "spac", "prtr"].contains(deviceClass)
        context.add(.iccProfile, location, tags: tags, bytes: bytes.count, values: values, intrinsic: standard)
    }

    /// The text of a `desc` (ASCII), `mluc` (UTF-16, first record) or `text` tag.
    static func text(_ tag: [UInt8]) -> String {
        let reader = ByteReader(tag)
        guard tag.count >= 12 else { return "" }
        switch String(decoding: tag[0..<4], as: UTF8.self) {
        case "desc":
            guard let count = reader.uint32(at: 8).map(Int.init), count <= tag.count - 12 else { return "" }
            return String(decoding: tag[12..<12 + count].prefix { $0 != 0 }, as: UTF8.self)
        case "mluc":
            guard let records = reader.uint32(at: 8), records > 0, let length = reader.uint32(at: 20).map(Int.init),
                  let offset = reader.uint32(at: 24).map(Int.init), offset <= tag.count, length <= tag.count - offset else { return "" }
            var units: [UInt16] = []
            var at = offset
            while at + 1 < offset + length, units.count < 512 {
                units.append(UInt16(tag[at]) << 8 | UInt16(tag[at + 1]))
                at += 2
            }
            return String(decoding: units, as: UTF16.self)
        case "text":
            return String(decoding: tag[8...].prefix { $0 != 0 }.prefix(1024), as: UTF8.self)
        default:
            return ""
        }
    }
}
