import Foundation
import Testing
@testable import Obscura

/// What the CLI refuses before any model is loaded or anything is written: output names that
/// contradict the format, missing inputs, misspelt kinds, contradicting flags.
@Suite struct CommandLineChecksTests {
    let photo = TestSupport.fixtures.appendingPathComponent("astronaut.jpg").path

    @Test("an output name whose extension is not the format written is refused, and nothing is written", arguments: [
        ["x.bmp"], ["out.heic"], ["a.png", "--format", "jpeg"], ["a.JPG", "--format", "webp"], ["b.webp", "--format", "png"],
    ])
    func outputNames(arguments: [String]) async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent(arguments[0])
        let result = try await TestSupport.obscura(["anonymize", photo, "-o", output.path] + arguments.dropFirst())
        #expect(result.status == 2, "\(arguments): \(result.standardError)")
        #expect(result.standardError.contains(arguments[0]), "\(result.standardError)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test("--detect face suggests 'faces' and --plate-evidence cascad 'cascade'; nonsense gets no guess")
    func suggestions() async throws {
        let face = try await TestSupport.obscura(["anonymize", photo, "-o", "unused", "--detect", "face"])
        #expect(face.status == 2)
        #expect(face.standardError.contains("did you mean 'faces'?"), "\(face.standardError)")
        let cascade = try await TestSupport.obscura(["anonymize", photo, "-o", "unused", "--detect", "plates", "--plate-evidence", "cascad"])
        #expect(cascade.status == 2)
        #expect(cascade.standardError.contains("did you mean 'cascade'?"), "\(cascade.standardError)")
        let unicorns = try await TestSupport.obscura(["anonymize", photo, "-o", "unused", "--detect", "unicorns"])
        #expect(unicorns.status == 2)
        #expect(unicorns.standardError.contains("unknown kind 'unicorns'"))
        #expect(!unicorns.standardError.contains("did you mean"))
    }

    @Test("a missing input path is a usage error that names it, even beside inputs that exist; nothing is written")
    func missingInput() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("IMG_0042.jpg").path
        let output = folder.appendingPathComponent("clean")
        for inputs in [[missing], [photo, missing]] {
            let result = try await TestSupport.obscura(["anonymize"] + inputs + ["-o", output.path])
            #expect(result.status == 2, "\(result.standardError)")
            #expect(result.standardError.contains("no such file or folder: '\(missing)'"), "\(result.standardError)")
            #expect(!FileManager.default.fileExists(atPath: output.path))
        }
    }

    @Test("--skip-existing and --overwrite together are a usage error")
    func skipAndOverwrite() async throws {
        let result = try await TestSupport.obscura(["anonymize", photo, "-o", "unused", "--skip-existing", "--overwrite"])
        #expect(result.status == 2)
        #expect(result.standardError.contains("--skip-existing"))
    }

    @Test("serve --help says that the review page exists and where")
    func serveHelp() async throws {
        let result = try await TestSupport.obscura(["serve", "--help"])
        #expect(result.status == 0)
        let text = String(decoding: result.standardOutput, as: UTF8.self)
        #expect(text.contains("review page"))
        #expect(text.contains("http://127.0.0.1:8080/"))
    }
}
