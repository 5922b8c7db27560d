import Foundation
import Hummingbird
import HummingbirdTesting
import Obscura
import Testing
@testable import ObscuraServer

/// `obscura submit`: the built binary against a server on loopback, started here with the
/// server's own test settings.
@Suite("SubmitTests")
struct SubmitTests {
    static let modelMissing: Comment = "CenterFace model not installed: run scripts/setup.sh (skipped)"

    @Test func helpNamesTheServerTheBatchesAndTheAnonymizeOptions() async throws {
        let result = try await Submit.obscura(["submit", "--help"])
        #expect(result.status == 0)
        for flag in ["--server", "--token", "--batch-size", "--in-flight", "--report", "--overwrite", "--json",
                     "--detect", "--style", "--shape", "--margin", "--threshold", "--min-face", "--cells", "--format", "--quality",
                     "--text-style", "--pii-pattern", "--plate-evidence", ".obscura-submit.jsonl", "Exit codes"] {
            #expect(result.standardOutput.contains(flag), "\(flag) missing from submit --help")
        }
        // The root's help lists the command.
        #expect(try await Submit.obscura(["--help"]).standardOutput.contains("submit"))
    }

    @Test func aServerThatWantsATokenWithoutOneIsASetUpProblemAndNothingIsWritten() async throws {
        let folder = try Submit.folder(["a.jpg": try Serve.astronaut()])
        let output = folder.deletingLastPathComponent().appendingPathComponent("out-\(UUID().uuidString)")
        try await Serve.app(Submit.configuration { $0.token = "submit-test-token-0123456789" }).test(.live) { client in
            let server = "http://127.0.0.1:\(try #require(client.port))"
            let result = try await Submit.obscura(["submit", folder.path, "-o", output.path, "--server", server],
                                                  environment: ["OBSCURA_TOKEN": ""])
            #expect(result.status == 3, "\(result.standardError)")
            #expect(result.standardError.contains("auth.required"), "\(result.standardError)")
            #expect(!FileManager.default.fileExists(atPath: output.path))
            let wrong = try await Submit.obscura(["submit", folder.path, "-o", output.path, "--server", server, "--token", "wrong"])
            #expect(wrong.status == 3, "\(wrong.standardError)")
            #expect(!FileManager.default.fileExists(atPath: output.path))
        }
    }

