import Foundation
import Testing
@testable import Obscura

/// Turned text lines: the detector's turned rectangle, the straightened crop, and reading a
/// turned page with and without straightening (issue 11, item 1).
@Suite struct TextStraighteningTests {
    /// The pixel indices (rows of `width`) of a bar `length` × `thickness` turned by `degrees`
    /// about (cx, cy).
    static func turnedBar(width: Int, height: Int, cx: Double, cy: Double, length: Double, thickness: Double,
                          degrees: Double) -> [Int] {
        let angle = degrees * Double.pi / 180, c = cos(angle), s = sin(angle)
        var members: [Int] = []
        for y in 0..<height {
            for x in 0..<width {
                let dx = Double(x) + 0.5 - cx, dy = Double(y) + 0.5 - cy
                let along = dx * c + dy * s, across = -dx * s + dy * c
                if abs(along) <= length / 2, abs(across) <= thickness / 2 { members.append(y * width + x) }
            }
        }
        return members
    }

    @Test("a turned component gives its angle, centre and extent; an upright one gives angle 0")
    func orientedBoxOfComponent() {
        for degrees in [-6.0, -2.5, 0, 3, 6] {
            let members = Self.turnedBar(width: 400, height: 120, cx: 200, cy: 60, length: 300, thickness: 16, degrees: degrees)
            // Unclip ratio 0 keeps the component's own extent.
            let box = TextDetector.orientedBox(members, mapWidth: 400, unclipRatio: 0)
            #expect(abs(box.angle * 180 / Double.pi - degrees) < 0.2, "angle at \(degrees)°: \(box.angle * 180 / Double.pi)")
            #expect(abs(box.centerX - 200) < 1 && abs(box.centerY - 60) < 1)
            #expect(abs(box.length - 300) < 3 && abs(box.thickness - 16) < 3, "extent at \(degrees)°: \(box.length) × \(box.thickness)")
        }
    }

    @Test("straightening lays a turned bar flat and maps boxes back onto it")
    func straightenedBar() throws {
        let width = 400, height = 120
        var pixels = [UInt8](repeating: 255, count: width * height)
        for index in Self.turnedBar(width: width, height: height, cx: 200, cy: 60, length: 300, thickness: 12, degrees: 5) { pixels[index] = 0 }
        let grey = PixelBuffer(width: width, height: height, channels: 1, pixels: pixels)
        let oriented = OrientedBox(centerX: 200, centerY: 60, length: 300, thickness: 24, angle: 5 * Double.pi / 180)
        guard let recognizer = TestSupport.modelsRequired ? try TextRecognizer() : try? TextRecognizer() else {
            print("Tesseract's English data is not installed: run scripts/setup.sh (skipped)"); return
        }
        #expect(recognizer.shouldStraighten(oriented))
        let straight = recognizer.straighten(grey, oriented)
        // The dark band sits on the same rows at both ends of the straightened line.
        func darkRows(atColumn column: Int) -> [Int] {
            (0..<straight.image.height).filter { straight.image.pixels[$0 * straight.image.width + column] < 128 }
        }
        let left = darkRows(atColumn: Int(straight.lineBox.x + 0.1 * straight.lineBox.width))
        let right = darkRows(atColumn: Int(straight.lineBox.x + 0.9 * straight.lineBox.width))
        #expect(!left.isEmpty && !right.isEmpty)
        #expect(abs(left.first! - right.first!) <= 1 && abs(left.last! - right.last!) <= 1, "band rows \(left) and \(right)")
        // The whole line box maps back onto the turned rectangle's upright bounds.
        let back = straight.imageBox(straight.lineBox), expected = oriented.boundingBox
        #expect(abs(back.x - expected.x) < 0.01 && abs(back.maxY - expected.maxY) < 0.01)
        // A flat or a short, chunky line is read upright.
        #expect(!recognizer.shouldStraighten(OrientedBox(centerX: 0, centerY: 0, length: 300, thickness: 24, angle: 0.001)))
        #expect(!recognizer.shouldStraighten(OrientedBox(centerX: 0, centerY: 0, length: 40, thickness: 24, angle: 0.2)))
    }

    @Test("a page turned 5° is read when its lines are straightened, and not when they are read upright")
    func turnedPage() throws {
        guard let reader = try TextPIITests.reader() else { print(TextPIITests.skipMessage); return }
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let items: [DocumentRenderer.Item] = [
            .init(label: "IBAN", value: "GB82 WEST 1234 5698 7654 32", expected: .iban),
            .init(label: "Card", value: "4111 1111 1111 1111", expected: .card),
            .init(label: "E-mail", value: "anna.eriksson@example.com", expected: .email),
        ]
        let spec = DocumentRenderer.Spec(width: 1400, font: "DejaVu-Sans", pointSize: 26, angle: 5, noise: 0.4, quality: 85, seed: 5, items: items)
        let rendered = try DocumentRenderer.render(spec, in: folder, name: "turned")
        let lines = try reader.detector.lines(in: rendered.image)
        var upright = TextRecognizer.Settings()
        upright.straightenAbove = .infinity
        func found(_ text: [TextLine]) throws -> [Bool] {
            let matches = try PIIMatcher().matches(in: text)
            return zip(items, rendered.boxes).map { item, box in
                guard let box else { return false }
                return matches.contains { $0.kind == item.expected && $0.box.intersectionArea(with: box) >= 0.5 * box.area }
            }
        }
        let straightened = try found(reader.recognizer.recognize(in: rendered.image, lines: lines))
        let asUpright = try found(TextRecognizer(settings: upright).recognize(in: rendered.image, lines: lines))
        #expect(straightened == [true, true, true], "straightened: \(straightened)")
        #expect(asUpright.contains(false), "read upright, every item was found: the test no longer shows straightening")
    }
}
