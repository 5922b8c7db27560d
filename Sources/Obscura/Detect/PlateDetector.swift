import Foundation

/// Finds licence plates by combining evidence (`PlateEvidence`):
/// - **text**: PP-OCRv4 text lines (from `TextDetector`, run once per image and shared with
///   `--detect text`) whose shape, size and contrast fit a plate, and whose reading (Tesseract)
///   does not clearly show something else: words, a time, a date, an amount (`PlateReading`);
/// - **cascade**: Debian's OpenCV plate cascade on the grey image, its hits read the same way.
/// Candidates from both are merged (overlapping boxes keep the higher score) and reported as
/// `Detection(kind: .plate)`. Deterministic.
final class PlateDetector: Sendable {
    /// Filters and search settings, with the values measured on `../shared/eval/plates`.
    struct Settings: Sendable, Equatable, Codable {
        /// Width / height of a text-line box (DB boxes, grown by the unclip distance) that can be
        /// a plate. Default 1.2...8: square US plates to long one-line EU plates.
        var minimumAspect: Double = 1.2
        var maximumAspect: Double = 8
        /// Smallest text-line box height in pixels (default 8).
        var minimumHeight: Double = 8
        /// Largest text-line box as a fraction of the image's height and width (default 0.3, 0.9:
        /// close-ups fill most of the width).
        var maximumHeightFraction: Double = 0.3
        var maximumWidthFraction: Double = 0.9
        /// Candidates whose mean red excess, R - max(G, B), is above this are lamps, not plates
        /// (default 60, out of 255; yellow plates have R ≈ G and pass).
        var maximumRedExcess: Double = 60
        /// Cascade image pyramid step (default 1.1) and neighbours needed (default 8: at 3, a
        /// third of its hits on the plate set lay off the labelled plate and added little).
        var cascadeScaleFactor: Double = 1.1
        var cascadeNeighbours: Int = 8
        /// Smallest cascade window in pixels (default 36 × 12).
        var cascadeMinimumWidth: Int = 36
        var cascadeMinimumHeight: Int = 12
    }

    let evidence: [PlateEvidence]
    let settings: Settings
    private let cascade: PlateCascade?
    /// Reads every candidate, so captions and labels are not taken for plates.
    private let recognizer: TextRecognizer
    /// Reads the text-line candidates a second time (PP-OCRv4's recognition network).
    private let network: NetworkLineReader?

    /// Loads the cascade when `evidence` asks for it (`model.missing` when `opencv-data` is
    /// absent). The text detector is the caller's, so it loads once for text and plates.
    convenience init(evidence: [PlateEvidence] = PlateEvidence.defaults, settings: Settings = Settings(),
                            modelDirectory: URL = ModelStore.defaultDirectory) throws {
        try self.init(evidence: evidence, settings: settings, models: ModelSet(modelDirectory: modelDirectory))
    }

    /// The same, with the cascade taken from (and shared through) `models`.
    init(evidence: [PlateEvidence] = PlateEvidence.defaults, settings: Settings = Settings(),
                models: ModelSet) throws {
        self.evidence = evidence
        self.settings = settings
        cascade = evidence.contains(.cascade) ? try models.plateCascade() : nil
        recognizer = try models.textRecognizer()
        network = evidence.contains(.text) ? try models.networkLineReader() : nil
    }

    /// Models this detector runs itself (the text detector is listed by its owner).
    var models: [ModelDescriptor] { (cascade.map { [$0.model] } ?? []) + [recognizer.model] + (network.map { [$0.model] } ?? []) }

    /// A cascade hit as a plate: more neighbours, more confidence (3 → 0.5, 10 or more → about 1).
    static func plate(_ hit: (box: Box, neighbours: Int)) -> Detection {
        Detection(kind: .plate, box: hit.box, score: min(1, 0.35 + 0.065 * Double(hit.neighbours)))
    }

    /// Whether a candidate's reading leaves it a possible plate (`PlateReading`).
    static func mayBePlate(_ reading: TextLine) -> Bool {
        PlateReading.notAPlate(reading.text, confidence: reading.confidence ?? 0) == nil
    }

    /// The same with a second reading by the recognition network, which reads whole lines more
    /// often right than Tesseract: a candidate the network reads, sure enough, as words, a time,
    /// a date or an amount is not a plate, and so is one it reads as one or two characters
    /// (`PlateReading.networkNotAPlate`). Other wrong lengths or no digit are not enough (the
    /// network reads plates' digits as letters, "CKO-AIP" for CK0A1F). One Tesseract rules out
    /// is still a plate when the network reads it, with at least `PlateReading.certainReading`,
    /// as a plate would read ("SB3X6N" where Tesseract saw "Gag)").
    static func mayBePlate(_ reading: TextLine, network: TextLine) -> Bool {
        let networkConfidence = network.confidence ?? 0
        if let reason = PlateReading.notAPlate(network.text, confidence: networkConfidence), reason != .length, reason != .noDigit {
            return false
        }
        if PlateReading.networkNotAPlate(network.text, confidence: networkConfidence) { return false }
        return mayBePlate(reading)
            || (networkConfidence >= PlateReading.certainReading && PlateReading.reason(network.text) == nil)
    }

