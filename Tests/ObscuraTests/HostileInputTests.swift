import Foundation
import Testing
@testable import Obscura

/// Tiny files that declare huge images (issue 17, items 1–3): every decoder reads the declared
/// size with its own library's header parser and refuses it before allocating pixel memory.
/// `scripts/attack/cli.py` replays the full-size reproductions and measures peak memory.
@Suite struct HostileInputTests {
    static func declared(_ bytes: [UInt8]) throws -> [Int] {
        let size = try ImageDecoder.declaredSize(of: bytes)
        return [size.width, size.height]
    }

    @Test("a 65500 × 65500 progressive JPEG of a few hundred bytes is refused from its header")
    func progressiveJPEGBomb() throws {
        let bomb = HostileFiles.progressiveJPEG(width: 65500, height: 65500)
        #expect(bomb.count < 300)
        #expect(try Self.declared(bomb) == [65500, 65500])
        let refused = #expect(throws: ObscuraError.self) { try ImageDecoder.decode(bomb) }
        #expect(refused?.code == .tooLarge)
        #expect(refused?.message == "the image has 65500 × 65500 pixels, more than the limit of \(ImageDecoder.pixelCeiling)")
        let limited = #expect(throws: ObscuraError.self) { try ImageDecoder.decode(bomb, maximumPixels: ImageDecoder.defaultMaximumPixels) }
        #expect(limited?.code == .tooLarge)
    }

    @Test("a progressive JPEG within the pixel limit but too large to decode within the working budget is refused from its header")
    func progressiveJPEGOverTheWorkingBudget() throws {
        // 100 MP, under the CLI's default limit: its coefficients (300 MB) and pixels (300 MB)
        // would be held together. 20 MP passes the check and fails only on its missing data.
        let large = HostileFiles.progressiveJPEG(width: 11547, height: 8660)
        let refused = #expect(throws: ObscuraError.self) { try ImageDecoder.decode(large, maximumPixels: ImageDecoder.defaultMaximumPixels) }
        #expect(refused?.code == .tooLarge)
        #expect(refused?.message.contains("JPEG image of 11547 × 8660 pixels needs more than 300 MB") == true)
        #expect(refused?.cause?.contains("progressive") == true)
        let small = HostileFiles.progressiveJPEG(width: 5000, height: 4000)
        let failed = #expect(throws: ObscuraError.self) { try ImageDecoder.decode(small, maximumPixels: ImageDecoder.defaultMaximumPixels) }
        #expect(failed?.code == .decodeFailed)
    }

