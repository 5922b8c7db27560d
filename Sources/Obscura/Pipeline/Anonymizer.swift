import Foundation

/// The result of anonymizing one image in memory.
public struct AnonymizedImage: Sendable {
    public var bytes: [UInt8]
    public var inputFormat: ImageFormat
    public var outputFormat: ImageFormat
    /// Quality the output was encoded with (nil for PNG and lossless WebP).
    public var quality: Int?
    public var width: Int
    public var height: Int
    public var orientation: ExifOrientation
    public var regions: [Region]
    public var timings: StageTimings
    /// What changed beyond redaction (colour conversion, bit depth, format mapping).
    public var notes: [String] = []
    /// True when the output passed `verify` before being returned.
    public var verified = false
    /// What verification found, when it failed and the anonymizer only warns
    /// (`VerifyFailure.warn`): the summary, with each face's box and score.
    public var verifyWarning: String?
    /// Kinds of metadata the input carried (by Obscura's inspector); the output holds none.
    public var metadataRemoved: [MetadataKind] = []
    /// For JPEG outputs: true when untouched blocks were copied from the input
    /// (`JPEGCoefficientEncoder`), false when the pixels were encoded again; nil otherwise.
    public var lossless: Bool?
    /// Why a JPEG output was encoded from pixels (nil when copied or not a JPEG).
    public var losslessFallback: String?
}

/// Milliseconds spent in each stage of one image.
public struct StageTimings: Sendable, Codable, Equatable {
    public var decode = 0.0, detect = 0.0, redact = 0.0, encode = 0.0
    /// Time spent re-checking the output (`verify`), 0 when not asked for.
    public var verify = 0.0

    public var total: Double { decode + detect + redact + encode + verify }

    enum CodingKeys: String, CodingKey { case decode, detect, redact, encode, verify, total }

    public init() {}

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        func rounded(_ value: Double) -> Double { (value * 10).rounded() / 10 }
        try container.encode(rounded(decode), forKey: .decode)
        try container.encode(rounded(detect), forKey: .detect)
        try container.encode(rounded(redact), forKey: .redact)
        try container.encode(rounded(encode), forKey: .encode)
        if verify > 0 { try container.encode(rounded(verify), forKey: .verify) }
        try container.encode(rounded(total), forKey: .total)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        decode = try container.decode(Double.self, forKey: .decode)
        detect = try container.decode(Double.self, forKey: .detect)
        redact = try container.decode(Double.self, forKey: .redact)
        encode = try container.decode(Double.self, forKey: .encode)
        verify = try container.decodeIfPresent(Double.self, forKey: .verify) ?? 0
    }
}

/// decode → orient → detect → plan regions → redact → encode, for one image held in memory.
/// Cheap to make: the models come from a `ModelSet`, loaded once per process and only for the
/// kinds asked for, and shared by anonymizers of any options.
public final class Anonymizer: Sendable {
    public let options: AnonymizeOptions
    /// What a failed `options.verify` check does: refuse the output (default) or keep it and
    /// say why (`AnonymizedImage.verifyWarning`).
    public let verifyFailure: VerifyFailure
    /// CenterFace, loaded when `faces` is asked for.
    package let faceDetector: CenterFaceDetector?
    /// PP-OCRv4 text detection, loaded for `text`, `pii` and `plates` and run once per image.
    let textDetector: TextDetector?
    /// Tesseract, PP-OCRv4's recognition network and the PII rules, loaded for `pii`.
    let piiReading: PIIReading?
    /// The plate cascade and filters, loaded for `plates`.
    let plateDetector: PlateDetector?
    /// The person detector, loaded for `bodies` (with CenterFace, whose faces predict bodies).
    let bodyDetector: BodyDetector?

