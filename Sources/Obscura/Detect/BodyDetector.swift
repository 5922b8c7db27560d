import Foundation

/// Finds people with the SSDLite person detector (`ModelDescriptor.personDetection`) through
/// OpenVINO. The network sees 300 × 300 pixels, so one look at a whole photo misses people
/// at the back of a crowd: it looks at the whole image and then at square tiles as tall as
/// the image's shorter side, spread along the longer side with a quarter of a side of overlap
/// (three looks at a 4:3 photo). Boxes from the looks that overlap by `mergeOverlap` or more
/// (intersection over union) are merged into their union. Deterministic.
final class BodyDetector: NetworkBacked {
    struct Settings: Sendable, Equatable, Codable {
        /// Minimum score of a person box (0...1, default 0.3).
        var threshold: Double = 0.3
        /// Boxes overlapping at least this much (IoU) are one person (default 0.4).
        var mergeOverlap: Double = 0.4
    }

    let settings: Settings
    let network: InferenceModel
    private let boxesOutput: Int
    private let scoresOutput: Int

    /// Side of the network input.
    static let inputSide = 300
    static let boxesName = "Postprocessor/BatchMultiClassNonMaxSuppression/map/TensorArrayStack/TensorArrayGatherV3:0"
    static let scoresName = "Postprocessor/BatchMultiClassNonMaxSuppression/map/TensorArrayStack_1/TensorArrayGatherV3:0"

    /// Loads, verifies and compiles the model (`model.missing` / `model.corrupt`, `runtime.missing`).
    init(modelDirectory: URL = ModelStore.defaultDirectory, settings: Settings = Settings(),
         runtimeDirectory: URL = InferenceRuntime.defaultDirectory) throws {
        self.settings = settings
        network = try InferenceModel(.personDetection, from: modelDirectory, dynamicFrom: -1, runtimeDirectory: runtimeDirectory)
        boxesOutput = try network.outputIndex(Self.boxesName)
        scoresOutput = try network.outputIndex(Self.scoresName)
    }

    /// The areas the network looks at: the whole image, then squares of the shorter side along
    /// the longer one (none when the image is square enough for one).
    static func looks(width: Int, height: Int) -> [(x: Int, y: Int, width: Int, height: Int)] {
        var looks = [(x: 0, y: 0, width: width, height: height)]
        let short = min(width, height), long = max(width, height)
        guard long > short * 5 / 4 else { return looks }
        for span in Tiling.spans(length: long, limit: short, overlap: short / 4) {
            looks.append(width >= height ? (span.origin, 0, span.length, height) : (0, span.origin, width, span.length))
        }
        return looks
    }

    /// Every person found, as `Detection(kind: .body)` in image pixels.
    func detect(in image: PixelBuffer) throws -> [Detection] {
        let rgb = image.rgb()
        var found: [Detection] = []
        var input = [Float](repeating: 0, count: Self.inputSide * Self.inputSide * 3)
        for look in Self.looks(width: rgb.width, height: rgb.height) {
            let crop = Self.crop(rgb, x: look.x, y: look.y, width: look.width, height: look.height)
            let scaled = try CenterFaceDetector.resize(crop, width: Self.inputSide, height: Self.inputSide)
            for index in 0..<scaled.pixels.count { input[index] = Float(scaled.pixels[index]) }
            let boxes = try input.withUnsafeBufferPointer { buffer in
                try network.run(buffer, shape: [1, Self.inputSide, Self.inputSide, 3]) { outputs in
                    let boxes = try outputs.output(boxesOutput), scores = try outputs.output(scoresOutput)
                    let count = scores.values.count
                    guard boxes.values.count == count * 4 else {
                        throw ObscuraError(.detectionFailed, "person detection returned outputs of unexpected shapes")
                    }
                    var kept: [Detection] = []
                    for index in 0..<count where Double(scores.values[index]) >= settings.threshold {
                        // Normalised (top, left, bottom, right) of the look.
                        let top = Double(boxes.values[index * 4]), left = Double(boxes.values[index * 4 + 1])
                        let bottom = Double(boxes.values[index * 4 + 2]), right = Double(boxes.values[index * 4 + 3])
                        let x0 = Double(look.x) + max(0, left) * Double(look.width)
                        let y0 = Double(look.y) + max(0, top) * Double(look.height)
                        let x1 = Double(look.x) + min(1, right) * Double(look.width)
                        let y1 = Double(look.y) + min(1, bottom) * Double(look.height)
                        guard x1 > x0, y1 > y0 else { continue }
                        kept.append(Detection(kind: BodyPlanner.kind, box: Box(x: x0, y: y0, width: x1 - x0, height: y1 - y0),
                                              score: Double(scores.values[index])))
                    }
                    return kept
                }
            }
            found += boxes
        }
        return BodyPlanner.merge(found, overlap: settings.mergeOverlap)
    }

