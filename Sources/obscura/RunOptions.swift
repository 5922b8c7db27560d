import ArgumentParser
import Foundation
import Obscura

/// The settings of a run over many files that `anonymize` and `verify` share: where the models
/// are, how many files at once, and the largest image decoded. Declared once, used by both
/// through `@OptionGroup`.
struct RunOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Folder holding the models. (default: $OBSCURA_MODELS or ~/.cache/obscura/models)", valueName: "DIR"))
    var models: String?

    @Option(help: "Files handled in parallel. (default: the number of cores)")
    var jobs: Int?

    @Option(name: .customLong("max-pixels"), help: ArgumentHelp("Most pixels in one image, in millions; larger images fail with input.too-large before they are decoded (at most \(ImageDecoder.pixelCeiling / 1_000_000)).", valueName: "MP"))
    var maxPixels: Double = Double(ImageDecoder.defaultMaximumPixels) / 1e6

    var modelDirectory: URL { models.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? ModelStore.defaultDirectory }

    var maximumPixels: Int { Int(maxPixels * 1e6) }

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        guard maxPixels * 1e6 >= 1, maxPixels * 1e6 <= Double(ImageDecoder.pixelCeiling) else {
            throw ValidationError("--max-pixels must be above 0 and at most \(ImageDecoder.pixelCeiling / 1_000_000) (millions of pixels)")
        }
    }
}