    /// Validates the options and takes the models the kinds need from `models` (loading them
    /// there on first use). Throws set-up errors before any image is read.
    public init(options: AnonymizeOptions, models: ModelSet, verifyFailure: VerifyFailure = .refuse) throws {
        try options.validate()
        self.options = options
        self.verifyFailure = verifyFailure
        let wanted = ModelSet.models(for: options)
        models.load(wanted)
        let kinds = Set(options.detect)
        faceDetector = wanted.contains(.faces) ? try models.faceDetector() : nil
        bodyDetector = wanted.contains(.people) ? try models.bodyDetector() : nil
        textDetector = wanted.contains(.textDetection) ? try models.textDetector() : nil
        if kinds.contains(.pii) {
            let words = try options.piiWordsFile.map { try PIIRules.words(fromFile: URL(fileURLWithPath: $0)) } ?? []
            piiReading = PIIReading(recognizer: try models.textRecognizer(), network: try models.networkLineReader(),
                                    matcher: try PIIMatcher(rules: PIIRules(patterns: options.piiPatterns, words: words)))
        } else {
            piiReading = nil
        }
        plateDetector = kinds.contains(.plates) ? try PlateDetector(evidence: options.plateEvidence, models: models) : nil
        verifier = Verifier(options: VerifyOptions(matching: options), faceDetector: faceDetector)
    }

    /// The same with a model set of its own (one anonymizer per process, as in tests).
    public convenience init(options: AnonymizeOptions, modelDirectory: URL = ModelStore.defaultDirectory,
                            verifyFailure: VerifyFailure = .refuse) throws {
        try self.init(options: options, models: ModelSet(modelDirectory: modelDirectory), verifyFailure: verifyFailure)
    }

    /// Checks outputs when `options.verify` is set, with the detector already loaded.
    let verifier: Verifier

    /// Models this anonymizer runs, for reports.
    public var models: [ModelDescriptor] {
        let all = (faceDetector.map { [$0.model] } ?? []) + (textDetector.map { [$0.model] } ?? [])
            + (piiReading.map { [$0.recognizer.model, $0.network.model] } ?? []) + (plateDetector?.models ?? []) + (bodyDetector.map { [$0.model] } ?? [])
        // Plates and personal data share the recogniser: list it once.
        var seen = Set<String>()
        return all.filter { seen.insert($0.id).inserted }
    }

    /// Anonymizes one encoded image. `outputFormat` overrides `options.format` (used when the
    /// output file name asks for a format). The same as `detect` followed by `render` with the
    /// detections found: both paths give the same bytes.
    /// `verifyCrops`, when given, receives crops of the faces a failed or flagged verification
    /// reported (see `render`).
    package func anonymize(_ input: [UInt8], outputFormat: OutputFormat? = nil, maximumPixels: Int? = nil,
                          verifyCrops: (([VerifyCrop]) -> Void)? = nil) throws -> AnonymizedImage {
        let found = try detect(input, maximumPixels: maximumPixels)
        let detections = found.detections, timings = found.timings
        // Handed over, not shared: `render` then paints the only copy of the pixels.
        return try render((consume found).decoded, detections: detections, outputFormat: outputFormat,
                          timings: timings, verifyCrops: verifyCrops)
    }

    /// Above this many pixels (16 MP), the detectors' working memory is freed after detection.
    /// Smaller images keep it for the next image: allocating it again costs time, and their
    /// pixels are small next to it.
    static let releaseWorkingMemoryAbove = 16_000_000

    /// What `detect` found in one image: the decoded, upright image and the detector boxes,
    /// before any margin is added or anything is painted.
    public struct Detected: Sendable {
        public var decoded: DecodedImage
        public var detections: [Detection]
        public var timings: StageTimings
    }

