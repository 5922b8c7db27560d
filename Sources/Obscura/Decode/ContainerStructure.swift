/// Completeness and EXIF location for PNG and WebP containers.
enum ContainerStructure {
    /// PNG: walks chunks; complete when `IEND` is reached inside the file. Returns the `eXIf`
    /// payload if any.
    static func png(_ bytes: [UInt8]) -> (isComplete: Bool, exif: [UInt8]?) {
        let reader = ByteReader(bytes)
        var offset = 8
        var exif: [UInt8]?
        while let length = reader.uint32(at: offset), offset + 12 + Int(length) <= bytes.count {
            let type = String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self)
            let dataStart = offset + 8
            if type == "eXIf", exif == nil { exif = Array(bytes[dataStart..<dataStart + Int(length)]) }
            if type == "IEND" { return (true, exif) }
            offset = dataStart + Int(length) + 4
        }
        return (false, exif)
    }

    /// The PNG with only the chunks that define pixels (IHDR, PLTE, tRNS, IDAT, IEND). The
    /// decoder never sees text, profiles or other ancillary chunks, so none can influence it or
    /// make it print warnings about them.
    static func pngPixelChunks(_ bytes: [UInt8]) -> [UInt8] {
        let reader = ByteReader(bytes)
        var kept = Array(bytes.prefix(8))
        var offset = 8
        while let length = reader.uint32(at: offset), offset + 12 + Int(length) <= bytes.count {
            let end = offset + 12 + Int(length)
            let type = String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self)
            if ["IHDR", "PLTE", "tRNS", "IDAT", "IEND"].contains(type) { kept += bytes[offset..<end] }
            if type == "IEND" { break }
            offset = end
        }
        return kept
    }

    /// WebP: RIFF chunks; complete when the RIFF size fits the file. Returns the `EXIF` payload
    /// and whether the image is lossless (`VP8L`).
    static func webp(_ bytes: [UInt8]) -> (isComplete: Bool, exif: [UInt8]?, lossless: Bool) {
        var reader = ByteReader(bytes)
        reader.littleEndian = true
        guard let riffSize = reader.uint32(at: 4) else { return (false, nil, false) }
        let end = 8 + Int(riffSize)
        guard end <= bytes.count else { return (false, nil, false) }
        var offset = 12
        var exif: [UInt8]?
        var lossless = false
        while let size = reader.uint32(at: offset + 4), offset + 8 + Int(size) <= end {
            let type = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
            let dataStart = offset + 8
            if type == "EXIF", exif == nil {
                var payload = Array(bytes[dataStart..<dataStart + Int(size)])
                // Some writers keep the JPEG-style "Exif\0\0" prefix.
                if payload.starts(with: Array("Exif\0\0".utf8)) { payload.removeFirst(6) }
                exif = payload
            }
            if type == "VP8L" { lossless = true }
            offset = dataStart + Int(size) + Int(size & 1)
        }
        return (true, exif, lossless)
    }
}