    static func crop(_ image: PixelBuffer, x: Int, y: Int, width: Int, height: Int) -> PixelBuffer {
        if x == 0, y == 0, width == image.width, height == image.height { return image }
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for row in 0..<height {
            let from = ((y + row) * image.width + x) * 3
            pixels.replaceSubrange(row * width * 3..<(row + 1) * width * 3, with: image.pixels[from..<from + width * 3])
        }
        return PixelBuffer(width: width, height: height, channels: 3, pixels: pixels)
    }
}

/// Whole people from what the detectors found: the person detector's boxes, and for every face
/// the body that human proportions predict around and below it (so a person whose face was
/// found is covered even when the person detector missed them). Overlapping bodies merge.
enum BodyPlanner {
    /// The report kind of a whole person.
    static let kind = RegionKind.body

    /// The body a face of box `face` predicts: 3.2 face widths wide, centred on the face, from
    /// 0.3 face heights above it to 7.5 face heights below its top (a standing adult is about
    /// 7.5 heads tall), clipped to the image.
    static func body(around face: Box, imageWidth: Int, imageHeight: Int) -> Box {
        let centre = face.x + face.width / 2
        let x0 = max(0, centre - 1.6 * face.width), x1 = min(Double(imageWidth), centre + 1.6 * face.width)
        let y0 = max(0, face.y - 0.3 * face.height), y1 = min(Double(imageHeight), face.y + 7.5 * face.height)
        return Box(x: x0, y: y0, width: max(0, x1 - x0), height: max(0, y1 - y0))
    }

    /// A face predicts a body when it scores at least this, or when a person box holds its
    /// centre. Weaker faces alone are often false alarms (car lamps, signs), and a predicted
    /// body is about 25 times a face's area.
    static let predictingFaceScore = 0.5

    /// Bodies for `people` (person detector boxes) and the faces that predict one, merged; and
    /// the faces that predict none, which stay faces.
    static func bodies(people: [Detection], faces: [Detection], imageWidth: Int, imageHeight: Int,
                              overlap: Double = BodyDetector.Settings().mergeOverlap)
        -> (bodies: [Detection], otherFaces: [Detection]) {
        var predicted: [Detection] = [], otherFaces: [Detection] = []
        for face in faces {
            let centreX = face.box.x + face.box.width / 2, centreY = face.box.y + face.box.height / 2
            let held = people.contains { $0.box.x <= centreX && centreX <= $0.box.maxX && $0.box.y <= centreY && centreY <= $0.box.maxY }
            if face.confidence >= predictingFaceScore || held {
                predicted.append(Detection(kind: kind, box: body(around: face.box, imageWidth: imageWidth, imageHeight: imageHeight),
                                           score: face.score))
            } else {
                otherFaces.append(face)
            }
        }
        return (merge(people + predicted, overlap: overlap), otherFaces)
    }

    /// Merges boxes that overlap by at least `overlap` (IoU) into their union, until none do;
    /// the merged box keeps the highest score. Sorted first, so the input's order never matters.
    static func merge(_ detections: [Detection], overlap: Double) -> [Detection] {
        var boxes = detections.sorted { a, b in
            (a.box.y, a.box.x, a.box.width, a.box.height, -a.confidence) < (b.box.y, b.box.x, b.box.width, b.box.height, -b.confidence)
        }
        var merged = true
        while merged {
            merged = false
            outer: for i in boxes.indices {
                for j in boxes.indices where j > i && boxes[i].box.intersectionOverUnion(with: boxes[j].box) >= overlap {
                    let a = boxes[i].box, b = boxes[j].box
                    let x0 = min(a.x, b.x), y0 = min(a.y, b.y)
                    boxes[i] = Detection(kind: boxes[i].kind, box: Box(x: x0, y: y0, width: max(a.maxX, b.maxX) - x0,
                                                                       height: max(a.maxY, b.maxY) - y0),
                                         score: max(boxes[i].confidence, boxes[j].confidence))
                    boxes.remove(at: j)
                    merged = true
                    break outer
                }
            }
        }
        return boxes
    }
}