    /// Decodes and runs the detectors for the kinds asked for; paints nothing. The detections
    /// are in upright pixels, as `render` expects them.
    /// `maximumPixels` refuses larger images (`input.too-large`) before they are decoded where
    /// the header tells their size.
    public func detect(_ input: [UInt8], maximumPixels: Int? = nil) throws -> Detected {
        var timings = StageTimings()
        let clock = ContinuousClock()
        var mark = clock.now
        let decoded = try Self.decode(input, maximumPixels: maximumPixels)
        timings.decode = Self.milliseconds(since: &mark, clock: clock)
        let pixels = decoded.pixels

        var detections: [Detection] = []
        let faces = try faceDetector?.detect(in: pixels, threshold: options.threshold, minimumFace: Double(options.minimumFace)) ?? []
        if options.detect.contains(.faces) { detections += faces }
        if let bodyDetector {
            let people = BodyPlanner.bodies(people: try bodyDetector.detect(in: pixels), faces: faces,
                                            imageWidth: pixels.width, imageHeight: pixels.height)
            // A face too weak to predict a body is still painted as a face.
            detections += people.bodies + (options.detect.contains(.faces) ? [] : people.otherFaces)
        }
        // Plates are small lines: with plates, every kind that reads lines gets the finer search.
        let turnedLines = try textDetector?.lines(in: pixels, forPlates: plateDetector != nil) ?? []
        let lines = turnedLines.map(\.detection)
        if options.detect.contains(.text) { detections += lines }
        var readings: [TextLine]?, networkReadings: [TextLine]?
        if let piiReading {
            let grey = TextRecognizer.grey(pixels)
            let (first, second) = try piiReading.recognizer.bothReadings(grey: grey, lines: turnedLines, reader: piiReading.network)
            detections += piiReading.matcher.matches(in: first, alsoIn: second).map(\.detection)
            (readings, networkReadings) = (first, second)
        }
        if let plateDetector {
            detections += try plateDetector.detect(in: pixels, textLines: turnedLines, readings: readings, networkReadings: networkReadings)
        }
        if pixels.width * pixels.height > Self.releaseWorkingMemoryAbove {
            // Painting and encoding a large image need its pixels (and a JPEG's coefficients)
            // at once; the networks' buffers need not stay beside them.
            faceDetector?.releaseWorkingMemory()
            bodyDetector?.releaseWorkingMemory()
            textDetector?.releaseWorkingMemory()
        }
        timings.detect = Self.milliseconds(since: &mark, clock: clock)
        return Detected(decoded: decoded, detections: detections, timings: timings)
    }

    /// Decodes an input for `render` with what its report needs: the kinds of metadata it
    /// carried (`metadataKinds`), none of which is written. `detect` decodes through here, and
    /// so must anything that renders an input decoded again later (a reviewed server job).
    public static func decode(_ input: [UInt8], maximumPixels: Int? = nil) throws -> DecodedImage {
        var decoded = try ImageDecoder.decode(input, maximumPixels: maximumPixels ?? ImageDecoder.pixelCeiling)
        decoded.metadataKinds = Set((try? MetadataInspector.inspect(input))?.leaks.map(\.kind) ?? []).sorted()
        return decoded
    }

    /// Most regions a reviewer may give for one image; the server's review endpoint refuses more
    /// with `regions.too-many`. Painting time is bounded apart from this, by
    /// `Redactor.boundedPlan`, whatever the number of regions.
    public static let maximumRegions = 1000

