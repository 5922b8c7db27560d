import Foundation
import Testing
@testable import Obscura

/// Feathered edges and the person outline: plain pixel code, no model.
@Suite struct FeatherTests {
    static func region(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, kind: RegionKind = .face, style: RedactionStyle,
                       shape: RegionShape) -> Region {
        Region(detection: Detection(kind: kind, box: Box(x: Double(x0), y: Double(y0), width: Double(x1 - x0), height: Double(y1 - y0)), score: 0.9),
               x0: x0, y0: y0, x1: x1, y1: y1, shape: shape, style: style,
               cellSize: RegionPlanner.cellSize(shorterSide: min(x1 - x0, y1 - y0), cellsAcross: 6), weak: false)
    }

    @Test("feathering never changes a region's interior, blends only a band outside it, and nothing beyond",
          arguments: [RedactionStyle.solid, .pixelate, .blur], ["rect", "ellipse", "body"])
    func interiorUnchanged(style: RedactionStyle, shape: String) {
        let original = TestSupport.gradient(width: 160, height: 200, channels: 3)
        // Two overlapping regions: one's band must not reach into the other's interior either.
        let regions = [Self.region(30, 40, 110, 170, kind: shape == "body" ? BodyPlanner.kind : "face", style: style,
                                   shape: shape == "rect" ? .rect : .ellipse),
                       Self.region(90, 20, 140, 80, style: style, shape: .rect)]
        var plain = original, feathered = original
        Redactor.redact(&plain, regions: regions, fill: RGBColor(red: 255, green: 0, blue: 255))
        Redactor.redact(&feathered, regions: regions, fill: RGBColor(red: 255, green: 0, blue: 255), feather: 12)
        let masks = regions.map(ShapeMask.init)
        var insideCount = 0, bandChanged = 0
        for y in 0..<original.height {
            for x in 0..<original.width {
                let at = original.offset(x: x, y: y)
                let samples = at..<at + 3
                let inside = zip(regions, masks).contains { region, mask in
                    x >= region.x0 && x < region.x1 && y >= region.y0 && y < region.y1 && mask.contains(x: x, y: y)
                }
                if inside {
                    insideCount += 1
                    if feathered.pixels[samples] != plain.pixels[samples] {
                        Issue.record("(\(x), \(y)) inside a region changed with feathering")
                        return
                    }
                    continue
                }
                let distance = masks.map { $0.distanceOutside(x: x, y: y) }.min()!
                if distance >= 12 {
                    if feathered.pixels[samples] != original.pixels[samples] {
                        Issue.record("(\(x), \(y)) is \(distance) px away and changed")
                        return
                    }
                } else if feathered.pixels[samples] != original.pixels[samples] {
                    bandChanged += 1
                }
                // Without feathering, nothing outside the regions changes.
                if plain.pixels[samples] != original.pixels[samples] {
                    Issue.record("(\(x), \(y)) outside every region changed without feathering")
                    return
                }
            }
        }
        #expect(insideCount > 5000)
        #expect(bandChanged > 1000, "the band blended only \(bandChanged) pixels")
    }

    @Test("the person outline: a head over square shoulders, not one ellipse; corners beside the head stay")
    func personOutline() {
        let body = ShapeMask(region: Self.region(0, 0, 100, 300, kind: BodyPlanner.kind, style: .solid, shape: .ellipse))
        let ellipse = ShapeMask(region: Self.region(0, 0, 100, 300, style: .solid, shape: .ellipse))
        #expect(body.contains(x: 50, y: 5))           // top of the head
        #expect(!body.contains(x: 3, y: 5))           // beside the head
        #expect(!body.contains(x: 96, y: 10))
        #expect(body.contains(x: 5, y: 70))           // a shoulder, which the ellipse misses
        #expect(!ellipse.contains(x: 5, y: 70))
        #expect(body.contains(x: 50, y: 295))
        // --shape rect paints a body's whole box.
        #expect(ShapeMask(region: Self.region(0, 0, 100, 300, kind: BodyPlanner.kind, style: .solid, shape: .rect)).contains(x: 3, y: 5))
    }

    @Test("feather is checked: 0...200 px")
    func featherRange() {
        var options = AnonymizeOptions()
        options.feather = 201
        #expect(throws: ObscuraError.self) { try options.validate() }
        options.feather = 200
        #expect(throws: Never.self) { try options.validate() }
    }
}

