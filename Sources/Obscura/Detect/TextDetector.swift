import Foundation

/// Finds lines of text with PP-OCRv4's DB detector (see `ModelDescriptor.textDetection`)
/// through OpenVINO, with the DB post-processing done here.
///
/// The image is scaled (never enlarged) so its longer side is at most `maximumSide` (or, when
/// plates are searched, so that it holds at most `plateMaximumPixels`), normalised as PaddleOCR
/// does (BGR, ImageNet mean and deviation), and placed at the top left of a canvas whose sides
/// are multiples of `canvasStep`. One compiled model with free height and width serves every
/// canvas shape and every worker. The probability map is binarised at `binaryThreshold`; each
/// 8-connected component scoring at least `boxThreshold` (its mean probability) becomes a box
/// grown by the DB unclip distance (`area × unclipRatio / perimeter`). Deterministic.
final class TextDetector: NetworkBacked {
    /// Settings of the detector, with PaddleOCR's defaults.
    struct Settings: Sendable, Equatable, Codable {
        /// Longer side of the network input in pixels (32...4096, default 960). Larger finds
        /// smaller text at a higher cost.
        var maximumSide: Int = 960
        /// When plates are searched, the network input may hold up to this many pixels
        /// (default 1280 × 720, a longer side of 1280 at 16:9 and 1108 at 4:3), and never less
        /// than `maximumSide` allows. A plate in a street photo is a small line: at 960 px the
        /// lines of three labelled plates of the plate set were too thin to find. The network's
        /// memory grows with the input's area, so the bound is an area (measured 2026-12-02,
        /// see the README's licence plates section).
        var plateMaximumPixels: Int = 1280 * 720
        /// Canvas sides are multiples of this (32...1024, default 32, the model's coarsest stride).
        var canvasStep: Int = 32
        /// Probability above which a pixel is text (0...1, default 0.3).
        var binaryThreshold: Float = 0.3
        /// Minimum mean probability of a kept box (0...1, default 0.6).
        var boxThreshold: Double = 0.6
        /// How far a box is grown: DB's unclip ratio (1...3, default 1.5).
        var unclipRatio: Double = 1.5
        /// Components with a shorter side below this, in map pixels, are dropped (default 3).
        var minimumSide: Int = 3
    }

    let settings: Settings
    let network: InferenceModel
    private let probabilityOutput: Int

    static let outputName = "sigmoid_0.tmp_0"

    /// Loads, verifies and compiles the model, so a model that cannot load is reported before
    /// any image is read (`model.missing` / `model.corrupt`, `runtime.missing`).
    init(modelDirectory: URL = ModelStore.defaultDirectory, settings: Settings = Settings(),
         runtimeDirectory: URL = InferenceRuntime.defaultDirectory) throws {
        self.settings = settings
        network = try InferenceModel(.textDetection, from: modelDirectory, runtimeDirectory: runtimeDirectory)
        probabilityOutput = try network.outputIndex(Self.outputName)
    }

    /// The network input layout for an image: scale, scaled size and canvas size.
    struct Layout: Sendable, Equatable {
        var scale: Double
        var scaledWidth: Int, scaledHeight: Int
        var canvasWidth: Int, canvasHeight: Int
    }

    /// The longer side of the plates' search: the side at which an image of this shape holds
    /// `plateMaximumPixels`, or `maximumSide` if that is larger.
    static func plateSide(width: Int, height: Int, settings: Settings) -> Int {
        let aspect = Double(max(width, height)) / Double(max(1, min(width, height)))
        return max(settings.maximumSide, Int((Double(settings.plateMaximumPixels) * aspect).squareRoot()))
    }

    static func layout(width: Int, height: Int, maximumSide: Int, settings: Settings) -> Layout {
        let scale = min(1, Double(maximumSide) / Double(max(width, height)))
        let scaledWidth = max(1, Int((Double(width) * scale).rounded()))
        let scaledHeight = max(1, Int((Double(height) * scale).rounded()))
        func canvas(_ side: Int) -> Int { max(settings.canvasStep, (side + settings.canvasStep - 1) / settings.canvasStep * settings.canvasStep) }
        return Layout(scale: scale, scaledWidth: scaledWidth, scaledHeight: scaledHeight,
                      canvasWidth: canvas(scaledWidth), canvasHeight: canvas(scaledHeight))
    }

