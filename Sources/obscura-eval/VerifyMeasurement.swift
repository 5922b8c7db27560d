import Foundation
import Obscura

/// `obscura-eval verify`: dumps what verify's face check sees on labelled photos, for
/// scripts/tuning/verify-eval.py to score rules offline.
///
///   obscura-eval verify --labels DATASET/labels.json --out dump.jsonl [--floor 0.1] [--left-out 3]
///       [--models DIR] [--only FILE_LIST] [--live]
///
/// `--live` records, instead, the faces the shipping `Verifier` reports on each picture, alone
/// (as `obscura verify`) and with the painted pixels (as `anonymize --verify`).
///
/// For each image it writes one JSON line with the detections (at `--floor`, low so that
/// stricter thresholds can be replayed) on three kinds of picture: the untouched original, the
/// default output of `anonymize`, and outputs re-rendered with one face detection left out (up
/// to `--left-out` per image, the labelled faces of 20 px or more picked by size: smallest,
/// largest, median). Each detection carries its redaction evidence and how much of it lies in
/// painted regions. Pixels are never written.
struct VerifyMeasurement {
    struct Labelled: Decodable {
        var file: String
        var boxes: [[Double]]
        var flags: [[String]]?
    }

    struct Seen: Encodable {
        var box: [Double]
        var score: Double
        var evidence: RedactionEvidence
        var wholeBox: RedactionEvidence
        var centreInPainted: Bool
        /// Share of the detection box inside the union of painted boxes.
        var paintedShare: Double
        /// Shares of the box's central 60% and of the whole box whose pixels were painted.
        var maskCentral: Double
        var maskWhole: Double
    }

    struct Variant: Encodable {
        var kind: String
        /// With `--live`: `alone` (as `obscura verify`) or `painted` (as `anonymize --verify`).
        var mode: String?
        /// The labelled face whose detection was left out (index into `boxes`), for `left-out`.
        var leftOutLabel: Int?
        var painted: [[Double]]
        var detections: [Seen]
    }

    struct Line: Encodable {
        var file: String
        var width: Int
        var height: Int
        var boxes: [[Double]]
        var flags: [[String]]
        var variants: [Variant]
        var seconds: Double
    }

