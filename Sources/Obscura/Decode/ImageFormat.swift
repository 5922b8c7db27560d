/// Container formats recognised from a file's first bytes (never from its name).
public enum ImageFormat: String, Sendable, Codable {
    case jpeg, png, webp
    // Recognised but not read by this build: such inputs fail with a clear reason.
    case gif, tiff, heif, avif
    // Recognised but not read by this build: such inputs fail with a clear reason.
    case bmp, jpegXL = "jpeg-xl", jpeg2000 = "jpeg-2000", photoshop, netpbm, cameraRaw = "camera-raw"

    /// Formats this build decodes.
    public var isSupported: Bool {
        switch self {
        case .jpeg, .png, .webp, .gif, .tiff, .heif, .avif: true
        default: false
        }
    }

    /// Formats this build writes.
    public var isWritable: Bool { self == .jpeg || self == .png || self == .webp }

    /// The name users know the format by.
    public var displayName: String {
        switch self {
        case .jpeg: "JPEG"
        case .png: "PNG"
        case .webp: "WebP"
        case .gif: "GIF"
        case .tiff: "TIFF"
        case .heif: "HEIF/HEIC"
        case .avif: "AVIF"
        case .bmp: "BMP"
        case .jpegXL: "JPEG XL"
        case .jpeg2000: "JPEG 2000"
        case .photoshop: "Photoshop"
        case .netpbm: "Netpbm"
        case .cameraRaw: "camera raw"
        }
    }

    /// Identifies the container from its signature; `nil` when the bytes are not an image.
    public static func sniff(_ bytes: some Collection<UInt8>) -> ImageFormat? {
        let head = Array(bytes.prefix(16))
        func starts(_ signature: [UInt8], at offset: Int = 0) -> Bool {
            head.count >= offset + signature.count && Array(head[offset..<offset + signature.count]) == signature
        }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { return .webp }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return .gif }
        // TIFF and BigTIFF (camera raw files are TIFF-based too).
        if starts([0x49, 0x49, 0x2A, 0x00]) && starts(Array("CR".utf8), at: 8) { return .cameraRaw }  // Canon CR2
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A])
            || starts([0x49, 0x49, 0x2B, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2B]) { return .tiff }
        if starts(Array("8BPS".utf8)) { return .photoshop }
        if starts([0, 0, 0, 0x0C, 0x6A, 0x50, 0x20, 0x20]) || starts([0xFF, 0x4F, 0xFF, 0x51]) { return .jpeg2000 }
        if head.count >= 3, head[0] == UInt8(ascii: "P"), (UInt8(ascii: "1")...UInt8(ascii: "7")).contains(head[1]),
           [0x20, 0x0A, 0x0D, 0x09].contains(head[2]) { return .netpbm }
        if starts(Array("BM".utf8)) && head.count >= 14 { return .bmp }
        if starts([0xFF, 0x0A]) || starts([0, 0, 0, 0x0C, 0x4A, 0x58, 0x4C, 0x20]) { return .jpegXL }
        if starts(Array("ftyp".utf8), at: 4) {
            let brand = head.count >= 12 ? String(decoding: head[8..<12], as: UTF8.self) : ""
            if brand.hasPrefix("avi") { return .avif }
            if ["heic", "heix", "hevc", "heim", "heis", "mif1", "msf1"].contains(brand) { return .heif }
        }
        return nil
    }

    /// The file extension used for outputs in this format.
    public var fileExtension: String {
        switch self {
        case .jpeg: "jpg"
        case .png: "png"
        case .webp: "webp"
        case .gif: "gif"
        case .tiff: "tif"
        case .bmp: "bmp"
        case .heif: "heic"
        case .avif: "avif"
        case .jpegXL: "jxl"
        case .jpeg2000: "jp2"
        case .photoshop: "psd"
        case .netpbm: "pnm"
        case .cameraRaw: "raw"
        }
    }
}
