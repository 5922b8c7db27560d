import Foundation
import Testing
@testable import Obscura

/// `obscura verify` catches each kind of leak (planted here with exiftool or byte by byte) and
/// passes what `anonymize` writes.
@Suite(.enabled(if: TestSupport.exiftoolPath != nil || TestSupport.modelsRequired, "exiftool not installed (skipped)"),
       .enabled(if: TestSupport.modelInstalled || TestSupport.modelsRequired, TestSupport.modelMissingMessage))
struct VerifyTests {
    /// A clean JPEG without faces, written by Obscura's own encoder.
    static func cleanJPEG(in folder: URL, name: String = "clean.jpg") throws -> URL {
        let url = folder.appendingPathComponent(name)
        try Data(try ImageEncoder.encode(TestSupport.gradient(width: 96, height: 64, channels: 3), as: .jpeg, quality: 90)).write(to: url)
        return url
    }

    static func exiftool(_ arguments: [String]) throws { try TestSupport.exiftoolWrite(arguments) }

    static func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] {
        [0xFF, marker, UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
    }

    /// Inserts JPEG segments right after SOI.
    static func inserting(_ segments: [UInt8], into url: URL) throws {
        let bytes = [UInt8](try Data(contentsOf: url))
        try Data(Array(bytes.prefix(2)) + segments + Array(bytes.dropFirst(2))).write(to: url)
    }

    struct Outcome {
        var status: Int32
        var json: [String: Any]
        var standardError: String
        var kinds: Set<String> { Set((json["metadata"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }) }
    }

    static func verify(_ url: URL, _ extra: [String] = []) async throws -> Outcome {
        let result = try await TestSupport.obscura(["verify", url.path, "--json"] + extra)
        let json = try #require(try JSONSerialization.jsonObject(with: result.standardOutput) as? [String: Any])
        return Outcome(status: result.status, json: json, standardError: result.standardError)
    }

    /// The values planted below: none may appear in verify's output.
    static let secrets = ["48.8583", "Jane Roe", "SN-4711-0815", "PlantedMake", "secret caption", "private words"]

    /// One planted leak per kind: how to plant it, and the kind verify must name.
    static let plantings: [(kind: String, plant: @Sendable (URL) throws -> Void)] = [
        ("exif", { try exiftool(["-Make=PlantedMake", "-Model=PlantedModel", $0.path]) }),
        ("gps", { try exiftool(["-GPSLatitude=48.8583", "-GPSLatitudeRef=N", "-GPSLongitude=2.2945", "-GPSLongitudeRef=E", $0.path]) }),
        ("timestamps", { try exiftool(["-DateTimeOriginal=2024:05:06 07:08:09", $0.path]) }),
        ("serial-numbers", { try exiftool(["-SerialNumber=SN-4711-0815", $0.path]) }),
        ("authorship", { try exiftool(["-Artist=Jane Roe", $0.path]) }),
        ("xmp", { try exiftool(["-XMP-dc:Subject=private words", $0.path]) }),
        ("iptc", { try exiftool(["-IPTC:Caption-Abstract=secret caption", $0.path]) }),
        ("comment", { try exiftool(["-Comment=secret caption", $0.path]) }),
        ("thumbnail", { url in
            let thumbnail = url.deletingLastPathComponent().appendingPathComponent("thumb-\(UUID().uuidString).jpg")
            try Data(try ImageEncoder.encode(TestSupport.gradient(width: 16, height: 12, channels: 3), as: .jpeg, quality: 80)).write(to: thumbnail)
            try exiftool(["-Make=PlantedMake", "-ThumbnailImage<=\(thumbnail.path)", url.path])
        }),
        ("icc-profile", { url in
            // A profile whose description names a person: never intrinsic.
            let profile = url.deletingLastPathComponent().appendingPathComponent("profile-\(UUID().uuidString).icc")
            try Data(ICCProfileWriter.matrixShaper(description: "Jane Roe calibrated monitor",
                                                   columns: [[0.4361, 0.2225, 0.0139], [0.3851, 0.7169, 0.0971], [0.1431, 0.0606, 0.7141]]))
                .write(to: profile)
            try exiftool(["-ICC_Profile<=\(profile.path)", url.path])
        }),
        ("maker-notes", { url in
            // EXIF with a MakerNote (0x927C, UNDEFINED) built byte by byte.
            let note = Array("PlantedMaker\0".utf8) + [UInt8](repeating: 0x42, count: 24)
            var tiff: [UInt8] = Array("MM".utf8) + [0, 42, 0, 0, 0, 8, 0, 1]
            tiff += [0x92, 0x7C, 0, 7] + [0, 0, 0, UInt8(note.count)] + [0, 0, 0, 26]
            tiff += [0, 0, 0, 0] + note
            try inserting(segment(0xE1, Array("Exif\0\0".utf8) + tiff), into: url)
        }),
        ("c2pa", { url in
            try inserting(segment(0xEB, Array("JP".utf8) + [0, 0, 0, 0, 0, 1] + Array("jumbc2pa".utf8)), into: url)
        }),
        ("extra-images", { url in
            // An MPF-style second image after the first one's end.
            let second = try ImageEncoder.encode(TestSupport.gradient(width: 32, height: 32, channels: 3), as: .jpeg, quality: 80)
            try Data([UInt8](try Data(contentsOf: url)) + second).write(to: url)
        }),
        ("trailing-data", { url in
            try Data([UInt8](try Data(contentsOf: url)) + Array("secret caption appended by a vendor".utf8)).write(to: url)
        }),
        ("container-chunk", { url in
            try inserting(segment(0xE7, Array("Vendor\0private".utf8)), into: url)
        }),
    ]

    @Test("verify names each planted kind of metadata, prints no value, and the anonymized file passes",
          arguments: 0..<plantings.count)
    func plantedKind(index: Int) async throws {
        let (kind, plant) = Self.plantings[index]
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = try Self.cleanJPEG(in: folder)
        await #expect(try Self.verify(input).status == 0, "the unplanted file is clean")
        try plant(input)

        let found = try await Self.verify(input)
        #expect(found.status == 1)
        #expect(found.json["status"] as? String == "leaks")
        #expect(found.kinds.contains(kind), "\(kind): verify found \(found.kinds)")
        let human = try await TestSupport.obscura(["verify", input.path])
        #expect(human.status == 1 && human.standardError.contains("LEAKS") && human.standardError.contains(kind))
        let printed = String(decoding: found.json.description.utf8, as: UTF8.self) + found.standardError + human.standardError
        for secret in Self.secrets { #expect(!printed.contains(secret), "\(kind): '\(secret)' printed") }

        let output = folder.appendingPathComponent("out.jpg")
        let anonymized = try await TestSupport.obscura(["anonymize", input.path, "-o", output.path, "--quiet"])
        #expect(anonymized.status == 0)
        let clean = try await Self.verify(output)
        #expect(clean.status == 0 && clean.json["status"] as? String == "clean", "\(kind): \(clean.json)")
        #expect(clean.json["facesChecked"] as? Bool == true)
    }

    @Test("PNG text chunks and WebP EXIF/XMP chunks are leaks; their anonymized outputs pass")
    func pngAndWebP() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for format in [ImageFormat.png, .webp] {
            let input = folder.appendingPathComponent("planted.\(format.fileExtension)")
            try Data(try ImageEncoder.encode(TestSupport.gradient(width: 64, height: 48, channels: 3), as: format, quality: 90)).write(to: input)
            try Self.exiftool(["-XMP-dc:Creator=Jane Roe", "-EXIF:Artist=Jane Roe", "-GPSLatitude=48.8583", "-GPSLatitudeRef=N",
                               input.path] + (format == .png ? ["-PNG:Comment=secret caption"] : []))
            let found = try await Self.verify(input)
            #expect(found.status == 1)
            #expect(found.kinds.isSuperset(of: ["xmp", "gps", "authorship"]), "\(format): \(found.kinds)")
            let output = folder.appendingPathComponent("out.\(format.fileExtension)")
            #expect(try await TestSupport.obscura(["anonymize", input.path, "-o", output.path, "--quiet"]).status == 0)
            await #expect(try Self.verify(output).status == 0)
        }
    }

    @Test("an unredacted face is a leak; the default anonymized output passes with its mosaic recognised")
    func faces() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = TestSupport.fixtures.appendingPathComponent("astronaut.jpg")
        let found = try await Self.verify(original)
        #expect(found.status == 1)
        let faces = try #require(found.json["faces"] as? [[String: Any]])
        #expect(faces.count == 1 && (faces.first?["score"] as? Double ?? 0) > 0.8)
        // Without the face check the same file is clean: the fixture carries no metadata.
        await #expect(try Self.verify(original, ["--no-faces"]).status == 0)

        for style in ["pixelate", "blur"] {
            let output = folder.appendingPathComponent("\(style).jpg")
            #expect(try await TestSupport.obscura(["anonymize", original.path, "-o", output.path, "--style", style, "--quiet"]).status == 0)
            let check = try await Self.verify(output)
            #expect(check.status == 0, "\(style): \(check.json)")
        }
    }

    @Test("the mosaic and fill evidence tells painted areas from detail")
    func evidence() throws {
        var flat = PixelBuffer(width: 40, height: 40, channels: 3, filledWith: 20)
        #expect(RedactionEvidence(pixels: flat, box: Box(x: 0, y: 0, width: 40, height: 40)).looksRedacted)
        // A mosaic of 10-pixel cells with JPEG-like noise inside the cells.
        var noise = SplitMix64(seed: 7)
        for y in 0..<40 { for x in 0..<40 {
            let cell = ((x / 10) * 37 + (y / 10) * 91) % 200
            let at = flat.offset(x: x, y: y)
            for c in 0..<3 { flat.pixels[at + c] = UInt8(cell + Int(noise.next() % 3)) }
        } }
        #expect(RedactionEvidence(pixels: flat, box: Box(x: 0, y: 0, width: 40, height: 40)).looksRedacted)
        // The real face of the fixture has detail.
        let astronaut = try ImageDecoder.decode(try TestSupport.fixture("astronaut.jpg")).pixels
        let face = RedactionEvidence(pixels: astronaut, box: Box(x: 181, y: 58, width: 88, height: 120))
        #expect(!face.looksRedacted, "\(face)")
    }

    @Test("a verify crop is the face box grown by a quarter on each side, clamped to the image, named after the input")
    func cropGeometry() throws {
        var pixels = PixelBuffer(width: 100, height: 80, channels: 3, filledWith: 0)
        for y in 0..<80 { for x in 0..<100 { pixels.pixels[pixels.offset(x: x, y: y)] = UInt8(x) } }
        let evidence = RedactionEvidence(meanGradient: 5, columnConcentration: 0, rowConcentration: 0)
        let faces = [Verification.Face(box: Box(x: 40, y: 20, width: 20, height: 40), score: 0.9, evidence: evidence),
                     Verification.Face(box: Box(x: 90, y: 70, width: 20, height: 20), score: 0.5, evidence: evidence)]
        let crops = try VerifyCrop.crops(of: faces, in: pixels)
        #expect(crops.map(\.number) == [1, 2])
        #expect(crops[0].area == Box(x: 35, y: 10, width: 30, height: 60))
        #expect(crops[1].area == Box(x: 85, y: 65, width: 15, height: 15))
        let decoded = try ImageDecoder.decode(crops[0].png)
        #expect(decoded.format == .png && decoded.pixels.width == 30 && decoded.pixels.height == 60)
        // The crop holds the pixels under its area: column 35 of the image is its first column.
        #expect(decoded.pixels.pixels[0] == 35)
        #expect(VerifyCrop.fileName(forInput: "in/trip/IMG_0042.JPG", number: 2) == "IMG_0042.face-2.png")
        #expect(VerifyCrop.fileName(forInput: "noext", number: 1) == "noext.face-1.png")
    }

    @Test("anonymize --verify checks each output and records it in the report")
    func anonymizeVerify() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = try Self.cleanJPEG(in: folder)
        try Self.exiftool(["-GPSLatitude=48.8583", "-GPSLatitudeRef=N", "-Artist=Jane Roe", input.path])
        let report = folder.appendingPathComponent("report.jsonl")
        for (name, style) in [("a.jpg", "solid"), ("b.jpg", "blur")] {
            let source = TestSupport.fixtures.appendingPathComponent("astronaut.jpg")
            let result = try await TestSupport.obscura(["anonymize", source.path, input.path, "-o", folder.appendingPathComponent(name).path + "-out",
                                                  "--style", style, "--verify", "--report", report.path, "--overwrite", "--quiet"])
            #expect(result.status == 0, "\(style): \(result.standardError)")
            let records = try String(contentsOf: report, encoding: .utf8).split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
            #expect(records.count == 2)
            for record in records {
                #expect(record["verified"] as? Bool == true)
                #expect(((record["timingsMs"] as? [String: Any])?["verify"] as? Double ?? 0) > 0)
            }
            let planted = try #require(records.first { ($0["input"] as? String)?.hasSuffix("clean.jpg") == true })
            #expect(Set(planted["metadataRemoved"] as? [String] ?? []).isSuperset(of: ["gps", "authorship"]))
        }
    }
}

