/// Bounds-checked big/little-endian reads over a byte array. Every read returns `nil` past the
/// end, so parsers of untrusted metadata never trap.
struct ByteReader {
    let bytes: [UInt8]
    var littleEndian = false

    init(_ bytes: [UInt8], littleEndian: Bool = false) {
        self.bytes = bytes
        self.littleEndian = littleEndian
    }

    func uint8(at offset: Int) -> UInt8? {
        offset >= 0 && offset < bytes.count ? bytes[offset] : nil
    }

    func uint16(at offset: Int) -> UInt16? {
        guard offset >= 0, offset + 2 <= bytes.count else { return nil }
        let a = UInt16(bytes[offset]), b = UInt16(bytes[offset + 1])
        return littleEndian ? (b << 8 | a) : (a << 8 | b)
    }

    func uint32(at offset: Int) -> UInt32? {
        guard offset >= 0, offset + 4 <= bytes.count else { return nil }
        let b = (0..<4).map { UInt32(bytes[offset + $0]) }
        return littleEndian
            ? (b[3] << 24 | b[2] << 16 | b[1] << 8 | b[0])
            : (b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3])
    }
}
