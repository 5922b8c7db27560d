import Foundation
import Testing
@testable import Obscura

/// The committed fuzz corpus (Tests/Fuzz/corpus, seeds and the reproductions of issue 17) through
/// the same calls as the fuzz targets, without sanitizers: every file is inspected and decoded or
/// refused, and each reproduction is refused for its size. scripts/fuzz.sh fuzzes from here.
@Suite struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/corpus")

    @Test("every corpus file is inspected and decoded or refused; the issue 17 files are refused as too large")
    func corpusReplays() throws {
        let formats = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).sorted()
        #expect(formats == ["gif", "heif", "jpeg", "png", "tiff", "webp"])
        var decoded = 0, reproductions = 0
        for format in formats {
            let folder = Self.corpus.appendingPathComponent(format)
            for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() {
                let bytes = Array(try Data(contentsOf: folder.appendingPathComponent(name)))
                _ = try? MetadataInspector.inspect(bytes, includeValues: true)
                if name.hasPrefix("issue17-") {
                    reproductions += 1
                    let refused = #expect(throws: ObscuraError.self, "\(name)") {
                        try ImageDecoder.decode(bytes, maximumPixels: ImageDecoder.defaultMaximumPixels)
                    }
                    #expect(refused?.code == .tooLarge, "\(name): \(String(describing: refused))")
                } else {
                    let image = try ImageDecoder.decode(bytes, maximumPixels: ImageDecoder.defaultMaximumPixels)
                    #expect(image.pixels.width > 0, "\(name)")
                    decoded += 1
                }
            }
        }
        #expect(reproductions == 5)
        #expect(decoded >= 12)
    }
}