/// A case from the evaluation set where the second look finds a face the first pass left: a
/// face half hidden at the edge of a crowd, beside the painted ones.
@Suite(.enabled(if: TestSupport.hasFacesEvaluationSet, "../shared/eval/faces is absent (skipped)"),
       .enabled(if: TestSupport.modelInstalled || TestSupport.modelsRequired, TestSupport.modelMissingMessage))
struct VerifyRefusalTests {
    @Test("anonymize --verify refuses an output with a face outside the painted regions, and writes nothing")
    func refusal() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = TestSupport.facesEvaluationSet.appendingPathComponent("images/13--Interview/13_Interview_Interview_2_People_Visible_13_254.jpg")
        let refused = folder.appendingPathComponent("refused.jpg")
        let result = try await TestSupport.obscura(["anonymize", input.path, "-o", refused.path, "--verify", "--json", "--quiet"])
        #expect(result.status == 1)
        let summary = try JSONSerialization.jsonObject(with: result.standardOutput) as? [String: Any]
        let failure = (summary?["failures"] as? [[String: Any]])?.first
        #expect(failure?["code"] as? String == "verify.failed")
        // The reason names where the face is and its score, so a person can look.
        let reason = "\(failure?["message"] ?? "") \(failure?["cause"] ?? "")"
        #expect(reason.range(of: #"unredacted face\(s\): \d+×\d+ px at \(\d+, \d+\), score 0\.\d\d"#, options: .regularExpression) != nil,
                "\(reason)")
        #expect(!FileManager.default.fileExists(atPath: refused.path))
        // Without --verify the output is written, and verify on its own names the face.
        let written = folder.appendingPathComponent("written.jpg")
        #expect(try await TestSupport.obscura(["anonymize", input.path, "-o", written.path, "--quiet"]).status == 0)
        let check = try await VerifyTests.verify(written)
        #expect(check.status == 1 && (check.json["faces"] as? [Any])?.isEmpty == false)
    }

    @Test("--verify-crops writes a PNG crop of each reported face, the box grown by a quarter, and nothing when verify passes")
    func crops() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = TestSupport.facesEvaluationSet.appendingPathComponent("images/13--Interview/13_Interview_Interview_2_People_Visible_13_254.jpg")
        let crops = folder.appendingPathComponent("crops")
        let report = folder.appendingPathComponent("report.jsonl")
        let refused = try await TestSupport.obscura(["anonymize", input.path, "-o", folder.appendingPathComponent("refused.jpg").path,
                                               "--verify", "--verify-crops", crops.path, "--report", report.path])
        #expect(refused.status == 1)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any])
        let paths = try #require(record["verifyCrops"] as? [String])
        // One crop per face the failure names, as the message lists them.
        let reason = "\((record["error"] as? [String: Any])?["cause"] ?? "")"
        let named = try #require(reason.firstMatch(of: /(\d+) unredacted face\(s\)/)).1
        #expect(paths.count == Int(named))
        let written = try FileManager.default.contentsOfDirectory(atPath: crops.path).sorted()
        #expect(written == (1...paths.count).map { "13_Interview_Interview_2_People_Visible_13_254.face-\($0).png" })
        // Each crop is a PNG of the reported box grown by a quarter on each side (clamped).
        let boxes = reason.matches(of: /(\d+)×(\d+) px at \((\d+), (\d+)\)/).map { ($0.1, $0.2) }
        for (index, path) in paths.enumerated() {
            let crop = try ImageDecoder.decode([UInt8](Data(contentsOf: URL(fileURLWithPath: path))))
            #expect(crop.format == .png)
            if index < boxes.count, let width = Int(boxes[index].0), let height = Int(boxes[index].1) {
                #expect(abs(crop.pixels.width - width * 3 / 2) <= 3 || crop.pixels.width < width * 3 / 2, "\(crop.pixels.width) for \(width)")
                #expect(abs(crop.pixels.height - height * 3 / 2) <= 3 || crop.pixels.height < height * 3 / 2)
            }
        }
        #expect(refused.standardError.contains("crop(s) of what verify reported"), "\(refused.standardError)")
        // verify on its own writes the same kind of crops for the unverified output.
        let plain = folder.appendingPathComponent("plain.jpg")
        #expect(try await TestSupport.obscura(["anonymize", input.path, "-o", plain.path, "--quiet"]).status == 0)
        let standalone = folder.appendingPathComponent("standalone")
        let check = try await VerifyTests.verify(plain, ["--verify-crops", standalone.path])
        #expect(check.status == 1)
        #expect((check.json["crops"] as? [String])?.count == (check.json["faces"] as? [Any])?.count)
        #expect(try FileManager.default.contentsOfDirectory(atPath: standalone.path).allSatisfy { $0.hasPrefix("plain.face-") })

        // An output that passes writes no crop (and no folder).
        let clean = folder.appendingPathComponent("clean-crops")
        let astronaut = TestSupport.fixtures.appendingPathComponent("astronaut.jpg")
        let passed = try await TestSupport.obscura(["anonymize", astronaut.path, "-o", folder.appendingPathComponent("a.jpg").path,
                                              "--verify", "--verify-crops", clean.path, "--quiet"])
        #expect(passed.status == 0, "\(passed.standardError)")
        #expect(!FileManager.default.fileExists(atPath: clean.path))
        // --verify-crops means nothing without --verify.
        #expect(try await TestSupport.obscura(["anonymize", astronaut.path, "-o", folder.appendingPathComponent("b.jpg").path,
                                         "--verify-crops", clean.path]).status == 2)
    }

    @Test("anonymize --verify=warn writes that output, byte for byte the unverified one, and flags it everywhere")
    func warning() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = TestSupport.facesEvaluationSet.appendingPathComponent("images/13--Interview/13_Interview_Interview_2_People_Visible_13_254.jpg")
        let flagged = folder.appendingPathComponent("flagged.jpg"), plain = folder.appendingPathComponent("plain.jpg")
        let report = folder.appendingPathComponent("report.jsonl")
        let result = try await TestSupport.obscura(["anonymize", input.path, "-o", flagged.path, "--verify=warn", "--json",
                                              "--report", report.path])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError.contains("flagged by verify, written"), "\(result.standardError)")
        let summary = try JSONSerialization.jsonObject(with: result.standardOutput) as? [String: Any]
        let entry = (summary?["flagged"] as? [[String: Any]])?.first
        #expect((entry?["found"] as? String)?.contains("unredacted face(s): ") == true, "\(String(describing: summary))")
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any]
        #expect((record?["verifyWarning"] as? String)?.contains("score") == true)
        #expect(record?["verified"] == nil)
        #expect(try await TestSupport.obscura(["anonymize", input.path, "-o", plain.path, "--quiet"]).status == 0)
        #expect(try Data(contentsOf: flagged) == Data(contentsOf: plain))
        // --verify=refuse is today's --verify.
        let refused = try await TestSupport.obscura(["anonymize", input.path, "-o", folder.appendingPathComponent("r.jpg").path,
                                               "--verify=refuse", "--quiet"])
        #expect(refused.status == 1)
    }
}

