private import CObscuraCV

/// A decoded input: upright pixels plus the facts about the source that later stages need.
public struct DecodedImage: Sendable {
    public var pixels: PixelBuffer
    public var format: ImageFormat
    /// The orientation that was applied to make `pixels` upright.
    public var orientation: ExifOrientation
    /// Estimated JPEG quality from the input's quantization tables.
    public var estimatedQuality: Int?
    /// True for lossless WebP inputs.
    public var isLossless: Bool
}

/// Reads JPEG, PNG and WebP completely or not at all.
public enum ImageDecoder {
    /// The container of `bytes` if this build reads it; throws `notAnImage` or
    /// `unsupportedFormat` otherwise.
    public static func supportedFormat(of bytes: [UInt8]) throws -> ImageFormat {
        guard let format = ImageFormat.sniff(bytes) else {
            throw ObscuraError(.notAnImage, "not an image file")
        }
        guard format.isSupported else {
            throw ObscuraError(.unsupportedFormat, "\(format.rawValue.uppercased()) images are not supported yet (JPEG, PNG and WebP are)")
        }
        return format
    }

    /// Decodes and orients an encoded image. Throws `notAnImage`, `unsupportedFormat` or
    /// `decodeFailed`; a stream that is cut short is refused rather than decoded partially.
    public static func decode(_ bytes: [UInt8]) throws -> DecodedImage {
        let format = try supportedFormat(of: bytes)
        var exif: [UInt8]?
        var quality: Int?
        var lossless = false
        let complete: Bool
        switch format {
        case .jpeg:
            let structure = JPEGStructure(bytes: bytes)
            complete = structure.isComplete
            exif = structure.exif
            quality = structure.estimatedQuality
        case .png:
            (complete, exif) = ContainerStructure.png(bytes)
            lossless = true
        case .webp:
            (complete, exif, lossless) = ContainerStructure.webp(bytes)
        default:
            complete = false
        }
        guard complete else {
            throw ObscuraError(.decodeFailed, "the \(format.rawValue.uppercased()) data is truncated or damaged")
        }
        let pixelData = format == .png ? ContainerStructure.pngPixelChunks(bytes) : bytes
        var image = obscura_cv_image()
        var message = [CChar](repeating: 0, count: 256)
        let status = pixelData.withUnsafeBufferPointer { buffer in
            switch format {
            case .jpeg: obscura_cv_decode_jpeg(buffer.baseAddress, buffer.count, &image, &message, message.count)
            case .png: obscura_cv_decode_png(buffer.baseAddress, buffer.count, &image, &message, message.count)
            default: obscura_cv_decode_webp(buffer.baseAddress, buffer.count, &image, &message, message.count)
            }
        }
        guard status == 0, let raw = image.pixels else {
            throw ObscuraError(.decodeFailed, "the image data could not be decoded",
                               cause: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        defer { obscura_cv_image_free(&image) }
        let width = Int(image.width), height = Int(image.height), channels = Int(image.channels)
        let stored = PixelBuffer(width: width, height: height, channels: channels,
                                 pixels: Array(UnsafeBufferPointer(start: raw, count: width * height * channels)))
        let orientation = exif.map(ExifOrientation.read(fromTIFF:)) ?? .up
        return DecodedImage(pixels: stored.applying(orientation), format: format, orientation: orientation,
                            estimatedQuality: quality, isLossless: lossless)
    }
}
