import Foundation
import Testing
@testable import Obscura

/// PP-OCRv4's recognition network as the second reading of each text line (issue 11, item 2):
/// its character list, a rendered line read exactly, and how its matches join Tesseract's.
@Suite struct NetworkLineReaderTests {
    /// A protobuf length-delimited field.
    static func field(_ number: UInt8, _ bytes: [UInt8]) -> [UInt8] {
        precondition(bytes.count < 128)
        return [number << 3 | 2, UInt8(bytes.count)] + bytes
    }

    static func entry(_ key: String, _ value: String) -> [UInt8] {
        field(14, field(1, Array(key.utf8)) + field(2, Array(value.utf8)))
    }

    @Test("the character list is read from the model's ONNX metadata; a cut or absent entry gives nil")
    func metadata() {
        // ir_version (field 1, varint 8), a fixed64 field, a graph-like field, then two entries.
        let model: [UInt8] = [0x08, 0x08] + [0x11, 1, 2, 3, 4, 5, 6, 7, 8] + Self.field(7, [1, 2, 3])
            + Self.entry("other", "x") + Self.entry("character", "a\nb\nc")
        #expect(ONNXMetadata.value(for: "character", in: model) == "a\nb\nc")
        #expect(ONNXMetadata.value(for: "other", in: model) == "x")
        #expect(ONNXMetadata.value(for: "missing", in: model) == nil)
        #expect(ONNXMetadata.value(for: "character", in: Array(model.dropLast(3))) == nil)
        #expect(ONNXMetadata.value(for: "character", in: [0xff, 0xff, 0xff]) == nil)
    }

    /// The pixels ImageMagick's `convert` draws with `arguments` (a PNG in a temporary folder).
    static func rendered(_ arguments: [String]) throws -> PixelBuffer {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("rendered.png")
        let result = try TestSupport.run(try #require(DocumentRenderer.convert), arguments + [file.path])
        #expect(result.status == 0)
        return try ImageDecoder.decode([UInt8](try Data(contentsOf: file))).pixels
    }

    /// Whether the rendered-line tests can run here.
    static var canRenderAndRead: Bool {
        (TextPIITests.textModelInstalled && DocumentRenderer.convert != nil) || TestSupport.modelsRequired
    }

    @Test("a second reading adds what the first missed, and a match both found is reported once")
    func unionOfReadings() throws {
        let matcher = try PIIMatcher()
        let misread = PIIMatcherTests.line("IBAN DE89 37?4 0044 0532 0130 00")
        let read = PIIMatcherTests.line("IBAN DE89 3704 0044 0532 0130 00")
        #expect(matcher.matches(in: [misread]).isEmpty)
        let added = matcher.matches(in: [misread], alsoIn: [read])
        #expect(added.map(\.kind) == [.iban])
        #expect(added.first?.box == matcher.matches(in: [read]).first?.box)
        #expect(matcher.matches(in: [read], alsoIn: [read]).map(\.kind) == [.iban])
        #expect(matcher.matches(in: [read], alsoIn: [misread]).map(\.kind) == [.iban])
    }

    @Test("the network reads a rendered IBAN line exactly, its characters left to right inside the crop",
          .enabled(if: canRenderAndRead, "text models or ImageMagick not installed (skipped)"))
    func readsARenderedLine() throws {
        let text = "DE89 3704 0044 0532 0130 00"
        let grey = TextRecognizer.grey(try Self.rendered(["-background", "white", "-fill", "black", "-font", "DejaVu-Sans",
                                                          "-pointsize", "22", "label:\(text)", "-bordercolor", "white", "-border", "6x4"]))
        let reader = try TextPIITests.reader().map(\.network) ?? NetworkLineReader()
        let characters = try reader.read(grey)
        #expect(characters.map(\.text).joined() == text)
        #expect(zip(characters, characters.dropFirst()).allSatisfy { $0.end <= $1.start + 0.001 })
        #expect(characters.allSatisfy { $0.start >= 0 && $0.end <= Double(grey.width) && $0.probability > 0.5 })
        // The same pixels give the same reading (f32, one compiled model).
        #expect(try reader.read(grey) == characters)
    }

    @Test("both readings made side by side equal each made alone, line by line, on a rendered page with a turned line",
          .enabled(if: canRenderAndRead, "text models or ImageMagick not installed (skipped)"))
    func readingsSideBySide() throws {
        let image = try Self.rendered(["-size", "900x420", "xc:white", "-fill", "black", "-font", "DejaVu-Sans", "-pointsize", "26",
                                       "-annotate", "+30+60", "IBAN DE89 3704 0044 0532 0130 00",
                                       "-annotate", "+30+140", "Card 4111 1111 1111 1111",
                                       "-annotate", "4x4+30+230", "maria.gonzalez@example.org",
                                       "-annotate", "+30+330", "Phone +49 30 1234 5678"])
        let reader = try #require(try TextPIITests.reader())
        let lines = try reader.detector.lines(in: image)
        #expect(lines.count >= 4)
        #expect(lines.contains { reader.recognizer.shouldStraighten($0.oriented) })
        let grey = TextRecognizer.grey(image)
        let both = try reader.recognizer.bothReadings(grey: grey, lines: lines, reader: reader.network)
        #expect(both.tesseract == (try reader.recognizer.recognize(grey: grey, lines: lines)))
        #expect(both.network == (try reader.recognizer.networkReadings(grey: grey, lines: lines, reader: reader.network)))
        #expect(both.tesseract.contains { $0.text.contains("4111") } && both.network.contains { $0.text.contains("DE89") })
        let none = try reader.recognizer.bothReadings(grey: grey, lines: [], reader: reader.network)
        #expect(none.tesseract.isEmpty && none.network.isEmpty)
    }
}
