/// The eight EXIF orientations (TIFF tag 0x0112): how the stored pixels must be turned to
/// appear upright.
public enum ExifOrientation: Int, Sendable, Codable, CaseIterable {
    case up = 1, upMirrored = 2, down = 3, downMirrored = 4
    case leftMirrored = 5, right = 6, rightMirrored = 7, left = 8

    /// Reads tag 0x0112 from IFD0 of a TIFF-structured EXIF payload. Returns `.up` when the tag
    /// is absent or the payload is malformed.
    public static func read(fromTIFF tiff: [UInt8]) -> ExifOrientation {
        guard tiff.count >= 8 else { return .up }
        var reader = ByteReader(tiff)
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): reader.littleEndian = true
        case (0x4D, 0x4D): reader.littleEndian = false
        default: return .up
        }
        guard reader.uint16(at: 2) == 42, let ifd = reader.uint32(at: 4).map(Int.init),
              let count = reader.uint16(at: ifd) else { return .up }
        for entry in 0..<Int(min(count, 1000)) {
            let at = ifd + 2 + entry * 12
            guard let tag = reader.uint16(at: at) else { return .up }
            if tag == 0x0112 {
                guard let type = reader.uint16(at: at + 2), type == 3,
                      let value = reader.uint16(at: at + 8) else { return .up }
                return ExifOrientation(rawValue: Int(value)) ?? .up
            }
        }
        return .up
    }

    /// True when the upright image has width and height swapped relative to the stored one.
    public var swapsAxes: Bool { rawValue >= 5 }
}