/// Malformed metadata must never crash or hang inspect, anonymize or verify: the file is cleaned
/// or refused with a reason.
@Suite(.enabled(if: TestSupport.modelInstalled || TestSupport.modelsRequired, TestSupport.modelMissingMessage))
struct MalformedMetadataTests {
    /// EXIF payloads built byte by byte (big-endian TIFF).
    static let payloads: [(name: String, tiff: [UInt8])] = [
        // IFD0's next-IFD offset points back at IFD0.
        ("IFD loop", Array("MM".utf8) + [0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 8]),
        // An ExifIFD pointer (0x8769) that points at IFD0 itself.
        ("sub-IFD loop", Array("MM".utf8) + [0, 42, 0, 0, 0, 8, 0, 1, 0x87, 0x69, 0, 4, 0, 0, 0, 1, 0, 0, 0, 8, 0, 0, 0, 0]),
        // An ASCII value whose offset lies far past the end.
        ("offset past the end", Array("MM".utf8) + [0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x0F, 0, 2, 0, 0, 0, 100, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0]),
        // A count of 4 billion RATIONALs.
        ("huge count", Array("MM".utf8) + [0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x1A, 0, 5, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 26, 0, 0, 0, 0]),
        // An IFD claiming 65535 entries in a 30-byte payload.
        ("entry count past the end", Array("MM".utf8) + [0, 42, 0, 0, 0, 8, 0xFF, 0xFF, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]),
        // IFD0 offset past the end.
        ("IFD offset past the end", Array("MM".utf8) + [0, 42, 0x7F, 0xFF, 0xFF, 0xFF]),
    ]

    @Test("malformed EXIF: inspect lists problems, anonymize writes a clean output, verify passes it",
          arguments: 0..<payloads.count)
    func malformed(index: Int) async throws {
        let (name, tiff) = Self.payloads[index]
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = try VerifyTests.cleanJPEG(in: folder)
        try VerifyTests.inserting(VerifyTests.segment(0xE1, Array("Exif\0\0".utf8) + tiff), into: input)

        let inspected = try await TestSupport.obscura(["inspect", input.path, "--json"])
        #expect(inspected.status == 0, "\(name): \(inspected.standardError)")
        let output = folder.appendingPathComponent("out.jpg")
        let anonymized = try await TestSupport.obscura(["anonymize", input.path, "-o", output.path, "--quiet"])
        #expect(anonymized.status == 0, "\(name): \(anonymized.standardError)")
        if TestSupport.exiftoolPath != nil {
            #expect(TestSupport.nonIntrinsicTags(try TestSupport.exiftoolTags(output)).isEmpty, "\(name)")
        }
        #expect(try await TestSupport.obscura(["verify", output.path]).status == 0, "\(name)")
        #expect(try await TestSupport.obscura(["verify", input.path]).status == 1, "\(name): the input itself is not clean")
    }
}
