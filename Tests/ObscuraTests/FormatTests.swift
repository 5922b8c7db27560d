import Foundation
import Testing
@testable import Obscura

/// Inputs beyond JPEG/PNG/WebP (HEIC, AVIF, TIFF, GIF), colour profiles, orientation and JPEG
/// layout. The test files are made here with independent tools (ImageMagick, libheif's heif-enc,
/// exiftool) and the outputs are judged by exiftool and by pixel checks.
@Suite(.enabled(if: FormatTools.present || TestSupport.modelsRequired,
                "ImageMagick, heif-enc or exiftool not installed: run scripts/setup.sh (skipped)"),
       .enabled(if: TestSupport.modelInstalled || TestSupport.modelsRequired, TestSupport.modelMissingMessage))
struct FormatTests {
    static let convert = FormatTools.convert
    static let heifEncoder = FormatTools.heifEncoder

    /// Runs a tool and fails the test with its message when it exits non-zero.
    @discardableResult
    static func tool(_ executable: URL, _ arguments: [String]) throws -> TestSupport.ProcessResult {
        let result = try TestSupport.run(executable, arguments)
        guard result.status == 0 else {
            throw TestFailure("\(executable.lastPathComponent) \(arguments.joined(separator: " ")) failed: \(result.standardError)")
        }
        return result
    }

    static func exiftool(_ arguments: [String]) throws { try TestSupport.exiftoolWrite(arguments) }

    /// Plants the kinds of metadata phones and cameras write.
    static let plantedTags = [
        "-GPSLatitude=48.8583", "-GPSLatitudeRef=N", "-GPSLongitude=2.2945", "-GPSLongitudeRef=E",
        "-Artist=Jane Roe", "-SerialNumber=SN-4711-0815", "-Make=PlantedMake", "-Model=PlantedModel",
        "-DateTimeOriginal=2024:05:06 07:08:09", "-XMP-dc:Creator=Jane Roe", "-ImageDescription=secret caption",
    ]

    /// A 64 x 48 colour picture with a white block in the stored top-left corner.
    static func makeSource(in folder: URL, name: String = "source.jpg", size: String = "64x48") throws -> URL {
        let url = folder.appendingPathComponent(name)
        try tool(convert, ["-size", size, "gradient:#c04020-#2040c0", "-fill", "white", "-draw", "rectangle 0,0 15,7",
                           "-quality", "95", url.path])
        return url
    }

    static func anonymizeFile(_ input: URL, to output: URL, _ extra: [String] = []) async throws -> (TestSupport.ProcessResult, [String: Any]?) {
        let report = output.deletingLastPathComponent().appendingPathComponent(output.lastPathComponent + ".report.jsonl")
        let result = try await TestSupport.obscura(["anonymize", input.path, "-o", output.path, "--report", report.path, "--quiet"] + extra)
        let line = (try? String(contentsOf: report, encoding: .utf8))?.split(separator: "\n").first
        let record = line.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        return (result, record)
    }

    static func decode(_ url: URL) throws -> PixelBuffer {
        try ImageDecoder.decode([UInt8](try Data(contentsOf: url))).pixels
    }

    @Test("HEIC with EXIF, GPS and XMP written by libheif's encoder comes out as a clean JPEG")
    func heicWithMetadata() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try Self.makeSource(in: folder)
        try Self.exiftool(Self.plantedTags + [source.path])
        let heic = folder.appendingPathComponent("photo.heic")
        try Self.tool(Self.heifEncoder, ["-q", "90", source.path, "-o", heic.path])
        // The witness sees the planted metadata inside the HEIC before anonymizing.
        let before = try TestSupport.exiftoolTags(heic)
        #expect(before["GPS:GPSLatitude"] != nil && before["IFD0:Artist"] != nil && before["XMP-dc:Creator"] != nil)

