/// What Obscura needs from a JPEG's marker structure before decoding: whether the stream is
/// complete, its quantization tables (to keep quality) and its EXIF block (for orientation).
/// Only structure is read here; pixels are decoded by OpenCV.
struct JPEGStructure {
    /// Luminance quantization table in zig-zag order as stored, if present.
    var luminanceTable: [Int]?
    /// The TIFF payload of the first `Exif\0\0` APP1 segment.
    var exif: [UInt8]?
    /// True when an end-of-image marker follows the last scan.
    var isComplete = false

    /// Walks markers and entropy-coded data. Never traps on malformed input.
    init(bytes: [UInt8]) {
        let reader = ByteReader(bytes)
        var offset = 2  // after SOI
        while offset + 2 <= bytes.count {
            guard bytes[offset] == 0xFF else {
                // A segment whose declared length is a little off (seen in the wild after XMP
                // packets): skip to the next marker, as libjpeg does with a warning.
                offset += 1
                continue
            }
            let marker = bytes[offset + 1]
            if marker == 0xFF { offset += 1; continue }  // fill byte
            if marker == 0xD9 { isComplete = true; return }
            if (0xD0...0xD7).contains(marker) || marker == 0x01 { offset += 2; continue }
            guard let length = reader.uint16(at: offset + 2), length >= 2 else { return }
            let payloadStart = offset + 4
            let segmentEnd = offset + 2 + Int(length)
            guard segmentEnd <= bytes.count else { return }
            switch marker {
            case 0xDB:
                readQuantizationTables(Array(bytes[payloadStart..<segmentEnd]))
            case 0xE1 where exif == nil:
                let payload = bytes[payloadStart..<segmentEnd]
                if payload.starts(with: Array("Exif\0\0".utf8)) {
                    exif = Array(payload.dropFirst(6))
                }
            default:
                break
            }
            offset = segmentEnd
            if marker == 0xDA {
                // Entropy-coded data runs until a marker other than a stuffed zero or restart.
                while offset + 1 < bytes.count {
                    if bytes[offset] == 0xFF {
                        let next = bytes[offset + 1]
                        if next == 0x00 || (0xD0...0xD7).contains(next) || next == 0xFF {
                            offset += next == 0xFF ? 1 : 2
                            continue
                        }
                        break
                    }
                    offset += 1
                }
            }
        }
    }

    private mutating func readQuantizationTables(_ payload: [UInt8]) {
        var index = 0
        while index < payload.count {
            let precision = payload[index] >> 4, tableID = payload[index] & 0x0F
            let entrySize = precision == 0 ? 1 : 2
            let end = index + 1 + 64 * entrySize
            guard end <= payload.count else { return }
            if tableID == 0 && luminanceTable == nil {
                luminanceTable = (0..<64).map { entry in
                    let at = index + 1 + entry * entrySize
                    return entrySize == 1 ? Int(payload[at]) : Int(payload[at]) << 8 | Int(payload[at + 1])
                }
            }
            index = end
        }
    }

    /// The libjpeg quality (1...100) whose scaled standard luminance table is closest to this
    /// file's, or `nil` when the file has no luminance table.
    var estimatedQuality: Int? {
        guard let table = luminanceTable else { return nil }
        var best = (quality: 75, error: Int.max)
        for quality in 1...100 {
            let scale = quality < 50 ? 5000 / quality : 200 - 2 * quality
            var error = 0
            for position in 0..<64 {
                let standard = Self.standardLuminance[Self.zigzag[position]]
                let expected = min(max((standard * scale + 50) / 100, 1), 255)
                error += abs(expected - table[position])
            }
            if error < best.error { best = (quality, error) }
        }
        return best.quality
    }

    /// ITU-T T.81 Annex K.1 luminance table, natural (row-major) order.
    static let standardLuminance = [
        16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
        14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
        18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
        49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
    ]

    /// Natural-order index of the n-th coefficient in zig-zag order.
    static let zigzag = [
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
        12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
        35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
        58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
    ]
}
