/// One line of a `--report` file: everything needed to audit and reproduce the handling of one
/// input. It carries hashes, settings, boxes and scores, never pixels, metadata values or text
/// read from an image.
public struct ReportRecord: Sendable, Codable {
    public enum Outcome: String, Sendable, Codable {
        /// The cleaned output was written.
        case written
        /// The input could not be handled; nothing was written for it.
        case failed
        /// Left alone: not an image (found while walking a folder), or its output exists and
        /// the run resumes (`skipReason` says which).
        case skipped
    }

    /// Why an input was skipped.
    public enum SkipReason: String, Sendable, Codable {
        case notAnImage = "not-image"
        /// The output exists and `--skip-existing` keeps it (a resumed run).
        case outputExists = "output-exists"
    }

    public struct ModelUse: Sendable, Codable, Equatable {
        public var id: String
        public var sha256: String
    }

    /// A painted region: `{"kind", "evidence"?, "box", "score", "painted", "shape", "style",
    /// "cell"?, "weak"}`, the detection (written rounded) beside how it was painted (clipped to
    /// the image), in one flat object.
    public struct RegionEntry: Sendable, Codable, Equatable {
        /// Detector box in upright output pixels. `evidence` (personal data only) says why the
        /// text was taken for it, never the text itself.
        public var detection: Detection
        /// Painted rectangle [x, y, w, h], clipped to the image.
        public var painting: Region.Painting
        /// Pixelation cell side in pixels (pixelate and blur).
        public var cell: Int?
        /// True when the strength is weaker than the irreversible default.
        public var weak: Bool

        public var kind: RegionKind { detection.kind }

        init(_ region: Region, width: Int, height: Int) {
            detection = region.detection
            painting = region.painting(clippedToWidth: width, height: height)
            cell = region.style == .solid ? nil : region.cellSize
            weak = region.weak
        }

        enum CodingKeys: String, CodingKey { case cell, weak }

        public init(from decoder: any Decoder) throws {
            detection = try Detection(from: decoder)
            painting = try Region.Painting(from: decoder)
            let container = try decoder.container(keyedBy: CodingKeys.self)
            cell = try container.decodeIfPresent(Int.self, forKey: .cell)
            weak = try container.decode(Bool.self, forKey: .weak)
        }

        /// Every region has a score here: one drawn without one is written as sure (1).
        public func encode(to encoder: any Encoder) throws {
            var written = detection
            written.score = detection.confidence
            try written.rounded.encode(to: encoder)
            try painting.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(cell, forKey: .cell)
            try container.encode(weak, forKey: .weak)
        }
    }

    public var input: String
    public var inputSHA256: String?
    public var output: String?
    public var outputSHA256: String?
    public var outcome: Outcome
    /// Set when `outcome` is `skipped`.
    public var skipReason: SkipReason?
    public var error: Failure?
    public var inputFormat: String?
    public var outputFormat: String?
    public var width: Int?
    public var height: Int?
    /// EXIF orientation applied to make the output upright (1 = none).
    public var orientationApplied: Int?
    public var quality: Int?
    public var models: [ModelUse]
    public var settings: AnonymizeOptions
    public var regions: [RegionEntry]
    public var timingsMs: StageTimings?
    /// What changed beyond redaction: colour conversion to sRGB, bit-depth reduction, format
    /// mapping. Never holds metadata values.
    public var notes: [String]?
    /// True when the output passed `verify` before it was written (`--verify`).
    public var verified: Bool?
    /// Set when the output failed `--verify=warn`'s check and was written anyway: what was
    /// found (boxes and scores, metadata kinds; never pixels or values).
    public var verifyWarning: String?
    /// Crops of the faces a failed or flagged check reported (`--verify-crops DIR`), as paths.
    public var verifyCrops: [String]?
    /// Kinds of metadata found in the input and not written (names only, never values).
    public var metadataRemoved: [MetadataKind]?
    /// JPEG outputs only: true when every block redaction did not touch was copied from the
    /// input unchanged, false when the whole image was encoded again from pixels.
    public var lossless: Bool?
    /// Why a JPEG output was encoded again from pixels (only when `lossless` is false).
    public var losslessFallback: String?
    public var obscuraVersion: String

    public init(input: String, outcome: Outcome, settings: AnonymizeOptions, models: [ModelDescriptor]) {
        self.input = input
        self.outcome = outcome
        self.settings = settings
        self.models = models.map { ModelUse(id: $0.id, sha256: $0.sha256) }
        regions = []
        obscuraVersion = Obscura.version
    }

    /// Fills in everything the anonymized image tells: formats, size, regions, timings.
    public mutating func record(_ result: AnonymizedImage) {
        inputFormat = result.inputFormat.rawValue
        outputFormat = result.outputFormat.rawValue
        width = result.width
        height = result.height
        orientationApplied = result.orientation.rawValue
        quality = result.quality
        timingsMs = result.timings
        notes = result.notes.isEmpty ? nil : result.notes
        verified = result.verified ? true : nil
        verifyWarning = result.verifyWarning
        metadataRemoved = result.metadataRemoved
        lossless = result.lossless
        losslessFallback = result.losslessFallback
        regions = result.regions.map { RegionEntry($0, width: result.width, height: result.height) }
    }
}

/// Library-wide constants.
public enum Obscura {
    public static let version = "0.1.0"
}