    /// Paints the given detections into a decoded image and encodes it, without running any
    /// detector: the entry point for regions a person has reviewed (removed, added or kept).
    /// Pure integer pixel code, so the same image, detections and options give the same bytes.
    /// Detections of kind `manual` are painted exactly as given (no margin, a rectangle).
    /// `verifyCrops`, when given and `options.verify` is set, is called before a failed check
    /// refuses the output (or flags it) with crops of each reported face, for a person to judge;
    /// the only unpainted face pixels Obscura hands out on purpose.
    ///
    /// When the caller hands `decoded` over (its last use, or `consume`), the pixels are painted
    /// where they lie; otherwise they are copied first, as for any value. Only `verify` keeps the
    /// unpainted pixels, to compare.
    package func render(_ decoded: consuming DecodedImage, detections: [Detection], outputFormat: OutputFormat? = nil,
                       timings: StageTimings = StageTimings(),
                       verifyCrops: (([VerifyCrop]) -> Void)? = nil) throws -> AnonymizedImage {
        var timings = timings
        let clock = ContinuousClock()
        var mark = clock.now
        let original = options.verify ? decoded.pixels : nil
        var pixels = decoded.takePixels()
        let regions = RegionPlanner.plan(detections, imageWidth: pixels.width, imageHeight: pixels.height, options: options)
        // What was painted: the regions, or their merged rectangles when they overlap so much that
        // painting each would cost many passes over the image (see Redactor.boundedPlan).
        let painted = Redactor.redact(&pixels, regions: regions, fill: options.fill, feather: options.feather)
        timings.redact = Self.milliseconds(since: &mark, clock: clock)

        let format = Self.resolve(outputFormat ?? options.format, input: decoded.format)
        let quality = Self.quality(for: format, decoded: decoded, requested: options.quality)
        // A JPEG written from a JPEG keeps its layout, and its own quantization tables unless a
        // quality was asked for: the size and look stay close to the input's.
        var layout = decoded.format == .jpeg && format == .jpeg ? decoded.jpegLayout : nil
        if options.quality != nil { layout?.quantizationTables = nil }
        // JPEG from JPEG at its own quality: copy every block redaction did not touch.
        let copy = JPEGCoefficientEncoder.copy(decoded, redacted: pixels, regions: painted, fill: options.fill,
                                               feather: options.feather, to: format,
                                               requestedQuality: options.quality)
        let bytes: [UInt8]
        var fallback: String?
        switch copy {
        case .copied(let copied): bytes = copied
        case .reencode(let reason):
            bytes = try ImageEncoder.encode(pixels, as: format, quality: quality ?? 101, jpegLayout: layout)
            fallback = reason
        }
        timings.encode = Self.milliseconds(since: &mark, clock: clock)

        var verifyWarning: String?
        if options.verify {
            // Faces inside painted regions were found and destroyed by this run (whatever the
            // style); any other face, any metadata or an undecodable output fails the input.
            let check = verifier.verify(bytes, painted: PaintedMask(original: original!, redacted: pixels))
            if !check.passed {
                // Crops from the output's own pixels: what verify looked at.
                if let verifyCrops, !check.faces.isEmpty, let crops = try? VerifyCrop.crops(of: check.faces, in: bytes) {
                    verifyCrops(crops)
                }
                guard verifyFailure == .warn else {
                    throw ObscuraError(.verifyFailed, "the output failed verification and was not written",
                                       cause: Verifier.summary(of: check))
                }
                verifyWarning = Verifier.summary(of: check)
            }
            timings.verify = Self.milliseconds(since: &mark, clock: clock)
        }

        var notes = decoded.notes
        if case .copied = copy, decoded.colourConverted {
            // The copy kept the input's standard profile and its colours: nothing was converted.
            notes.removeAll { $0.hasPrefix("colours converted to sRGB") }
            notes.append("the standard colour profile was kept with the copied blocks")
        }
        if decoded.format != format, !decoded.format.isWritable {
            notes.append("\(decoded.format.displayName) input written as \(format.displayName)")
        }
        return AnonymizedImage(bytes: bytes, inputFormat: decoded.format, outputFormat: format, quality: quality,
                               width: pixels.width, height: pixels.height, orientation: decoded.orientation,
                               regions: regions, timings: timings, notes: notes, verified: options.verify && verifyWarning == nil,
                               verifyWarning: verifyWarning,
                               metadataRemoved: decoded.metadataKinds,
                               lossless: format == .jpeg ? fallback == nil : nil,
                               losslessFallback: format == .jpeg ? fallback : nil)
    }

    private static func milliseconds(since mark: inout ContinuousClock.Instant, clock: ContinuousClock) -> Double {
        let now = clock.now
        defer { mark = now }
        let elapsed = now - mark
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }

    /// The format written for an input of format `input` when `format` is asked for.
    public static func resolve(_ format: OutputFormat, input: ImageFormat) -> ImageFormat {
        switch format {
        // GIF is lossless and palette-based: PNG keeps it exact. HEIF, AVIF and TIFF become JPEG.
        case .keep: input.isWritable ? input : input == .gif ? .png : .jpeg
        case .jpeg: .jpeg
        case .png: .png
        case .webp: .webp
        }
    }

    /// JPEG keeps the input's estimated quality unless told otherwise; a lossless WebP input
    /// stays lossless; PNG has no quality (nil).
    static func quality(for format: ImageFormat, decoded: DecodedImage, requested: Int?) -> Int? {
        switch format {
        case .png: return nil
        case .webp:
            if let requested { return requested }
            if decoded.isLossless { return nil }
            return decoded.estimatedQuality ?? AnonymizeOptions.fallbackQuality
        default:
            return requested ?? decoded.estimatedQuality ?? AnonymizeOptions.fallbackQuality
        }
    }
}

extension Anonymizer {
    /// What `pii` needs, loaded together: Tesseract, PP-OCRv4's recognition network (a second
    /// reading of each line) and the PII rules.
    struct PIIReading: Sendable {
        let recognizer: TextRecognizer
        let network: NetworkLineReader
        let matcher: PIIMatcher
    }
}