    static func run(_ arguments: [String]) throws {
        func value(_ name: String) -> String? {
            guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
            return arguments[index + 1]
        }
        guard let labelsPath = value("--labels"), let outPath = value("--out") else {
            fail("verify needs --labels and --out")
        }
        let floor = Double(value("--floor") ?? "0.1") ?? 0.1
        let leftOutCount = Int(value("--left-out") ?? "3") ?? 3
        let root = (labelsPath as NSString).deletingLastPathComponent
        var labels = try JSONDecoder().decode([Labelled].self, from: Data(contentsOf: URL(fileURLWithPath: labelsPath)))
        if let only = value("--only") {
            let wanted = Set(try String(contentsOfFile: only, encoding: .utf8).split(separator: "\n").map(String.init))
            labels = labels.filter { wanted.contains($0.file) }
        }
        let models = value("--models").map { URL(fileURLWithPath: $0, isDirectory: true) } ?? ModelStore.defaultDirectory
        let anonymizer = try Anonymizer(options: AnonymizeOptions(), modelDirectory: models)
        guard let detector = anonymizer.faceDetector else { fail("the face model is not installed") }
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        guard let out = FileHandle(forWritingAtPath: outPath) else { fail("cannot write \(outPath)") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]

        // `--live`: the faces the shipping Verifier reports, nothing replayed.
        let live = arguments.contains("--live")
        let verifier = Verifier(options: VerifyOptions(matching: anonymizer.options), faceDetector: detector)
        func reported(_ bytes: [UInt8], mask: PaintedMask?) -> [Seen] {
            verifier.verify(bytes, painted: mask).faces.map { face in
                Seen(box: face.box.array, score: face.score, evidence: face.evidence, wholeBox: face.evidence,
                     centreInPainted: false, paintedShare: 0, maskCentral: 0, maskWhole: 0)
            }
        }
        func looks(_ kind: String, leftOut: Int? = nil, bytes: [UInt8], painted: [Box], mask: PaintedMask?) throws -> [Variant] {
            guard live else {
                return [Variant(kind: kind, leftOutLabel: leftOut, painted: painted.map(\.array),
                                detections: try look(bytes, painted: painted, mask: mask))]
            }
            let alone = Variant(kind: kind, mode: "alone", leftOutLabel: leftOut, painted: painted.map(\.array),
                                detections: reported(bytes, mask: nil))
            guard mask != nil else { return [alone] }
            return [alone, Variant(kind: kind, mode: "painted", leftOutLabel: leftOut, painted: painted.map(\.array),
                                   detections: reported(bytes, mask: mask))]
        }

        func look(_ bytes: [UInt8], painted: [Box], mask: PaintedMask?) throws -> [Seen] {
            let decoded = try ImageDecoder.decode(bytes)
            let pixels = decoded.pixels
            return try detector.detect(in: pixels, threshold: floor, minimumFace: 10).map { detection in
                let box = detection.box
                let centreX = box.x + box.width / 2, centreY = box.y + box.height / 2
                return Seen(box: [box.x, box.y, box.width, box.height].map { ($0 * 10).rounded() / 10 },
                            score: (detection.confidence * 10000).rounded() / 10000,
                            evidence: RedactionEvidence(pixels: pixels, box: box),
                            wholeBox: RedactionEvidence(pixels: pixels, box: box, centralFraction: 1),
                            centreInPainted: painted.contains { centreX >= $0.x && centreX < $0.maxX && centreY >= $0.y && centreY < $0.maxY },
                            paintedShare: share(of: box, in: painted),
                            maskCentral: mask.map { ($0.share(of: box) * 1000).rounded() / 1000 } ?? 0,
                            maskWhole: mask.map { ($0.share(of: box, centralFraction: 1) * 1000).rounded() / 1000 } ?? 0)
            }
        }

        // The pixels a render painted, as `anonymize --verify` sees them.
        func mask(_ original: PixelBuffer, _ regions: [Region]) -> PaintedMask {
            var redacted = original
            _ = Redactor.redact(&redacted, regions: regions, fill: anonymizer.options.fill)
            return PaintedMask(original: original, redacted: redacted)
        }

        for (number, image) in labels.enumerated() {
            let start = Date()
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: (root as NSString).appendingPathComponent(image.file))))
            let found = try anonymizer.detect(bytes)
            var pictures: [Variant] = []
            pictures += try looks("original", bytes: bytes, painted: [], mask: nil)
            let output = try anonymizer.render(found.decoded, detections: found.detections)
            pictures += try looks("output", bytes: output.bytes, painted: output.regions.map(\.paintedBox),
                                     mask: mask(found.decoded.pixels, output.regions))
            // Labelled faces of 20 px or more that a detection covers, smallest to largest.
            var matched: [(label: Int, detection: Int, size: Double)] = []
            for (index, box) in image.boxes.enumerated() where box.count == 4 && max(box[2], box[3]) >= 20 {
                let label = Box(x: box[0], y: box[1], width: box[2], height: box[3])
                let best = found.detections.indices.max { iou(found.detections[$0].box, label) < iou(found.detections[$1].box, label) }
                if let best, iou(found.detections[best].box, label) >= 0.3 {
                    matched.append((index, best, max(box[2], box[3])))
                }
            }
            matched.sort { $0.size < $1.size }
            var picks: [Int] = []
            for position in [0, matched.count - 1, matched.count / 2] where matched.indices.contains(position) {
                if !picks.contains(position) && picks.count < leftOutCount { picks.append(position) }
            }
            for position in picks {
                var kept = found.detections
                kept.remove(at: matched[position].detection)
                let rendered = try anonymizer.render(found.decoded, detections: kept)
                pictures += try looks("left-out", leftOut: matched[position].label, bytes: rendered.bytes,
                                         painted: rendered.regions.map(\.paintedBox), mask: mask(found.decoded.pixels, rendered.regions))
            }
            let line = Line(file: image.file, width: found.decoded.pixels.width, height: found.decoded.pixels.height,
                            boxes: image.boxes, flags: image.flags ?? [], variants: pictures,
                            seconds: Date().timeIntervalSince(start))
            out.write(try encoder.encode(line) + Data("\n".utf8))
            FileHandle.standardError.write(Data("[\(number + 1)/\(labels.count)] \(String(format: "%.1f", line.seconds)) s\n".utf8))
        }
    }

    static func iou(_ a: Box, _ b: Box) -> Double {
        let w = max(0, min(a.maxX, b.maxX) - max(a.x, b.x)), h = max(0, min(a.maxY, b.maxY) - max(a.y, b.y))
        let inter = w * h
        let union = a.width * a.height + b.width * b.height - inter
        return union > 0 ? inter / union : 0
    }

    /// Share of `box` covered by the union of `painted`, counted on a whole-pixel grid.
    static func share(of box: Box, in painted: [Box]) -> Double {
        let x0 = Int(box.x.rounded(.down)), y0 = Int(box.y.rounded(.down))
        let x1 = Int(box.maxX.rounded(.up)), y1 = Int(box.maxY.rounded(.up))
        guard x1 > x0, y1 > y0 else { return 0 }
        let near = painted.filter { $0.maxX > Double(x0) && $0.x < Double(x1) && $0.maxY > Double(y0) && $0.y < Double(y1) }
        guard !near.isEmpty else { return 0 }
        var inside = 0
        for y in y0..<y1 {
            for x in x0..<x1 {
                let px = Double(x) + 0.5, py = Double(y) + 0.5
                if near.contains(where: { px >= $0.x && px < $0.maxX && py >= $0.y && py < $0.maxY }) { inside += 1 }
            }
        }
        return Double(inside) / Double((x1 - x0) * (y1 - y0))
    }
}

extension Box {
    var array: [Double] { [x, y, width, height] }
}
