/// What Obscura needs from a JPEG's marker structure before decoding: whether the stream is
/// complete, its quantization tables (to keep quality) and its EXIF block (for orientation).
/// Only structure is read here; pixels are decoded by OpenCV.
struct JPEGStructure {
    /// Quantization tables by slot (0...3), in zig-zag order as stored.
    var quantizationTables: [Int: [Int]] = [:]
    /// The quantization-table slot of each colour component, from the frame header.
    var componentTables: [Int] = []
    /// Luminance quantization table in zig-zag order as stored, if present.
    var luminanceTable: [Int]? { quantizationTables[componentTables.first ?? 0] ?? quantizationTables[0] }

    /// The tables of each component in natural (row-major) order, as an encoder takes them.
    var componentTablesInNaturalOrder: [[Int]]? {
        guard !componentTables.isEmpty else { return nil }
        var tables: [[Int]] = []
        for slot in componentTables {
            guard let zigzagged = quantizationTables[slot] else { return nil }
            var natural = [Int](repeating: 0, count: 64)
            for (position, value) in zigzagged.enumerated() { natural[Self.zigzag[position]] = value }
            tables.append(natural)
        }
        return tables
    }
    /// The TIFF payload of the first `Exif\0\0` APP1 segment.
    var exif: [UInt8]?
    /// True when an end-of-image marker follows the last scan.
    var isComplete = false
    /// `ICC_PROFILE` APP2 chunks by sequence number (a profile may span several segments).
    private var profileChunks: [Int: [UInt8]] = [:]
    /// Sample precision of the frame (8, or 12 for extended JPEGs).
    var precision = 8
    /// True for progressive (SOF2) files.
    var isProgressive = false
    /// The luma component's sampling factors relative to the chroma components': (2, 2) is
    /// 4:2:0, (2, 1) 4:2:2, (1, 1) 4:4:4. Nil for greyscale or unusual layouts.
    var lumaSampling: (horizontal: Int, vertical: Int)?

    /// The embedded ICC profile, its chunks joined in order; nil when absent or incomplete.
    var iccProfile: [UInt8]? {
        guard !profileChunks.isEmpty else { return nil }
        let sequence = profileChunks.keys.sorted()
        guard sequence == Array(1...sequence.count) else { return nil }
        return sequence.flatMap { profileChunks[$0]! }
    }

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
            case 0xE2:
                let payload = bytes[payloadStart..<segmentEnd]
                let signature = Array("ICC_PROFILE\0".utf8)
                if payload.starts(with: signature), payload.count > signature.count + 2 {
                    let sequence = Int(payload[payloadStart + signature.count])
                    profileChunks[sequence] = Array(payload.dropFirst(signature.count + 2))
                }
            case 0xC0...0xCF where marker != 0xC4 && marker != 0xC8 && marker != 0xCC:
                readFrameHeader(Array(bytes[payloadStart..<segmentEnd]), marker: marker)
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

    private mutating func readFrameHeader(_ payload: [UInt8], marker: UInt8) {
        guard payload.count >= 6 else { return }
        precision = Int(payload[0])
        isProgressive = marker == 0xC2 || marker == 0xC6 || marker == 0xCA || marker == 0xCE
        let components = Int(payload[5])
        if payload.count >= 6 + components * 3 {
            componentTables = (0..<components).map { Int(payload[6 + $0 * 3 + 2] & 0x03) }
        }
        guard components == 3, payload.count >= 6 + 3 * 3 else { return }
        let factors = (0..<3).map { index in
            let byte = payload[6 + index * 3 + 1]
            return (horizontal: Int(byte >> 4), vertical: Int(byte & 0x0F))
        }
        let chroma = factors[1]
        guard chroma.horizontal > 0, chroma.vertical > 0, factors[2] == chroma,
              factors[0].horizontal % chroma.horizontal == 0, factors[0].vertical % chroma.vertical == 0 else { return }
        lumaSampling = (factors[0].horizontal / chroma.horizontal, factors[0].vertical / chroma.vertical)
    }

    private mutating func readQuantizationTables(_ payload: [UInt8]) {
        var index = 0
        while index < payload.count {
            let precision = payload[index] >> 4, tableID = payload[index] & 0x0F
            let entrySize = precision == 0 ? 1 : 2
            let end = index + 1 + 64 * entrySize
            guard end <= payload.count else { return }
            if tableID < 4 {
                quantizationTables[Int(tableID)] = (0..<64).map { entry in
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
