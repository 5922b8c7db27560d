import Foundation
import Testing
@testable import Obscura

@Suite struct DecodeTests {
    @Test("a JPEG wider than the format allows fails with libjpeg's reason, and the encoder still works")
    func tooWideForJPEG() throws {
        // The error path returns through longjmp; its output buffer now lives in the caller's
        // frame (libjpeg's memory destination lost 4 KB on every such failure, seen with valgrind).
        let wide = PixelBuffer(width: 70_000, height: 2, channels: 3, filledWith: 128)
        #expect {
            try ImageEncoder.encode(wide, as: .jpeg, quality: 90)
        } throws: { error in
            (error as? ObscuraError)?.code == .encodeFailed && (error as? ObscuraError)?.cause?.contains("65500") == true
        }
        let small = PixelBuffer(width: 64, height: 48, channels: 3, filledWith: 90)
        let encoded = try ImageEncoder.encode(small, as: .jpeg, quality: 90)
        let decoded = try ImageDecoder.decode(encoded).pixels
        #expect(decoded.width == 64 && decoded.height == 48)
        #expect(encoded.suffix(2) == [0xFF, 0xD9])
    }

    @Test("an animated WebP is refused as not a single still image, as an animated GIF is")
    func animatedWebP() throws {
        // Two 64 x 64 frames (VP8X, ANIM, two ANMF chunks), written by Pillow.
        let hex = [
            "52494646fe00000057454250565038580a000000020000003f00003f0000414e494d06000000000000000000414e4d46",
            "6a0000000000000000003f00003f0000640000025650382052000000b004009d012a400040003e6d369949242322a122",
            "0800800d89690628009901f800088192d956263da7d79b57400000fef09b43fffe4172c2eb91affffc80ff901ff203ff",
            "e407e54d99cc5e468aaa09f08000414e4d46600000000000000000003f00003f0000640000005650382048000000d403",
            "009d012a400040003e6d32924902200000d8969062800990007f1aef081a5c253a98b68f8000fef91ddbfffe407ffe40",
            "7ffe407ffc80fffe2177b21cfc1dda6fdbbedc800000",
        ].joined()
        let bytes = stride(from: 0, to: hex.count, by: 2).map { offset in
            let start = hex.index(hex.startIndex, offsetBy: offset)
            return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)!
        }
        #expect {
            try ImageDecoder.decode(bytes)
        } throws: { error in
            (error as? ObscuraError)?.code == .unsupportedFormat && (error as? ObscuraError)?.cause == "animated WebP is not supported"
        }
    }

    /// A JPEG of `image` with an EXIF APP1 segment carrying `orientation`, built byte by byte.
    static func jpeg(_ image: PixelBuffer, orientation: Int, quality: Int = 95) throws -> [UInt8] {
        let plain = try ImageEncoder.encode(image, as: .jpeg, quality: quality)
        var tiff: [UInt8] = Array("MM".utf8) + [0, 42, 0, 0, 0, 8]
        tiff += [0, 1]                                  // one IFD0 entry
        tiff += [0x01, 0x12, 0, 3, 0, 0, 0, 1]          // Orientation, SHORT, count 1
        tiff += [0, UInt8(orientation), 0, 0]           // value, left-justified
        tiff += [0, 0, 0, 0]                            // no next IFD
        let payload = Array("Exif\0\0".utf8) + tiff
        let length = payload.count + 2
        let segment: [UInt8] = [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
        return Array(plain[0..<2]) + segment + Array(plain[2...])
    }

    /// 64 x 32, grey, with a white 16 x 8 marker in the stored top-left corner.
    static func marked() -> PixelBuffer {
        var image = PixelBuffer(width: 64, height: 32, channels: 3, filledWith: 40)
        for y in 0..<8 { for x in 0..<16 { let at = image.offset(x: x, y: y); for c in 0..<3 { image.pixels[at + c] = 250 } } }
        return image
    }

    @Test("all eight EXIF orientations come out upright", arguments: 1...8)
    func orientations(value: Int) throws {
        let decoded = try ImageDecoder.decode(try Self.jpeg(Self.marked(), orientation: value))
        #expect(decoded.orientation.rawValue == value)
        let upright = decoded.pixels
        let swapped = value >= 5
        #expect(upright.width == (swapped ? 32 : 64))
        #expect(upright.height == (swapped ? 64 : 32))
        // Where the stored top-left marker must appear once the picture is turned upright.
        let right = [2, 3, 6, 7].contains(value), bottom = [3, 4, 7, 8].contains(value)
        let x = right ? upright.width - 3 : 2, y = bottom ? upright.height - 3 : 2
        let oppositeX = right ? 2 : upright.width - 3, oppositeY = bottom ? 2 : upright.height - 3
        #expect(upright.pixels[upright.offset(x: x, y: y)] > 200, "marker missing for orientation \(value)")
        #expect(upright.pixels[upright.offset(x: oppositeX, y: oppositeY)] < 80)
    }

    @Test("turning a large image in place gives the same pixels as the copy", arguments: 1...8)
    func orientationInPlace(value: Int) throws {
        let orientation = try #require(ExifOrientation(rawValue: value))
        // Odd, unequal sides, so every flip has a middle row or column and the transposition's
        // cycles are long; each pixel distinct enough that a misplaced one shows.
        for (width, height, channels) in [(37, 23, 3), (23, 37, 1), (16, 9, 4), (1, 7, 3), (5, 5, 3)] {
            var samples = [UInt8](repeating: 0, count: width * height * channels)
            for index in samples.indices { samples[index] = UInt8(truncatingIfNeeded: index &* 2_654_435_761 >> 7) }
            let stored = PixelBuffer(width: width, height: height, channels: channels, pixels: samples)
            var turned = stored
            turned.orient(orientation, inPlaceAbove: 0)
            #expect(turned == stored.applying(orientation), "\(width)×\(height)×\(channels), orientation \(value)")
        }
    }

    @Test("JPEG quality is estimated from the quantization tables", arguments: [50, 75, 85, 92, 100])
    func quality(value: Int) throws {
        let bytes = try ImageEncoder.encode(TestSupport.gradient(width: 32, height: 32, channels: 3), as: .jpeg, quality: value)
        #expect(JPEGStructure(bytes: bytes).estimatedQuality == value)
    }

    @Test("a truncated JPEG is refused, trailing bytes after the image are not")
    func truncatedJPEG() throws {
        let bytes = try TestSupport.fixture("astronaut.jpg")
        #expect(throws: ObscuraError.self) { try ImageDecoder.decode(Array(bytes.prefix(bytes.count * 2 / 3))) }
        do {
            _ = try ImageDecoder.decode(Array(bytes.prefix(bytes.count - 2)))
            Issue.record("a JPEG without its end marker was accepted")
        } catch let error as ObscuraError {
            #expect(error.code == .decodeFailed)
        }
        let withTrailer = bytes + Array("appended secret data".utf8) + bytes
        #expect(try ImageDecoder.decode(withTrailer).pixels.width == 512)
    }

    @Test("a JPEG whose scan is cut short is refused even when an end marker follows")
    func damagedJPEG() throws {
        let whole = try TestSupport.fixture("astronaut.jpg")
        // A broken copy: the scan stops at 60% but the file still ends with EOI, so the marker
        // structure looks complete. A lenient decoder would fill the rest with grey.
        let bytes = Array(whole.prefix(whole.count * 6 / 10)) + [0xFF, 0xD9]
        #expect(JPEGStructure(bytes: bytes).isComplete)
        do {
            _ = try ImageDecoder.decode(bytes)
            Issue.record("a JPEG with damaged data was accepted")
        } catch let error as ObscuraError {
            #expect(error.code == .decodeFailed)
            #expect(error.cause?.contains("Corrupt JPEG data") == true, "cause: \(error.cause ?? "none")")
        }
    }

    @Test("a truncated PNG or WebP is refused", arguments: [ImageFormat.png, .webp])
    func truncatedOthers(format: ImageFormat) throws {
        let bytes = try ImageEncoder.encode(TestSupport.gradient(width: 64, height: 64, channels: 3), as: format, quality: 90)
        #expect(try ImageDecoder.decode(bytes).pixels.width == 64)
        #expect(throws: ObscuraError.self) { try ImageDecoder.decode(Array(bytes.prefix(bytes.count / 2))) }
    }

    @Test("non-images and unsupported images get distinct errors")
    func sniffing() throws {
        do {
            _ = try ImageDecoder.decode(Array("hello, this is a text file".utf8))
            Issue.record("text accepted")
        } catch let error as ObscuraError { #expect(error.code == .notAnImage) }
        do {
            _ = try ImageDecoder.decode(Array("BM".utf8) + [UInt8](repeating: 0, count: 40))
            Issue.record("BMP accepted")
        } catch let error as ObscuraError { #expect(error.code == .unsupportedFormat) }
    }

    @Test("PNG and WebP keep alpha through a round trip", arguments: [ImageFormat.png, .webp])
    func alphaRoundTrip(format: ImageFormat) throws {
        let image = TestSupport.gradient(width: 48, height: 40, channels: 4)
        let decoded = try ImageDecoder.decode(try ImageEncoder.encode(image, as: format, quality: 101))
        try #require(decoded.pixels.channels == 4)
        // Both are lossless here. WebP may zero the colour of fully transparent pixels (which
        // only helps privacy); every visible pixel and every alpha value comes back exactly.
        var mismatches = 0
        for index in 0..<(48 * 40) {
            let at = index * 4
            if decoded.pixels.pixels[at + 3] != image.pixels[at + 3] { mismatches += 1 }
            if image.pixels[at + 3] != 0 && decoded.pixels.pixels[at..<at + 3] != image.pixels[at..<at + 3] { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test("malformed EXIF never traps and reads as upright")
    func malformedExif() {
        #expect(ExifOrientation.read(fromTIFF: []) == .up)
        #expect(ExifOrientation.read(fromTIFF: Array("MM".utf8) + [0, 42, 0xFF, 0xFF, 0xFF, 0xFF]) == .up)
        #expect(ExifOrientation.read(fromTIFF: Array("II".utf8) + [42, 0, 8, 0, 0, 0, 0xFF, 0xFF]) == .up)
        for length in 0..<40 {
            let tiff: [UInt8] = Array("MM".utf8) + [0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0]
            _ = ExifOrientation.read(fromTIFF: Array(tiff.prefix(length)))
        }
    }

    @Test("damaged files never crash the decoder: each one decodes or is refused", arguments: [ImageFormat.jpeg, .png, .webp])
    func damagedFilesAreHandled(format: ImageFormat) throws {
        let photo = try ImageDecoder.decode(try TestSupport.fixture("astronaut.jpg")).pixels
        let original = format == .jpeg ? try TestSupport.fixture("astronaut.jpg") : try ImageEncoder.encode(photo, as: format, quality: 80)
        var generator = SplitMix64(seed: 2026)
        var cutShortRefused = 0
        for attempt in 0..<120 {
            var bytes = original
            switch attempt % 3 {
            case 0:  // headers and tables
                for _ in 0..<(1 + Int(generator.next() % 8)) {
                    bytes[Int(generator.next() % UInt64(min(2048, bytes.count)))] = UInt8(truncatingIfNeeded: generator.next())
                }
            case 1:  // cut short
                bytes = Array(bytes.prefix(16 + Int(generator.next() % UInt64(bytes.count - 16))))
            default:  // anywhere
                for _ in 0..<(1 + Int(generator.next() % 20)) {
                    bytes[Int(generator.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: generator.next())
                }
            }
            do {
                let decoded = try ImageDecoder.decode(bytes)
                #expect(decoded.pixels.pixels.count == decoded.pixels.width * decoded.pixels.height * decoded.pixels.channels)
            } catch is ObscuraError {
                if attempt % 3 == 1 { cutShortRefused += 1 }
            }
        }
        // Every cut-short file is refused.
        #expect(cutShortRefused == 40)
    }
}

/// A small seeded generator, so the damaged files are the same on every run.
/// Deterministic pseudo-random numbers for damaged files and generated documents.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