    /// Plates in `image`, given the text lines `TextDetector` found in it (ignored unless
    /// `evidence` contains `.text`). `readings` and `networkReadings`, when the caller has read
    /// the lines already (for `pii`), hold one `TextLine` per entry of `textLines`; otherwise the
    /// plate-shaped lines are read here.
    func detect(in image: PixelBuffer, textLines: [TextDetector.Line], readings: [TextLine]? = nil,
                networkReadings: [TextLine]? = nil) throws -> [Detection] {
        precondition(readings == nil || readings!.count == textLines.count, "one reading per text line")
        precondition(networkReadings == nil || networkReadings!.count == textLines.count, "one network reading per text line")
        var candidates: [Detection] = []
        let grey = TextRecognizer.grey(image)
        let lines = textLines.map(\.detection)
        // Every text line with what its reading allows; a line too long or too large for a plate
        // is text of another kind. Turned lines are read straightened, as for `pii`.
        var verdicts: [(box: Box, mayBePlate: Bool)] = []
        if evidence.contains(.text) {
            let shaped = lines.indices.filter { isPlateShaped(lines[$0].box, imageWidth: image.width, imageHeight: image.height) }
            let shapedLines = shaped.map { textLines[$0] }
            let read: [TextLine], second: [TextLine]?
            if let network, readings == nil, networkReadings == nil {
                (read, second) = try recognizer.bothReadings(grey: grey, lines: shapedLines, reader: network)
            } else {
                read = try readings.map { all in shaped.map { all[$0] } } ?? recognizer.recognize(grey: grey, lines: shapedLines)
                second = try network.map { network in
                    try networkReadings.map { all in shaped.map { all[$0] } }
                        ?? recognizer.networkReadings(grey: grey, lines: shapedLines, reader: network)
                }
            }
            let allowed = Set(shaped.indices.filter { index in
                second.map { Self.mayBePlate(read[index], network: $0[index]) } ?? Self.mayBePlate(read[index])
            }.map { shaped[$0] })
            verdicts = lines.indices.map { (lines[$0].box, allowed.contains($0)) }
            candidates += allowed.sorted().map { Detection(kind: .plate, box: lines[$0].box, score: lines[$0].score) }
        }
        if let cascade {
            let hits = try cascade.detect(in: grey, scaleFactor: settings.cascadeScaleFactor,
                                          minimumNeighbours: settings.cascadeNeighbours,
                                          minimumWidth: settings.cascadeMinimumWidth,
                                          minimumHeight: settings.cascadeMinimumHeight)
            // The cascade fires on printed text too (labels on a screenshot), so its hits are read
            // like text lines: a hit mostly on a line already read takes that line's verdict.
            var unread: [(box: Box, neighbours: Int)] = []
            for hit in hits {
                if let line = verdicts.first(where: { $0.box.intersectionArea(with: hit.box) >= 0.5 * hit.box.area }) {
                    if line.mayBePlate { candidates.append(Self.plate(hit)) }
                } else {
                    unread.append(hit)
                }
            }
            for (hit, reading) in zip(unread, try recognizer.recognize(grey: grey, boxes: unread.map(\.box))) where Self.mayBePlate(reading) {
                candidates.append(Self.plate(hit))
            }
        }
        let rgb = image.rgb()
        return suppressOverlaps(candidates.filter { redExcess(rgb, $0.box) <= settings.maximumRedExcess }, overlap: 0.3)
    }

    /// Mean of R - max(G, B) over the box (clipped to the image): high on lit tail lights.
    func redExcess(_ rgb: PixelBuffer, _ box: Box) -> Double {
        let x0 = max(0, Int(box.x)), y0 = max(0, Int(box.y))
        let x1 = min(rgb.width, Int(box.maxX.rounded(.up))), y1 = min(rgb.height, Int(box.maxY.rounded(.up)))
        guard x1 > x0, y1 > y0 else { return 0 }
        var sum = 0
        rgb.pixels.withUnsafeBufferPointer { pixels in
            for y in y0..<y1 {
                var at = (y * rgb.width + x0) * 3
                for _ in x0..<x1 {
                    sum += Int(pixels[at]) - max(Int(pixels[at + 1]), Int(pixels[at + 2]))
                    at += 3
                }
            }
        }
        return Double(sum) / Double((x1 - x0) * (y1 - y0))
    }

    func isPlateShaped(_ box: Box, imageWidth: Int, imageHeight: Int) -> Bool {
        guard box.height >= settings.minimumHeight, box.width > 0 else { return false }
        let aspect = box.width / box.height
        return aspect >= settings.minimumAspect && aspect <= settings.maximumAspect
            && box.height <= settings.maximumHeightFraction * Double(imageHeight)
            && box.width <= settings.maximumWidthFraction * Double(imageWidth)
    }
}