        let outputFolder = folder.appendingPathComponent("out")
        let result = try await TestSupport.obscura(["anonymize", heic.path, "-o", outputFolder.path, "--quiet"])
        #expect(result.status == 0, "\(result.standardError)")
        let output = outputFolder.appendingPathComponent("photo.jpg")  // --format keep maps HEIC to JPEG
        let tags = try TestSupport.exiftoolTags(output)
        #expect(tags["File:FileType"] as? String == "JPEG")
        #expect(TestSupport.nonIntrinsicTags(tags).isEmpty, "\(TestSupport.nonIntrinsicTags(tags))")
        let pixels = try Self.decode(output)
        #expect(pixels.width == 64 && pixels.height == 48)
        #expect(pixels.pixels[pixels.offset(x: 4, y: 3)] > 200, "the white block is still top-left")
    }

    @Test("a HEIC holding several images gives its primary image only")
    func multiImageHEIC() throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try Self.makeSource(in: folder, name: "a.jpg", size: "64x48")
        let second = try Self.makeSource(in: folder, name: "b.jpg", size: "40x80")
        let heic = folder.appendingPathComponent("two.heic")
        try Self.tool(Self.heifEncoder, ["-q", "90", first.path, second.path, "-o", heic.path])
        let decoded = try ImageDecoder.decode([UInt8](try Data(contentsOf: heic)))
        #expect(decoded.format == .heif)
        #expect(decoded.pixels.width == 64 && decoded.pixels.height == 48)
    }

    @Test("AVIF decodes to the colours it was made from")
    func avif() throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try Self.makeSource(in: folder)
        let avif = folder.appendingPathComponent("photo.avif")
        try Self.tool(Self.heifEncoder, ["-A", "-p", "chroma=444", "-q", "95", source.path, "-o", avif.path])
        let decoded = try ImageDecoder.decode([UInt8](try Data(contentsOf: avif)))
        let reference = try Self.decode(source)
        #expect(decoded.format == .avif)
        #expect(decoded.pixels.width == 64 && decoded.pixels.height == 48)
        let difference = zip(decoded.pixels.pixels, reference.pixels).map { abs(Int($0) - Int($1)) }
        #expect(Double(difference.reduce(0, +)) / Double(difference.count) < 6, "mean sample difference")
    }

    @Test("TIFF: the Orientation tag is applied, metadata dropped, written as JPEG")
    func tiff() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try Self.makeSource(in: folder)
        let tiff = folder.appendingPathComponent("scan.tif")
        try Self.tool(Self.convert, [source.path, "-strip", tiff.path])
        try Self.exiftool(Self.plantedTags + ["-Orientation=6", "-n", tiff.path])
        let output = folder.appendingPathComponent("scan.jpg")
        let (result, record) = try await Self.anonymizeFile(tiff, to: output)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(TestSupport.nonIntrinsicTags(try TestSupport.exiftoolTags(output)).isEmpty)
        #expect(record?["orientationApplied"] as? Int == 6)
        // Orientation 6 turns the picture clockwise: the stored top-left block ends top-right.
        let pixels = try Self.decode(output)
        #expect(pixels.width == 48 && pixels.height == 64)
        #expect(pixels.pixels[pixels.offset(x: 44, y: 4)] > 200)
        #expect(pixels.pixels[pixels.offset(x: 3, y: 4)] < 200)
    }

    @Test("multi-page TIFF, animated GIF and animated PNG are refused by name, nothing written")
    func animationsRefused() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let a = try Self.makeSource(in: folder, name: "a.png")
        let b = try Self.makeSource(in: folder, name: "b.png")
        let pages = folder.appendingPathComponent("pages.tif")
        try Self.tool(Self.convert, [a.path, b.path, pages.path])
        let animation = folder.appendingPathComponent("moving.gif")
        try Self.tool(Self.convert, ["-delay", "10", a.path, b.path, "-loop", "0", animation.path])
        // An APNG: the still PNG with an animation-control chunk after IHDR.
        var png = [UInt8](try Data(contentsOf: a))
        png.insert(contentsOf: Self.pngChunk("acTL", [0, 0, 0, 1, 0, 0, 0, 0]), at: 33)
        let apng = folder.appendingPathComponent("moving.png")
        try Data(png).write(to: apng)
        for input in [pages, animation, apng] {
            // An output folder: a file name ending in .tif or .gif is refused before the input is read.
            let output = folder.appendingPathComponent("out-" + input.pathExtension + "-" + input.deletingPathExtension().lastPathComponent)
            let result = try await TestSupport.obscura(["anonymize", input.path, "-o", output.path + "/", "--json", "--quiet"])
            #expect(result.status == 1)
            let summary = try JSONSerialization.jsonObject(with: result.standardOutput) as? [String: Any]
            let failure = (summary?["failures"] as? [[String: Any]])?.first
            #expect(failure?["code"] as? String == "input.unsupported", "\(input.lastPathComponent): \(String(describing: failure))")
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: output.path)) ?? []).isEmpty)
        }
    }

    @Test("a still GIF with a comment comes out as a clean PNG with the same pixels")
    func gif() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let gif = folder.appendingPathComponent("still.gif")
        try Self.tool(Self.convert, ["-size", "40x30", "xc:#3366cc", "-fill", "#ffcc00", "-draw", "rectangle 0,0 9,9", gif.path])
        try Self.exiftool(["-Comment=planted comment", gif.path])
        #expect(TestSupport.nonIntrinsicTags(try TestSupport.exiftoolTags(gif)).contains { $0.hasSuffix("Comment") })
        let outputFolder = folder.appendingPathComponent("out")
        let result = try await TestSupport.obscura(["anonymize", gif.path, "-o", outputFolder.path, "--quiet"])
        #expect(result.status == 0, "\(result.standardError)")
        let output = outputFolder.appendingPathComponent("still.png")
        #expect(TestSupport.nonIntrinsicTags(try TestSupport.exiftoolTags(output)).isEmpty)
        let pixels = try Self.decode(output)
        #expect(pixels.width == 40 && pixels.height == 30)
        let corner = pixels.offset(x: 2, y: 2), body = pixels.offset(x: 30, y: 20)
        #expect(Array(pixels.pixels[corner..<corner + 3]) == [0xFF, 0xCC, 0x00])
        #expect(Array(pixels.pixels[body..<body + 3]) == [0x33, 0x66, 0xCC])
    }

    @Test("12-bit JPEG is refused as unsupported with a clear reason")
    func twelveBitJPEG() throws {
        var bytes = try ImageEncoder.encode(TestSupport.gradient(width: 16, height: 16, channels: 3), as: .jpeg, quality: 90)
        // Patch the frame header's sample precision: the decoder must not guess.
        let sof = try #require((0..<bytes.count - 4).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
        bytes[sof + 4] = 12
        #expect {
            try ImageDecoder.decode(bytes)
        } throws: { error in
            (error as? ObscuraError)?.code == .unsupportedFormat && "\(error)".contains("12-bit")
        }
    }

    @Test("all eight EXIF orientations written by exiftool come out upright from the CLI", arguments: 1...8)
    func orientationEndToEnd(value: Int) async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = try Self.makeSource(in: folder)
        try Self.exiftool(["-Orientation=\(value)", "-n", source.path])
        let output = folder.appendingPathComponent("upright.png")
        let (result, _) = try await Self.anonymizeFile(source, to: output)
        #expect(result.status == 0)
        let pixels = try Self.decode(output)
        let swapped = value >= 5
        #expect(pixels.width == (swapped ? 48 : 64) && pixels.height == (swapped ? 64 : 48))
        // Where the stored top-left block must appear once the picture is upright.
        let right = [2, 3, 6, 7].contains(value), bottom = [3, 4, 7, 8].contains(value)
        let x = right ? pixels.width - 4 : 3, y = bottom ? pixels.height - 4 : 3
        #expect(pixels.pixels[pixels.offset(x: x, y: y) + 1] > 200, "block missing for orientation \(value)")
        #expect(pixels.pixels[pixels.offset(x: pixels.width - 1 - x, y: pixels.height - 1 - y) + 1] < 200)
    }

    @Test("a JPEG keeps its chroma sampling, progression and quantization tables")
    func jpegLayoutKept() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("fine.jpg")
        try Self.tool(Self.convert, ["-seed", "7", "-size", "96x64", "plasma:fractal", "-sampling-factor", "1x1",
                                     "-interlace", "JPEG", "-quality", "93", source.path])
        let output = folder.appendingPathComponent("out.jpg")
        let (result, _) = try await Self.anonymizeFile(source, to: output)
        #expect(result.status == 0)
        let before = try TestSupport.exiftoolTags(source), after = try TestSupport.exiftoolTags(output)
        for tag in ["File:EncodingProcess", "File:YCbCrSubSampling"] {
            #expect(after[tag] as? String == before[tag] as? String, "\(tag)")
        }
        #expect((after["File:EncodingProcess"] as? String)?.contains("Progressive") == true)
        let input = JPEGStructure(bytes: [UInt8](try Data(contentsOf: source)))
        let written = JPEGStructure(bytes: [UInt8](try Data(contentsOf: output)))
        #expect(written.componentTablesInNaturalOrder == input.componentTablesInNaturalOrder)
    }

    @Test("IMG.heic beside IMG.jpg is written as IMG-heic.jpg, whatever the worker order")
    func convertedNamesDoNotCollide() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let inputs = folder.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        let jpeg = try Self.makeSource(in: inputs, name: "IMG.jpg")
        try Self.tool(Self.heifEncoder, ["-q", "80", jpeg.path, "-o", inputs.appendingPathComponent("IMG.heic").path])
        let result = try await TestSupport.obscura(["anonymize", inputs.path, "-o", folder.appendingPathComponent("out").path,
                                              "--jobs", "2", "--quiet"])
        #expect(result.status == 0, "\(result.standardError)")
        let written = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("out").path).sorted()
        #expect(written == ["IMG-heic.jpg", "IMG.jpg"])
    }

    // MARK: - Colour

    /// Display P3 colours that lie inside sRGB, as 8-bit P3 values.
    static let patches: [[Double]] = [
        [200, 60, 50], [60, 170, 80], [50, 80, 190], [220, 200, 90], [120, 120, 120], [180, 110, 160], [90, 190, 200], [240, 230, 220],
    ]

    /// 8 patches of 16 x 16 in a row.
    static func patchImage() -> PixelBuffer {
        var image = PixelBuffer(width: 16 * patches.count, height: 16, channels: 3)
        for (index, patch) in patches.enumerated() {
            for y in 0..<16 { for x in 0..<16 {
                let at = image.offset(x: index * 16 + x, y: y)
                for c in 0..<3 { image.pixels[at + c] = UInt8(patch[c]) }
            } }
        }
        return image
    }

    /// The sRGB value of a P3 colour, computed from the published colour-space definitions
    /// (both use sRGB's transfer curve and D65), independently of Little CMS.
    static func expectedSRGB(_ p3: [Double]) -> [Double] {
        func decode(_ v: Double) -> Double { v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4) }
        func encode(_ v: Double) -> Double { v <= 0.0031308 ? 12.92 * v : 1.055 * pow(v, 1 / 2.4) - 0.055 }
        let linear = p3.map { decode($0 / 255) }
        let matrix = [[1.2249401, -0.2249404, 0.0], [-0.0420569, 1.0420571, 0.0], [-0.0196376, -0.0786361, 1.0982735]]
        return matrix.map { row in encode(min(max(zip(row, linear).map(*).reduce(0, +), 0), 1)) * 255 }
    }

    /// CIE 1976 colour difference between two 8-bit sRGB colours.
    static func deltaE(_ a: [Double], _ b: [Double]) -> Double {
        func lab(_ rgb: [Double]) -> [Double] {
            let linear = rgb.map { v -> Double in let s = v / 255; return s <= 0.04045 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4) }
            let x = (0.4124 * linear[0] + 0.3576 * linear[1] + 0.1805 * linear[2]) / 0.95047
            let y = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
            let z = (0.0193 * linear[0] + 0.1192 * linear[1] + 0.9505 * linear[2]) / 1.08883
            func f(_ t: Double) -> Double { t > 0.008856 ? cbrt(t) : 7.787 * t + 16.0 / 116 }
            return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))]
        }
        let (p, q) = (lab(a), lab(b))
        return sqrt(zip(p, q).map { ($0 - $1) * ($0 - $1) }.reduce(0, +))
    }

    /// Mean colour of each patch's centre.
    static func patchColours(_ image: PixelBuffer) -> [[Double]] {
        (0..<patches.count).map { index in
            var sum = [0.0, 0.0, 0.0]
            for y in 4..<12 { for x in 4..<12 {
                let at = image.offset(x: index * 16 + x, y: y)
                for c in 0..<3 { sum[c] += Double(image.pixels[at + c]) }
            } }
            return sum.map { $0 / 64 }
        }
    }

    static func colourErrors(of output: URL) throws -> (converted: [Double], unconverted: [Double]) {
        let colours = patchColours(try decode(output))
        let converted = zip(colours, patches).map { deltaE($0, expectedSRGB($1)) }
        let unconverted = patches.map { deltaE($0, expectedSRGB($0)) }
        return (converted, unconverted)
    }

    @Test("a Display P3 photo looks the same after anonymization (PNG with iCCP, JPEG with APP2)",
          arguments: ["png", "jpg"])
    func displayP3Profile(fileExtension: String) async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let profile = folder.appendingPathComponent("DisplayP3.icc")
        try Data(ICCProfileWriter.displayP3()).write(to: profile)
        let input = folder.appendingPathComponent("p3.\(fileExtension)")
        let format: ImageFormat = fileExtension == "png" ? .png : .jpeg
        try Data(try ImageEncoder.encode(Self.patchImage(), as: format, quality: 98)).write(to: input)
        try Self.exiftool(["-ICC_Profile<=\(profile.path)", input.path])
        #expect(try TestSupport.exiftoolTags(input)["ICC-header:ColorSpaceData"] != nil, "profile planted")

        let output = folder.appendingPathComponent("out.png")
        let (result, record) = try await Self.anonymizeFile(input, to: output)
        #expect(result.status == 0)
        #expect((record?["notes"] as? [String])?.contains { $0.contains("converted to sRGB") } == true)
        #expect(TestSupport.nonIntrinsicTags(try TestSupport.exiftoolTags(output)).isEmpty, "no profile is kept")
        let errors = try Self.colourErrors(of: output)
        let mean = errors.converted.reduce(0, +) / Double(errors.converted.count)
        print("Display P3 \(fileExtension): ΔE76 mean \(mean), max \(errors.converted.max()!), unconverted max \(errors.unconverted.max()!)")
        // JPEG's own rounding adds a little on top of the conversion's.
        #expect(mean < (format == .png ? 1.0 : 2.0), "mean ΔE76 \(mean): \(errors.converted)")
        #expect(errors.converted.max()! < 3.0, "\(errors.converted)")
        // Without conversion the saturated patches would be visibly off: the test can tell.
        #expect(errors.unconverted.max()! > 5.0)
    }

    @Test("an AVIF tagged Display P3 by nclx code points is converted to sRGB")
    func displayP3CodePoints() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("p3.jpg")
        try Data(try ImageEncoder.encode(Self.patchImage(), as: .jpeg, quality: 98)).write(to: source)
        let avif = folder.appendingPathComponent("p3.avif")
        try Self.tool(Self.heifEncoder, ["-A", "-p", "chroma=444", "-q", "98", source.path, "-o", avif.path])
        // heif-enc 1.15 writes an nclx box but ignores --colour_primaries: set primaries 12
        // (Display P3) and transfer 13 (sRGB) in the box itself; exiftool confirms the result.
        var bytes = [UInt8](try Data(contentsOf: avif))
        let box = try #require((0..<bytes.count - 8).first { Array(bytes[$0..<$0 + 8]) == Array("colrnclx".utf8) })
        bytes.replaceSubrange(box + 8..<box + 12, with: [0, 12, 0, 13])
        try Data(bytes).write(to: avif)
        #expect(try TestSupport.exiftoolTags(avif)["QuickTime:ColorPrimaries"] as? String == "SMPTE EG 432-1")

        let output = folder.appendingPathComponent("out.png")
        let (result, record) = try await Self.anonymizeFile(avif, to: output)
        #expect(result.status == 0)
        #expect((record?["notes"] as? [String])?.contains { $0.contains("converted to sRGB") } == true)
        let errors = try Self.colourErrors(of: output)
        let mean = errors.converted.reduce(0, +) / Double(errors.converted.count)
        print("Display P3 AVIF nclx: ΔE76 mean \(mean), max \(errors.converted.max()!)")
        #expect(mean < 2.0, "mean ΔE76 \(mean): \(errors.converted)")
        #expect(errors.converted.max()! < 4.0, "\(errors.converted)")
    }

    static func pngChunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + data
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in typed {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        crc ^= 0xFFFF_FFFF
        func bigEndian(_ value: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) } }
        return bigEndian(UInt32(data.count)) + typed + bigEndian(crc)
    }
}