/// Bodies predicted from faces and merged with person boxes: arithmetic, no model.
@Suite struct BodyPlannerTests {
    @Test("a face predicts a body that covers the torso below it, clipped to the photo")
    func predictedBody() {
        let face = Box(x: 100, y: 50, width: 20, height: 24)
        let body = BodyPlanner.body(around: face, imageWidth: 400, imageHeight: 300)
        // The torso box of issue 12's rule: 1.5 face widths wide, 1.2 to 2.7 face heights below the face top.
        let torso = Box(x: 110 - 15, y: 50 + 1.2 * 24, width: 30, height: 1.5 * 24)
        #expect(body.intersectionArea(with: torso) == torso.area)
        #expect(body.intersectionArea(with: face) == face.area)
        #expect(body.maxY == min(300, 50 + 7.5 * 24))
        #expect(BodyPlanner.body(around: Box(x: 0, y: 250, width: 40, height: 40), imageWidth: 400, imageHeight: 300).maxY == 300)
    }

    @Test("a weak face predicts a body only inside a person box; otherwise it stays a face")
    func weakFaces() {
        let weak = Detection(kind: "face", box: Box(x: 100, y: 50, width: 20, height: 24), score: 0.3)
        let strong = Detection(kind: "face", box: Box(x: 300, y: 50, width: 20, height: 24), score: 0.8)
        let alone = BodyPlanner.bodies(people: [], faces: [weak, strong], imageWidth: 400, imageHeight: 400)
        #expect(alone.bodies.count == 1 && alone.otherFaces == [weak])
        let person = Detection(kind: BodyPlanner.kind, box: Box(x: 80, y: 40, width: 60, height: 200), score: 0.7)
        let held = BodyPlanner.bodies(people: [person], faces: [weak, strong], imageWidth: 400, imageHeight: 400)
        #expect(held.otherFaces.isEmpty)
        // The person box and the body its face predicts overlap enough to be one.
        #expect(held.bodies.count == 2)
        #expect(held.bodies.allSatisfy { $0.kind == BodyPlanner.kind })
    }

    @Test("merging overlapping bodies does not depend on their order")
    func mergeOrder() {
        let boxes = [Box(x: 0, y: 0, width: 50, height: 100), Box(x: 10, y: 5, width: 50, height: 100),
                     Box(x: 200, y: 0, width: 50, height: 100), Box(x: 45, y: 0, width: 50, height: 100)]
        let detections = boxes.enumerated().map { Detection(kind: BodyPlanner.kind, box: $1, score: 0.5 + Double($0) / 10) }
        let merged = BodyPlanner.merge(detections, overlap: 0.4)
        #expect(BodyPlanner.merge(detections.reversed(), overlap: 0.4) == merged)
        #expect(merged.count < detections.count)
        #expect(merged.contains { $0.box.x == 200 })
    }
}

enum PersonModel {
    static var installed: Bool {
        FileManager.default.fileExists(atPath: ModelStore.defaultDirectory.appendingPathComponent(ModelDescriptor.personDetection.fileName).path)
    }
}

/// `--detect bodies` on real photos, with the person model.
@Suite(.enabled(if: PersonModel.installed || TestSupport.modelsRequired,
                "person model not installed: run scripts/setup.sh (skipped)"))
struct BodyModelTests {

    static let anonymizer: Result<Anonymizer, any Error> = Result {
        var options = AnonymizeOptions()
        options.detect = [.bodies]
        options.style = .solid
        options.fill = RGBColor(red: 255, green: 0, blue: 255)
        options.format = .png
        return try Anonymizer(options: options)
    }

    @Test("the astronaut's whole body is painted, head and shoulders included, as one body")
    func astronaut() throws {
        let result = try Self.anonymizer.get().anonymize(try TestSupport.fixture("astronaut.jpg"))
        #expect(result.regions.filter { $0.detection.kind == BodyPlanner.kind }.count == 1)
        let output = try ImageDecoder.decode(result.bytes).pixels
        func magenta(_ x: Int, _ y: Int) -> Bool {
            let at = output.offset(x: x, y: y)
            return output.pixels[at] > 235 && output.pixels[at + 1] < 20 && output.pixels[at + 2] > 235
        }
        #expect(magenta(225, 110))  // face
        #expect(magenta(140, 330))  // left shoulder of the suit
        #expect(magenta(300, 330))  // right shoulder
        #expect(magenta(225, 480))  // chest
        #expect(!magenta(20, 20))   // the flag, top left
    }

