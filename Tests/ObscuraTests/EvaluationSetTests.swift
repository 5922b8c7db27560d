import Foundation
import Testing
@testable import Obscura

/// Real photos from ../shared/eval/faces (WIDER FACE val, not redistributable, so never in the
/// repository). Skipped with a message where the folder is absent.
@Suite(.enabled(if: TestSupport.hasFacesEvaluationSet, "../shared/eval/faces is absent (skipped)"),
       .enabled(if: TestSupport.modelInstalled || TestSupport.modelsRequired, TestSupport.modelMissingMessage))
struct EvaluationSetTests {
    struct Labelled: Decodable {
        var file: String
        var boxes: [[Double]]
    }

    /// Every fifth image with labelled faces of 20 px and more: about 30 photos, all five events.
    static func sample() throws -> [Labelled] {
        let data = try Data(contentsOf: TestSupport.facesEvaluationSet.appendingPathComponent("labels.json"))
        let all = try JSONDecoder().decode([Labelled].self, from: data)
        return all.enumerated().filter { $0.offset % 5 == 0 }.map(\.element)
    }

    @Test("labelled faces of at least 20 px are painted, and exiftool finds no metadata on outputs")
    func facesCovered() throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var options = AnonymizeOptions()
        options.style = .solid
        options.fill = RGBColor(hex: "ff00ff")!
        let anonymizer = try Anonymizer(options: options)
        var faces = 0, covered = 0
        var missed: [String] = []
        for image in try Self.sample() {
            let input = [UInt8](try Data(contentsOf: TestSupport.facesEvaluationSet.appendingPathComponent(image.file)))
            let result = try anonymizer.anonymize(input, outputFormat: .png)
            let output = try ImageDecoder.decode(result.bytes).pixels
            for box in image.boxes where max(box[2], box[3]) >= 20 {
                faces += 1
                if TestSupport.isHalfPaintedMagenta(output, box: box) { covered += 1 } else { missed.append("\(image.file) \(box)") }
            }
            if faces < 60 || image.file.hasSuffix("0.jpg") {
                // A JPEG output per event or so goes through exiftool too.
                let jpeg = try anonymizer.anonymize(input, outputFormat: .jpeg)
                let url = folder.appendingPathComponent((image.file as NSString).lastPathComponent)
                try Data(jpeg.bytes).write(to: url)
                #expect(TestSupport.nonIntrinsicTags(try TestSupport.exiftoolTags(url)).isEmpty)
            }
        }
        let recall = Double(covered) / Double(faces)
        // Measured on the whole set at the defaults: 97.4% of faces of 20 px and more.
        #expect(faces > 100)
        #expect(recall >= 0.93, "covered \(covered) of \(faces) labelled faces >= 20 px; missed: \(missed.prefix(10))")
    }
}

/// The 100 metadata-laden files of ../shared/eval/metadata (camera JPEGs, PNG, WebP, HEIC, TIFF,
/// raw, ...). Skipped with a message where the folder is absent.
@Suite(.enabled(if: TestSupport.hasMetadataCorpus, "../shared/eval/metadata is absent (skipped)"),
       .enabled(if: TestSupport.modelInstalled || TestSupport.modelsRequired, TestSupport.modelMissingMessage),
       .enabled(if: TestSupport.exiftoolPath != nil || TestSupport.modelsRequired, "exiftool not installed (skipped)"))
