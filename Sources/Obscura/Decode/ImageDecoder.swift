private import CObscuraCodecs
private import CObscuraStatus

/// A decoded input: upright sRGB pixels plus the facts about the source that later stages need.
public struct DecodedImage: Sendable {
    public var pixels: PixelBuffer
    public var format: ImageFormat
    /// The orientation that was applied to make `pixels` upright.
    public var orientation: ExifOrientation
    /// Estimated JPEG quality from the input's quantization tables.
    public var estimatedQuality: Int?
    /// True for lossless WebP inputs.
    public var isLossless: Bool
    /// A JPEG input's chroma sampling and progression, reused when writing JPEG.
    public var jpegLayout: JPEGLayout?
    /// What decoding changed beyond orientation (colour conversion, bit depth), for the report.
    /// Never holds metadata values.
    public var notes: [String] = []
    /// Kinds of metadata the encoded input carried (set by `Anonymizer.detect`), for the report.
    public var metadataKinds: [MetadataKind] = []
    /// A JPEG input's encoded bytes, which the coefficient path copies blocks from.
    public var jpegSource: [UInt8]?
    /// True when the pixels were converted to sRGB from an embedded profile: they are then no
    /// longer the colours the input's coefficients hold.
    public var colourConverted = false
}

extension DecodedImage {
    /// Moves the pixels out, leaving a 1 × 1 placeholder, so that whoever paints them holds the
    /// only reference and paints in place (a 100 MP photo's pixels are 300 MB).
    mutating func takePixels() -> PixelBuffer {
        let taken = pixels
        pixels = PixelBuffer(width: 1, height: 1, channels: taken.channels, pixels: [UInt8](repeating: 0, count: taken.channels))
        return taken
    }
}

/// How a JPEG is laid out: chroma sampling and scan progression.
public struct JPEGLayout: Sendable, Equatable {
    /// Luma sampling factors relative to chroma: (2, 2) is 4:2:0, (1, 1) is 4:4:4.
    public var lumaHorizontal: Int
    public var lumaVertical: Int
    public var isProgressive: Bool
    /// The input's quantization table of each component, natural order (1 or 3 tables).
    public var quantizationTables: [[Int]]?
}

/// Reads JPEG, PNG, WebP, HEIF/HEIC, AVIF, TIFF and GIF completely or not at all.
public enum ImageDecoder {
    /// The container of `bytes` if this build reads it; throws `notAnImage` or
    /// `unsupportedFormat` otherwise.
    public static func supportedFormat(of bytes: [UInt8]) throws -> ImageFormat {
        guard let format = ImageFormat.sniff(bytes) else {
            throw ObscuraError(.notAnImage, "not an image file")
        }
        guard format.isSupported else {
            throw ObscuraError(.unsupportedFormat, "\(format.displayName) images are not supported (JPEG, PNG, WebP, HEIF/HEIC, AVIF, TIFF and GIF are)")
        }
        if format == .tiff, TIFFStructure.isCameraRaw(bytes) {
            throw ObscuraError(.unsupportedFormat, "camera raw images are not supported (JPEG, PNG, WebP, HEIF/HEIC, AVIF, TIFF and GIF are)")
        }
        return format
    }

    /// The most pixels any decode accepts (512 million), whatever the caller's own limit.
    public static let pixelCeiling = 1 << 29
    /// The command line's limit (`--max-pixels`, 100 million: a 12,000 × 8,000 photo). Larger
    /// images are refused with `input.too-large` before decoding.
    public static let defaultMaximumPixels = 100_000_000

    /// The width and height an image declares, read by the same library parser that decodes it
    /// and without allocating any pixels, so a caller can refuse a large image before decoding.
    /// Throws as `decode` does for a file whose header cannot be read.
    public static func declaredSize(of bytes: [UInt8]) throws -> (width: Int, height: Int) {
        let format = try supportedFormat(of: bytes)
        var image = obscura_cv_image()
        var message = [CChar](repeating: 0, count: 256)
        let status = call(format, format == .png ? ContainerStructure.pngPixelChunks(bytes) : bytes,
                          maximumPixels: 0, &image, &message)
        defer { obscura_cv_image_free(&image) }
        let failure = "the \(format.displayName) header could not be read"
        try check(status: status, message: message, .decodeFailed, failure)
        guard image.width > 0, image.height > 0 else { throw ObscuraError(.decodeFailed, failure, cause: messageText(message)) }
        return (Int(image.width), Int(image.height))
    }