    /// A line found: its upright box as a `text` detection, and the turned rectangle that fits
    /// it, which the recogniser straightens before reading.
    struct Line: Sendable, Equatable {
        var detection: Detection
        var oriented: OrientedBox
    }

    /// Every text line found, as `Detection(kind: .text)` in image pixels, top to bottom.
    func detect(in image: PixelBuffer) throws -> [Detection] {
        try lines(in: image).map(\.detection)
    }

    /// Every text line found, with its turned rectangle, in image pixels, top to bottom.
    /// `forPlates` searches at the finer scale `settings.plateMaximumPixels` allows.
    func lines(in image: PixelBuffer, forPlates: Bool = false) throws -> [Line] {
        let rgb = image.rgb()
        let side = forPlates ? Self.plateSide(width: rgb.width, height: rgb.height, settings: settings) : settings.maximumSide
        let layout = Self.layout(width: rgb.width, height: rgb.height, maximumSide: side, settings: settings)
        let scaled = try CenterFaceDetector.resize(rgb, width: layout.scaledWidth, height: layout.scaledHeight)
        let blob = Self.blob(scaled, canvasWidth: layout.canvasWidth, canvasHeight: layout.canvasHeight)
        let shape = [1, 3, layout.canvasHeight, layout.canvasWidth]
        let found = try blob.withUnsafeBufferPointer { input in
            try network.run(input, shape: shape) { outputs in
                let probability = try outputs.output(probabilityOutput)
                guard probability.shape == [1, 1, layout.canvasHeight, layout.canvasWidth] else {
                    throw ObscuraError(.detectionFailed, "text detection returned an output of an unexpected shape")
                }
                return Self.boxes(probability: probability.values, mapWidth: layout.canvasWidth,
                                  validWidth: layout.scaledWidth, validHeight: layout.scaledHeight, settings: settings)
            }
        }
        return found.compactMap { found in
            let x0 = max(0, found.box.x / layout.scale), y0 = max(0, found.box.y / layout.scale)
            let x1 = min(Double(rgb.width), found.box.maxX / layout.scale), y1 = min(Double(rgb.height), found.box.maxY / layout.scale)
            guard x1 > x0, y1 > y0 else { return nil }
            let turned = found.oriented
            return Line(detection: Detection(kind: .text, box: Box(x: x0, y: y0, width: x1 - x0, height: y1 - y0), score: found.score),
                        oriented: OrientedBox(centerX: turned.centerX / layout.scale, centerY: turned.centerY / layout.scale,
                                              length: turned.length / layout.scale, thickness: turned.thickness / layout.scale,
                                              angle: turned.angle))
        }
    }

    /// Planar BGR floats normalised as PaddleOCR (`(v / 255 - mean) / std`, ImageNet values in
    /// B, G, R order as PaddleOCR applies them to OpenCV's BGR images); padding stays 0.
    static func blob(_ image: PixelBuffer, canvasWidth: Int, canvasHeight: Int) -> [Float] {
        let plane = canvasWidth * canvasHeight
        var blob = [Float](repeating: 0, count: 3 * plane)
        let mean: [Float] = [0.485, 0.456, 0.406], deviation: [Float] = [0.229, 0.224, 0.225]
        // Lookup tables per channel: blob channel c takes source channel 2 - c (RGB → BGR).
        let tables = (0..<3).map { c in (0..<256).map { (Float($0) / 255 - mean[c]) / deviation[c] } }
        blob.withUnsafeMutableBufferPointer { target in
            image.pixels.withUnsafeBufferPointer { source in
                for y in 0..<image.height {
                    var from = y * image.width * 3
                    var to = y * canvasWidth
                    for _ in 0..<image.width {
                        target[to] = tables[0][Int(source[from + 2])]
                        target[plane + to] = tables[1][Int(source[from + 1])]
                        target[2 * plane + to] = tables[2][Int(source[from])]
                        from += 3
                        to += 1
                    }
                }
            }
        }
        return blob
    }

