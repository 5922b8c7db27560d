import Foundation

/// Finds licence plates by combining evidence (`PlateEvidence`):
/// - **text**: PP-OCRv4 text lines (from `TextDetector`, run once per image and shared with
///   `--detect text`) whose shape, size and contrast fit a plate;
/// - **cascade**: Debian's OpenCV plate cascade on the grey image.
/// Candidates from both are merged (overlapping boxes keep the higher score) and reported as
/// `Detection(kind: "plate")`. Deterministic.
public final class PlateDetector: Sendable {
    /// Filters and search settings, with the values measured on `../shared/eval/plates`.
    public struct Settings: Sendable, Equatable, Codable {
        /// Width / height of a text-line box (DB boxes, grown by the unclip distance) that can be
        /// a plate. Default 1.2...8: square US plates to long one-line EU plates.
        public var minimumAspect: Double = 1.2
        public var maximumAspect: Double = 8
        /// Smallest text-line box height in pixels (default 8).
        public var minimumHeight: Double = 8
        /// Largest text-line box as a fraction of the image's height and width (default 0.3, 0.6).
        public var maximumHeightFraction: Double = 0.3
        public var maximumWidthFraction: Double = 0.6
        /// Cascade image pyramid step (default 1.1) and neighbours needed (default 3).
        public var cascadeScaleFactor: Double = 1.1
        public var cascadeNeighbours: Int = 3
        /// Smallest cascade window in pixels (default 36 × 12).
        public var cascadeMinimumWidth: Int = 36
        public var cascadeMinimumHeight: Int = 12

        public init() {}
    }

    public let evidence: [PlateEvidence]
    public let settings: Settings
    private let cascade: PlateCascade?

    /// Loads the cascade when `evidence` asks for it (`model.missing` when `opencv-data` is
    /// absent). The text detector is the caller's, so it loads once for text and plates.
    public init(evidence: [PlateEvidence] = PlateEvidence.defaults, settings: Settings = Settings(),
                modelDirectory: URL = ModelStore.defaultDirectory) throws {
        self.evidence = evidence
        self.settings = settings
        cascade = evidence.contains(.cascade) ? try PlateCascade(.plateCascade, modelDirectory: modelDirectory) : nil
    }

    /// Models this detector runs itself (the text detector is listed by its owner).
    public var models: [ModelDescriptor] { cascade.map { [$0.model] } ?? [] }

    /// Plates in `image`, given the text lines `TextDetector` found in it (ignored unless
    /// `evidence` contains `.text`).
    public func detect(in image: PixelBuffer, textLines: [Detection]) throws -> [Detection] {
        var candidates: [Detection] = []
        if evidence.contains(.text) {
            candidates += textLines.filter { isPlateShaped($0.box, imageWidth: image.width, imageHeight: image.height) }
                .map { Detection(kind: "plate", box: $0.box, score: $0.score) }
        }
        if let cascade {
            let grey = TextRecognizer.grey(image)
            let hits = try cascade.detect(in: grey, scaleFactor: settings.cascadeScaleFactor,
                                          minimumNeighbours: settings.cascadeNeighbours,
                                          minimumWidth: settings.cascadeMinimumWidth,
                                          minimumHeight: settings.cascadeMinimumHeight)
            // More neighbours, more confidence: 3 → 0.5, 10 or more → about 1.
            candidates += hits.map { hit in
                Detection(kind: "plate", box: hit.box, score: min(1, 0.35 + 0.065 * Double(hit.neighbours)))
            }
        }
        return suppressOverlaps(candidates, overlap: 0.3)
    }

    func isPlateShaped(_ box: Box, imageWidth: Int, imageHeight: Int) -> Bool {
        guard box.height >= settings.minimumHeight, box.width > 0 else { return false }
        let aspect = box.width / box.height
        return aspect >= settings.minimumAspect && aspect <= settings.maximumAspect
            && box.height <= settings.maximumHeightFraction * Double(imageHeight)
            && box.width <= settings.maximumWidthFraction * Double(imageWidth)
    }
}