    /// One decoder of the shim by format. `maximumPixels` 0 reads the header only. With
    /// `keepingCMYK`, a CMYK or YCCK JPEG comes out as its 4 stored CMYK samples.
    private static func call(_ format: ImageFormat, _ data: [UInt8], maximumPixels: Int, keepingCMYK: Bool = false,
                             _ image: inout obscura_cv_image, _ message: inout [CChar]) -> Int32 {
        let limit = UInt64(max(0, min(maximumPixels, pixelCeiling)))
        let code = switch format {
        case .jpeg: keepingCMYK ? OBSCURA_CV_JPEG_STORED : OBSCURA_CV_JPEG
        case .png: OBSCURA_CV_PNG
        case .webp: OBSCURA_CV_WEBP
        case .heif, .avif: OBSCURA_CV_HEIF
        case .tiff: OBSCURA_CV_TIFF
        default: OBSCURA_CV_GIF
        }
        let capacity = message.count
        return data.withUnsafeBufferPointer { buffer in
            message.withUnsafeMutableBufferPointer { text in
                obscura_cv_decode(Int32(code), buffer.baseAddress, buffer.count, limit, &image, text.baseAddress, capacity)
            }
        }
    }

    private static func tooLarge(_ image: obscura_cv_image, limit: Int) -> ObscuraError {
        ObscuraError(.tooLarge, "the image has \(image.width) × \(image.height) pixels, more than the limit of \(limit)")
    }

    /// A JPEG's pixels as stored: not oriented, no colour conversion, and CMYK as 4 channels
    /// of stored samples (the coefficient path paints these when it keeps a standard profile
    /// or copies a CMYK file).
    static func decodeJPEGAsStored(_ bytes: [UInt8]) throws -> PixelBuffer {
        var image = obscura_cv_image()
        var message = [CChar](repeating: 0, count: 256)
        let status = call(.jpeg, bytes, maximumPixels: pixelCeiling, keepingCMYK: true, &image, &message)
        defer { obscura_cv_image_free(&image) }
        try check(status: status, message: message, .decodeFailed, "the image data could not be decoded")
        guard let raw = image.pixels else {
            throw ObscuraError(.decodeFailed, "the image data could not be decoded", cause: messageText(message))
        }
        let width = Int(image.width), height = Int(image.height), channels = Int(image.channels)
        return PixelBuffer(width: width, height: height, channels: channels,
                           pixels: Array(UnsafeBufferPointer(start: raw, count: width * height * channels)))
    }

