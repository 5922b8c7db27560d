import ArgumentParser
import Foundation
import Obscura
import Synchronization

extension RedactionStyle: ExpressibleByArgument {}
extension RegionShape: ExpressibleByArgument {}
extension OutputFormat: ExpressibleByArgument {}

struct AnonymizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "anonymize",
        abstract: "Write copies of photos with every detected face destroyed and no metadata.",
        discussion: """
        Each image under a folder is written under OUTPUT with the same relative path; files that \
        are not images are skipped and counted. A single input may go to a file (-o out.jpg) and \
        '-' reads standard input or writes standard output; an output file's name must end in \
        .jpg, .jpeg, .png or .webp, matching --format when given. Inputs are never overwritten, \
        outputs only with --overwrite, and every write is atomic. --skip-existing leaves outputs \
        that exist alone, so an interrupted run into the same folder resumes.

        On a terminal a progress line names the file being worked on, the time taken and left, \
        and the regions found so far. The summary names the photos in which no face was found: \
        check those, since a face the detector missed is not painted.

        Strength: pixelate cells are never smaller than 1/6 of a region's shorter side and never \
        below 8 px, so a face cannot be recovered from them; blur first reduces a region to the same \
        cells and then smooths between them, so it looks soft but holds no more detail. --cells \
        above 6 gives finer, weaker cells; such regions are marked "weak" in the report.

        Output files contain pixels only: no EXIF, GPS, XMP, IPTC, comments, thumbnails or \
        trailing data. The EXIF orientation is applied to the pixels, and colours tagged with a \
        profile (e.g. Display P3) are converted to sRGB. Inputs: JPEG, PNG, WebP, HEIF/HEIC, AVIF, \
        TIFF and GIF (still images; animations and multi-page files are refused). --format keep \
        writes JPEG, PNG and WebP inputs in their own format, HEIF/HEIC, AVIF and TIFF as JPEG, \
        and GIF as PNG. JPEG quality defaults to the input's own, estimated from its \
        quantization tables, with its chroma sampling and progression; otherwise 90.

        --detect text paints every line of text; --detect pii only personal data read from it \
        (cards and IBANs by checksum, MRZ check digits, e-mails, phones, labelled dates of birth, \
        --pii-pattern, --pii-words); both are painted solid by default (--text-style). Reports \
        name each region's kind (text, plate, pii.iban, ...), never the text. --detect plates \
        pixelates licence plates like faces (--style).

        Exit codes: 0 all done, 1 some inputs failed, 2 usage error, 3 set-up problem (model \
        missing or corrupt; nothing is written).
        """
    )

    @Argument(help: ArgumentHelp("Image files or folders; '-' reads one image from standard input.", valueName: "INPUT"))
    var inputs: [String]

    @Option(name: .shortAndLong, help: ArgumentHelp("Output folder, or a file (or '-') for a single input.", valueName: "OUTPUT"))
    var output: String

    /// What is found and how it is painted and encoded (shared with `submit`).
    @OptionGroup var settings: AnonymizeArguments

    @Flag(help: OptionTable.overwrite.argumentHelp())
    var overwrite = false

    @Flag(name: .customLong("skip-existing"), help: "Keep outputs that already exist and count their inputs as skipped, so an interrupted run can resume. An existing --report file is extended.")
    var skipExisting = false

    @Flag(help: "Re-check each output as 'obscura verify' does (no metadata, no face outside the painted regions, at verify's threshold 0.4 or --threshold if higher) before writing it; a failure keeps no output and names each face's box and score. --verify=warn writes such an output anyway and flags it (on stderr, in --json and in the report).")
    var verify = false

    @Option(name: .customLong("verify-crops"), help: ArgumentHelp("With --verify: when an output fails or is flagged, write a PNG crop of each reported face (its box grown by 25%) into this folder, named after the input (photo.face-1.png), so a person can decide. These crops are the only unpainted face pixels Obscura writes on purpose; their paths go to the report, their pixels nowhere else.", valueName: "DIR"))
    var verifyCrops: String?

    /// `--verify=warn`, rewritten by `ObscuraCommand.main` (a flag cannot take a value).
    @Flag(name: .customLong("verify-warn"), help: .hidden)
    var verifyWarn = false

    @Option(help: ArgumentHelp("Write a JSON Lines audit record per input to this file.", valueName: "FILE"))
    var report: String?

    @OptionGroup var runOptions: RunOptions

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    @Flag(help: "Print a JSON summary on standard output at the end.")
    var json = false

    func validate() throws {
        if json && output == "-" { throw ValidationError("--json cannot be used when the image goes to standard output") }
        if verifyCrops != nil && !(verify || verifyWarn) {
            throw ValidationError("--verify-crops needs --verify or --verify=warn")
        }
        if skipExisting && overwrite { throw ValidationError("--skip-existing and --overwrite contradict each other; choose one") }
        try settings.checkOptions(overwrite: overwrite, verify: verify || verifyWarn)
    }

    func makeOptions() throws -> AnonymizeOptions {
        try settings.makeOptions(overwrite: overwrite, verify: verify || verifyWarn)
    }

    func run() throws {
        let console = Console(quiet: quiet)
        let options = try makeOptions()
        let items: [BatchItem]
        do {
            items = try BatchPlanner.plan(inputs: inputs, output: output, format: options.format)
            if let report { try BatchPlanner.checkReport(report, against: items) }
        } catch let error as ObscuraError {
            console.error("obscura: \(error.message)")
            throw ExitCode(ExitStatus.usage)
        }

        let anonymizer: Anonymizer
        do {
            anonymizer = try Anonymizer(options: options, modelDirectory: runOptions.modelDirectory, verifyFailure: verifyWarn ? .warn : .refuse)
        } catch let error as ObscuraError {
            console.error("obscura: set-up problem: \(error.message) [\(error.code)]")
            throw ExitCode(error.isSetupProblem ? ExitStatus.setup : ExitStatus.usage)
        }

        let reportWriter = try report.map { try ReportWriter(path: $0, overwrite: overwrite, extend: skipExisting) }
        // Standard output carries the image: the terminal line would only get in the way.
        let progress = Progress(total: output == "-" ? 0 : items.count, console: console, asked: options.detect)
        let recorder = RunRecorder(asked: options.detect)
        let runner = BatchRunner(anonymizer: anonymizer, jobs: runOptions.jobs, skipExisting: skipExisting,
                                 maximumPixels: runOptions.maximumPixels, verifyCropsDirectory: verifyCrops)
        let summary = runner.run(items, protected: report.map { [$0] } ?? [], onStart: { progress.start($0.displayName) }) { record in
            recorder.add(record)
            if record.outcome == .failed {
                progress.print("obscura: failed: \(record.input): \(record.error ?? Failure(code: "", message: "unknown error"))")
            }
            if let warning = record.verifyWarning {
                progress.print("obscura: flagged by verify, written: \(record.input): \(warning)")
            }
            if let crops = record.verifyCrops {
                progress.print("obscura: \(crops.count) crop(s) of what verify reported: \(crops.joined(separator: ", "))")
            }
            reportWriter?.append(record)
            progress.advance(record.input, record.outcome, regionKinds: record.regions.map(\.kind))
        }
        progress.finish()
        try reportWriter?.close()

        if json {
            console.json(recorder.json(summary))
        } else {
            // Standard output's reader wants the image, but not a missed face to go unnoticed.
            for line in recorder.lines(summary).dropFirst(output == "-" ? 1 : 0) { console.info(line) }
        }
        if summary.failed > 0 { throw ExitCode(ExitStatus.someFailed) }
    }
}