struct MetadataCorpusTests {
    @Test("every readable file comes out with nothing but pixels; the rest are refused by name; camera JPEGs keep their size")
    func corpus() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("out"), report = folder.appendingPathComponent("report.jsonl")
        let files = TestSupport.metadataCorpus.appendingPathComponent("files")
        let result = try await TestSupport.obscura(["anonymize", files.path, "-o", output.path, "--json", "--quiet",
                                              "--report", report.path])
        #expect(result.status == 1)  // the corpus holds formats this build refuses
        let summary = try #require(try JSONSerialization.jsonObject(with: result.standardOutput) as? [String: Any])
        let failures = summary["failures"] as? [[String: Any]] ?? []
        let written = summary["written"] as? Int ?? 0
        // JPEG, PNG, WebP, HEIC, AVIF, still GIF and single-image TIFF (87 files at the time of
        // writing); refused: JPEG 2000, JPEG XL, PSD, PPM, camera raw, multi-page TIFF, animated GIF.
        #expect(written >= 85)
        for failure in failures {
            #expect(failure["code"] as? String == "input.unsupported", "\(failure)")
        }
        let outputs = try TestSupport.exiftoolTags(folder: output)
        #expect(outputs.count == written)
        // A JPEG copied block by block keeps a standard profile (Adobe RGB, Display P3), which
        // names no device or person; its tags are the only ones allowed beyond the structure.
        let standardProfiles: Set<String> = ["Adobe RGB (1998)", "Display P3"]
        var keptProfiles = 0
        for (path, tags) in outputs {
            var left = TestSupport.nonIntrinsicTags(tags)
            if let profile = tags["ICC_Profile:ProfileDescription"] as? String, standardProfiles.contains(profile) {
                left.removeAll { $0.hasPrefix("ICC_Profile:") || $0.hasPrefix("ICC-header:") }
                keptProfiles += 1
            }
            #expect(left.isEmpty, "\((path as NSString).lastPathComponent) keeps \(left)")
        }
        #expect(keptProfiles == 1)  // the Canon EOS 7D photo's Adobe RGB (1998)

        // Obscura's own verify agrees with exiftool on every output (metadata only here).
        let verified = try await TestSupport.obscura(["verify", output.path, "--no-faces", "--quiet"])
        #expect(verified.status == 0, "\(verified.standardError)")

        // File size at matched quality: each camera JPEG (maker notes or a serial number, at
        // least 0.1 MP) against the same file with its metadata removed by exiftool.
        let manifest = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: TestSupport.metadataCorpus.appendingPathComponent("manifest.json"))) as? [[String: Any]])
        let records = try String(contentsOf: report, encoding: .utf8).split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let outputsByInput = Dictionary(records.compactMap { record -> (String, String)? in
            guard let input = record["input"] as? String, let output = record["output"] as? String else { return nil }
            return (URL(fileURLWithPath: input).standardizedFileURL.path, output)
        }, uniquingKeysWith: { a, _ in a })
        var ratios: [String: Double] = [:]
        for entry in manifest where entry["format"] as? String == "JPEG" {
            let has = entry["has"] as? [String] ?? []
            let pixels = ((entry["width"] as? Int) ?? 0) * ((entry["height"] as? Int) ?? 0)
            guard has.contains("makernote") || has.contains("serial_number"), pixels >= 100_000,
                  let file = entry["file"] as? String else { continue }
            let input = TestSupport.metadataCorpus.appendingPathComponent(file).standardizedFileURL
            let written = try #require(outputsByInput[input.path], "\(file) was not written")
            let stripped = folder.appendingPathComponent("stripped-\(ratios.count).jpg")
            try TestSupport.run(URL(fileURLWithPath: TestSupport.exiftoolPath!),
                                ["-q", "-q", "-all=", "-trailer:all=", "-o", stripped.path, input.path])
            let strippedSize = try #require(try FileManager.default.attributesOfItem(atPath: stripped.path)[.size] as? Int)
            let outputSize = try #require(try FileManager.default.attributesOfItem(atPath: written)[.size] as? Int)
            ratios[input.lastPathComponent] = Double(outputSize) / Double(strippedSize)
        }
        #expect(ratios.count >= 10)
        for (name, ratio) in ratios.sorted(by: { $0.key < $1.key }) {
            #expect(abs(ratio - 1) <= 0.15, "\(name): output is \(ratio) x the input's image data")
        }
        print("camera JPEG size ratios (output / input without metadata): \(ratios.values.sorted().map { ($0 * 100).rounded() / 100 })")
    }
}
