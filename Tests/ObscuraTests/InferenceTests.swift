import Foundation
import Testing
@testable import Obscura

/// OpenVINO as the inference runtime: failing closed, one compiled model shared, any shape.
@Suite(.enabled(if: TestSupport.modelInstalled || TestSupport.modelsRequired, TestSupport.modelMissingMessage))
struct InferenceTests {
    @Test("a missing OpenVINO runtime exits with 3, names runtime.missing and writes nothing")
    func missingRuntime() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("out")
        let result = try await TestSupport.obscura(["anonymize", TestSupport.fixtures.appendingPathComponent("astronaut.jpg").path,
                                              "-o", output.path],
                                             environment: ["OBSCURA_OPENVINO": folder.appendingPathComponent("no-runtime").path])
        #expect(result.status == 3)
        #expect(result.standardError.contains("runtime.missing"))
        #expect(result.standardError.contains("setup.sh"))
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    @Test("a damaged OpenVINO runtime (a file that is no library) exits with 3 and writes nothing")
    func damagedRuntime() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let runtime = folder.appendingPathComponent("runtime")
        try FileManager.default.createDirectory(at: runtime, withIntermediateDirectories: true)
        try Data(repeating: 0x7f, count: 4096).write(to: runtime.appendingPathComponent("libopenvino_c.so.2641"))
        let output = folder.appendingPathComponent("out.jpg")
        let result = try await TestSupport.obscura(["anonymize", TestSupport.fixtures.appendingPathComponent("astronaut.jpg").path,
                                              "-o", output.path], environment: ["OBSCURA_OPENVINO": runtime.path])
        #expect(result.status == 3)
        #expect(result.standardError.contains("runtime.missing"))
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    @Test("bytes OpenVINO cannot read as a model are model.corrupt, not a crash")
    func unreadableModel() throws {
        for bytes in [[UInt8](repeating: 0, count: 64), Array("not a model".utf8),
                      Array(try Data(contentsOf: ModelStore.defaultDirectory.appendingPathComponent("centerface.onnx")).prefix(100_000))] {
            #expect(throws: ObscuraError.self) {
                do { _ = try InferenceModel(.centerFace, bytes: bytes) } catch let error as ObscuraError {
                    #expect(error.code == .modelCorrupt)
                    throw error
                }
            }
        }
    }

    @Test("anonymizers of different options share the model set's one compiled detector")
    func sharedModelSet() throws {
        let models = ModelSet()
        var solid = AnonymizeOptions()
        solid.style = .solid
        var wide = AnonymizeOptions()
        wide.margin = 0.6
        let first = try Anonymizer(options: solid, models: models)
        let second = try Anonymizer(options: wide, models: models)
        #expect(first.faceDetector === second.faceDetector)
        #expect(models.loadedCount == 1)
        let photo = try TestSupport.fixture("astronaut.jpg")
        #expect(try first.anonymize(photo).bytes != second.anonymize(photo).bytes)
        #expect(models.loadedCount == 1)
    }

    @Test("an anonymizer's models are loaded side by side, each once, and only those its kinds run",
          .enabled(if: TextPIITests.textModelInstalled || TestSupport.modelsRequired, TextPIITests.skipMessage))
    func modelsLoadedSideBySide() throws {
        var options = AnonymizeOptions()
        options.detect = [.pii, .plates]
        let wanted = ModelSet.models(for: options)
        #expect(wanted == [.textDetection, .tesseract, .textRecognition, .plateCascade])
        let models = ModelSet()
        models.load(wanted)
        #expect(models.loadedCount == 4)
        let anonymizer = try Anonymizer(options: options, models: models)
        #expect(models.loadedCount == 4)
        #expect(anonymizer.models.map(\.id).sorted() == ["haarcascade-russian-plate-number", "ppocrv4-det", "ppocrv4-rec", "tesseract-eng"].sorted())

        var cascadeOnly = AnonymizeOptions()
        cascadeOnly.detect = [.plates]
        cascadeOnly.plateEvidence = [.cascade]
        #expect(ModelSet.models(for: cascadeOnly) == [.tesseract, .plateCascade])
        var bodies = AnonymizeOptions()
        bodies.detect = [.bodies]
        #expect(ModelSet.models(for: bodies) == [.faces, .people])
        #expect(ModelSet.models(for: AnonymizeOptions()) == [.faces])
    }

    @Test("one compiled model serves any input shape: the face is found at every size, tiled or whole")
    func anyShape() throws {
        let (detector, photo) = try Self.astronaut()
        // 512 px: one whole pass; 1500 px and 2600 px: passes cut into tiles of other shapes.
        var found: [Box] = []
        for side in [512, 1500, 2600, 700] {
            let scaled = try CenterFaceDetector.resize(photo, width: side, height: side)
            let faces = try detector.detect(in: scaled, threshold: 0.5)
            let best = try #require(faces.max { $0.confidence < $1.confidence }, "no face at \(side) px")
            let factor = 512 / Double(side)
            found.append(Box(x: best.box.x * factor, y: best.box.y * factor,
                             width: best.box.width * factor, height: best.box.height * factor))
        }
        // The same face, in the same place, at every size.
        for box in found.dropFirst() { #expect(box.intersectionOverUnion(with: found[0]) > 0.7, "\(box) vs \(found[0])") }
    }

    @Test("a large image's search (small inputs, each tile resized on its own) finds the face the standard search finds",
          .enabled(if: TestSupport.modelInstalled || TestSupport.modelsRequired, TestSupport.modelMissingMessage))
    func largeImageSearch() throws {
        let (detector, photo) = try Self.astronaut()
        for side in [1500, 2600] {
            let scaled = try CenterFaceDetector.resize(photo, width: side, height: side)
            let search = ScaleSearch(width: side, height: side, largeImageAbove: 0)
            #expect(search.resizesPerTile)
            #expect(search.tiles.allSatisfy { $0.inputWidth <= ScaleSearch.largeImageTileLimit && $0.inputHeight <= ScaleSearch.largeImageTileLimit })
            let standard = try #require(try detector.detect(in: scaled, threshold: 0.5).max { $0.confidence < $1.confidence })
            let large = try #require(try detector.detect(in: scaled, threshold: 0.5, largeImageAbove: 0).max { $0.confidence < $1.confidence },
                                     "no face at \(side) px searched as a large image")
            #expect(large.box.intersectionOverUnion(with: standard.box) > 0.7, "\(large.box) vs \(standard.box)")
        }
    }

    @Test("freeing the network's working memory changes nothing the next run finds",
          .enabled(if: TestSupport.modelInstalled || TestSupport.modelsRequired, TestSupport.modelMissingMessage))
    func releasedWorkingMemory() throws {
        let (detector, photo) = try Self.astronaut()
        let before = try detector.detect(in: photo, threshold: 0.3)
        detector.releaseWorkingMemory()
        #expect(!before.isEmpty)
        #expect(try detector.detect(in: photo, threshold: 0.3) == before)
    }

    @Test("a tile resized on its own is that part of the whole image resized, and close to OpenCV's area resize")
    func regionResize() throws {
        let photo = try ImageDecoder.decode(try TestSupport.fixture("astronaut.jpg")).pixels
        let (scaledWidth, scaledHeight) = (173, 190)
        func region(_ x: Int, _ y: Int, _ width: Int, _ height: Int) throws -> PixelBuffer {
            try CenterFaceDetector.resizeRegion(photo, tile: ScaleSearch.Tile(scale: 0, scaledWidth: scaledWidth, scaledHeight: scaledHeight,
                                                                               x: x, y: y, width: width, height: height))
        }
        let whole = try region(0, 0, scaledWidth, scaledHeight)
        let part = try region(61, 70, 50, 64)
        for row in 0..<64 {
            let from = ((70 + row) * scaledWidth + 61) * 3
            #expect(Array(part.pixels[(row * 50 * 3)..<((row + 1) * 50 * 3)]) == Array(whole.pixels[from..<(from + 50 * 3)]))
        }
        let opencv = try CenterFaceDetector.resize(photo, width: scaledWidth, height: scaledHeight)
        let difference = zip(whole.pixels, opencv.pixels).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
        #expect(Double(difference) / Double(whole.pixels.count) < 1.0)
        // Enlarging (a search for faces under 10 px) samples linearly.
        let enlarged = try CenterFaceDetector.resizeRegion(photo, tile: ScaleSearch.Tile(scale: 2, scaledWidth: photo.width * 2, scaledHeight: photo.height * 2,
                                                                                          x: 100, y: 100, width: 40, height: 40))
        #expect(enlarged.width == 40 && enlarged.pixels.count == 40 * 40 * 3)
    }

    @Test("grey and RGBA images are searched as they are: the same faces as their RGB expansion, at every size",
          .enabled(if: TestSupport.modelInstalled || TestSupport.modelsRequired, TestSupport.modelMissingMessage))
    func greyAndAlphaWithoutACopy() throws {
        let (detector, photo) = try Self.astronaut()
        var grey = PixelBuffer(width: photo.width, height: photo.height, channels: 1, filledWith: 0)
        var rgba = PixelBuffer(width: photo.width, height: photo.height, channels: 4, filledWith: 255)
        for index in 0..<(photo.width * photo.height) {
            let r = Int(photo.pixels[index * 3]), g = Int(photo.pixels[index * 3 + 1]), b = Int(photo.pixels[index * 3 + 2])
            grey.pixels[index] = UInt8((299 * r + 587 * g + 114 * b + 500) / 1000)
            for channel in 0..<3 { rgba.pixels[index * 4 + channel] = photo.pixels[index * 3 + channel] }
        }
        for side in [512, 1500] {
            for image in [grey, rgba] {
                let scaled = try CenterFaceDetector.resize(image, width: side, height: side)
                let direct = try detector.detect(in: scaled, threshold: 0.2)
                let expanded = try detector.detect(in: scaled.rgb(), threshold: 0.2)
                #expect(!direct.isEmpty)
                #expect(direct == expanded, "\(image.channels) channels at \(side) px")
            }
        }
    }

    /// The process's face detector and the astronaut fixture, decoded.
    static func astronaut() throws -> (CenterFaceDetector, PixelBuffer) {
        (try ModelSet().faceDetector(), try ImageDecoder.decode(try TestSupport.fixture("astronaut.jpg")).pixels)
    }

    @Test("second looks share the candidates evenly among the fewest mosaics, all of one shape")
    func lookRunsOfOneShape() {
        for columns in [1, 3, 6] {
            for count in 1...300 {
                let perRun = CenterFaceDetector.lookRun(candidates: count, columns: columns)
                let runs = (count + perRun - 1) / perRun
                #expect(perRun <= columns * columns, "\(count) candidates, \(columns) columns")
                #expect(runs == (count + columns * columns - 1) / (columns * columns), "\(count) candidates: \(runs) runs")
                // The last run is as full as it can be: no run of one shape holds far fewer.
                #expect(count - (runs - 1) * perRun > perRun - runs, "\(count) candidates, \(columns) columns")
            }
        }
        #expect(CenterFaceDetector.lookRun(candidates: 80, columns: 6) == 27)
        #expect(CenterFaceDetector.lookRun(candidates: 36, columns: 6) == 36)
        #expect(CenterFaceDetector.lookRun(candidates: 37, columns: 6) == 19)
    }

    @Test("a second look's mosaic with empty cells left over confirms what a tight one confirms",
          .enabled(if: TestSupport.modelInstalled || TestSupport.modelsRequired, TestSupport.modelMissingMessage))
    func secondLooksWithRoomLeftOver() throws {
        let (detector, photo) = try Self.astronaut()
        let candidates = try detector.detect(in: photo, threshold: 0.05)
        let tight = try detector.secondLooks(at: candidates, in: photo, threshold: 0.3)
        let roomy = try detector.secondLooks(at: candidates, in: photo, threshold: 0.3, cells: 36)
        #expect(!tight.isEmpty, "the astronaut's face is confirmed")
        #expect(tight.map(\.box) == roomy.map(\.box))
        for (a, b) in zip(tight, roomy) { #expect(abs(a.confidence - b.confidence) < 0.05) }
    }

    @Test("the scale search feeds the network little more than the photo at native resolution")
    func leanSearch() {
        let phone = ScaleSearch(width: 4000, height: 3000)
        // The native pass plus the coarser ones: far below the 2.6x of 640 px tiles overlapping 160 px.
        #expect(Double(phone.inputPixels) < 1.5 * 4000 * 3000)
        let wider = ScaleSearch(width: 1024, height: 768)
        #expect(Double(wider.inputPixels) < 1.5 * 1024 * 768)
        // Every tile is within the limit, and the tiles of each pass cover it.
        for search in [phone, wider, ScaleSearch(width: 5000, height: 700, minimumFace: 5)] {
            for tile in search.tiles {
                #expect(tile.inputWidth <= ScaleSearch.tileLimit && tile.inputHeight <= ScaleSearch.tileLimit)
                #expect(tile.x + tile.width <= tile.scaledWidth && tile.y + tile.height <= tile.scaledHeight)
            }
            for scale in Set(search.tiles.map(\.scale)) {
                let pass = search.tiles.filter { $0.scale == scale }
                let area = pass.reduce(0) { $0 + $1.width * $1.height }
                #expect(area >= pass[0].scaledWidth * pass[0].scaledHeight)
            }
        }
    }
}
