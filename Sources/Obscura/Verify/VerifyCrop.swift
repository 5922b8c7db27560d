/// A PNG of one face that `verify` reported, so a person can decide whether it is a face left
/// unredacted or a false alarm (`--verify-crops DIR`). These crops are the only pixels of
/// unpainted faces Obscura writes on purpose: they are made only when asked for, and never go to
/// logs, reports or errors.
package struct VerifyCrop: Sendable {
    /// Position in `Verification.faces`, from 1, as the crop's file name gives it.
    package var number: Int
    /// The area cropped, in whole pixels of the checked image: the face's box grown by `growth`
    /// on every side and clamped to the image.
    package var area: Box
    package var png: [UInt8]

    /// Growth of the box on each side, as a fraction of its width and height: enough context
    /// (hair, collar, what surrounds it) to tell a face from clothing or a mosaic.
    package static let growth = 0.25

    /// Crops each reported face out of `bytes`, the image that was checked.
    package static func crops(of faces: [Verification.Face], in bytes: [UInt8]) throws -> [VerifyCrop] {
        guard !faces.isEmpty else { return [] }
        let pixels = try ImageDecoder.decode(bytes).pixels
        return try crops(of: faces, in: pixels)
    }

    package static func crops(of faces: [Verification.Face], in pixels: PixelBuffer) throws -> [VerifyCrop] {
        try faces.enumerated().compactMap { index, face in
            let box = face.box
            let x0 = max(0, Int((box.x - box.width * growth).rounded(.down)))
            let y0 = max(0, Int((box.y - box.height * growth).rounded(.down)))
            let x1 = min(pixels.width, Int((box.maxX + box.width * growth).rounded(.up)))
            let y1 = min(pixels.height, Int((box.maxY + box.height * growth).rounded(.up)))
            guard x1 > x0, y1 > y0 else { return nil }
            let width = x1 - x0, height = y1 - y0, channels = pixels.channels
            var cropped = [UInt8](repeating: 0, count: width * height * channels)
            for y in 0..<height {
                let from = pixels.offset(x: x0, y: y0 + y)
                cropped.replaceSubrange(y * width * channels..<(y + 1) * width * channels,
                                        with: pixels.pixels[from..<from + width * channels])
            }
            let png = try ImageEncoder.encode(PixelBuffer(width: width, height: height, channels: channels, pixels: cropped),
                                              as: .png, quality: 101)
            return VerifyCrop(number: index + 1, area: Box(x: Double(x0), y: Double(y0), width: Double(width),
                                                           height: Double(height)), png: png)
        }
    }

    /// The file name of a crop: the input's name without its extension, then the face number
    /// (`IMG_0042.face-1.png`).
    package static func fileName(forInput input: String, number: Int) -> String {
        let name = input.split(separator: "/").last.map(String.init) ?? input
        let stem = name.contains(".") ? String(name[..<name.lastIndex(of: ".")!]) : name
        return "\(stem.isEmpty ? "input" : stem).face-\(number).png"
    }
}
