import Foundation
import Testing
@testable import Obscura

/// The library end to end on a real photo. Needs the CenterFace model.
@Suite(.enabled(if: TestSupport.modelInstalled || TestSupport.modelsRequired, TestSupport.modelMissingMessage))
struct PipelineTests {
    @Test("the astronaut's face is found and painted; nothing else changes")
    func astronaut() throws {
        var options = AnonymizeOptions()
        options.style = .solid
        options.fill = RGBColor(hex: "ff00ff")!
        options.format = .png
        let anonymizer = try Anonymizer(options: options)
        let input = try TestSupport.fixture("astronaut.jpg")
        let result = try anonymizer.anonymize(input)
        #expect(result.outputFormat == .png)
        try #require(result.regions.count == 1)
        let face = result.regions[0].detection.box
        // Her face lies around x 180-270, y 60-180 in the 512 px portrait.
        #expect(face.x > 150 && face.maxX < 300 && face.y > 30 && face.maxY < 210)
        #expect((result.regions[0].detection.score ?? 0) > 0.8)

        let original = try ImageDecoder.decode(input).pixels
        let output = try ImageDecoder.decode(result.bytes).pixels
        let centre = output.offset(x: Int(face.x + face.width / 2), y: Int(face.y + face.height / 2))
        #expect(Array(output.pixels[centre..<centre + 3]) == [255, 0, 255])
        // PNG output is lossless: outside the painted rectangle every pixel is the decoded input's.
        let r = result.regions[0]
        var changedOutside = 0
        for y in 0..<output.height {
            for x in 0..<output.width where x < r.x0 || x >= r.x1 || y < r.y0 || y >= r.y1 {
                let at = output.offset(x: x, y: y)
                if output.pixels[at..<at + 3] != original.pixels[at..<at + 3] { changedOutside += 1 }
            }
        }
        #expect(changedOutside == 0)
    }

    @Test("same input and settings give byte-identical output, whatever the worker count")
    func determinism() throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        let photo = try TestSupport.fixture("astronaut.jpg")
        // Three sizes, so concurrent requests run the one compiled model on different input
        // shapes (1300 px is searched in tiles).
        try Data(photo).write(to: input.appendingPathComponent("a.jpg"))
        let pixels = try ImageDecoder.decode(photo).pixels
        for (name, side) in [("b.jpg", 1300), ("c.jpg", 300)] {
            let resized = try CenterFaceDetector.resize(pixels, width: side, height: side)
            try Data(try ImageEncoder.encode(resized, as: .jpeg, quality: 90)).write(to: input.appendingPathComponent(name))
        }
        let anonymizer = try TestSupport.anonymizer()
        var digests: [[String]] = []
        for jobs in [1, 2, 1, 3] {
            let output = folder.appendingPathComponent("out-\(digests.count)")
            let items = try BatchPlanner.plan(inputs: [input.path], output: output.path)
            let summary = BatchRunner(anonymizer: anonymizer, jobs: jobs).run(items) { _ in }
            #expect(summary.written == 3)
            digests.append(try ["a.jpg", "b.jpg", "c.jpg"].map { Digest.sha256([UInt8](try Data(contentsOf: output.appendingPathComponent($0)))) })
        }
        #expect(Set(digests).count == 1)
        #expect(Set(digests[0]).count == 3)
        // And not merely a copy of the input.
        #expect(digests[0][0] != Digest.sha256(photo))
    }

    @Test("JPEG output keeps the input's quality and size in proportion")
    func qualityKept() throws {
        let input = try TestSupport.fixture("astronaut.jpg")
        let result = try TestSupport.anonymizer().anonymize(input)
        #expect(result.quality == 80)
        #expect(JPEGStructure(bytes: result.bytes).estimatedQuality == 80)
        let ratio = Double(result.bytes.count) / Double(input.count)
        #expect(ratio > 0.8 && ratio < 1.15, "output is \(ratio)x the input size")
    }

    @Test("a missing or corrupt model is a set-up error")
    func modelProblems() throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            _ = try Anonymizer(options: AnonymizeOptions(), modelDirectory: folder)
            Issue.record("loaded a model from an empty folder")
        } catch let error as ObscuraError {
            #expect(error.code == .modelMissing && error.isSetupProblem)
        }
        var model = [UInt8](try Data(contentsOf: ModelStore.defaultDirectory.appendingPathComponent("centerface.onnx")))
        model[model.count / 2] ^= 0xFF
        try Data(model).write(to: folder.appendingPathComponent("centerface.onnx"))
        do {
            _ = try Anonymizer(options: AnonymizeOptions(), modelDirectory: folder)
            Issue.record("loaded a corrupt model")
        } catch let error as ObscuraError {
            #expect(error.code == .modelCorrupt && error.isSetupProblem)
        }
    }
}

@Test("the model is installed when the test command requires it")
func modelInstalledWhenRequired() {
    if TestSupport.modelsRequired {
        #expect(TestSupport.modelInstalled, "OBSCURA_REQUIRE_MODELS=1 but \(ModelStore.defaultDirectory.path) has no centerface.onnx")
    }
}
