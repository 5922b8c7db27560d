import Foundation
import Testing
@testable import Obscura

/// Paths, tools and conditions shared by the tests.
enum TestSupport {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func fixture(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: fixtures.appendingPathComponent(name)))
    }

    /// `../shared/eval/faces`, present on the project's machines only.
    static let facesEvaluationSet = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/eval/faces")
    static var hasFacesEvaluationSet: Bool {
        FileManager.default.fileExists(atPath: facesEvaluationSet.appendingPathComponent("labels.json").path)
    }

    /// CI sets OBSCURA_REQUIRE_MODELS=1 after running the set-up script: a missing model is then
    /// a failure, not a reason to skip.
    static var modelsRequired: Bool { ProcessInfo.processInfo.environment["OBSCURA_REQUIRE_MODELS"] == "1" }

    static var modelInstalled: Bool {
        FileManager.default.fileExists(atPath: ModelStore.defaultDirectory.appendingPathComponent(ModelDescriptor.centerFace.fileName).path)
    }

    static let modelMissingMessage: Comment = "CenterFace model not installed: run scripts/setup.sh (skipped)"

    static var exiftoolPath: String? {
        ["/usr/bin/exiftool", "/usr/local/bin/exiftool", "/opt/homebrew/bin/exiftool"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// One anonymizer for the whole test run: the model loads once, as in the CLI.
    static let sharedAnonymizer: Result<Anonymizer, any Error> = Result { try Anonymizer(options: AnonymizeOptions()) }

    static func anonymizer() throws -> Anonymizer { try sharedAnonymizer.get() }

    /// The built `obscura` executable next to the test bundle.
    static var obscuraBinary: URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL,
            Bundle.main.bundleURL.deletingLastPathComponent(),
        ]
        for folder in candidates {
            let url = folder.appendingPathComponent("obscura")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return repositoryRoot.appendingPathComponent(".build/debug/obscura")
    }

    struct ProcessResult {
        var status: Int32
        var standardOutput: Data
        var standardError: String
    }

    /// Runs a program to completion, feeding `input` on standard input.
    @discardableResult
    static func run(_ executable: URL, _ arguments: [String], input: Data? = nil,
                    environment: [String: String] = [:]) throws -> ProcessResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { $1 }
        process.environment = merged
        let output = Pipe(), error = Pipe(), standardInput = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = standardInput
        try process.run()
        // Drain both pipes while the process runs so a large output cannot block it.
        let collected = DispatchGroup()
        nonisolated(unsafe) var outData = Data(), errData = Data()
        collected.enter()
        DispatchQueue.global().async { outData = output.fileHandleForReading.readDataToEndOfFile(); collected.leave() }
        collected.enter()
        DispatchQueue.global().async { errData = error.fileHandleForReading.readDataToEndOfFile(); collected.leave() }
        if let input { standardInput.fileHandleForWriting.write(input) }
        try standardInput.fileHandleForWriting.close()
        process.waitUntilExit()
        collected.wait()
        return ProcessResult(status: process.terminationStatus, standardOutput: outData,
                             standardError: String(decoding: errData, as: UTF8.self))
    }

    /// Runs the built `obscura` on a Dispatch thread. Swift concurrency has only as many threads
    /// as cores (two on CI) and adds none when one blocks: a test waiting there for a binary
    /// that runs for seconds would stop every server test in the process meanwhile.
    static func obscura(_ arguments: [String], input: Data? = nil, environment: [String: String] = [:]) async throws -> ProcessResult {
        try await offThePool { try run(obscuraBinary, arguments, input: input, environment: environment) }
    }

    /// `work`, run on a Dispatch thread rather than one of Swift concurrency's.
    static func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }

    /// A fresh empty folder, removed by the caller with `cleanUp`.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("obscura-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// True when at least half of a labelled box `[x, y, w, h]` is painted magenta (ff00ff), the
    /// fill the evaluation runs use: how `obscura-eval` scores a face or plate as covered.
    static func isHalfPaintedMagenta(_ output: PixelBuffer, box: [Double]) -> Bool {
        let x0 = max(0, Int(box[0])), y0 = max(0, Int(box[1]))
        let x1 = min(output.width, Int((box[0] + box[2]).rounded(.up))), y1 = min(output.height, Int((box[1] + box[3]).rounded(.up)))
        var inside = 0, painted = 0
        for y in y0..<max(y0, y1) {
            for x in x0..<max(x0, x1) {
                inside += 1
                let at = output.offset(x: x, y: y)
                if output.pixels[at] == 255 && output.pixels[at + 1] == 0 && output.pixels[at + 2] == 255 { painted += 1 }
            }
        }
        return inside > 0 && painted * 2 >= inside
    }

    /// Writes tags with exiftool (in place), failing the test with exiftool's message.
    static func exiftoolWrite(_ arguments: [String]) throws {
        let result = try run(URL(fileURLWithPath: exiftoolPath ?? "/usr/bin/exiftool"), ["-q", "-q", "-overwrite_original"] + arguments)
        guard result.status == 0 else { throw TestFailure("exiftool \(arguments) failed: \(result.standardError)") }
    }

    /// exiftool's view of a file as `Group:Tag` keys (`-a -G1 -u`, composite tags left out).
    static func exiftoolTags(_ file: URL) throws -> [String: Any] {
        guard let exiftool = exiftoolPath else { throw TestFailure("exiftool is not installed") }
        let result = try run(URL(fileURLWithPath: exiftool), ["-j", "-a", "-G1", "-u", "-e", file.path])
        guard let array = try JSONSerialization.jsonObject(with: result.standardOutput) as? [[String: Any]], let tags = array.first else {
            throw TestFailure("exiftool gave no JSON for \(file.lastPathComponent)")
        }
        return tags
    }

    /// exiftool's view of every file below a folder, keyed by path.
    static func exiftoolTags(folder: URL) throws -> [String: [String: Any]] {
        guard let exiftool = exiftoolPath else { throw TestFailure("exiftool is not installed") }
        let result = try run(URL(fileURLWithPath: exiftool), ["-j", "-a", "-G1", "-u", "-e", "-r", folder.path])
        guard let array = try JSONSerialization.jsonObject(with: result.standardOutput) as? [[String: Any]] else {
            throw TestFailure("exiftool gave no JSON for \(folder.lastPathComponent)")
        }
        return Dictionary(array.map { (($0["SourceFile"] as? String) ?? "", $0) }, uniquingKeysWith: { a, _ in a })
    }

    static let metadataCorpus = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/eval/metadata")
    static var hasMetadataCorpus: Bool {
        FileManager.default.fileExists(atPath: metadataCorpus.appendingPathComponent("manifest.json").path)
    }

    /// Tags a clean output may carry: the container's own description of the pixels.
    static func nonIntrinsicTags(_ tags: [String: Any]) -> [String] {
        let allowedGroups: Set<String> = ["ExifTool", "System", "JFIF"]
        // exiftool's File group also reports JPEG comments and EXIF byte order: list what may stay.
        let allowedFile: Set<String> = ["FileType", "FileTypeExtension", "MIMEType", "ImageWidth", "ImageHeight",
                                        "EncodingProcess", "BitsPerSample", "ColorComponents", "YCbCrSubSampling"]
        let allowedPNG: Set<String> = ["ImageWidth", "ImageHeight", "BitDepth", "ColorType", "Compression", "Filter", "Interlace"]
        let allowedRIFF: Set<String> = ["ImageWidth", "ImageHeight", "HorizontalScale", "VerticalScale", "VP8Version",
                                        "AlphaPreprocessing", "AlphaFiltering", "AlphaCompression", "WebP_Flags"]
        return tags.keys.filter { key in
            if key == "SourceFile" { return false }
            let parts = key.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { return true }
            let (group, tag) = (parts[0], parts[1])
            if tag == "Warning" || tag == "Error" { return true }
            if allowedGroups.contains(group) { return group == "ExifTool" && tag != "ExifToolVersion" }
            if group == "File" { return !allowedFile.contains(tag) }
            if group == "PNG" { return !allowedPNG.contains(tag) }
            if group == "RIFF" { return !allowedRIFF.contains(tag) }
            return true
        }.sorted()
    }

    /// A buffer with a different value in every sample, for exact checks.
    static func gradient(width: Int, height: Int, channels: Int) -> PixelBuffer {
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels {
                    pixels[(y * width + x) * channels + c] = UInt8(truncatingIfNeeded: x * 7 + y * 13 + c * 61 + (x * y) % 17)
                }
            }
        }
        return PixelBuffer(width: width, height: height, channels: channels, pixels: pixels)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
