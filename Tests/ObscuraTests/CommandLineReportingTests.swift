import Foundation
import Testing
@testable import Obscura

/// What the CLI says while and after it works: the progress line, the summary, resuming.
@Suite(.enabled(if: TestSupport.modelInstalled || TestSupport.modelsRequired, TestSupport.modelMissingMessage))
struct CommandLineReportingTests {
    /// A folder with the astronaut portrait (one face) and a flat grey photo (none).
    static func photos(in folder: URL) throws -> URL {
        let photos = folder.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: photos, withIntermediateDirectories: true)
        try Data(try TestSupport.fixture("astronaut.jpg")).write(to: photos.appendingPathComponent("portrait.jpg"))
        let grey = try ImageEncoder.encode(PixelBuffer(width: 320, height: 240, channels: 3, filledWith: 128), as: .jpeg, quality: 90)
        try Data(grey).write(to: photos.appendingPathComponent("plain.jpg"))
        return photos
    }

    @Test("on a terminal the line names each file as it starts, the time taken and left, and the faces found")
    func progressOnATerminal() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let photos = try Self.photos(in: folder)
        let result = try await TestSupport.obscuraOnTerminal(["anonymize", photos.path, "-o", folder.appendingPathComponent("clean").path, "--jobs", "1"])
        #expect(result.status == 0, "\(result.standardError)")
        let text = result.standardError
        // One worker takes plain.jpg, then portrait.jpg: each is named before it is done.
        #expect(text.contains("\r[0/2] plain.jpg · 0:0"), "\(text)")
        #expect(text.contains("\r[1/2] portrait.jpg · 0:0"), "\(text)")
        #expect(text.contains("left"), "no time left shown: \(text)")
        #expect(text.contains("0 faces") && text.contains("[2/2] · 0:0"), "\(text)")
        #expect(text.contains("1 face\u{1B}[K"), "\(text)")
    }

    @Test("there is no progress line on a pipe, and nothing but errors with --quiet on a terminal")
    func noProgressOffATerminal() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let photos = try Self.photos(in: folder)
        let piped = try await TestSupport.obscura(["anonymize", photos.path, "-o", folder.appendingPathComponent("a").path])
        #expect(piped.status == 0)
        #expect(!piped.standardError.contains("\r") && !piped.standardError.contains("[1/2]"), "\(piped.standardError)")
        #expect(piped.standardError.contains("2 written"))
        let quiet = try await TestSupport.obscuraOnTerminal(["anonymize", photos.path, "-o", folder.appendingPathComponent("b").path, "--quiet"])
        #expect(quiet.status == 0)
        #expect(quiet.standardError.isEmpty, "\(quiet.standardError)")
    }

    @Test("the summary names the photos where no face was found, on stderr and in --json")
    func photosWithNoFaceAreNamed() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let photos = try Self.photos(in: folder)
        let plain = photos.appendingPathComponent("plain.jpg").path, portrait = photos.appendingPathComponent("portrait.jpg").path
        let text = try await TestSupport.obscura(["anonymize", photos.path, "-o", folder.appendingPathComponent("a").path])
        #expect(text.status == 0)
        #expect(text.standardError.contains("found 1 face"), "\(text.standardError)")
        let check = try #require(text.standardError.components(separatedBy: "0 faces in 1 photo").dropFirst().first, "\(text.standardError)")
        #expect(check.contains(plain))
        #expect(!check.contains(portrait))

        let json = try await TestSupport.obscura(["anonymize", photos.path, "-o", folder.appendingPathComponent("b").path, "--json"])
        let summary = try #require(try JSONSerialization.jsonObject(with: json.standardOutput) as? [String: Any])
        #expect(summary["nothingFound"] as? [String] == [plain])
        #expect(summary["regions"] as? [String: Int] == ["faces": 1])
        #expect(summary["written"] as? Int == 2)
    }

    @Test("--skip-existing resumes a run: existing outputs are kept and counted as skipped, the report is extended")
    func resuming() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let photos = try Self.photos(in: folder)
        let clean = folder.appendingPathComponent("clean"), report = folder.appendingPathComponent("run.jsonl")
        #expect(try await TestSupport.obscura(["anonymize", photos.path, "-o", clean.path, "--report", report.path]).status == 0)
        // Without the flag every existing output fails its input.
        let without = try await TestSupport.obscura(["anonymize", photos.path, "-o", clean.path, "--json"])
        #expect(without.status == 1)
        #expect((try JSONSerialization.jsonObject(with: without.standardOutput) as? [String: Any])?["failed"] as? Int == 2)
        #expect(without.standardError.contains("output.exists") && without.standardError.contains("--skip-existing"))

        // An output the resumed run must not touch, and one it must write again.
        try Data("keep me".utf8).write(to: clean.appendingPathComponent("portrait.jpg"))
        try FileManager.default.removeItem(at: clean.appendingPathComponent("plain.jpg"))

        let resumed = try await TestSupport.obscura(["anonymize", photos.path, "-o", clean.path, "--skip-existing", "--report", report.path, "--json"])
        #expect(resumed.status == 0, "\(resumed.standardError)")
        let summary = try #require(try JSONSerialization.jsonObject(with: resumed.standardOutput) as? [String: Any])
        #expect(summary["written"] as? Int == 1)
        #expect(summary["failed"] as? Int == 0)
        #expect(summary["skipped"] as? Int == 1)
        #expect(summary["skippedExisting"] as? Int == 1)
        #expect(try Data(contentsOf: clean.appendingPathComponent("portrait.jpg")) == Data("keep me".utf8))
        #expect(ImageFormat.sniff(try Data(contentsOf: clean.appendingPathComponent("plain.jpg"))) == .jpeg)
        let lines = try String(contentsOf: report, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines.dropFirst(2).contains { $0.contains(#""skipReason":"output-exists""#) && $0.contains("portrait.jpg") })
    }

    @Test("'-o -' is untouched by the name rule: --format png writes PNG to standard output")
    func standardOutputTakesAnyFormat() async throws {
        let result = try await TestSupport.obscura(["anonymize", TestSupport.fixtures.appendingPathComponent("astronaut.jpg").path,
                                              "-o", "-", "--format", "png", "--quiet"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(ImageFormat.sniff([UInt8](result.standardOutput)) == .png)
    }
}