    @Test("bodies on a crowd photo of the shared set: at least 90% of people with a face of 20 px or more covered",
          .enabled(if: TestSupport.hasFacesEvaluationSet, "../shared/eval/faces absent (skipped)"))
    func crowd() throws {
        let name = "images/0--Parade/0_Parade_Parade_0_490.jpg"
        let labels = try JSONSerialization.jsonObject(with: Data(contentsOf: TestSupport.facesEvaluationSet.appendingPathComponent("labels.json"))) as! [[String: Any]]
        let entry = try #require(labels.first { $0["file"] as? String == name })
        let result = try Self.anonymizer.get().anonymize(Array(try Data(contentsOf: TestSupport.facesEvaluationSet.appendingPathComponent(name))))
        let output = try ImageDecoder.decode(result.bytes).pixels
        func paintedShare(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double) -> Double {
            var hit = 0, total = 0
            for y in max(Int(y0), 0)..<min(Int(y1), output.height) {
                for x in max(Int(x0), 0)..<min(Int(x1), output.width) {
                    let at = output.offset(x: x, y: y)
                    total += 1
                    if output.pixels[at] > 235 && output.pixels[at + 1] < 20 && output.pixels[at + 2] > 235 { hit += 1 }
                }
            }
            return total == 0 ? 0 : Double(hit) / Double(total)
        }
        var people = 0, covered = 0
        for box in entry["boxes"] as! [[Double]] where min(box[2], box[3]) >= 20 {
            let (x, y, w, h) = (box[0], box[1], box[2], box[3])
            guard y + 2.7 * h <= Double(output.height) else { continue }
            people += 1
            if paintedShare(x, y, x + w, y + h) >= 0.5 && paintedShare(x - 0.25 * w, y + 1.2 * h, x + 1.25 * w, y + 2.7 * h) >= 0.5 {
                covered += 1
            }
        }
        #expect(people >= 10)
        #expect(Double(covered) >= 0.9 * Double(people), "\(covered) of \(people) people covered")
        #expect(result.regions.allSatisfy { [BodyPlanner.kind, "face"].contains($0.detection.kind) })
    }

    @Test("a temporary folder OpenVINO cannot be handed the model through is a set-up error (exit 3, nothing written) unless the compiled model is kept")
    func unwritableTemporaryFolder() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("out.jpg")
        let result = try await TestSupport.obscura(["anonymize", TestSupport.fixtures.appendingPathComponent("astronaut.jpg").path,
                                              "-o", output.path, "--detect", "bodies"],
                                             environment: ["TMPDIR": "/proc/obscura-no-such-folder", "OBSCURA_COMPILED_MODELS": "off"])
        #expect(result.status == 3, "\(result.standardError)")
        #expect(result.standardError.contains("temporary folder"), "\(result.standardError)")
        #expect(!FileManager.default.fileExists(atPath: output.path))

        // A compiled model kept from an earlier run is imported: no temporary file is needed.
        let compiled = folder.appendingPathComponent("compiled").path
        let arguments = ["anonymize", TestSupport.fixtures.appendingPathComponent("astronaut.jpg").path, "-o", output.path,
                         "--detect", "bodies"]
        let filling = try await TestSupport.obscura(arguments, environment: ["OBSCURA_COMPILED_MODELS": compiled])
        #expect(filling.status == 0, "\(filling.standardError)")
        try FileManager.default.removeItem(at: output)
        let warm = try await TestSupport.obscura(arguments, environment: ["TMPDIR": "/proc/obscura-no-such-folder",
                                                                          "OBSCURA_COMPILED_MODELS": compiled])
        #expect(warm.status == 0, "\(warm.standardError)")
        #expect(FileManager.default.fileExists(atPath: output.path))
    }

    @Test("without the person model, --detect bodies fails before any image is read")
    func missingModel() throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var options = AnonymizeOptions()
        options.detect = [.bodies]
        #expect { try Anonymizer(options: options, models: ModelSet(modelDirectory: folder)) } throws: { error in
            (error as? ObscuraError)?.code == .modelMissing
        }
    }
}
