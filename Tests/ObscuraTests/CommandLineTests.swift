import Foundation
import Testing
@testable import Obscura

/// The built `obscura` binary, run as a user would: exit codes, files written, messages.
@Suite struct CommandLineUsageTests {
    @Test("--help documents the exit codes and the strength rule")
    func help() async throws {
        let result = try await TestSupport.obscura(["anonymize", "--help"])
        #expect(result.status == 0)
        let text = String(decoding: result.standardOutput, as: UTF8.self)
        #expect(text.contains("Exit codes"))
        #expect(text.contains("1/6"))
        #expect(text.contains("--style"))
    }

    @Test("usage errors exit with 2", arguments: [
        ["anonymize", "x.jpg"],                                     // no -o
        ["anonymize", "x.jpg", "-o", "y", "--fill", "purple"],
        ["anonymize", "x.jpg", "-o", "y", "--threshold", "5"],
        ["anonymize", "x.jpg", "-o", "y", "--detect", "faces,unicorns"],
        ["anonymize", "x.jpg", "-o", "y", "--no-such-option"],
        ["anonymize", "x.jpg", "-o", "y", "--jobs", "0"],
        ["anonymize", "x.jpg", "-o", "y", "--min-face", "2"],
    ])
    func usage(arguments: [String]) async throws {
        let result = try await TestSupport.obscura(arguments)
        #expect(result.status == 2, "\(arguments): \(result.standardError)")
    }

    @Test("a missing model exits with 3 and writes nothing")
    func missingModel() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("out")
        let result = try await TestSupport.obscura(["anonymize", TestSupport.fixtures.appendingPathComponent("astronaut.jpg").path,
                                              "-o", output.path, "--models", folder.appendingPathComponent("none").path])
        #expect(result.status == 3)
        #expect(result.standardError.contains("setup.sh"))
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }
}

@Suite(.enabled(if: TestSupport.modelInstalled || TestSupport.modelsRequired, TestSupport.modelMissingMessage))
struct CommandLineTests {
    let photo = TestSupport.fixtures.appendingPathComponent("astronaut.jpg")