    @Test("a TIFF in one strip too large to decode beside its pixels is refused from its directory; one in many strips is read in bands")
    func tiffStripOverTheWorkingBudget() throws {
        // 10000² RGB in one deflate strip of zeros: 300 MB of strip beside 300 MB of pixels.
        let oneStrip = HostileFiles.tiff(width: 10000, height: 10000)
        let refused = #expect(throws: ObscuraError.self) { try ImageDecoder.decode(oneStrip, maximumPixels: ImageDecoder.defaultMaximumPixels) }
        #expect(refused?.code == .tooLarge)
        #expect(refused?.cause?.contains("strip or tile") == true)
        // 600 rows in strips of 7 (bands of 252 rows, the last one short): every row where it belongs.
        var image = PixelBuffer(width: 50, height: 600, channels: 3, filledWith: 0)
        for y in 0..<600 { for x in 0..<50 { let at = image.offset(x: x, y: y); image.pixels[at] = UInt8(y % 251); image.pixels[at + 1] = UInt8(x) } }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("obscura-tiff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let png = folder.appendingPathComponent("rows.png"), tiff = folder.appendingPathComponent("rows.tif")
        try Data(try ImageEncoder.encode(image, as: .png, quality: 101)).write(to: png)
        let convert = try TestSupport.run(FormatTools.convert, [png.path, "-define", "tiff:rows-per-strip=7", "-compress", "zip", tiff.path])
        #expect(convert.status == 0, "\(convert.standardError)")
        #expect(try ImageDecoder.decode([UInt8](try Data(contentsOf: tiff))).pixels == image)
    }

    @Test("a PNG whose pixels alone, with transparency, exceed the working budget is refused from its header; without alpha it is read")
    func transparentPNGOverTheWorkingBudget() throws {
        // 100 MP: 400 MB as RGBA, over the 300 MB budget; the same size as RGB passes this check
        // (and then fails on its missing data).
        let rgba = HostileFiles.pngHeader(width: 11547, height: 8660, colourType: 6)
        let refused = #expect(throws: ObscuraError.self) { try ImageDecoder.decode(rgba, maximumPixels: ImageDecoder.defaultMaximumPixels) }
        #expect(refused?.code == .tooLarge)
        #expect(refused?.cause?.contains("pixels alone") == true)
        let rgb = HostileFiles.pngHeader(width: 11547, height: 8660, colourType: 2)
        let failed = #expect(throws: ObscuraError.self) { try ImageDecoder.decode(rgb, maximumPixels: ImageDecoder.defaultMaximumPixels) }
        #expect(failed?.code != .tooLarge)
    }

    @Test("a lossless WebP too large for libwebp's encoder within the working budget is refused before encoding, with a way out")
    func webPOutputOverTheWorkingBudget() throws {
        let large = PixelBuffer(width: 5000, height: 4000, channels: 3, filledWith: 90)  // 20 MP
        let refused = #expect(throws: ObscuraError.self) { try ImageEncoder.encode(large, as: .webp, quality: 101) }
        #expect(refused?.code == .tooLarge)
        #expect(refused?.message.contains("choose PNG or JPEG with --format") == true)
        let small = PixelBuffer(width: 64, height: 48, channels: 3, filledWith: 90)
        #expect(try ImageDecoder.decode(try ImageEncoder.encode(small, as: .webp, quality: 101)).pixels == small)
    }

    @Test("junk after APP0 does not hide the declared size (libjpeg skips it, and so does the check)")
    func junkBeforeTheFrameHeader() throws {
        let bomb = HostileFiles.progressiveJPEG(width: 30000, height: 20000, junkAfterAPP0: true)
        #expect(try Self.declared(bomb) == [30000, 20000])
        let refused = #expect(throws: ObscuraError.self) { try ImageDecoder.decode(bomb, maximumPixels: 50_000_000) }
        #expect(refused?.code == .tooLarge)
    }

    @Test("a GIF whose logical screen is 23170² is refused before its canvas is allocated")
    func gifScreenBomb() throws {
        let bomb = HostileFiles.gif(screenWidth: 23170, screenHeight: 23170, frameWidth: 1, frameHeight: 1)
        #expect(bomb.count <= 40)
        #expect(try Self.declared(bomb) == [23170, 23170])
        let refused = #expect(throws: ObscuraError.self) { try ImageDecoder.decode(bomb, maximumPixels: ImageDecoder.defaultMaximumPixels) }
        #expect(refused?.code == .tooLarge)
    }

    @Test("a GIF within the pixel limit whose palette indices and pixels exceed the working budget is refused before decoding")
    func gifOverTheWorkingBudget() throws {
        // 100 MP: a 1 × 1 frame leaves the rest transparent, so 400 MB of RGBA beside the
        // indices. 20 MP (80 MB) is decoded.
        let large = HostileFiles.gif(screenWidth: 11547, screenHeight: 8660, frameWidth: 1, frameHeight: 1)
        let refused = #expect(throws: ObscuraError.self) { try ImageDecoder.decode(large, maximumPixels: ImageDecoder.defaultMaximumPixels) }
        #expect(refused?.code == .tooLarge)
        #expect(refused?.cause?.contains("palette indices") == true)
        let small = HostileFiles.gif(screenWidth: 5000, screenHeight: 4000, frameWidth: 1, frameHeight: 1)
        let decoded = try ImageDecoder.decode(small, maximumPixels: ImageDecoder.defaultMaximumPixels)
        #expect(decoded.pixels.width == 5000 && decoded.pixels.height == 4000 && decoded.pixels.channels == 4)
    }

    @Test("a GIF frame larger than its screen is refused, not allocated")
    func gifFrameBomb() throws {
        let bomb = HostileFiles.gif(screenWidth: 4, screenHeight: 4, frameWidth: 65535, frameHeight: 65535)
        let refused = #expect(throws: ObscuraError.self) { try ImageDecoder.decode(bomb) }
        #expect(refused?.code == .decodeFailed)
        // The same file with a frame that fits decodes: the refusal is about the frame's size.
        let still = HostileFiles.gif(screenWidth: 4, screenHeight: 4, frameWidth: 4, frameHeight: 4)
        let decoded = try ImageDecoder.decode(still)
        #expect(decoded.pixels.width == 4 && decoded.pixels.height == 4)
    }

    @Test("an 18000² TIFF is refused from its directory")
    func tiffBomb() throws {
        let bomb = HostileFiles.tiff(width: 18000, height: 18000)
        #expect(try Self.declared(bomb) == [18000, 18000])
        let refused = #expect(throws: ObscuraError.self) { try ImageDecoder.decode(bomb, maximumPixels: ImageDecoder.defaultMaximumPixels) }
        #expect(refused?.code == .tooLarge)
    }

    @Test("GIF rows read one by one: interlaced and plain files decode to the same pixels; HEIF and TIFF are limited from their headers",
          .enabled(if: FormatTools.present, "ImageMagick or heif-enc not installed: run scripts/setup.sh (skipped)"))
    func readFormatsAreLimitedBeforeDecoding() throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        func make(_ name: String, _ arguments: [String]) throws -> [UInt8] {
            let file = folder.appendingPathComponent(name)
            let result = try TestSupport.run(FormatTools.convert, ["-seed", "3", "-size", "61x43", "plasma:fractal"] + arguments + [file.path])
            #expect(result.status == 0, "\(result.standardError)")
            return Array(try Data(contentsOf: file))
        }
        let plain = try ImageDecoder.decode(try make("plain.gif", ["-interlace", "none"]))
        let interlaced = try ImageDecoder.decode(try make("interlaced.gif", ["-interlace", "GIF"]))
        #expect(plain.pixels.width == 61 && plain.pixels.height == 43)
        #expect(plain.pixels.pixels == interlaced.pixels.pixels)
        // ImageMagick's own reading of the GIF, written as PNG, is the independent witness.
        let witness = folder.appendingPathComponent("witness.png")
        #expect(try TestSupport.run(FormatTools.convert, [folder.appendingPathComponent("interlaced.gif").path, witness.path]).status == 0)
        #expect(try ImageDecoder.decode(Array(try Data(contentsOf: witness))).pixels.pixels == interlaced.pixels.pixels)

        let png = folder.appendingPathComponent("source.png")
        try Data(try ImageEncoder.encode(plain.pixels, as: .png, quality: 101, jpegLayout: nil)).write(to: png)
        let heic = folder.appendingPathComponent("photo.heic")
        #expect(try TestSupport.run(FormatTools.heifEncoder, ["-q", "80", png.path, "-o", heic.path]).status == 0)
        for bytes in [Array(try Data(contentsOf: heic)), try make("scan.tif", ["-compress", "zip"])] {
            #expect(try Self.declared(bytes) == [61, 43])
            #expect(throws: ObscuraError(.tooLarge, "the image has 61 × 43 pixels, more than the limit of 2622")) {
                try ImageDecoder.decode(bytes, maximumPixels: 2622)
            }
            #expect(try ImageDecoder.decode(bytes, maximumPixels: 2623).pixels.width == 61)
        }
    }

    @Test("every written format reports its size from the header and is limited before decoding")
    func declaredSizesOfWrittenFormats() throws {
        let photo = try TestSupport.fixture("astronaut.jpg")
        #expect(try Self.declared(photo) == [512, 512])
        let image = PixelBuffer(width: 30, height: 20, channels: 3, filledWith: 7)
        for format in [ImageFormat.png, .webp, .jpeg] {
            let bytes = try ImageEncoder.encode(image, as: format, quality: format == .png ? 101 : 90, jpegLayout: nil)
            #expect(try Self.declared(bytes) == [30, 20], "\(format)")
            #expect(throws: ObscuraError(.tooLarge, "the image has 30 × 20 pixels, more than the limit of 599")) {
                try ImageDecoder.decode(bytes, maximumPixels: 599)
            }
            #expect(try ImageDecoder.decode(bytes, maximumPixels: 600).pixels.width == 30)
        }
        #expect(throws: ObscuraError.self) { try ImageDecoder.declaredSize(of: [1, 2, 3]) }
        // A header the decoder cannot read is refused, not waved through.
        let cut = Array(photo.prefix(20))
        #expect(throws: ObscuraError.self) { try ImageDecoder.declaredSize(of: cut) }
    }
}

