private import CObscuraCodecs
private import CObscuraStatus

/// Brings decoded pixels into sRGB, the colour space every output is written in without a
/// profile. Phones tag photos Display P3 (an ICC profile in JPEG/HEIC, or nclx code points in
/// HEIF/AVIF); leaving those numbers untagged would make colours look duller, and keeping the
/// profile would keep text that may name a device or person. Little CMS does the conversion.
enum ColourConversion {
    /// The colour description a decoder found.
    enum Source {
        case iccProfile([UInt8])
        /// ITU-T H.273 colour primaries and transfer characteristics (HEIF `nclx`).
        case codePoints(primaries: Int, transfer: Int)
    }

    /// What happened to the colours, for the report.
    enum Outcome: Equatable {
        case alreadySRGB
        case converted
        /// The description could not be used; pixels are kept as decoded (treated as sRGB).
        case leftAsDecoded(reason: String)
    }

    /// Converts `pixels` in place. Never throws: colour is a matter of fidelity, not privacy, so
    /// an unusable profile leaves the pixels as decoded and says so.
    static func toSRGB(_ pixels: inout PixelBuffer, from source: Source) -> Outcome {
        var primaries: [Double]?
        var profile: [UInt8]?
        switch source {
        case .iccProfile(let bytes):
            if isSRGB(profileDescription(bytes)) { return .alreadySRGB }
            profile = bytes
        case .codePoints(let code, let transfer):
            guard let table = Self.primaries[code] else {
                return code == 1 || code == 2 ? .alreadySRGB : .leftAsDecoded(reason: "colour primaries \(code) are not supported")
            }
            // PQ and HLG are HDR transfers: mapping them needs tone mapping, not a profile.
            guard ![16, 18].contains(transfer) else { return .leftAsDecoded(reason: "HDR transfer \(transfer) is not tone-mapped") }
            primaries = table
        }
        var message = [CChar](repeating: 0, count: 256)
        let width = Int32(pixels.width), height = Int32(pixels.height), channels = Int32(pixels.channels)
        let status = pixels.pixels.withUnsafeMutableBufferPointer { buffer in
            (profile ?? []).withUnsafeBufferPointer { icc in
                (primaries ?? []).withUnsafeBufferPointer { table in
                    obscura_cv_convert_to_srgb(buffer.baseAddress, width, height, channels,
                                               profile == nil ? nil : icc.baseAddress, icc.count,
                                               primaries == nil ? nil : table.baseAddress, &message, message.count)
                }
            }
        }
        guard status == OBSCURA_STATUS_OK else { return .leftAsDecoded(reason: messageText(message)) }
        return .converted
    }

    /// The profile's description, e.g. "sRGB IEC61966-2.1" or "Display P3".
    static func profileDescription(_ profile: [UInt8]) -> String? {
        var text = [CChar](repeating: 0, count: 256)
        let status = profile.withUnsafeBufferPointer { obscura_cv_icc_description($0.baseAddress, $0.count, &text, text.count) }
        guard status == OBSCURA_STATUS_OK else { return nil }
        return messageText(text)
    }

    static func isSRGB(_ description: String?) -> Bool {
        guard let description = description?.lowercased() else { return false }
        return description.hasPrefix("srgb") || description.contains("iec61966-2.1") || description.contains("iec 61966-2-1")
    }

    /// H.273 colour primaries {rx, ry, gx, gy, bx, by, wx, wy} other than BT.709/sRGB (1).
    static let primaries: [Int: [Double]] = [
        4: [0.67, 0.33, 0.21, 0.71, 0.14, 0.08, 0.310, 0.316],          // BT.470 System M
        5: [0.64, 0.33, 0.29, 0.60, 0.15, 0.06, 0.3127, 0.3290],        // BT.601 625
        6: [0.630, 0.340, 0.310, 0.595, 0.155, 0.070, 0.3127, 0.3290],  // BT.601 525
        7: [0.630, 0.340, 0.310, 0.595, 0.155, 0.070, 0.3127, 0.3290],  // SMPTE 240M
        9: [0.708, 0.292, 0.170, 0.797, 0.131, 0.046, 0.3127, 0.3290],  // BT.2020
        11: [0.680, 0.320, 0.265, 0.690, 0.150, 0.060, 0.314, 0.351],   // DCI-P3
        12: [0.680, 0.320, 0.265, 0.690, 0.150, 0.060, 0.3127, 0.3290], // Display P3
    ]
}
