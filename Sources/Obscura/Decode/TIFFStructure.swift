/// What Obscura needs to know about a TIFF before handing it to libtiff.
enum TIFFStructure {
    /// True for DNG files (IFD0 carries DNGVersion, 0xC612): their first image is a preview or
    /// sensor data, not a photo libtiff can render.
    static func isCameraRaw(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 8 else { return false }
        var reader = ByteReader(bytes)
        switch (bytes[0], bytes[1]) {
        case (0x49, 0x49): reader.littleEndian = true
        case (0x4D, 0x4D): reader.littleEndian = false
        default: return false
        }
        // Classic TIFF only; BigTIFF raws do not exist in practice.
        guard reader.uint16(at: 2) == 42, let ifd = reader.uint32(at: 4).map(Int.init),
              let count = reader.uint16(at: ifd) else { return false }
        for entry in 0..<Int(min(count, 1000)) {
            guard let tag = reader.uint16(at: ifd + 2 + entry * 12) else { return false }
            if tag == 0xC612 { return true }
        }
        return false
    }
}
