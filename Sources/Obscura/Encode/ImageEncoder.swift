private import CObscuraCodecs

/// Writes pixels into a fresh container. Nothing from the input file is carried over: the
/// encoder receives pixels only, so no EXIF, XMP, ICC text, comments, thumbnails or trailing
/// bytes can reach the output.
public enum ImageEncoder {
    /// `jpegLayout` keeps a JPEG input's chroma sampling, progression and, when it carries them,
    /// quantization tables (nil: baseline 4:2:0 at `quality`).
    public static func encode(_ buffer: PixelBuffer, as format: ImageFormat, quality: Int,
                              jpegLayout: JPEGLayout? = nil) throws -> [UInt8] {
        let code: Int32
        switch format {
        case .jpeg: code = Int32(OBSCURA_CV_JPEG)
        case .png: code = Int32(OBSCURA_CV_PNG)
        case .webp: code = Int32(OBSCURA_CV_WEBP)
        default: throw ObscuraError(.encodeFailed, "cannot write \(format.rawValue) files")
        }
        if format == .webp {
            let lossless = quality > 100
            let needed = buffer.pixels.count + buffer.width * buffer.height * (lossless ? webPLosslessBytesPerPixel : webPLossyBytesPerPixel)
            guard needed <= workingBudget else {
                throw ObscuraError(.tooLarge, "a \(lossless ? "lossless " : "")WebP of \(buffer.width) × \(buffer.height) pixels cannot be written within \(workingBudget / 1_000_000) MB; choose PNG or JPEG with --format")
            }
        }
        var output: UnsafeMutablePointer<UInt8>?
        var length = 0
        var message = [CChar](repeating: 0, count: 256)
        var layout = obscura_cv_jpeg_layout()
        layout.one_pass = Self.jpegWorkingBytes(buffer, layout: jpegLayout) > Self.workingBudget ? 1 : 0
        if let jpegLayout {
            layout.luma_horizontal = Int32(jpegLayout.lumaHorizontal)
            layout.luma_vertical = Int32(jpegLayout.lumaVertical)
            layout.progressive = jpegLayout.isProgressive ? 1 : 0
            if let tables = jpegLayout.quantizationTables, tables.count == 1 || tables.count == 3,
               tables.allSatisfy({ $0.count == 64 }) {
                layout.table_count = Int32(tables.count)
                withUnsafeMutableBytes(of: &layout.tables) { raw in
                    let slots = raw.bindMemory(to: UInt16.self)
                    for (component, table) in tables.enumerated() {
                        for (index, value) in table.enumerated() { slots[component * 64 + index] = UInt16(clamping: value) }
                    }
                }
            }
        }
        let status = buffer.pixels.withUnsafeBufferPointer { pixels in
            obscura_cv_encode(pixels.baseAddress, Int32(buffer.width), Int32(buffer.height), Int32(buffer.channels),
                              code, Int32(quality), &layout, &output, &length, &message, message.count)
        }
        try check(status: status, message: message, .encodeFailed, "the \(format.rawValue) encoder failed")
        guard let output else {
            throw ObscuraError(.encodeFailed, "the \(format.rawValue) encoder failed", cause: messageText(message))
        }
        defer { obscura_cv_buffer_free(output) }
        return Array(UnsafeBufferPointer(start: output, count: length))
    }

    /// The most the pixels and a codec's whole-image buffer may hold together (300 MB, declared
    /// in the C target, whose JPEG decoder refuses a progressive file over it). It lets a
    /// 50 MP 4:2:0 JPEG keep optimised Huffman tables and progression; a larger one is written in one
    /// sequential pass with standard tables (a few percent larger, same pixels), so that no
    /// image pushes the process past 500 MB (issue 17). The same budget bounds the JPEG
    /// coefficient copy (`JPEGCoefficientEncoder`).
    public static let workingBudget = Int(OBSCURA_CV_WORKING_BUDGET)

    /// libwebp's own memory per pixel, measured with `/usr/bin/time` (peak less the process at
    /// rest and the pixels): about 13.6 bytes for lossless (a 20 MP photo: 452 MiB) and 2 for
    /// lossy (50 MP: 370 MiB). So lossless WebP is written up to about 17 MP, lossy up to 60 MP.
    static let webPLosslessBytesPerPixel = 14, webPLossyBytesPerPixel = 2

    /// The pixels plus the whole-image coefficient buffer libjpeg would fill: 2 bytes a
    /// coefficient, chroma fewer by the sampling factors (4:2:0 when no layout is kept).
    static func jpegWorkingBytes(_ buffer: PixelBuffer, layout: JPEGLayout?) -> Int {
        let pixels = buffer.width * buffer.height
        let subsampling = max(1, (layout?.lumaHorizontal ?? 2) * (layout?.lumaVertical ?? 2))
        let chroma = buffer.channels == 1 ? 0 : 2 * pixels / subsampling
        return buffer.pixels.count + 2 * (pixels + chroma)
    }
}