    /// DB post-processing on a probability map: 8-connected components of pixels above the
    /// binary threshold inside the valid (unpadded) area, scored by their mean probability,
    /// grown by the unclip distance. Boxes are in map pixels, sorted top to bottom. Each also
    /// comes as a turned rectangle: the component's long axis from its second moments, its
    /// extent along and across that axis, grown by the same unclip rule.
    static func boxes(probability: UnsafeBufferPointer<Float>, mapWidth: Int, validWidth: Int, validHeight: Int,
                      settings: Settings) -> [(box: Box, score: Double, oriented: OrientedBox)] {
        var label = [Int32](repeating: 0, count: validWidth * validHeight)
        var found: [(box: Box, score: Double, oriented: OrientedBox)] = []
        var stack: [Int] = []
        var members: [Int] = []
        var next: Int32 = 0
        for start in 0..<(validWidth * validHeight) {
            let sx = start % validWidth, sy = start / validWidth
            guard label[start] == 0, probability[sy * mapWidth + sx] > settings.binaryThreshold else { continue }
            next += 1
            label[start] = next
            stack.append(start)
            var minX = sx, maxX = sx, minY = sy, maxY = sy
            var sum = 0.0, count = 0
            members.removeAll(keepingCapacity: true)
            while let index = stack.popLast() {
                let x = index % validWidth, y = index / validWidth
                sum += Double(probability[y * mapWidth + x])
                count += 1
                members.append(index)
                minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y)
                for dy in -1...1 {
                    let ny = y + dy
                    guard ny >= 0, ny < validHeight else { continue }
                    for dx in -1...1 {
                        let nx = x + dx
                        guard nx >= 0, nx < validWidth else { continue }
                        let neighbour = ny * validWidth + nx
                        if label[neighbour] == 0, probability[ny * mapWidth + nx] > settings.binaryThreshold {
                            label[neighbour] = next
                            stack.append(neighbour)
                        }
                    }
                }
            }
            let width = Double(maxX - minX + 1), height = Double(maxY - minY + 1)
            guard min(width, height) >= Double(settings.minimumSide) else { continue }
            let score = sum / Double(count)
            guard score >= settings.boxThreshold else { continue }
            // DB's unclip on the component's rectangle: offset = area × ratio / perimeter.
            let distance = width * height * settings.unclipRatio / (2 * (width + height))
            found.append((Box(x: Double(minX) - distance, y: Double(minY) - distance,
                              width: width + 2 * distance, height: height + 2 * distance), score,
                          orientedBox(members, mapWidth: validWidth, unclipRatio: settings.unclipRatio)))
        }
        return found.sorted { ($0.box.y, $0.box.x) < ($1.box.y, $1.box.x) }
    }

    /// The turned rectangle of a component given as pixel indices in rows of `mapWidth`.
    static func orientedBox(_ members: [Int], mapWidth: Int, unclipRatio: Double) -> OrientedBox {
        var sumX = 0.0, sumY = 0.0
        for index in members { sumX += Double(index % mapWidth); sumY += Double(index / mapWidth) }
        let count = Double(members.count), meanX = sumX / count, meanY = sumY / count
        var xx = 0.0, yy = 0.0, xy = 0.0
        for index in members {
            let dx = Double(index % mapWidth) - meanX, dy = Double(index / mapWidth) - meanY
            xx += dx * dx; yy += dy * dy; xy += dx * dy
        }
        let angle = 0.5 * atan2(2 * xy, xx - yy)
        let c = cos(angle), s = sin(angle)
        var minU = Double.infinity, maxU = -Double.infinity, minV = Double.infinity, maxV = -Double.infinity
        for index in members {
            let dx = Double(index % mapWidth) - meanX, dy = Double(index / mapWidth) - meanY
            let u = dx * c + dy * s, v = -dx * s + dy * c
            minU = min(minU, u); maxU = max(maxU, u); minV = min(minV, v); maxV = max(maxV, v)
        }
        let length = maxU - minU + 1, thickness = maxV - minV + 1
        let distance = length * thickness * unclipRatio / (2 * (length + thickness))
        let midU = (minU + maxU) / 2, midV = (minV + maxV) / 2
        // Pixel (x, y) covers [x, x + 1): its centre is half a pixel further.
        return OrientedBox(centerX: meanX + midU * c - midV * s + 0.5, centerY: meanY + midU * s + midV * c + 0.5,
                           length: length + 2 * distance, thickness: thickness + 2 * distance, angle: angle)
    }
}
