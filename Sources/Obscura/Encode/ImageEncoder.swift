private import CObscuraCV

/// Writes pixels into a fresh container. Nothing from the input file is carried over: the
/// encoder receives pixels only, so no EXIF, XMP, ICC text, comments, thumbnails or trailing
/// bytes can reach the output.
public enum ImageEncoder {
    public static func encode(_ buffer: PixelBuffer, as format: ImageFormat, quality: Int) throws -> [UInt8] {
        let code: Int32
        switch format {
        case .jpeg: code = Int32(OBSCURA_CV_JPEG)
        case .png: code = Int32(OBSCURA_CV_PNG)
        case .webp: code = Int32(OBSCURA_CV_WEBP)
        default: throw ObscuraError(.encodeFailed, "cannot write \(format.rawValue) files")
        }
        var output: UnsafeMutablePointer<UInt8>?
        var length = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = buffer.pixels.withUnsafeBufferPointer { pixels in
            obscura_cv_encode(pixels.baseAddress, Int32(buffer.width), Int32(buffer.height), Int32(buffer.channels),
                              code, Int32(quality), &output, &length, &message, message.count)
        }
        guard status == 0, let output else {
            throw ObscuraError(.encodeFailed, "the \(format.rawValue) encoder failed",
                               cause: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        defer { obscura_cv_buffer_free(output) }
        return Array(UnsafeBufferPointer(start: output, count: length))
    }
}
