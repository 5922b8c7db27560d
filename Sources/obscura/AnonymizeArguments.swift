import ArgumentParser
import Foundation
import Obscura

/// The settings of `OptionTable` that decide what an output looks like (what is found and how
/// it is painted and encoded), as command-line options. Declared once and used through
/// `@OptionGroup` by `anonymize`, which runs them here, and by `submit`, which sends them to a
/// server as a job's options.
struct AnonymizeArguments: ParsableArguments {
    @Option(help: OptionTable.detect.argumentHelp(default: DetectionKind.defaults.map(\.rawValue).joined(separator: ",")))
    var detect: String?

    @Option(help: OptionTable.style.argumentHelp())
    var style: RedactionStyle = AnonymizeOptions().style

    @Option(help: OptionTable.fill.argumentHelp())
    var fill: String = AnonymizeOptions().fill.description

    @Option(help: OptionTable.shape.argumentHelp())
    var shape: RegionShape = AnonymizeOptions().shape

    @Option(help: OptionTable.margin.argumentHelp())
    var margin: Double = AnonymizeOptions().margin

    @Option(help: OptionTable.threshold.argumentHelp())
    var threshold: Double = AnonymizeOptions().threshold

    @Option(name: .customLong(OptionTable.minimumFace.flag), help: OptionTable.minimumFace.argumentHelp())
    var minimumFace: Int = AnonymizeOptions().minimumFace

    @Option(help: OptionTable.cellsAcross.argumentHelp())
    var cells: Int = AnonymizeOptions().cellsAcross

    @Option(help: OptionTable.feather.argumentHelp())
    var feather: Int = AnonymizeOptions().feather

    @Option(help: OptionTable.format.argumentHelp())
    var format: OutputFormat = AnonymizeOptions().format

    @Option(help: OptionTable.quality.argumentHelp())
    var quality: Int?

    @Option(name: .customLong(OptionTable.textStyle.flag), help: OptionTable.textStyle.argumentHelp())
    var textStyle: RedactionStyle = AnonymizeOptions().textStyle

    @Option(name: .customLong(OptionTable.piiPatterns.flag), help: OptionTable.piiPatterns.argumentHelp())
    var piiPatterns: [String] = []

    @Option(name: .customLong(OptionTable.piiWordsFile.flag), help: OptionTable.piiWordsFile.argumentHelp())
    var piiWords: String?

    @Option(name: .customLong(OptionTable.plateEvidence.flag), help: OptionTable.plateEvidence.argumentHelp(default: PlateEvidence.defaults.map(\.rawValue).joined(separator: ",")))
    var plateEvidence: String?

    /// A comma-separated list of `Word`s given to `spec`'s flag; an unknown one is a usage error
    /// that lists the known ones and suggests the nearest.
    static func words<Word: RawRepresentable & CaseIterable>(_ text: String, of spec: OptionSpec, called noun: String) throws -> [Word]
        where Word.RawValue == String {
        try text.split(separator: ",").map { name in
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard let word = Word(rawValue: trimmed) else {
                let known = Word.allCases.map(\.rawValue)
                throw ObscuraError(.invalidSettings, "unknown \(noun) '\(trimmed)' in \(spec.name(.commandLine)) (known: \(known.joined(separator: ", ")))"
                                   + Suggestion.hint(for: trimmed, among: known))
            }
            return word
        }
    }

    /// The options these arguments give, with the command's own `overwrite` and `verify` flags.
    func makeOptions(overwrite: Bool, verify: Bool) throws -> AnonymizeOptions {
        var options = AnonymizeOptions()
        options.overwrite = overwrite
        options.verify = verify
        if let detect {
            options.detect = try Self.words(detect, of: OptionTable.detect, called: "kind")
        }
        guard let color = RGBColor(hex: fill) else {
            throw ObscuraError(.invalidSettings, "\(OptionTable.fill.name(.commandLine)) takes a colour as RRGGBB, for example ff00ff")
        }
        options.style = style
        options.fill = color
        options.shape = shape
        options.margin = margin
        options.threshold = threshold
        options.minimumFace = minimumFace
        options.cellsAcross = cells
        options.feather = feather
        options.format = format
        options.quality = quality
        options.textStyle = textStyle
        options.piiPatterns = piiPatterns
        options.piiWordsFile = piiWords
        if let plateEvidence {
            options.plateEvidence = try Self.words(plateEvidence, of: OptionTable.plateEvidence, called: "source")
        }
        return options
    }

    /// For the command's `validate()`: a mistake in the options is a usage error.
    func checkOptions(overwrite: Bool, verify: Bool) throws {
        do {
            try makeOptions(overwrite: overwrite, verify: verify).validate()
        } catch let error as ObscuraError {
            throw ValidationError(error.message)
        }
    }
}
