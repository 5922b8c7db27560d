/// The width and height an image file declares in its header, read without decoding any pixels,
/// so that a caller can refuse an image that is too large before memory is spent on it.
public enum DeclaredSize {
    /// Width and height from the header of a JPEG (first frame header), PNG (IHDR), WebP
    /// (VP8X, VP8 or VP8L) or GIF (logical screen). `nil` for other formats or a header that
    /// cannot be read; `ImageDecoder.decode(_:maximumPixels:)` then checks the decoded size.
    public static func of(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
        func be16(_ i: Int) -> Int { Int(bytes[i]) << 8 | Int(bytes[i + 1]) }
        func le16(_ i: Int) -> Int { Int(bytes[i]) | Int(bytes[i + 1]) << 8 }
        func le24(_ i: Int) -> Int { Int(bytes[i]) | Int(bytes[i + 1]) << 8 | Int(bytes[i + 2]) << 16 }
        guard let format = ImageFormat.sniff(bytes) else { return nil }
        switch format {
        case .png:
            guard bytes.count >= 24 else { return nil }
            let width = Int(bytes[16]) << 24 | Int(bytes[17]) << 16 | Int(bytes[18]) << 8 | Int(bytes[19])
            let height = Int(bytes[20]) << 24 | Int(bytes[21]) << 16 | Int(bytes[22]) << 8 | Int(bytes[23])
            return (width, height)
        case .gif:
            guard bytes.count >= 10 else { return nil }
            return (le16(6), le16(8))
        case .webp:
            guard bytes.count >= 30 else { return nil }
            switch String(decoding: bytes[12..<16], as: UTF8.self) {
            case "VP8X": return (le24(24) + 1, le24(27) + 1)
            case "VP8 ": return (le16(26) & 0x3FFF, le16(28) & 0x3FFF)
            case "VP8L":
                let bits = UInt32(bytes[21]) | UInt32(bytes[22]) << 8 | UInt32(bytes[23]) << 16 | UInt32(bytes[24]) << 24
                return (Int(bits & 0x3FFF) + 1, Int((bits >> 14) & 0x3FFF) + 1)
            default: return nil
            }
        case .jpeg:
            var i = 2
            while i + 9 < bytes.count {
                guard bytes[i] == 0xFF else { return nil }
                let marker = bytes[i + 1]
                if marker == 0xFF { i += 1; continue }
                if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) { i += 2; continue }
                let isFrame = (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
                if isFrame { return (be16(i + 7), be16(i + 5)) }
                if marker == 0xDA || marker == 0xD9 { return nil }
                i += 2 + be16(i + 2)
            }
            return nil
        default:
            return nil
        }
    }
}

extension ImageDecoder {
    /// `decode(_:)` for callers that must bound memory (the server): an image whose header
    /// declares more than `maximumPixels` is refused before decoding, and any other image is
    /// refused after decoding if it turns out larger. Throws `input.too-large`.
    public static func decode(_ bytes: [UInt8], maximumPixels: Int) throws -> DecodedImage {
        func refuse(_ width: Int, _ height: Int) -> ObscuraError {
            ObscuraError(.tooLarge, "the image has \(width) × \(height) pixels, more than the limit of \(maximumPixels)")
        }
        if let size = DeclaredSize.of(bytes), size.width * size.height > maximumPixels {
            throw refuse(size.width, size.height)
        }
        let decoded = try decode(bytes)
        guard decoded.pixels.width * decoded.pixels.height <= maximumPixels else {
            throw refuse(decoded.pixels.width, decoded.pixels.height)
        }
        return decoded
    }
}