    @Test func aServerThatDoesNotAnswerIsASetUpProblemAndNothingIsWritten() async throws {
        let folder = try Submit.folder(["a.jpg": try Serve.astronaut()])
        let output = folder.deletingLastPathComponent().appendingPathComponent("out-\(UUID().uuidString)")
        // A port that was just free: nothing listens there.
        let port = try await Serve.app(Submit.configuration()).test(.live) { client in try #require(client.port) }
        let result = try await Submit.obscura(["submit", folder.path, "-o", output.path, "--server", "http://127.0.0.1:\(port)"])
        #expect(result.status == 3, "\(result.standardError)")
        #expect(result.standardError.contains("[server.unreachable]"), "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    @Test func anOutputThatWouldReplaceAnInputFailsBeforeAnythingIsSent() async throws {
        let astronaut = try Serve.astronaut()
        let folder = try Submit.folder(["a.jpg": astronaut, "sub/b.jpg": astronaut])
        let logs = LogCapture()
        try await Serve.app(Submit.configuration(), logs: logs).test(.live) { client in
            let result = try await Submit.obscura(["submit", folder.path, "-o", folder.path, "--server", "http://127.0.0.1:\(try #require(client.port))"])
            #expect(result.status == 1, "\(result.standardError)")
            #expect(result.standardError.contains("0 written, 2 failed"), "\(result.standardError)")
            #expect(result.standardError.contains("[output.is-input]"), "\(result.standardError)")
            #expect(Submit.jobsCreated(logs) == 0)
        }
        for name in ["a.jpg", "sub/b.jpg"] {
            #expect(Array(try Data(contentsOf: folder.appendingPathComponent(name))) == astronaut)
        }
    }

    @Test(.enabled(if: Serve.modelInstalled, modelMissing))
    func aNestedFolderComesBackCleanAtTheSameRelativePathsInSeveralJobs() async throws {
        let astronaut = try Serve.astronaut()
        let withMetadata = try ServeReportTests.photoWithMetadata()
        let png = try ImageEncoder.encode(try ImageDecoder.decode(astronaut).pixels.rgb(), as: .png, quality: 90, jpegLayout: nil)
        let folder = try Submit.folder([
            "top.jpg": withMetadata,
            "sub/cmyk.jpg": try Submit.fixture("astronaut-cmyk.jpg"),
            "sub/deeper/restart.jpg": try Submit.fixture("astronaut-restart.jpg"),
            "sub/deeper/portrait.png": png,
            "sub/notes.txt": Array("not an image".utf8),
        ])
        let output = folder.deletingLastPathComponent().appendingPathComponent("out-\(UUID().uuidString)")
        let report = folder.deletingLastPathComponent().appendingPathComponent("report-\(UUID().uuidString).jsonl")
        let logs = LogCapture()
        try await Serve.app(Submit.configuration(), logs: logs).test(.live) { client in
            let server = "http://127.0.0.1:\(try #require(client.port))"
            let result = try await Submit.obscura(["submit", folder.path, "-o", output.path, "--server", server,
                                                   "--batch-size", "2", "--poll-interval", "0.05", "--report", report.path])
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardError.contains("4 written, 0 failed, 1 skipped (not images)"), "\(result.standardError)")
            // Four images in jobs of two; each job deleted once collected.
            #expect(Submit.jobsCreated(logs) == 2)
            let list = try await client.execute(uri: "/v1/jobs", method: .get)
            #expect((try Serve.json(list)["jobs"] as? [Any])?.isEmpty == true)
        }
        for name in ["top.jpg", "sub/cmyk.jpg", "sub/deeper/restart.jpg", "sub/deeper/portrait.png"] {
            let written = try #require(FileManager.default.contents(atPath: output.appendingPathComponent(name).path), "\(name) missing")
            let original = try Data(contentsOf: folder.appendingPathComponent(name))
            #expect(written != original, "\(name) came back unchanged")
            let decoded = try ImageDecoder.decode(Array(written)).pixels
            let input = try ImageDecoder.decode(Array(original)).pixels
            #expect(decoded.width == input.width && decoded.height == input.height, "\(name)")
            #expect(try MetadataInspector.inspect(Array(written)).leaks.isEmpty, "\(name) carries metadata")
        }
        #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("sub/notes.txt").path))
        if let exiftool = Submit.exiftool {
            let tags = try await Submit.run(URL(fileURLWithPath: exiftool), ["-j", "-a", "-G1", "-e", "-r", output.path])
            let files = try #require(try JSONSerialization.jsonObject(with: Data(tags.standardOutput.utf8)) as? [[String: Any]])
                .filter { !(($0["SourceFile"] as? String) ?? "").contains(".obscura-submit") }
            #expect(files.count == 4)
            for file in files {
                let found = file.keys.filter { $0.hasPrefix("GPS:") || $0.hasPrefix("ExifIFD:") || $0.hasPrefix("IFD0:") || $0.hasPrefix("IFD1:") }
                #expect(found.isEmpty, "\(file["SourceFile"] ?? "?") still has \(found)")
            }
        }
        // One record per input, as anonymize writes them, with this machine's paths.
        let lines = try String(contentsOf: report, encoding: .utf8).split(separator: "\n")
        let records = try lines.map { try JSONDecoder().decode(ReportRecord.self, from: Data($0.utf8)) }
        #expect(records.count == 5)
        #expect(records.filter { $0.outcome == .written }.count == 4)
        #expect(records.contains { $0.outcome == .skipped && $0.skipReason == .notAnImage && $0.input.hasSuffix("sub/notes.txt") })
        let top = try #require(records.first { $0.input == folder.appendingPathComponent("top.jpg").path })
        #expect(top.output == output.appendingPathComponent("top.jpg").path)
        #expect(top.regions.contains { $0.kind == .face })
        #expect(top.metadataRemoved?.contains(.gps) == true)
    }

