import Foundation
import Testing
@testable import Obscura

/// `--detect text,pii,plates` through the built binary: kinds in the report and never the text,
/// solid text by default, user rules, and set-up errors only for the kinds asked for.
@Suite(.serialized,
       .enabled(if: (TextPIITests.textModelInstalled && TestSupport.modelInstalled && DocumentRenderer.convert != nil)
                    || TestSupport.modelsRequired, "text or face model, or ImageMagick, not installed (skipped)"))
struct TextPlateCommandLineTests {
    static func records(_ report: URL) throws -> [[String: Any]] {
        try String(contentsOf: report, encoding: .utf8).split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// Share of a box's pixels that are exactly `value` in every channel.
    static func share(of box: Box, in image: PixelBuffer, equalTo value: UInt8) -> Double {
        let x0 = Int(box.x), y0 = Int(box.y), x1 = min(image.width, Int(box.maxX)), y1 = min(image.height, Int(box.maxY))
        var inside = 0, equal = 0
        for y in y0..<y1 {
            for x in x0..<x1 {
                inside += 1
                let at = image.offset(x: x, y: y)
                if (0..<3).allSatisfy({ image.pixels[at + $0] == value }) { equal += 1 }
            }
        }
        return inside > 0 ? Double(equal) / Double(inside) : 0
    }

    @Test("--detect text,pii,plates on a rendered document: kinds reported, no text anywhere, text solid by default")
    func textPIIAndPlates() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let items: [DocumentRenderer.Item] = [
            .init(label: "Card", value: "4111 1111 1111 1111", expected: .card),
            .init(label: "IBAN", value: "GB82 WEST 1234 5698 7654 32", expected: .iban),
            .init(label: "E-mail", value: "anna.eriksson@example.com", expected: .email),
            .init(label: "Note", value: "Bring the blue folder", expected: nil),
        ]
        let rendered = try DocumentRenderer.render(.init(width: 1300, items: items), in: folder, name: "doc")
        let output = folder.appendingPathComponent("clean.png"), report = folder.appendingPathComponent("report.jsonl")
        let result = try await TestSupport.obscura(["anonymize", folder.appendingPathComponent("doc.jpg").path, "-o", output.path,
                                              "--detect", "text,pii,plates", "--report", report.path])
        #expect(result.status == 0, "\(result.standardError)")
        let record = try #require(try Self.records(report).first)
        let regions = record["regions"] as? [[String: Any]] ?? []
        let kinds = Set(regions.compactMap { $0["kind"] as? String })
        for kind in ["text", "pii.card", "pii.iban", "pii.email"] { #expect(kinds.contains(kind), "\(kinds)") }
        for region in regions where (region["kind"] as? String).map({ $0 == "text" || $0.hasPrefix("pii.") }) == true {
            #expect(region["style"] as? String == "solid")
            #expect(region["weak"] as? Bool == false)
        }
        // Personal data says why it was taken for one; text lines and plates have no evidence.
        for region in regions {
            let kind = region["kind"] as? String ?? "", evidence = region["evidence"] as? String
            switch kind {
            case "pii.card", "pii.iban": #expect(["checksum", "checksum-corrected"].contains(evidence), "\(kind): \(evidence ?? "none")")
            case "pii.email": #expect(evidence == "format")
            default: #expect(kind.hasPrefix("pii.") ? evidence != nil : region["evidence"] == nil, "\(kind)")
            }
        }
        let models = (record["models"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        #expect(models.contains(ModelDescriptor.textDetection.id) && models.contains("tesseract-eng")
                && models.contains(ModelDescriptor.plateCascade.id) && !models.contains(ModelDescriptor.centerFace.id), "\(models)")
        let settings = record["settings"] as? [String: Any]
        #expect(settings?["textStyle"] as? String == "solid")
        #expect(settings?["detect"] as? [String] == ["text", "pii", "plates"])

        let reportText = try String(contentsOf: report, encoding: .utf8)
        for secret in ["4111 1111", "41111111", "WEST", "eriksson", "example.com", "blue folder"] {
            #expect(!reportText.contains(secret), "report holds \(secret)")
            #expect(!result.standardError.contains(secret))
        }
        // Every line of text is painted with the solid fill (black by default).
        let pixels = try ImageDecoder.decode([UInt8](try Data(contentsOf: output))).pixels
        for (item, box) in zip(items, rendered.boxes) {
            let box = try #require(box)
            #expect(Self.share(of: box, in: pixels, equalTo: 0) >= 0.9, "\(item.label) not painted solid")
        }
    }

    @Test("--pii-pattern and --pii-words paint matching text as pii.custom; the words never reach the report")
    func userRules() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let items: [DocumentRenderer.Item] = [
            .init(label: "Ref", value: "AB-123456", expected: .custom),
            .init(label: "Ref", value: "AB-12345", expected: nil),
            .init(label: "Guest", value: "Anna Eriksson", expected: .custom),
            .init(label: "Guest", value: "Maria Lindqvist", expected: nil),
        ]
        let rendered = try DocumentRenderer.render(.init(width: 1200, items: items), in: folder, name: "doc")
        let words = folder.appendingPathComponent("words.txt")
        try Data("# people\nanna eriksson\n".utf8).write(to: words)
        let output = folder.appendingPathComponent("clean.png"), report = folder.appendingPathComponent("report.jsonl")
        let pattern = #"AB-\d{6}\b"#
        let result = try await TestSupport.obscura(["anonymize", folder.appendingPathComponent("doc.jpg").path, "-o", output.path,
                                              "--detect", "pii", "--pii-pattern", pattern, "--pii-words", words.path,
                                              "--fill", "ff00ff", "--report", report.path])
        #expect(result.status == 0, "\(result.standardError)")
        let record = try #require(try Self.records(report).first)
        let custom = (record["regions"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "pii.custom" }
        #expect(custom.allSatisfy { $0["evidence"] as? String == "rule" })
        let boxes = custom.compactMap { region -> Box? in
            guard let box = region["box"] as? [Double], box.count == 4 else { return nil }
            return Box(x: box[0], y: box[1], width: box[2], height: box[3])
        }
        for (item, box) in zip(items, rendered.boxes) {
            let box = try #require(box)
            let hit = boxes.contains { $0.intersectionArea(with: box) >= 0.5 * box.area }
            #expect(hit == (item.expected != nil), "\(item.value): matched \(hit)")
        }
        let settings = record["settings"] as? [String: Any]
        #expect(settings?["piiPatterns"] as? [String] == [pattern])
        #expect(settings?["piiWordsFile"] as? String == words.path)
        let reportText = try String(contentsOf: report, encoding: .utf8)
        for secret in ["Eriksson", "eriksson", "Lindqvist", "123456"] {
            #expect(!reportText.contains(secret), "report holds \(secret)")
            #expect(!result.standardError.contains(secret))
        }
    }

    @Test("user rules need --detect pii and must compile; unknown plate evidence is refused", arguments: [
        ["--pii-pattern", "AB-\\d+"],
        ["--detect", "faces", "--pii-words", "/dev/null"],
        ["--detect", "pii", "--pii-pattern", "(unclosed"],
        ["--detect", "plates", "--plate-evidence", "psychic"],
        ["--detect", "plates", "--plate-evidence", ""],
    ])
    func usage(arguments: [String]) async throws {
        let result = try await TestSupport.obscura(["anonymize", "x.jpg", "-o", "y"] + arguments)
        #expect(result.status == 2, "\(arguments): \(result.standardError)")
    }

    @Test("a missing or corrupt text model is a set-up error (exit 3) only when a text kind is asked for")
    func textModelOnlyWhenAsked() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let models = folder.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: models.appendingPathComponent(ModelDescriptor.centerFace.fileName),
                                                   withDestinationURL: ModelStore.defaultDirectory.appendingPathComponent(ModelDescriptor.centerFace.fileName))
        let photo = TestSupport.fixtures.appendingPathComponent("astronaut.jpg").path
        let faces = try await TestSupport.obscura(["anonymize", photo, "-o", folder.appendingPathComponent("faces.jpg").path,
                                             "--models", models.path, "--quiet"])
        #expect(faces.status == 0, "\(faces.standardError)")
        for kinds in ["text", "pii", "plates", "faces,plates"] {
            let output = folder.appendingPathComponent("\(kinds).jpg")
            let result = try await TestSupport.obscura(["anonymize", photo, "-o", output.path, "--models", models.path, "--detect", kinds])
            #expect(result.status == 3, "\(kinds): \(result.standardError)")
            #expect(result.standardError.contains("model.missing") && result.standardError.contains(ModelDescriptor.textDetection.id))
            #expect(!FileManager.default.fileExists(atPath: output.path))
        }
        var model = [UInt8](try Data(contentsOf: ModelStore.defaultDirectory.appendingPathComponent(ModelDescriptor.textDetection.fileName)))
        model.removeLast(1000)
        try Data(model).write(to: models.appendingPathComponent(ModelDescriptor.textDetection.fileName))
        let corrupt = try await TestSupport.obscura(["anonymize", photo, "-o", folder.appendingPathComponent("corrupt.jpg").path,
                                               "--models", models.path, "--detect", "text"])
        #expect(corrupt.status == 3)
        #expect(corrupt.standardError.contains("model.corrupt"))

        // The recognition network is needed for `pii`, and for `plates` read as text lines:
        // without it `text` and cascade-only plates run, while `pii` and `plates` stop.
        try FileManager.default.removeItem(at: models.appendingPathComponent(ModelDescriptor.textDetection.fileName))
        try FileManager.default.createSymbolicLink(at: models.appendingPathComponent(ModelDescriptor.textDetection.fileName),
                                                   withDestinationURL: ModelStore.defaultDirectory.appendingPathComponent(ModelDescriptor.textDetection.fileName))
        let text = try await TestSupport.obscura(["anonymize", photo, "-o", folder.appendingPathComponent("text-only.jpg").path,
                                             "--models", models.path, "--detect", "text", "--quiet"])
        #expect(text.status == 0, "\(text.standardError)")
        let pii = folder.appendingPathComponent("pii-no-rec.jpg")
        let noRecogniser = try await TestSupport.obscura(["anonymize", photo, "-o", pii.path, "--models", models.path, "--detect", "pii"])
        #expect(noRecogniser.status == 3)
        #expect(noRecogniser.standardError.contains("model.missing") && noRecogniser.standardError.contains(ModelDescriptor.textRecognition.id))
        #expect(!FileManager.default.fileExists(atPath: pii.path))
        let plates = folder.appendingPathComponent("plates-no-rec.jpg")
        let noPlateReader = try await TestSupport.obscura(["anonymize", photo, "-o", plates.path, "--models", models.path, "--detect", "plates"])
        #expect(noPlateReader.status == 3)
        #expect(noPlateReader.standardError.contains(ModelDescriptor.textRecognition.id))
        #expect(!FileManager.default.fileExists(atPath: plates.path))
        let cascadeOnly = try await TestSupport.obscura(["anonymize", photo, "-o", folder.appendingPathComponent("cascade.jpg").path,
                                                    "--models", models.path, "--detect", "plates", "--plate-evidence", "cascade", "--quiet"])
        #expect(cascadeOnly.status == 0, "\(cascadeOnly.standardError)")
    }
}