/// The image tools the format tests make their inputs with.
enum FormatTools {
    static let convert = URL(fileURLWithPath: "/usr/bin/convert")
    static let heifEncoder = URL(fileURLWithPath: "/usr/bin/heif-enc")
    static var present: Bool {
        [convert.path, heifEncoder.path].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
            && TestSupport.exiftoolPath != nil
    }
}

/// Writes a minimal ICC v2 display profile, so that the colour tests do not depend on a
/// profile file being installed (Debian ships none for Display P3).
enum ICCProfileWriter {
    /// Apple's Display P3: P3 primaries adapted to D50 (the values in Apple's own profile) and
    /// sRGB's transfer curve.
    static func displayP3() -> [UInt8] {
        matrixShaper(description: "Display P3 (test)",
                     columns: [[0.515121, 0.241196, -0.001053], [0.291977, 0.692245, 0.041885], [0.157104, 0.066574, 0.784073]])
    }

    static func matrixShaper(description: String, columns: [[Double]]) -> [UInt8] {
        func u32(_ v: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: v >> $0) } }
        func s15(_ v: Double) -> [UInt8] { u32(UInt32(bitPattern: Int32((v * 65536).rounded()))) }
        func xyz(_ v: [Double]) -> [UInt8] { Array("XYZ ".utf8) + u32(0) + v.flatMap(s15) }
        var desc = Array("desc".utf8) + u32(0) + u32(UInt32(description.utf8.count + 1)) + Array(description.utf8) + [0]
        desc += u32(0) + u32(0) + [0, 0, 0] + [UInt8](repeating: 0, count: 67)
        let text = Array("text".utf8) + u32(0) + Array("No copyright, test profile".utf8) + [0]
        var curve = Array("curv".utf8) + u32(0) + u32(1024)
        for index in 0..<1024 {
            let v = Double(index) / 1023
            let linear = v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4)
            curve += [UInt8(Int((linear * 65535).rounded()) >> 8), UInt8(Int((linear * 65535).rounded()) & 0xFF)]
        }
        let tags: [(String, [UInt8])] = [
            ("desc", desc), ("cprt", text), ("wtpt", xyz([0.9642, 1.0, 0.8249])),
            ("rXYZ", xyz(columns[0])), ("gXYZ", xyz(columns[1])), ("bXYZ", xyz(columns[2])),
            ("rTRC", curve), ("gTRC", curve), ("bTRC", curve),
        ]
        var offset = 128 + 4 + tags.count * 12
        var table = u32(UInt32(tags.count)), data: [UInt8] = []
        for (signature, body) in tags {
            var padded = body
            while padded.count % 4 != 0 { padded.append(0) }
            table += Array(signature.utf8) + u32(UInt32(offset)) + u32(UInt32(body.count))
            data += padded
            offset += padded.count
        }
        var header = u32(UInt32(offset)) + u32(0) + [0x02, 0x10, 0, 0] + Array("mntrRGB XYZ ".utf8)
        header += [UInt8](repeating: 0, count: 12) + Array("acsp".utf8) + [UInt8](repeating: 0, count: 24)
        header += u32(0)  // rendering intent
        header += s15(0.9642) + s15(1.0) + s15(0.8249)
        header += [UInt8](repeating: 0, count: 128 - header.count)
        return header + table + data
    }
}