    @Test(.enabled(if: Serve.modelInstalled, modelMissing))
    func aSecondRunSendsNothingDoneAndSendsAgainWhatLostItsOutput() async throws {
        let folder = try Submit.folder([
            "a.jpg": try Serve.astronaut(),
            "b/b.jpg": try Submit.fixture("astronaut-restart.jpg"),
            "b/c.jpg": try Submit.fixture("astronaut-cmyk.jpg"),
        ])
        let output = folder.deletingLastPathComponent().appendingPathComponent("out-\(UUID().uuidString)")
        let logs = LogCapture()
        try await Serve.app(Submit.configuration(), logs: logs).test(.live) { client in
            let arguments = ["submit", folder.path, "-o", output.path, "--server", "http://127.0.0.1:\(try #require(client.port))",
                             "--batch-size", "2", "--poll-interval", "0.05"]
            let first = try await Submit.obscura(arguments)
            #expect(first.status == 0, "\(first.standardError)")
            #expect(Submit.jobsCreated(logs) == 2)
            let written = try Data(contentsOf: output.appendingPathComponent("b/c.jpg"))

            // Everything is done: nothing is sent, nothing is rewritten.
            let second = try await Submit.obscura(arguments)
            #expect(second.status == 0, "\(second.standardError)")
            #expect(second.standardError.contains("0 written, 0 failed, 3 skipped (output already there)"), "\(second.standardError)")
            #expect(Submit.jobsCreated(logs) == 2)
            #expect(try Data(contentsOf: output.appendingPathComponent("b/c.jpg")) == written)

            // The state says done, but the output is gone: only that image is sent again.
            try FileManager.default.removeItem(at: output.appendingPathComponent("b/c.jpg"))
            let third = try await Submit.obscura(arguments)
            #expect(third.status == 0, "\(third.standardError)")
            #expect(third.standardError.contains("1 written, 0 failed, 2 skipped (output already there)"), "\(third.standardError)")
            #expect(Submit.jobsCreated(logs) == 3)
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("b/c.jpg").path))
        }
    }

    @Test(.enabled(if: Serve.modelInstalled, modelMissing))
    func anInterruptedRunCollectsTheJobTheServerStillHasAndSendsAgainOneItLost() async throws {
        let folder = try Submit.folder(["a.jpg": try Serve.astronaut(), "b.jpg": try Submit.fixture("astronaut-restart.jpg")])
        let output = folder.deletingLastPathComponent().appendingPathComponent("out-\(UUID().uuidString)")
        let logs = LogCapture()
        try await Serve.app(Submit.configuration(), logs: logs).test(.live) { client in
            // As a run stopped after sending a.jpg would leave it: a job on the server, and the
            // state naming it; b.jpg's job is one the server no longer has.
            let job = try await Serve.createJob(client, [Serve.file("a.jpg", try Serve.astronaut())])
            try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
            let state = "{\"images\":[\"a.jpg\"],\"job\":\"\(job)\"}\n{\"images\":[\"b.jpg\"],\"job\":\"\(UUID().uuidString.lowercased())\"}\n{\"done\":\"cut sh"
            try Data(state.utf8).write(to: output.appendingPathComponent(".obscura-submit.jsonl"))
            #expect(Submit.jobsCreated(logs) == 1)

            let result = try await Submit.obscura(["submit", folder.path, "-o", output.path, "--server", "http://127.0.0.1:\(try #require(client.port))",
                                                   "--poll-interval", "0.05"])
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.standardError.contains("2 written, 0 failed"), "\(result.standardError)")
            // a.jpg came from the job already there; only b.jpg was sent.
            #expect(Submit.jobsCreated(logs) == 2)
            for name in ["a.jpg", "b.jpg"] {
                let bytes = try Data(contentsOf: output.appendingPathComponent(name))
                let input = try Data(contentsOf: folder.appendingPathComponent(name))
                #expect(try ImageDecoder.decode(Array(bytes)).pixels.width == ImageDecoder.decode(Array(input)).pixels.width)
                #expect(bytes != input)
            }
            // The collected job was deleted on the server.
            let gone = try await client.execute(uri: "/v1/jobs/\(job)", method: .get)
            #expect(gone.status == .notFound)
        }
    }

    @Test(.enabled(if: Serve.modelInstalled, modelMissing))
    func theOptionsAreTheJobsAndOutputsAreNamedForTheFormatWritten() async throws {
        let astronaut = try Serve.astronaut()
        let png = try ImageEncoder.encode(try ImageDecoder.decode(astronaut).pixels.rgb(), as: .png, quality: 90, jpegLayout: nil)
        let folder = try Submit.folder(["a.jpg": astronaut, "sub/b.png": png])
        let output = folder.deletingLastPathComponent().appendingPathComponent("out-\(UUID().uuidString)")
        let report = folder.deletingLastPathComponent().appendingPathComponent("report-\(UUID().uuidString).jsonl")
        let logs = LogCapture()
        try await Serve.app(Submit.configuration(), logs: logs).test(.live) { client in
            let arguments = ["submit", folder.path, "-o", output.path, "--server", "http://127.0.0.1:\(try #require(client.port))",
                             "--poll-interval", "0.05", "--format", "webp", "--style", "solid", "--fill", "ff00ff", "--margin", "0.5",
                             "--report", report.path]
            let first = try await Submit.obscura(arguments)
            #expect(first.status == 0, "\(first.standardError)")
            for name in ["a.webp", "sub/b.webp"] {
                let bytes = try Data(contentsOf: output.appendingPathComponent(name))
                #expect(ImageFormat.sniff(Array(bytes)) == .webp, "\(name)")
            }
            #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("a.jpg").path))
            let records = try String(contentsOf: report, encoding: .utf8).split(separator: "\n")
                .map { try JSONDecoder().decode(ReportRecord.self, from: Data($0.utf8)) }
            #expect(records.count == 2)
            for record in records {
                #expect(record.settings.format == .webp && record.settings.style == .solid && record.settings.margin == 0.5)
                #expect(record.settings.fill == RGBColor(hex: "ff00ff"))
                #expect(record.regions.allSatisfy { $0.painting.style == .solid })
                #expect(record.output?.hasSuffix(".webp") == true)
            }
            // Done under their new names: a second run sends nothing and extends the report.
            let second = try await Submit.obscura(arguments)
            #expect(second.status == 0, "\(second.standardError)")
            #expect(Submit.jobsCreated(logs) == 1)
            #expect(try String(contentsOf: report, encoding: .utf8).split(separator: "\n").count == 4)
        }
    }

    @Test(.enabled(if: Serve.modelInstalled, modelMissing))
    func aDamagedImageFailsAloneWithAnonymizesCodeAndExitStatus() async throws {
        let astronaut = try Serve.astronaut()
        let folder = try Submit.folder(["good.jpg": astronaut, "sub/cut.jpg": Array(astronaut.prefix(astronaut.count / 2))])
        let output = folder.deletingLastPathComponent().appendingPathComponent("out-\(UUID().uuidString)")
        let local = folder.deletingLastPathComponent().appendingPathComponent("local-\(UUID().uuidString)")
        let report = folder.deletingLastPathComponent().appendingPathComponent("report-\(UUID().uuidString).jsonl")
        let anonymize = try await Submit.obscura(["anonymize", folder.path, "-o", local.path])
        try await Serve.app(Submit.configuration()).test(.live) { client in
            let result = try await Submit.obscura(["submit", folder.path, "-o", output.path, "--server", "http://127.0.0.1:\(try #require(client.port))",
                                                   "--poll-interval", "0.05", "--report", report.path])
            #expect(result.status == 1, "\(result.standardError)")
            #expect(result.status == anonymize.status)
            let cut = folder.appendingPathComponent("sub/cut.jpg").path
            #expect(result.standardError.contains("obscura: failed: \(cut): "), "\(result.standardError)")
            #expect(result.standardError.contains("1 written, 1 failed"), "\(result.standardError)")
            // The same code as anonymize gives.
            let code = try #require(anonymize.standardError.split(separator: "\n").first { $0.contains("failed: \(cut)") }?
                .split(separator: "[").last?.dropLast())
            #expect(result.standardError.contains("[\(code)]"), "anonymize said \(anonymize.standardError)")
            #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("good.jpg").path))
            #expect(!FileManager.default.fileExists(atPath: output.appendingPathComponent("sub/cut.jpg").path))
            let records = try String(contentsOf: report, encoding: .utf8).split(separator: "\n")
                .map { try JSONDecoder().decode(ReportRecord.self, from: Data($0.utf8)) }
            #expect(records.first { $0.input == cut }?.error?.code == String(code))
        }
    }
}