    @Test("a corrupt model exits with 3 and writes nothing")
    func corruptModel() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var model = [UInt8](try Data(contentsOf: ModelStore.defaultDirectory.appendingPathComponent("centerface.onnx")))
        model.removeLast(1000)
        try Data(model).write(to: folder.appendingPathComponent("centerface.onnx"))
        let output = folder.appendingPathComponent("out")
        let result = try await TestSupport.obscura(["anonymize", photo.path, "-o", output.path, "--models", folder.path])
        #expect(result.status == 3)
        #expect(result.standardError.contains("model.corrupt"))
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    @Test("a folder walk writes images at their relative paths, skips non-images, names failures, exits 1")
    func folderWalk() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let photos = folder.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: photos.appendingPathComponent("trip/day1"), withIntermediateDirectories: true)
        let bytes = try Data(contentsOf: photo)
        try bytes.write(to: photos.appendingPathComponent("portrait.jpg"))
        try bytes.write(to: photos.appendingPathComponent("trip/day1/again.jpg"))
        try Data("shopping list".utf8).write(to: photos.appendingPathComponent("notes.txt"))
        try bytes.prefix(bytes.count / 2).write(to: photos.appendingPathComponent("trip/broken.jpg"))
        let clean = folder.appendingPathComponent("clean")

        let result = try await TestSupport.obscura(["anonymize", photos.path, "-o", clean.path, "--json"])
        #expect(result.status == 1)
        #expect(result.standardError.contains("broken.jpg"))
        #expect(result.standardError.contains("input.undecodable"))
        let summary = try JSONSerialization.jsonObject(with: result.standardOutput) as? [String: Any]
        #expect(summary?["written"] as? Int == 2)
        #expect(summary?["failed"] as? Int == 1)
        #expect(summary?["skipped"] as? Int == 1)
        let manager = FileManager.default
        #expect(manager.fileExists(atPath: clean.appendingPathComponent("portrait.jpg").path))
        #expect(manager.fileExists(atPath: clean.appendingPathComponent("trip/day1/again.jpg").path))
        #expect(!manager.fileExists(atPath: clean.appendingPathComponent("trip/broken.jpg").path))
        #expect(!manager.fileExists(atPath: clean.appendingPathComponent("notes.txt").path))
        // No temporary files are left behind.
        let leftovers = try manager.subpathsOfDirectory(atPath: clean.path).filter { $0.contains(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test("existing outputs are kept unless --overwrite; inputs are never overwritten")
    func overwriting() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in.jpg")
        let original = try Data(contentsOf: photo)
        try original.write(to: input)
        let output = folder.appendingPathComponent("out.jpg")
        try Data("keep me".utf8).write(to: output)

        #expect(try await TestSupport.obscura(["anonymize", input.path, "-o", output.path]).status == 1)
        #expect(try Data(contentsOf: output) == Data("keep me".utf8))
        #expect(try await TestSupport.obscura(["anonymize", input.path, "-o", output.path, "--overwrite"]).status == 0)
        #expect(try ImageFormat.sniff(Data(contentsOf: output)) == .jpeg)

        let sameFolder = try await TestSupport.obscura(["anonymize", folder.path, "-o", folder.path, "--overwrite"])
        #expect(sameFolder.status == 1)
        #expect(sameFolder.standardError.contains("output.is-input"))
        #expect(try Data(contentsOf: input) == original)
    }

    @Test("'-' reads standard input and writes standard output")
    func pipes() async throws {
        let result = try await TestSupport.obscura(["anonymize", "-", "-o", "-", "--quiet"], input: try Data(contentsOf: photo))
        #expect(result.status == 0, "\(result.standardError)")
        let decoded = try ImageDecoder.decode([UInt8](result.standardOutput))
        #expect(decoded.format == .jpeg && decoded.pixels.width == 512)
        #expect(result.standardError.isEmpty)
    }

    @Test("the output file's extension picks the format")
    func formatFromName() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, format) in [("a.png", ImageFormat.png), ("a.webp", .webp)] {
            let url = folder.appendingPathComponent(name)
            #expect(try await TestSupport.obscura(["anonymize", photo.path, "-o", url.path, "--quiet"]).status == 0)
            #expect(ImageFormat.sniff(try Data(contentsOf: url)) == format)
        }
    }

    @Test("planted metadata of every kind is gone, orientation applied, and the report leaks none of it",
          .enabled(if: TestSupport.exiftoolPath != nil || TestSupport.modelsRequired, "exiftool not installed (skipped)"))
    func metadataAndReport() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // A wide image so that orientation 6 visibly swaps the axes.
        let portrait = try ImageDecoder.decode([UInt8](try Data(contentsOf: photo))).pixels
        var wide = PixelBuffer(width: 768, height: 512, channels: 3, filledWith: 90)
        for y in 0..<512 { for x in 0..<512 { let from = portrait.offset(x: x, y: y), to = wide.offset(x: x, y: y); for c in 0..<3 { wide.pixels[to + c] = portrait.pixels[from + c] } } }
        let input = folder.appendingPathComponent("leaky.jpg")
        try Data(try ImageEncoder.encode(wide, as: .jpeg, quality: 90)).write(to: input)
        let thumbnail = folder.appendingPathComponent("thumb.jpg")
        try Data(try ImageEncoder.encode(PixelBuffer(width: 160, height: 120, channels: 3, filledWith: 128), as: .jpeg, quality: 80)).write(to: thumbnail)
        let exiftool = URL(fileURLWithPath: try #require(TestSupport.exiftoolPath))
        let planted = try TestSupport.run(exiftool, [
            "-overwrite_original", "-Orientation#=6", "-GPSLatitude=48.858370", "-GPSLatitudeRef=N",
            "-GPSLongitude=2.294481", "-GPSLongitudeRef=E", "-Make=LeakCam", "-Model=LC-1", "-SerialNumber=SN-7731-SECRET",
            "-DateTimeOriginal=2024:05:06 07:08:09", "-XMP-dc:Creator=Jane Source", "-IPTC:By-line=Jane Source",
            "-Comment=meet at the old bridge", "-ThumbnailImage<=\(thumbnail.path)", input.path])
        try #require(planted.status == 0, "exiftool: \(planted.standardError)")
        // An MPF-style second image after the end of the first.
        var bytes = try Data(contentsOf: input)
        bytes.append(try Data(contentsOf: thumbnail))
        try bytes.write(to: input)
        let before = try TestSupport.exiftoolTags(input)
        for planted in ["GPS:GPSLatitude", "IFD1:ThumbnailLength", "XMP-dc:Creator", "IPTC:By-line", "File:Comment", "ExifIFD:SerialNumber"] {
            #expect(before.keys.contains(planted), "exiftool did not plant \(planted)")
        }
        #expect(!TestSupport.nonIntrinsicTags(before).isEmpty)

        let output = folder.appendingPathComponent("clean.jpg"), report = folder.appendingPathComponent("report.jsonl")
        let result = try await TestSupport.obscura(["anonymize", input.path, "-o", output.path, "--report", report.path])
        #expect(result.status == 0, "\(result.standardError)")
        let after = try TestSupport.exiftoolTags(output)
        #expect(TestSupport.nonIntrinsicTags(after).isEmpty, "left in the output: \(TestSupport.nonIntrinsicTags(after))")
        #expect(after["File:ImageWidth"] as? Int == 512 && after["File:ImageHeight"] as? Int == 768)

        let reportText = try String(contentsOf: report, encoding: .utf8)
        let lines = reportText.split(separator: "\n")
        #expect(lines.count == 1)
        let record = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        #expect(record?["outcome"] as? String == "written")
        #expect(record?["inputSHA256"] as? String == Digest.sha256([UInt8](bytes)))
        #expect(record?["outputSHA256"] as? String == Digest.sha256([UInt8](try Data(contentsOf: output))))
        #expect(record?["orientationApplied"] as? Int == 6)
        #expect((record?["regions"] as? [[String: Any]])?.count == 1)
        #expect((record?["models"] as? [[String: Any]])?.first?["sha256"] as? String == ModelDescriptor.centerFace.sha256)
        #expect((record?["settings"] as? [String: Any])?["style"] as? String == "pixelate")
        for secret in ["48.858", "2.294", "SN-7731", "LeakCam", "Jane Source", "old bridge", "2024:05:06"] {
            #expect(!reportText.contains(secret))
            #expect(!result.standardError.contains(secret))
        }
    }

    @Test("PNG input with text, XMP and EXIF chunks comes out clean as PNG and WebP, alpha kept",
          .enabled(if: TestSupport.exiftoolPath != nil || TestSupport.modelsRequired, "exiftool not installed (skipped)"),
          arguments: ["png", "webp"])
    func pngMetadataAndAlpha(format: String) async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // The portrait with an alpha channel that fades from opaque to half transparent.
        let portrait = try ImageDecoder.decode([UInt8](try Data(contentsOf: photo))).pixels
        var rgba = PixelBuffer(width: 512, height: 512, channels: 4, filledWith: 0)
        for y in 0..<512 {
            for x in 0..<512 {
                let from = portrait.offset(x: x, y: y), to = rgba.offset(x: x, y: y)
                for c in 0..<3 { rgba.pixels[to + c] = portrait.pixels[from + c] }
                rgba.pixels[to + 3] = UInt8(255 - x / 4)
            }
        }
        let input = folder.appendingPathComponent("leaky.png")
        try Data(try ImageEncoder.encode(rgba, as: .png, quality: 0)).write(to: input)
        let exiftool = URL(fileURLWithPath: try #require(TestSupport.exiftoolPath))
        let planted = try TestSupport.run(exiftool, ["-overwrite_original", "-PNG:Comment=meet at the old bridge",
                                                     "-XMP-dc:Creator=Jane Source", "-EXIF:Make=LeakCam",
                                                     "-EXIF:GPSLatitude=48.858370", "-EXIF:GPSLatitudeRef=N", input.path])
        try #require(planted.status == 0, "exiftool: \(planted.standardError)")
        #expect(TestSupport.nonIntrinsicTags(try TestSupport.exiftoolTags(input)).count >= 3)

        let output = folder.appendingPathComponent("clean.\(format)")
        let result = try await TestSupport.obscura(["anonymize", input.path, "-o", output.path, "--quiet"])
        #expect(result.status == 0, "\(result.standardError)")
        let tags = try TestSupport.exiftoolTags(output)
        #expect(TestSupport.nonIntrinsicTags(tags).isEmpty, "left in the output: \(TestSupport.nonIntrinsicTags(tags))")
        let decoded = try ImageDecoder.decode([UInt8](try Data(contentsOf: output))).pixels
        try #require(decoded.channels == 4)
        // Alpha is carried over untouched (PNG exactly; WebP here is lossy for colour only).
        var alphaDifferences = 0
        for index in 0..<(512 * 512) where decoded.pixels[index * 4 + 3] != rgba.pixels[index * 4 + 3] { alphaDifferences += 1 }
        if format == "png" { #expect(alphaDifferences == 0) } else { #expect(alphaDifferences < 512 * 512 / 100) }
    }
}
