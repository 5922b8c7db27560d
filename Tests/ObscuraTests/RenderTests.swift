import Foundation
import Testing
@testable import Obscura

/// `Anonymizer.render`: regions a person reviewed, painted without running a detector.
@Suite struct RenderTests {
    @Test(.enabled(if: TestSupport.modelInstalled || TestSupport.modelsRequired, TestSupport.modelMissingMessage))
    func detectThenRenderGivesTheBytesOfAnonymize() throws {
        let photo = try TestSupport.fixture("astronaut.jpg")
        let anonymizer = try TestSupport.anonymizer()
        let found = try anonymizer.detect(photo)
        #expect(!found.detections.isEmpty)
        let rendered = try anonymizer.render(found.decoded, detections: found.detections)
        #expect(rendered.bytes == (try anonymizer.anonymize(photo)).bytes)
        // Rendering needs no detector and repeats exactly.
        let again = try anonymizer.render(try ImageDecoder.decode(photo), detections: found.detections)
        #expect(again.bytes == rendered.bytes)
        #expect(again.regions == rendered.regions)
    }

    @Test func manualRegionsArePaintedExactlyAsDrawn() throws {
        var options = AnonymizeOptions()
        options.detect = [.text]  // no face model needed to render
        options.style = .solid
        options.fill = RGBColor(red: 255, green: 0, blue: 255)
        options.format = .png
        let image = PixelBuffer(width: 64, height: 48, channels: 3, filledWith: 100)
        let png = try ImageEncoder.encode(image, as: .png, quality: 101, jpegLayout: nil)
        let decoded = try ImageDecoder.decode(png)
        let regions = RegionPlanner.plan([Detection(kind: RegionPlanner.manualKind, box: Box(x: 5, y: 6, width: 10, height: 7), score: 1)],
                                         imageWidth: 64, imageHeight: 48, options: options)
        #expect(regions.map { [$0.x0, $0.y0, $0.x1, $0.y1] } == [[5, 6, 15, 13]])
        #expect(regions.first?.shape == .rect)
        var painted = decoded.pixels
        Redactor.redact(&painted, regions: regions, fill: options.fill)
        let magenta = (0..<64 * 48).filter { i in painted.pixels[i * 3] == 255 && painted.pixels[i * 3 + 1] == 0 }.count
        #expect(magenta == 10 * 7)
    }

    @Test func drawnRegionsArePaintedLikeTextSolidByDefaultAndWeakWhenPixelated() throws {
        let drawn = [Detection(kind: RegionPlanner.manualKind, box: Box(x: 5, y: 6, width: 30, height: 20), score: 1)]
        var options = AnonymizeOptions()
        options.style = .pixelate  // the faces' style does not apply to drawn regions
        let solid = RegionPlanner.plan(drawn, imageWidth: 64, imageHeight: 48, options: options)
        #expect(solid.map(\.style) == [.solid])
        #expect(solid.map(\.weak) == [false])
        options.textStyle = .pixelate
        let pixelated = RegionPlanner.plan(drawn, imageWidth: 64, imageHeight: 48, options: options)
        #expect(pixelated.map(\.style) == [.pixelate])
        #expect(pixelated.map(\.weak) == [true], "pixelated writing can often be read back")
        // A drawn box sent as a face is painted as a face: the job's style, an ellipse, not weak.
        let asFace = RegionPlanner.plan([Detection(kind: .face, box: Box(x: 5, y: 6, width: 30, height: 20), score: 1)],
                                        imageWidth: 64, imageHeight: 48, options: options)
        #expect(asFace.map(\.style) == [.pixelate])
        #expect(asFace.map(\.weak) == [false])
        #expect(asFace.map(\.shape) == [options.shape])
    }
}