/// Folders, fixtures and the built binary for the `submit` tests.
enum Submit {
    /// The server's settings for these tests. The test's own client connection sits idle while
    /// the binary runs, which takes minutes on a loaded CI machine; at the default idle timeout
    /// (60 s) the server closed it and the test's next request failed with "I/O on closed channel".
    static func configuration(_ edit: (inout ServerConfiguration) -> Void = { _ in }) -> ServerConfiguration {
        Serve.configuration { configuration in
            configuration.idleTimeout = 3600
            edit(&configuration)
        }
    }

    static func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: Serve.repositoryRoot.appendingPathComponent("Tests/ObscuraTests/Fixtures/\(name)")))
    }

    /// A fresh folder holding `files` (relative path → bytes), inside the test run's folder.
    static func folder(_ files: [String: [UInt8]]) throws -> URL {
        let root = Serve.dataDirectory().appendingPathComponent("in", isDirectory: true)
        for (name, bytes) in files {
            let url = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        return root
    }

    /// Jobs the server created, from its log.
    static func jobsCreated(_ logs: LogCapture) -> Int {
        logs.text.split(separator: "\n").filter { $0.contains("job created") }.count
    }

    static var exiftool: String? {
        ["/usr/bin/exiftool", "/usr/local/bin/exiftool"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The built `obscura` executable (the test target depends on it).
    static var binary: URL {
        let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                          Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
        for folder in candidates {
            let url = folder.appendingPathComponent("obscura")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return Serve.repositoryRoot.appendingPathComponent(".build/debug/obscura")
    }

    struct Result {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    static func obscura(_ arguments: [String], environment: [String: String] = [:]) async throws -> Result {
        try await run(binary, arguments, environment: environment)
    }

    /// Runs a program to its end without holding a thread of the concurrency pool, so the
    /// server in this process keeps working meanwhile.
    static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) async throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: error)
                    return
                }
                let collected = DispatchGroup()
                nonisolated(unsafe) var outData = Data(), errData = Data()
                collected.enter()
                DispatchQueue.global().async { outData = output.fileHandleForReading.readDataToEndOfFile(); collected.leave() }
                collected.enter()
                DispatchQueue.global().async { errData = error.fileHandleForReading.readDataToEndOfFile(); collected.leave() }
                process.waitUntilExit()
                collected.wait()
                continuation.resume(returning: Result(status: process.terminationStatus,
                                                      standardOutput: String(decoding: outData, as: UTF8.self),
                                                      standardError: String(decoding: errData, as: UTF8.self)))
            }
        }
    }
}
