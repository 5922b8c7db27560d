import Foundation
import Testing
@testable import Obscura

/// The coefficient path (`JPEGCoefficientEncoder`): a JPEG written from a JPEG keeps every block
/// that redaction does not touch. Inputs are made from the astronaut fixture with ImageMagick
/// and exiftool; outputs are judged by decoding them.
@Suite(.enabled(if: FormatTools.present || TestSupport.modelsRequired,
                "ImageMagick or exiftool not installed: run scripts/setup.sh (skipped)"))
struct LosslessJPEGTests {
    /// A JPEG made from the astronaut with `convert` (resized to `size`, then `arguments`).
    static func makeJPEG(_ size: String, _ arguments: [String], in folder: URL, name: String = "input.jpg") throws -> URL {
        let url = folder.appendingPathComponent(name)
        let source = TestSupport.fixtures.appendingPathComponent("astronaut.jpg")
        try FormatTests.tool(FormatTools.convert, [source.path, "-resize", "\(size)!", "-quality", "85"] + arguments + [url.path])
        return url
    }

    struct Copy {
        var decoded: DecodedImage
        var redacted: PixelBuffer
        var regions: [Region]
        var outcome: JPEGCoefficientEncoder.Outcome

        var bytes: [UInt8]? { if case .copied(let bytes) = outcome { bytes } else { nil } }
        var reason: String? { if case .reencode(let reason) = outcome { reason } else { nil } }
    }

    /// What `Anonymizer.render` does for JPEG to JPEG: decode, paint the rectangles as given
    /// (x0, y0, x1, y1), copy.
    static func copy(_ jpeg: [UInt8], rects: [[Int]], style: RedactionStyle = .pixelate, fill: RGBColor = AnonymizeOptions().fill,
                     standardProfiles: [String: String] = StandardColourProfile.known) throws -> Copy {
        let decoded = try ImageDecoder.decode(jpeg)
        var options = AnonymizeOptions()
        options.style = style
        // Drawn (manual) regions take the text style.
        options.textStyle = style
        options.fill = fill
        let detections = rects.map { Detection(kind: RegionPlanner.manualKind, box: Box(x: Double($0[0]), y: Double($0[1]),
                                                                                         width: Double($0[2] - $0[0]), height: Double($0[3] - $0[1])), score: 1) }
        let regions = RegionPlanner.plan(detections, imageWidth: decoded.pixels.width, imageHeight: decoded.pixels.height, options: options)
        var redacted = decoded.pixels
        Redactor.redact(&redacted, regions: regions, fill: options.fill)
        let outcome = JPEGCoefficientEncoder.copy(decoded, redacted: redacted, regions: regions, fill: options.fill, to: .jpeg,
                                                  requestedQuality: nil, standardProfiles: standardProfiles)
        return Copy(decoded: decoded, redacted: redacted, regions: regions, outcome: outcome)
    }

    /// Of the 16 x 16 blocks at least `margin` px from every rectangle, how many decode
    /// identically in `a` and `b`.
    static func untouchedBlocks(_ a: PixelBuffer, _ b: PixelBuffer, rects: [[Int]], margin: Int = 16) -> (same: Int, total: Int) {
        var same = 0, total = 0
        for by in stride(from: 0, through: a.height - 16, by: 16) {
            for bx in stride(from: 0, through: a.width - 16, by: 16) {
                let near = rects.contains { r in
                    bx - margin < r[2] && r[0] < bx + 16 + margin && by - margin < r[3] && r[1] < by + 16 + margin
                }
                if near { continue }
                total += 1
                let identical = (by..<by + 16).allSatisfy { y in
                    let from = a.offset(x: bx, y: y)
                    return a.pixels[from..<from + 16 * a.channels] == b.pixels[from..<from + 16 * a.channels]
                }
                if identical { same += 1 }
            }
        }
        return (same, total)
    }