/// Hand-built reproductions of the hostile files of issue 17.
enum HostileFiles {
    /// SOI, (APP0 and one junk byte), DQT, SOF2 declaring the size, DHT, one DC scan, EOI.
    static func progressiveJPEG(width: Int, height: Int, junkAfterAPP0: Bool = false) -> [UInt8] {
        func be16(_ value: Int) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
        var bytes: [UInt8] = [0xFF, 0xD8]
        if junkAfterAPP0 {
            bytes += [0xFF, 0xE0] + be16(16) + Array("JFIF".utf8) + [0, 1, 1, 0] + be16(1) + be16(1) + [0, 0]
            bytes += [0x00]
        }
        bytes += [0xFF, 0xDB] + be16(67) + [0] + [UInt8](repeating: 1, count: 64)
        bytes += [0xFF, 0xC2] + be16(17) + [8] + be16(height) + be16(width) + [3]
        for id: UInt8 in 1...3 { bytes += [id, 0x11, 0] }
        // DC table 0: one code of length 1 for category 0.
        bytes += [0xFF, 0xC4] + be16(20) + [0x00] + [1] + [UInt8](repeating: 0, count: 15) + [0]
        bytes += [0xFF, 0xDA] + be16(12) + [3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 0, 0]
        bytes += [0x00, 0x00, 0x00, 0x00]
        bytes += [0xFF, 0xD9]
        return bytes
    }

