/// Completeness, EXIF, colour profile and animation facts for PNG and WebP containers.
enum ContainerStructure {
    struct PNGFacts {
        var isComplete = false
        var exif: [UInt8]?
        /// The zlib-compressed profile of the `iCCP` chunk.
        var compressedProfile: [UInt8]?
        /// An `acTL` chunk makes the file an animated PNG.
        var isAnimated = false
        var bitDepth = 8
    }

    /// PNG: walks chunks; complete when `IEND` is reached inside the file.
    static func png(_ bytes: [UInt8]) -> PNGFacts {
        let reader = ByteReader(bytes)
        var offset = 8
        var facts = PNGFacts()
        while let length = reader.uint32(at: offset), offset + 12 + Int(length) <= bytes.count {
            let type = String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self)
            let dataStart = offset + 8
            let data = bytes[dataStart..<dataStart + Int(length)]
            switch type {
            case "IHDR" where length >= 9: facts.bitDepth = Int(bytes[dataStart + 8])
            case "eXIf" where facts.exif == nil: facts.exif = Array(data)
            case "acTL": facts.isAnimated = true
            case "iCCP":
                // Profile name (1-79 bytes), NUL, compression method, zlib data.
                if let nul = data.firstIndex(of: 0), nul + 2 <= data.endIndex {
                    facts.compressedProfile = Array(data[(nul + 2)...])
                }
            case "IEND":
                facts.isComplete = true
                return facts
            default: break
            }
            offset = dataStart + Int(length) + 4
        }
        return facts
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

    struct WebPFacts {
        var isComplete = false
        var exif: [UInt8]?
        var profile: [UInt8]?
        /// True when the image is lossless (`VP8L`).
        var isLossless = false
    }

    /// WebP: RIFF chunks; complete when the RIFF size fits the file.
    static func webp(_ bytes: [UInt8]) -> WebPFacts {
        var reader = ByteReader(bytes)
        reader.littleEndian = true
        var facts = WebPFacts()
        guard let riffSize = reader.uint32(at: 4) else { return facts }
        let end = 8 + Int(riffSize)
        guard end <= bytes.count else { return facts }
        var offset = 12
        while let size = reader.uint32(at: offset + 4), offset + 8 + Int(size) <= end {
            let type = String(decoding: bytes[offset..<offset + 4], as: UTF8.self)
            let dataStart = offset + 8
            let data = bytes[dataStart..<dataStart + Int(size)]
            switch type {
            case "EXIF" where facts.exif == nil:
                var payload = Array(data)
                // Some writers keep the JPEG-style "Exif\0\0" prefix.
                if payload.starts(with: Array("Exif\0\0".utf8)) { payload.removeFirst(6) }
                facts.exif = payload
            case "ICCP" where facts.profile == nil: facts.profile = Array(data)
            case "VP8L": facts.isLossless = true
            default: break
            }
            offset = dataStart + Int(size) + Int(size & 1)
        }
        facts.isComplete = true
        return facts
    }
}