    /// Decodes, orients and converts an encoded image to sRGB. Throws `notAnImage`,
    /// `unsupportedFormat` or `decodeFailed`; a stream that is cut short is refused rather than
    /// decoded partially. An image that declares more than `maximumPixels` is refused with
    /// `input.too-large` by the decoding library's own header parser, before any pixel memory
    /// is allocated.
    public static func decode(_ bytes: [UInt8], maximumPixels: Int = pixelCeiling) throws -> DecodedImage {
        let format = try supportedFormat(of: bytes)
        var exif: [UInt8]?
        var quality: Int?
        var lossless = false
        var complete = true
        var profile: [UInt8]?
        var layout: JPEGLayout?
        var notes: [String] = []
        switch format {
        case .jpeg:
            let structure = JPEGStructure(bytes: bytes)
            complete = structure.isComplete
            exif = structure.exif
            quality = structure.estimatedQuality
            profile = structure.iccProfile
            if structure.precision != 8 {
                throw ObscuraError(.unsupportedFormat, "\(structure.precision)-bit JPEG images are not supported (8-bit are)")
            }
            let sampling = structure.lumaSampling ?? (horizontal: 0, vertical: 0)
            layout = JPEGLayout(lumaHorizontal: sampling.horizontal, lumaVertical: sampling.vertical,
                                isProgressive: structure.isProgressive,
                                quantizationTables: structure.componentTablesInNaturalOrder)
        case .png:
            let facts = ContainerStructure.png(bytes)
            guard !facts.isAnimated else {
                throw ObscuraError(.unsupportedFormat, "animated PNG: only still images are supported")
            }
            complete = facts.isComplete
            exif = facts.exif
            if let compressed = facts.compressedProfile, let inflated = Inflate.zlib(compressed[...], limit: 16 << 20), inflated.complete {
                profile = inflated.bytes
            }
            if facts.bitDepth == 16 { notes.append("16-bit samples reduced to 8-bit") }
            lossless = true
        case .webp:
            let facts = ContainerStructure.webp(bytes)
            complete = facts.isComplete
            exif = facts.exif
            lossless = facts.isLossless
            profile = facts.profile
        case .gif:
            lossless = true
        default:
            break
        }
        guard complete else {
            throw ObscuraError(.decodeFailed, "the \(format.displayName) data is truncated or damaged")
        }
        let pixelData = format == .png ? ContainerStructure.pngPixelChunks(bytes) : bytes
        var image = obscura_cv_image()
        var message = [CChar](repeating: 0, count: 256)
        // The decoder writes straight into this array's storage, so a photo's pixels are never
        // held twice (a 100 MP RGB image would otherwise need 600 MB for a moment). Its size
        // comes from the header (4 bytes a pixel: what is not written is never touched).
        var probe = obscura_cv_image()
        var capacity = 0
        if call(format, pixelData, maximumPixels: 0, &probe, &message) == OBSCURA_STATUS_OK {
            if Int(probe.width) * Int(probe.height) > maximumPixels { throw tooLarge(probe, limit: maximumPixels) }
            capacity = Int(probe.width) * Int(probe.height) * 4
        }
        obscura_cv_image_free(&probe)
        var status: Int32 = 0
        let written = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
            image.target = buffer.baseAddress
            image.target_capacity = buffer.count
            status = call(format, pixelData, maximumPixels: maximumPixels, &image, &message)
            let filled = Int(image.width) * Int(image.height) * Int(image.channels)
            count = status == OBSCURA_STATUS_OK && image.pixels != nil && image.pixels == buffer.baseAddress && filled <= buffer.count ? filled : 0
        }
        defer { obscura_cv_image_free(&image) }
        try check(status: status, message: message, .decodeFailed, "the image data could not be decoded") { status, reason in
            if status == OBSCURA_STATUS_TOO_LARGE { return tooLarge(image, limit: maximumPixels) }
            if status == OBSCURA_STATUS_OVER_BUDGET {
                // A progressive JPEG, or a TIFF in one huge strip: decoding holds a buffer as large
                // as the image beside its pixels.
                return ObscuraError(.tooLarge, "the \(format.displayName) image of \(image.width) × \(image.height) pixels needs more than \(ImageEncoder.workingBudget / 1_000_000) MB to decode",
                                    cause: reason)
            }
            if status == OBSCURA_STATUS_PREVIEW || status == OBSCURA_STATUS_NOT_STILL {
                return ObscuraError(.unsupportedFormat, "this \(format.displayName) file is not a single still image", cause: reason)
            }
            return nil
        }
        guard let raw = image.pixels else {
            throw ObscuraError(.decodeFailed, "the image data could not be decoded", cause: messageText(message))
        }
        let width = Int(image.width), height = Int(image.height), channels = Int(image.channels)
        // Every decoder checked the declared size; this catches a file whose pixels disagree.
        guard width * height <= maximumPixels else { throw tooLarge(image, limit: maximumPixels) }
        // Pixels that did not fit the array (a header that disagreed with the data) are copied.
        let inPlace = written.count == width * height * channels && written.count > 0
        // `consume`: `stored` must hold the only reference, so that colour conversion and
        // orientation change the pixels where they lie rather than copy 300 MB of a 100 MP photo.
        var stored = PixelBuffer(width: width, height: height, channels: channels,
                                 pixels: inPlace ? consume written : Array(UnsafeBufferPointer(start: raw, count: width * height * channels)))
        if let icc = image.icc, image.icc_length > 0 { profile = Array(UnsafeBufferPointer(start: icc, count: image.icc_length)) }
        if image.bits_per_sample > 8, format != .png { notes.append("\(image.bits_per_sample)-bit samples reduced to 8-bit") }

        let colour: ColourConversion.Outcome?
        if let profile {
            colour = ColourConversion.toSRGB(&stored, from: .iccProfile(profile))
        } else if image.colour_primaries != 0 {
            colour = ColourConversion.toSRGB(&stored, from: .codePoints(primaries: Int(image.colour_primaries),
                                                                         transfer: Int(image.transfer_characteristics)))
        } else {
            colour = nil
        }
        switch colour {
        case .converted: notes.append("colours converted to sRGB from the embedded colour profile")
        case .leftAsDecoded(let why): notes.append("colour profile not applied (\(why)); colours kept as decoded")
        case .alreadySRGB, nil: break
        }

        // HEIF orientation is applied by libheif from the container's own properties; its EXIF
        // orientation is informative only. TIFF reports its Orientation tag; the rest use EXIF.
        let orientation: ExifOrientation
        switch format {
        case .heif, .avif, .gif: orientation = .up
        case .tiff: orientation = ExifOrientation(rawValue: Int(image.orientation)) ?? .up
        default: orientation = exif.map(ExifOrientation.read(fromTIFF:)) ?? .up
        }
        stored.orient(orientation)
        var decoded = DecodedImage(pixels: consume stored, format: format, orientation: orientation,
                                   estimatedQuality: quality, isLossless: lossless, jpegLayout: layout, notes: notes)
        decoded.jpegSource = format == .jpeg ? bytes : nil
        decoded.colourConverted = colour == .converted
        return decoded
    }
}