    /// GIF89a with a two-colour global table and one frame of 2-bit LZW data.
    static func gif(screenWidth: Int, screenHeight: Int, frameWidth: Int, frameHeight: Int) -> [UInt8] {
        func le16(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
        var bytes = Array("GIF89a".utf8) + le16(screenWidth) + le16(screenHeight) + [0x80, 0, 0]
        bytes += [0, 0, 0, 255, 255, 255]
        bytes += [0x2C] + le16(0) + le16(0) + le16(frameWidth) + le16(frameHeight) + [0]
        // LZW, minimum code size 2: clear, then index 0 repeated through growing codes, then end.
        bytes += [2] + lzwZeros(count: frameWidth * frameHeight <= 64 ? frameWidth * frameHeight : 1) + [0x3B]
        return bytes
    }

    /// Sub-blocks of a 2-bit LZW stream holding `count` zero indices (codes written one by one).
    private static func lzwZeros(count: Int) -> [UInt8] {
        // Widths grow as giflib's reader expects: after each code the next free code is counted
        // up, and the width grows once it passes 2^width.
        var codes: [(Int, Int)] = [(4, 3)]  // clear code, 3 bits
        var running = 6, width = 3
        func emit(_ code: Int) {
            codes.append((code, width))
            running += 1
            if running > (1 << width), width < 12 { width += 1 }
        }
        for _ in 0..<count { emit(0) }
        emit(5)  // end of information
        var data: [UInt8] = [], accumulator = 0, bits = 0
        for (code, size) in codes {
            accumulator |= code << bits
            bits += size
            while bits >= 8 { data.append(UInt8(accumulator & 0xFF)); accumulator >>= 8; bits -= 8 }
        }
        if bits > 0 { data.append(UInt8(accumulator & 0xFF)) }
        return [UInt8(data.count)] + data + [0]
    }

    /// A little-endian baseline TIFF: RGB, deflate, one strip of a few bytes.
    /// A PNG signature, an IHDR of the given size and colour type (8-bit) and one empty IDAT.
    static func pngHeader(width: Int, height: Int, colourType: UInt8) -> [UInt8] {
        func be32(_ value: Int) -> [UInt8] { (0..<4).map { UInt8((value >> (24 - 8 * $0)) & 0xFF) } }
        func crc32(_ bytes: [UInt8]) -> Int {
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in bytes {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
            }
            return Int(crc ^ 0xFFFF_FFFF)
        }
        func chunk(_ kind: String, _ payload: [UInt8]) -> [UInt8] {
            let body = Array(kind.utf8) + payload
            return be32(payload.count) + body + be32(crc32(body))
        }
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            + chunk("IHDR", be32(width) + be32(height) + [8, colourType, 0, 0, 0])
            + chunk("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]) + chunk("IEND", [])
    }

    static func tiff(width: Int, height: Int) -> [UInt8] {
        func le16(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF)] }
        func le32(_ value: Int) -> [UInt8] { le16(value & 0xFFFF) + le16(value >> 16) }
        let strip: [UInt8] = [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]
        let entries: [(tag: Int, type: Int, count: Int, value: Int)] = [
            (256, 4, 1, width), (257, 4, 1, height), (258, 3, 1, 8), (259, 3, 1, 8), (262, 3, 1, 2),
            (273, 4, 1, 8), (277, 3, 1, 3), (278, 4, 1, height), (279, 4, 1, strip.count),
        ]
        var bytes: [UInt8] = Array("II".utf8) + le16(42) + le32(8 + strip.count) + strip
        bytes += le16(entries.count)
        for entry in entries {
            bytes += le16(entry.tag) + le16(entry.type) + le32(entry.count)
            bytes += entry.type == 3 ? le16(entry.value) + [0, 0] : le32(entry.value)
        }
        bytes += le32(0)
        return bytes
    }
}