    /// Largest and mean absolute sample difference.
    static func difference(_ a: PixelBuffer, _ b: PixelBuffer) -> (max: Int, mean: Double) {
        var largest = 0, sum = 0
        for (x, y) in zip(a.pixels, b.pixels) {
            let d = abs(Int(x) - Int(y))
            largest = max(largest, d)
            sum += d
        }
        return (largest, Double(sum) / Double(max(a.pixels.count, 1)))
    }

    static let rects = [[40, 56, 150, 170], [300, 200, 371, 290]]

    @Test("untouched blocks decode bit-identical; layout and progression are kept",
          arguments: ["2x2", "2x1", "1x1"], [false, true])
    func untouchedBlocksIdentical(sampling: String, progressive: Bool) throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Not whole MCUs: the right and bottom edges hold partial ones.
        let input = try Self.makeJPEG("509x381", ["-sampling-factor", sampling] + (progressive ? ["-interlace", "JPEG"] : []), in: folder)
        let bytes = Array(try Data(contentsOf: input))
        let copy = try Self.copy(bytes, rects: Self.rects)
        let output = try #require(copy.bytes, "fell back: \(copy.reason ?? "")")
        let decoded = try ImageDecoder.decode(output)
        #expect(decoded.pixels.width == 509 && decoded.pixels.height == 381)
        let blocks = Self.untouchedBlocks(copy.decoded.pixels, decoded.pixels, rects: Self.rects)
        #expect(blocks.total > 400)
        #expect(blocks.same == blocks.total, "\(blocks.total - blocks.same) untouched blocks changed")
        // The painted areas hold the redacted pixels (within JPEG's rounding).
        let painted = Self.difference(copy.redacted, decoded.pixels)
        #expect(painted.max <= 40 && painted.mean < 1.0, "\(painted)")
        let layoutIn = JPEGStructure(bytes: bytes), layoutOut = JPEGStructure(bytes: output)
        #expect(layoutOut.isProgressive == progressive)
        #expect(layoutOut.lumaSampling?.horizontal == layoutIn.lumaSampling?.horizontal)
        #expect(layoutOut.lumaSampling?.vertical == layoutIn.lumaSampling?.vertical)
        #expect(layoutOut.componentTablesInNaturalOrder == layoutIn.componentTablesInNaturalOrder)
        // Deterministic.
        #expect(try Self.copy(bytes, rects: Self.rects).bytes == output)
    }

    @Test("photos of the WIDER evaluation set keep every untouched block",
          .enabled(if: TestSupport.hasFacesEvaluationSet, "../shared/eval/faces absent (skipped)"))
    func realPhotos() throws {
        let folder = TestSupport.facesEvaluationSet.appendingPathComponent("images")
        let files = try FileManager.default.subpathsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".jpg") }.sorted().prefix(6)
        #expect(files.count == 6)
        for file in files {
            let bytes = Array(try Data(contentsOf: folder.appendingPathComponent(file)))
            let copy = try Self.copy(bytes, rects: [[100, 80, 260, 230], [500, 300, 580, 420]])
            let output = try #require(copy.bytes, "\(file) fell back: \(copy.reason ?? "")")
            let blocks = Self.untouchedBlocks(copy.decoded.pixels, try ImageDecoder.decode(output).pixels,
                                              rects: [[100, 80, 260, 230], [500, 300, 580, 420]])
            #expect(blocks.same == blocks.total, "\(file): \(blocks.total - blocks.same) of \(blocks.total) changed")
            // Close to the input's size, which carried no more than the entropy-coded data.
            #expect(Double(output.count) < Double(bytes.count) * 1.03, "\(file)")
        }
    }

    @Test("pixelate on the coefficient path: every cell is flat at its mean")
    func cellRule() throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bytes = Array(try Data(contentsOf: try Self.makeJPEG("512x512", ["-sampling-factor", "2x2"], in: folder)))
        let region = [64, 64, 192, 160]  // 128 x 96: cell 16, cells on the block grid
        let copy = try Self.copy(bytes, rects: [region])
        let output = try ImageDecoder.decode(try #require(copy.bytes)).pixels
        #expect(copy.regions.first?.cellSize == 16)
        let input = copy.decoded.pixels
        for cellY in stride(from: 64, to: 160, by: 16) {
            for cellX in stride(from: 64, to: 192, by: 16) {
                for c in 0..<3 {
                    var sum = 0
                    for y in cellY..<cellY + 16 { for x in cellX..<cellX + 16 { sum += Int(input.pixels[input.offset(x: x, y: y) + c]) } }
                    let mean = (sum + 128) / 256
                    // Inside the cell (away from its border, where chroma upsampling blends
                    // neighbours) the output is the cell mean, give or take JPEG's rounding.
                    for y in cellY + 2..<cellY + 14 {
                        for x in cellX + 2..<cellX + 14 {
                            let value = Int(output.pixels[output.offset(x: x, y: y) + c])
                            if abs(value - mean) > 6 {
                                Issue.record("cell \(cellX),\(cellY) channel \(c): \(value) vs mean \(mean)")
                                return
                            }
                        }
                    }
                }
            }
        }
    }

    @Test("the output inside a painted area depends on its cell means only, not on the input's coefficients",
          arguments: [RedactionStyle.pixelate, .blur])
    func noDetailLeft(style: RedactionStyle) throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Two inputs that differ only inside the (MCU-aligned) region: the same encoder gives
        // them the same coefficients everywhere else.
        let a = try Self.makeJPEG("512x512", ["-sampling-factor", "2x2"], in: folder, name: "a.jpg")
        let b = try Self.makeJPEG("512x512", ["-sampling-factor", "2x2", "-region", "128x96+64+64", "-negate", "+region"],
                                  in: folder, name: "b.jpg")
        let bytesA = Array(try Data(contentsOf: a)), bytesB = Array(try Data(contentsOf: b))
        #expect(bytesA != bytesB)
        let region = [64, 64, 192, 160]
        let copyA = try Self.copy(bytesA, rects: [region], style: style)
        // B's decoded pixels with A's cells, each reversed inside: same cell means, other detail.
        var decodedB = try ImageDecoder.decode(bytesB)
        var pixels = copyA.decoded.pixels
        for cellY in stride(from: 64, to: 160, by: 16) {
            for cellX in stride(from: 64, to: 192, by: 16) {
                var samples: [ArraySlice<UInt8>] = []
                for y in cellY..<cellY + 16 { for x in cellX..<cellX + 16 { let at = pixels.offset(x: x, y: y); samples.append(pixels.pixels[at..<at + 3]) } }
                samples.reverse()
                var index = 0
                for y in cellY..<cellY + 16 { for x in cellX..<cellX + 16 { let at = pixels.offset(x: x, y: y); pixels.pixels.replaceSubrange(at..<at + 3, with: samples[index]); index += 1 } }
            }
        }
        #expect(pixels != copyA.decoded.pixels)
        decodedB.pixels = pixels
        var redactedB = pixels
        Redactor.redact(&redactedB, regions: copyA.regions, fill: AnonymizeOptions().fill)
        let outcomeB = JPEGCoefficientEncoder.copy(decodedB, redacted: redactedB, regions: copyA.regions, fill: AnonymizeOptions().fill,
                                                   to: .jpeg, requestedQuality: nil)
        let outputA = try #require(copyA.bytes)
        #expect(outcomeB == .copied(outputA), "the outputs differ: something of the input survived inside the region")
        #expect(outputA != bytesA)
    }

    @Test("every EXIF orientation is applied in the coefficient domain", arguments: 1...8)
    func orientations(value: Int) throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // 4:2:2 so that transposing must swap the sampling factors too; whole MCUs (16 x 8).
        let input = try Self.makeJPEG("512x384", ["-sampling-factor", "2x1"], in: folder)
        try TestSupport.exiftoolWrite(["-Orientation=\(value)", "-n", input.path])
        let bytes = Array(try Data(contentsOf: input))
        let copy = try Self.copy(bytes, rects: [[30, 40, 100, 120]])
        #expect(copy.decoded.orientation.rawValue == value)
        let output = try #require(copy.bytes, "fell back: \(copy.reason ?? "")")
        let decoded = try ImageDecoder.decode(output).pixels
        #expect(decoded.width == copy.redacted.width && decoded.height == copy.redacted.height)
        let swaps = value >= 5
        #expect(JPEGStructure(bytes: output).lumaSampling?.horizontal == (swaps ? 1 : 2))
        #expect(JPEGStructure(bytes: output).lumaSampling?.vertical == (swaps ? 2 : 1))
        // Moving blocks is exact; decoding the moved blocks can differ by the IDCT's and chroma
        // upsampling's rounding, which are not symmetric.
        let far = Self.untouchedBlocks(copy.decoded.pixels, decoded, rects: [[30, 40, 100, 120]])
        let change = Self.difference(copy.redacted, decoded)
        if value == 1 {
            #expect(far.same == far.total)
        } else {
            #expect(change.max <= 40 && change.mean < 1.0, "\(change)")
        }
        #expect(change.mean < 1.0, "\(change)")
        // No EXIF, so the output is upright for every viewer.
        #expect(JPEGStructure(bytes: output).exif == nil)
    }

    @Test("an orientation that would move partial MCUs falls back; a plain transpose does not")
    func orientationFallback() throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = try Self.makeJPEG("509x381", ["-sampling-factor", "2x2"], in: folder)
        try TestSupport.exiftoolWrite(["-Orientation=6", "-n", input.path])
        let turned = try Self.copy(Array(try Data(contentsOf: input)), rects: [])
        #expect(turned.bytes == nil)
        #expect(turned.reason?.contains("not a whole number of 16 x 16 MCUs") == true, "\(turned.reason ?? "")")
        try TestSupport.exiftoolWrite(["-Orientation=5", "-n", input.path])
        let transposed = try Self.copy(Array(try Data(contentsOf: input)), rects: [])
        let output = try #require(transposed.bytes, "fell back: \(transposed.reason ?? "")")
        #expect(Self.difference(transposed.decoded.pixels, try ImageDecoder.decode(output).pixels).mean < 1.0)
    }

    @Test("restart intervals, greyscale and a trailer are handled; CMYK without an Adobe marker or with a profile falls back")
    func variants() throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Restart marker every 5 MCUs (made with Pillow: ImageMagick cannot).
        let restart = try TestSupport.fixture("astronaut-restart.jpg")
        let rects = [[20, 30, 90, 100]]
        let copied = try Self.copy(restart, rects: rects)
        let output = try #require(copied.bytes, "fell back: \(copied.reason ?? "")")
        let dri = try #require(output.indices.first { output[$0] == 0xFF && output[$0 + 1] == 0xDD })
        #expect(Array(output[dri..<dri + 6]) == [0xFF, 0xDD, 0, 4, 0, 5])
        let blocks = Self.untouchedBlocks(copied.decoded.pixels, try ImageDecoder.decode(output).pixels, rects: rects)
        #expect(blocks.same == blocks.total && blocks.total > 100)

        let grey = Array(try Data(contentsOf: try Self.makeJPEG("300x200", ["-colorspace", "Gray"], in: folder, name: "grey.jpg")))
        let greyCopy = try Self.copy(grey, rects: rects)
        let greyOutput = try #require(greyCopy.bytes, "fell back: \(greyCopy.reason ?? "")")
        let greyDecoded = try ImageDecoder.decode(greyOutput).pixels
        #expect(greyDecoded.channels == 1)
        let greyBlocks = Self.untouchedBlocks(greyCopy.decoded.pixels, greyDecoded, rects: rects)
        #expect(greyBlocks.same == greyBlocks.total && greyBlocks.total > 100)

        // Bytes after the end of the image (a trailer, as MPF images and camera blobs sit) are dropped.
        let trailer = Array("TRAILER secret camera data".utf8)
        let withTrailer = Array(try Data(contentsOf: try Self.makeJPEG("128x96", [], in: folder, name: "t.jpg"))) + trailer
        let trailerOutput = try #require(try Self.copy(withTrailer, rects: []).bytes)
        #expect(trailerOutput.suffix(2) == [0xFF, 0xD9])
        #expect(!String(decoding: trailerOutput, as: UTF8.self).contains("TRAILER"))

        // CMYK is stored inverted or not, and only the Adobe marker says which: without it the
        // inks painted in Adobe's convention would come out as their negative.
        let cmyk = try TestSupport.fixture("astronaut-cmyk.jpg")
        let app14 = try #require(cmyk.indices.first { cmyk[$0] == 0xFF && cmyk[$0 + 1] == 0xEE })
        let app14Length = Int(cmyk[app14 + 2]) << 8 | Int(cmyk[app14 + 3])
        let unmarked = Array(cmyk[..<app14] + cmyk[(app14 + 2 + app14Length)...])
        let unmarkedCopy = try Self.copy(unmarked, rects: rects)
        #expect(unmarkedCopy.bytes == nil)
        #expect(unmarkedCopy.reason?.contains("without an Adobe marker") == true)
        // A CMYK profile is not a standard RGB profile, so the image is converted and encoded as RGB.
        let tagged = folder.appendingPathComponent("cmyk-tagged.jpg")
        try Data(cmyk).write(to: tagged)
        let p3 = folder.appendingPathComponent("P3.icc")
        try Data(ICCProfileWriter.displayP3()).write(to: p3)
        try TestSupport.exiftoolWrite(["-ICC_Profile<=\(p3.path)", tagged.path])
        let taggedCopy = try Self.copy(Array(try Data(contentsOf: tagged)), rects: rects)
        #expect(taggedCopy.bytes == nil)
        #expect(taggedCopy.reason?.contains("CMYK") == true)
    }

    @Test("CMYK and YCCK are copied: untouched blocks identical, every ink flat in its cells, the fill shows as itself",
          arguments: ["cmyk", "ycck", "ycck-progressive"])
    func cmyk(variant: String) throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bytes: [UInt8]
        switch variant {
        case "cmyk": bytes = try TestSupport.fixture("astronaut-cmyk.jpg")
        case "ycck": bytes = Array(try Data(contentsOf: try Self.makeJPEG("256x256", ["-colorspace", "CMYK"], in: folder)))
        default: bytes = Array(try Data(contentsOf: try Self.makeJPEG("256x256", ["-colorspace", "CMYK", "-interlace", "JPEG"], in: folder)))
        }
        // The Adobe marker's last byte is the colour transform: 0 plain CMYK, 2 YCCK.
        let app14 = try #require(bytes.indices.first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xEE })
        #expect(bytes[app14 + 15] == (variant == "cmyk" ? 0 : 2))
        #expect(JPEGStructure(bytes: bytes).isProgressive == (variant == "ycck-progressive"))

        let region = [64, 64, 192, 160]  // 128 x 96: cell 16, cells on the block grid
        let pixelated = try Self.copy(bytes, rects: [region])
        let output = try #require(pixelated.bytes, "fell back: \(pixelated.reason ?? "")")
        #expect(JPEGStructure(bytes: output).isProgressive == (variant == "ycck-progressive"))
        let outputApp14 = try #require(output.indices.first { output[$0] == 0xFF && output[$0 + 1] == 0xEE })
        #expect(output[outputApp14 + 15] == bytes[app14 + 15])
        let blocks = Self.untouchedBlocks(pixelated.decoded.pixels, try ImageDecoder.decode(output).pixels, rects: [region])
        #expect(blocks.same == blocks.total && blocks.total > 100, "\(blocks.total - blocks.same) of \(blocks.total) changed")

        // Each ink, as stored, is flat inside every cell at that ink's mean.
        let inksIn = try ImageDecoder.decodeJPEGAsStored(bytes), inksOut = try ImageDecoder.decodeJPEGAsStored(output)
        #expect(inksIn.channels == 4 && inksOut.channels == 4)
        var inksInsideDiffer = false
        for cellY in stride(from: 64, to: 160, by: 16) {
            for cellX in stride(from: 64, to: 192, by: 16) {
                for ink in 0..<4 {
                    var sum = 0
                    for y in cellY..<cellY + 16 { for x in cellX..<cellX + 16 { sum += Int(inksIn.pixels[inksIn.offset(x: x, y: y) + ink]) } }
                    let mean = (sum + 128) / 256
                    for y in cellY + 2..<cellY + 14 {
                        for x in cellX + 2..<cellX + 14 {
                            let value = Int(inksOut.pixels[inksOut.offset(x: x, y: y) + ink])
                            if value != Int(inksIn.pixels[inksIn.offset(x: x, y: y) + ink]) { inksInsideDiffer = true }
                            if abs(value - mean) > 6 {
                                Issue.record("cell \(cellX),\(cellY) ink \(ink): \(value) vs mean \(mean)")
                                return
                            }
                        }
                    }
                }
            }
        }
        #expect(inksInsideDiffer)

        // A solid fill is written as no black and the fill's colours as inks, which every
        // decoder shows as the fill colour.
        let magenta = RGBColor(red: 255, green: 0, blue: 255)
        let filled = try Self.copy(bytes, rects: [region], style: .solid, fill: magenta)
        let shown = try ImageDecoder.decode(try #require(filled.bytes)).pixels
        for y in 66..<158 {
            for x in 66..<190 {
                let at = shown.offset(x: x, y: y)
                let sample = Array(shown.pixels[at..<at + 3])
                if zip(sample, [255, 0, 255]).contains(where: { abs(Int($0) - $1) > 8 }) {
                    Issue.record("\(x),\(y) shows \(sample), not the magenta fill")
                    return
                }
            }
        }
        // Nothing but structure in the file: exiftool finds no metadata besides the Adobe
        // marker's fields, which say how the inks are stored, and our inspector nothing either.
        let written = folder.appendingPathComponent("out.jpg")
        try Data(output).write(to: written)
        let adobe: Set<String> = ["Adobe:DCTEncodeVersion", "Adobe:APP14Flags0", "Adobe:APP14Flags1", "Adobe:ColorTransform"]
        #expect(TestSupport.nonIntrinsicTags(try TestSupport.exiftoolTags(written)).filter { !adobe.contains($0) } == [])
        #expect(try MetadataInspector.inspect(output).leaks.isEmpty)
        #expect(try Self.copy(bytes, rects: [region]).bytes == output)
    }

    @Test("profile rule: sRGB is dropped, a standard profile known by its hash is kept, any other means converting")
    func profileRule() throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = try Self.makeJPEG("256x192", [], in: folder)
        let srgb = folder.appendingPathComponent("sRGB.icc")
        try Data(ICCProfileWriter.matrixShaper(description: "sRGB IEC61966-2.1 (test)",
                                               columns: [[0.436075, 0.222504, 0.013932], [0.385065, 0.716879, 0.097105],
                                                         [0.143080, 0.060617, 0.714173]])).write(to: srgb)
        try TestSupport.exiftoolWrite(["-ICC_Profile<=\(srgb.path)", input.path])
        let copy = try Self.copy(Array(try Data(contentsOf: input)), rects: [[10, 10, 60, 60]])
        let output = try #require(copy.bytes, "fell back: \(copy.reason ?? "")")
        let written = folder.appendingPathComponent("out.jpg")
        try Data(output).write(to: written)
        #expect(TestSupport.nonIntrinsicTags(try TestSupport.exiftoolTags(written)).isEmpty)
        #expect(JPEGStructure(bytes: output).iccProfile == nil)

        let p3 = folder.appendingPathComponent("P3.icc")
        try Data(ICCProfileWriter.displayP3()).write(to: p3)
        try TestSupport.exiftoolWrite(["-ICC_Profile<=\(p3.path)", input.path])
        let converted = try Self.copy(Array(try Data(contentsOf: input)), rects: [[10, 10, 60, 60]])
        #expect(converted.bytes == nil)
        #expect(converted.reason?.contains("converted to sRGB") == true)

        // A profile known by its ID, whose bytes hash to that ID, is kept with the colours as
        // stored. (The test's own P3 profile stands in for Apple's: its ID is added to the list.)
        var profile = ICCProfileWriter.displayP3()
        let id = StandardColourProfile.profileID(of: profile)
        for (index, byte) in stride(from: 0, to: 32, by: 2).map({ UInt8(id.dropFirst($0).prefix(2), radix: 16)! }).enumerated() {
            profile[84 + index] = byte
        }
        #expect(StandardColourProfile.name(of: profile, known: [id: "Display P3"]) == "Display P3")
        #expect(StandardColourProfile.name(of: profile) == nil)
        var forged = profile
        forged[200] ^= 1  // the same ID over other bytes is not trusted
        #expect(StandardColourProfile.name(of: forged, known: [id: "Display P3"]) == nil)
        // A v2 profile has no ID (zeros): it is known by the same hash of its bytes.
        var unidentified = profile
        for index in 84..<100 { unidentified[index] = 0 }
        #expect(StandardColourProfile.name(of: unidentified, known: [id: "Display P3"]) == "Display P3")
        var changed = unidentified
        changed[200] ^= 1
        #expect(StandardColourProfile.name(of: changed, known: [id: "Display P3"]) == nil)
        let known = folder.appendingPathComponent("known.icc")
        try Data(profile).write(to: known)
        try TestSupport.exiftoolWrite(["-ICC_Profile<=\(known.path)", input.path])
        let stored = Array(try Data(contentsOf: input))
        let kept = try Self.copy(stored, rects: [[10, 10, 60, 60]], standardProfiles: [id: "Display P3"])
        let keptOutput = try #require(kept.bytes, "fell back: \(kept.reason ?? "")")
        #expect(JPEGStructure(bytes: keptOutput).iccProfile == profile)
        // Untouched blocks decode to the stored (unconverted) colours, bit for bit.
        let asStored = try ImageDecoder.decodeJPEGAsStored(stored)
        let blocks = Self.untouchedBlocks(asStored, try ImageDecoder.decodeJPEGAsStored(keptOutput), rects: [[10, 10, 60, 60]])
        #expect(blocks.same == blocks.total && blocks.total > 50)
        let inventory = try MetadataInspector.inspect(keptOutput)
        #expect(inventory.leaks.isEmpty, "\(inventory.leaks.map(\.kind))")
    }

    @Test("a feathered edge is encoded too: the band shows the blend, blocks beyond it stay the input's")
    func feathered() throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bytes = Array(try Data(contentsOf: try Self.makeJPEG("512x512", ["-sampling-factor", "2x2"], in: folder)))
        let decoded = try ImageDecoder.decode(bytes)
        var options = AnonymizeOptions()
        options.style = .solid
        options.feather = 24
        let detections = [Detection(kind: RegionPlanner.manualKind, box: Box(x: 64, y: 64, width: 128, height: 96), score: 1)]
        let regions = RegionPlanner.plan(detections, imageWidth: 512, imageHeight: 512, options: options)
        var redacted = decoded.pixels
        Redactor.redact(&redacted, regions: regions, fill: options.fill, feather: options.feather)
        let outcome = JPEGCoefficientEncoder.copy(decoded, redacted: redacted, regions: regions, fill: options.fill,
                                                  feather: options.feather, to: .jpeg, requestedQuality: nil)
        guard case .copied(let output) = outcome else { Issue.record("fell back: \(outcome)"); return }
        let shown = try ImageDecoder.decode(output).pixels
        // Right of the region, inside the band: the output follows the blend, not the input.
        var towardsBlend = 0, samples = 0
        for y in 80..<150 {
            for x in 194..<210 {
                let at = shown.offset(x: x, y: y)
                for c in 0..<3 {
                    samples += 1
                    let toBlend = abs(Int(shown.pixels[at + c]) - Int(redacted.pixels[at + c]))
                    let toInput = abs(Int(shown.pixels[at + c]) - Int(decoded.pixels.pixels[at + c]))
                    if toBlend < toInput { towardsBlend += 1 }
                }
            }
        }
        #expect(Double(towardsBlend) > 0.8 * Double(samples), "\(towardsBlend) of \(samples)")
        let blocks = Self.untouchedBlocks(decoded.pixels, shown, rects: [[64 - 24, 64 - 24, 192 + 24, 160 + 24]])
        #expect(blocks.same == blocks.total && blocks.total > 500)
    }

    @Test("Adobe RGB (1998) photos keep their profile and every untouched block",
          .enabled(if: FileManager.default.fileExists(atPath: Self.adobeRGBPhotos[0].path),
                   "../shared/eval absent (skipped)"))
    func adobeRGB() throws {
        for photo in Self.adobeRGBPhotos {
            let bytes = Array(try Data(contentsOf: photo))
            let profile = try #require(JPEGStructure(bytes: bytes).iccProfile)
            #expect(StandardColourProfile.name(of: profile) == "Adobe RGB (1998)")
            let rects = [[40, 40, 200, 180]]
            let copy = try Self.copy(bytes, rects: rects)
            let output = try #require(copy.bytes, "\(photo.lastPathComponent) fell back: \(copy.reason ?? "")")
            #expect(JPEGStructure(bytes: output).iccProfile == profile)
            let blocks = Self.untouchedBlocks(try ImageDecoder.decodeJPEGAsStored(bytes).applying(copy.decoded.orientation),
                                              try ImageDecoder.decodeJPEGAsStored(output), rects: rects)
            #expect(blocks.same == blocks.total && blocks.total > 500)
            #expect(try MetadataInspector.inspect(output).leaks.isEmpty)
        }
    }

    /// Two photos of `../shared/eval` that embed Adobe's 560-byte Adobe RGB (1998) profile.
    static let adobeRGBPhotos = [
        TestSupport.metadataCorpus.appendingPathComponent("files/drewnoakes/jpg/Canon EOS 7D.jpg"),
        TestSupport.metadataCorpus.deletingLastPathComponent().appendingPathComponent("plates/images/us/car7.jpg"),
    ]

    @Test("the report says lossless for JPEG to JPEG and why not otherwise",
          .enabled(if: TestSupport.modelInstalled || TestSupport.modelsRequired, TestSupport.modelMissingMessage))
    func reported() throws {
        let photo = try TestSupport.fixture("astronaut.jpg")
        let anonymizer = try TestSupport.anonymizer()
        let result = try anonymizer.anonymize(photo)
        #expect(!result.regions.isEmpty)
        #expect(result.lossless == true && result.losslessFallback == nil)
        #expect(try anonymizer.anonymize(photo).bytes == result.bytes)
        var record = ReportRecord(input: "a.jpg", outcome: .written, settings: anonymizer.options, models: [])
        record.record(result)
        let json = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
        #expect(json.contains("\"lossless\":true"))
        // The painted face decodes like the pixel path's output, within JPEG's rounding.
        let pixelPath = try ImageEncoder.encode(try { () -> PixelBuffer in
            var pixels = try ImageDecoder.decode(photo).pixels
            Redactor.redact(&pixels, regions: result.regions, fill: anonymizer.options.fill)
            return pixels
        }(), as: .jpeg, quality: 101, jpegLayout: try ImageDecoder.decode(photo).jpegLayout)
        let change = Self.difference(try ImageDecoder.decode(pixelPath).pixels, try ImageDecoder.decode(result.bytes).pixels)
        #expect(change.mean < 1.5, "\(change)")

        var options = anonymizer.options
        options.quality = 80
        let asked = try Anonymizer(options: options).anonymize(photo)
        #expect(asked.lossless == false && asked.losslessFallback == "a quality was asked for")
        #expect(try anonymizer.anonymize(photo, outputFormat: .png).lossless == nil)
    }
}
