import Foundation
import Testing
@testable import Obscura

/// Issue 17, items 2 and 6–8, reproduced through the command line: no run may replace any of its
/// inputs or its report, long names work, and `--max-pixels` refuses huge images undecoded.
@Suite struct UntouchableInputTests {
    let photo = TestSupport.fixtures.appendingPathComponent("astronaut.jpg")

    private func copy(_ source: URL, to target: URL) throws {
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: source, to: target)
    }

    @Test("x/a.jpg y/a.jpg -o y --overwrite: the output of the first input would replace the second input and is refused",
          .enabled(if: TestSupport.modelInstalled || TestSupport.modelsRequired, TestSupport.modelMissingMessage))
    func anotherInputIsNeverReplaced() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = folder.appendingPathComponent("x/a.jpg"), second = folder.appendingPathComponent("y/a.jpg")
        try copy(photo, to: first)
        try copy(photo, to: second)
        let original = try Data(contentsOf: second)
        let result = try await TestSupport.obscura(["anonymize", first.path, second.path, "-o", folder.appendingPathComponent("y").path,
                                              "--overwrite", "--jobs", "1"])
        #expect(result.status == 1, "\(result.standardError)")
        #expect(result.standardError.contains("output.is-input"), "\(result.standardError)")
        #expect(try Data(contentsOf: second) == original)
        #expect(try Data(contentsOf: first) == original)

        // A hard link to an input is the same file under another name: refused as well.
        let linked = folder.appendingPathComponent("z/a.jpg")
        try FileManager.default.createDirectory(at: linked.deletingLastPathComponent(), withIntermediateDirectories: true)
        #expect(link(first.path, linked.path) == 0)
        let viaLink = try await TestSupport.obscura(["anonymize", first.path, "-o", folder.appendingPathComponent("z").path, "--overwrite"])
        #expect(viaLink.status == 1, "\(viaLink.standardError)")
        #expect(try Data(contentsOf: first) == original)
    }

    @Test("--report naming an input or an output of the run is a usage error; nothing is replaced")
    func reportIsNeitherInputNorOutput() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in/photo.jpg")
        try copy(photo, to: input)
        let original = try Data(contentsOf: input)
        let output = folder.appendingPathComponent("out")
        for report in [input.path, folder.appendingPathComponent("in/../in/photo.jpg").path, output.appendingPathComponent("photo.jpg").path] {
            let result = try await TestSupport.obscura(["anonymize", input.path, "-o", output.path, "--report", report, "--overwrite"])
            #expect(result.status == 2, "\(report): \(result.standardError)")
            #expect(result.standardError.contains("report"), "\(result.standardError)")
            #expect(try Data(contentsOf: input) == original)
            #expect(!FileManager.default.fileExists(atPath: output.path))
        }
    }

    @Test("a 250-byte file name is read and written: the temporary file's name is short",
          .enabled(if: TestSupport.modelInstalled || TestSupport.modelsRequired, TestSupport.modelMissingMessage))
    func longNames() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let name = String(repeating: "n", count: 246) + ".jpg"
        try copy(photo, to: folder.appendingPathComponent("in").appendingPathComponent(name))
        let report = folder.appendingPathComponent(String(repeating: "r", count: 244) + ".jsonl")
        let result = try await TestSupport.obscura(["anonymize", folder.appendingPathComponent("in").path, "-o",
                                              folder.appendingPathComponent("out").path, "--report", report.path, "--quiet"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out").appendingPathComponent(name).path))
        #expect(FileManager.default.fileExists(atPath: report.path))
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("out").path)
        #expect(left == [name], "temporary files left: \(left)")
    }

    @Test("--max-pixels: a 35-byte GIF declaring 23170² fails with input.too-large and writes nothing; 0 is a usage error",
          .enabled(if: TestSupport.modelInstalled || TestSupport.modelsRequired, TestSupport.modelMissingMessage))
    func maximumPixels() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bomb = folder.appendingPathComponent("in/bomb.gif")
        try FileManager.default.createDirectory(at: bomb.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(HostileFiles.gif(screenWidth: 23170, screenHeight: 23170, frameWidth: 1, frameHeight: 1)).write(to: bomb)
        try copy(photo, to: folder.appendingPathComponent("in/photo.jpg"))
        let output = folder.appendingPathComponent("out")
        let result = try await TestSupport.obscura(["anonymize", bomb.deletingLastPathComponent().path, "-o", output.path, "--json"])
        #expect(result.status == 1, "\(result.standardError)")
        #expect(result.standardError.contains("23170 × 23170 pixels, more than the limit of 100000000"), "\(result.standardError)")
        #expect(result.standardError.contains("input.too-large"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: output.path) == ["photo.jpg"])

        let small = try await TestSupport.obscura(["anonymize", photo.path, "-o", folder.appendingPathComponent("small.jpg").path, "--max-pixels", "0.2"])
        #expect(small.status == 1)
        #expect(small.standardError.contains("512 × 512 pixels, more than the limit of 200000"), "\(small.standardError)")
        let zero = try await TestSupport.obscura(["anonymize", photo.path, "-o", folder.appendingPathComponent("zero.jpg").path, "--max-pixels", "0"])
        #expect(zero.status == 2)
        #expect(zero.standardError.contains("--max-pixels"), "\(zero.standardError)")
        let verify = try await TestSupport.obscura(["verify", bomb.path, "--no-faces"])
        #expect(verify.status != 0)
        #expect(verify.standardError.contains("input.too-large") || String(decoding: verify.standardOutput, as: UTF8.self).contains("input.too-large"),
                "\(verify.standardError)")
    }
}
