private import CObscuraCodecs
private import CObscuraStatus

/// JPEG to JPEG without a second generation. The input's DCT coefficients are copied; only the
/// MCUs that a painted rectangle touches are encoded again, from the redacted pixels, with the
/// input's own quantization tables and chroma sampling. Every other block of the output is the
/// input's, bit for bit, and decodes to the same pixels. EXIF orientation is applied by moving
/// blocks when that is exact. Nothing else from the input is written (only a JFIF header).
enum JPEGCoefficientEncoder {
    /// Whether the output was copied in the coefficient domain, and why not when it was not.
    enum Outcome: Sendable, Equatable {
        case copied([UInt8])
        /// The pixel encoder has to write this output; the reason goes into the report.
        case reencode(reason: String)
    }

    /// Tries the coefficient path for one output. `redacted` is the painted upright image,
    /// `regions` what was painted into it with `fill`. Falls back (never throws) when the output
    /// is not a JPEG from a JPEG at the input's own quality, when the input's profile is neither
    /// sRGB nor a known standard one (`StandardColourProfile`; a CMYK profile never is), or when
    /// the input cannot be copied exactly (CMYK without an Adobe marker, an orientation that
    /// moves partial MCUs).
    static func copy(_ decoded: DecodedImage, redacted: PixelBuffer, regions: [Region], fill: RGBColor, feather: Int = 0,
                            to format: ImageFormat, requestedQuality: Int?) -> Outcome {
        copy(decoded, redacted: redacted, regions: regions, fill: fill, feather: feather, to: format,
             requestedQuality: requestedQuality, standardProfiles: StandardColourProfile.known)
    }

    static func copy(_ decoded: DecodedImage, redacted: PixelBuffer, regions: [Region], fill: RGBColor, feather: Int = 0,
                     to format: ImageFormat, requestedQuality: Int?, standardProfiles: [String: String]) -> Outcome {
        guard decoded.format == .jpeg else { return .reencode(reason: "the input is not a JPEG") }
        guard requestedQuality == nil else { return .reencode(reason: "a quality was asked for") }
        guard format == .jpeg else { return .reencode(reason: "the output is not a JPEG") }
        guard let source = decoded.jpegSource else { return .reencode(reason: "the encoded input is not available") }
        var redacted = redacted
        var keptProfile: [UInt8] = []
        let structure = JPEGStructure(bytes: source)
        let isCMYK = structure.componentTables.count == 4
        guard Self.workingBytes(decoded, structure: structure, redacted: redacted) <= ImageEncoder.workingBudget else {
            return .reencode(reason: "the image is too large to copy its coefficients within \(ImageEncoder.workingBudget / 1_000_000) MB beside its pixels")
        }
        if decoded.colourConverted || isCMYK {
            // The copied blocks hold the profile's colours (or CMYK inks), not the sRGB pixels
            // that were searched: paint the same regions into the samples as stored, and keep
            // the profile when it is a standard one.
            if let profile = structure.iccProfile {
                guard StandardColourProfile.name(of: profile, known: standardProfiles) != nil else {
                    return .reencode(reason: isCMYK
                        ? "a CMYK JPEG's colour profile is not kept; the image was encoded again as RGB"
                        : "the embedded colour profile is not sRGB or a known standard profile; pixels were converted to sRGB")
                }
                keptProfile = profile
            } else if !isCMYK {
                return .reencode(reason: "the colours were converted without an embedded profile")
            }
            guard var stored = try? ImageDecoder.decodeJPEGAsStored(source).applying(decoded.orientation),
                  stored.width == redacted.width, stored.height == redacted.height else {
                return .reencode(reason: "the stored samples could not be decoded again")
            }
            if stored.channels == 4 {
                Redactor.redactCMYK(&stored, regions: regions, fill: fill, feather: feather)
            } else {
                Redactor.redact(&stored, regions: regions, fill: fill, feather: feather)
            }
            redacted = stored
        }
        var rectangles: [Int32] = []
        // A feathered edge changes pixels up to `feather` outside each region.
        for region in regions {
            rectangles += [region.x0 - feather, region.y0 - feather, region.x1 + feather, region.y1 + feather].map { Int32(clamping: $0) }
        }
        var output: UnsafeMutablePointer<UInt8>?
        var length = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = source.withUnsafeBufferPointer { input in
            redacted.pixels.withUnsafeBufferPointer { pixels in
                obscura_jpeg_redact_coefficients(input.baseAddress, input.count, Int32(decoded.orientation.rawValue),
                                                 pixels.baseAddress, Int32(redacted.width), Int32(redacted.height),
                                                 Int32(redacted.channels), rectangles, rectangles.count / 4,
                                                 keptProfile.isEmpty ? nil : keptProfile, keptProfile.count, &output, &length, &message, message.count)
            }
        }
        let reason = messageText(message)
        guard status == OBSCURA_STATUS_OK, let output else {
            return .reencode(reason: status == OBSCURA_STATUS_UNSUPPORTED ? reason : "the coefficient copy failed (\(reason))")
        }
        defer { obscura_cv_buffer_free(output) }
        return .copied(Array(UnsafeBufferPointer(start: output, count: length)))
    }

    /// What the copy of `decoded` would hold at once, from the frame header: the painted pixels,
    /// the input's coefficients (libjpeg reads them all: 2 bytes each, chroma fewer by the
    /// sampling factors) and, for CMYK or a kept profile, the stored samples decoded again. Over
    /// `ImageEncoder.workingBudget` (a 50 MP 4:2:0 photo fits) the image is encoded again from
    /// its pixels, with its own tables.
    static func workingBytes(_ decoded: DecodedImage, structure: JPEGStructure, redacted: PixelBuffer) -> Int {
        let pixels = redacted.width * redacted.height
        let components = max(1, structure.componentTables.count)
        let subsampling = max(1, (decoded.jpegLayout?.lumaHorizontal ?? 1) * (decoded.jpegLayout?.lumaVertical ?? 1))
        let coefficients = 2 * (pixels + (components - 1) * pixels / subsampling)
        let storedAgain = decoded.colourConverted || components == 4 ? pixels * components : 0
        return redacted.pixels.count + coefficients + storedAgain
    }
}
