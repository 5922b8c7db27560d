import Foundation
private import CObscuraVision

/// A Haar cascade from Debian's `opencv-data` (OpenCV objdetect), verified by SHA-256 before it
/// is loaded. Each search loads its own classifier (a few milliseconds) and frees it after: a
/// classifier keeps the buffers of the largest input it has seen, which an idle server would
/// otherwise hold.
final class PlateCascade: Sendable {
    /// Where Debian's `opencv-data` puts the cascades.
    static let systemDirectory = URL(fileURLWithPath: "/usr/share/opencv4/haarcascades", isDirectory: true)

    let model: ModelDescriptor
    private let path: String

    /// Looks for the file in `modelDirectory` first, then in the system folder; throws
    /// `model.missing` (install `opencv-data`) or `model.corrupt`.
    init(_ model: ModelDescriptor, modelDirectory: URL = ModelStore.defaultDirectory) throws {
        self.model = model
        let local = modelDirectory.appendingPathComponent(model.fileName)
        let directory = FileManager.default.fileExists(atPath: local.path) ? modelDirectory : Self.systemDirectory
        do {
            _ = try ModelStore.load(model, from: directory)
        } catch let error as ObscuraError where error.code == .modelMissing {
            throw ObscuraError(.modelMissing, "the \(model.id) cascade is not installed; run scripts/setup.sh (Debian package opencv-data)")
        }
        path = directory.appendingPathComponent(model.fileName).path
        // Once now, so a cascade that does not load fails at set-up.
        _ = try Classifier(path: path, modelName: model.id)
    }

    /// While it runs, the cascade holds about 90 bytes per pixel of its input (1.1 GB for a
    /// 12 MP photo, measured), so photos longer than `wholeLimit` are searched in tiles of
    /// `tileLimit`. Measured on a 12 MP photo with every kind: 1,548 MB peak untiled, 625 MB with
    /// 1024 px tiles, 593 MB with 768 px tiles. Smaller photos are searched whole: tiles cost
    /// their overlap again (the plate set, most of it 1,000 to 1,500 px, took 50.3 s
    /// with every photo over 768 px tiled, 46.7 s with this limit).
    static let wholeLimit = 1536
    static let tileLimit = 768
    /// Tiles overlap by this much, and in tiles the cascade only tries windows up to this wide, so
    /// every plate it looks for lies whole in some tile. Wider plates are found in a coarser level.
    static let tileOverlap = 256
    /// How far above the cascade's smallest window a plate must be, at the coarser level, to be
    /// found reliably there.
    static let levelMargin = 1.25

    /// Hits in the pixels of `grey` (one channel): boxes and their neighbour counts.
    ///
    /// An image up to `wholeLimit` is one search. A larger one is searched in overlapping tiles
    /// for plates up to `tileOverlap` wide, then shrunk until such a plate is still a little over
    /// the smallest window, and searched again the same way, until it fits in one tile.
    func detect(in grey: PixelBuffer, scaleFactor: Double, minimumNeighbours: Int,
                       minimumWidth: Int, minimumHeight: Int) throws -> [(box: Box, neighbours: Int)] {
        precondition(grey.channels == 1)
        let classifier = try Classifier(path: path, modelName: model.id)
        let longSide = Double(max(grey.width, grey.height))
        let step = Double(Self.tileOverlap) / (Double(minimumWidth) * Self.levelMargin)
        var hits: [(box: Box, neighbours: Int)] = []
        var level = grey, scale = 1.0
        while true {
            let whole = max(level.width, level.height) <= (scale == 1 ? Self.wholeLimit : Self.tileLimit)
            for (y, height) in Tiling.spans(length: level.height, limit: Self.tileLimit, overlap: Self.tileOverlap) {
                for (x, width) in Tiling.spans(length: level.width, limit: Self.tileLimit, overlap: Self.tileOverlap) {
                    let found = try classifier.detect(level, x: x, y: y, width: width, height: height,
                                                      scaleFactor: scaleFactor, minimumNeighbours: minimumNeighbours,
                                                      minimumWidth: minimumWidth, minimumHeight: minimumHeight,
                                                      maximumWidth: whole ? 0 : Self.tileOverlap)
                    hits += found.map { hit in
                        (Box(x: (hit.box.x + Double(x)) / scale, y: (hit.box.y + Double(y)) / scale,
                             width: hit.box.width / scale, height: hit.box.height / scale), hit.neighbours)
                    }
                }
            }
            if whole { return hits }
            // The next level: coarse enough that a plate just over the overlap is still found,
            // or the whole image in one tile if that is finer.
            scale = max(scale / step, Double(Self.tileLimit) / longSide)
            level = try CenterFaceDetector.resize(grey, width: max(1, Int((Double(grey.width) * scale).rounded())),
                                                  height: max(1, Int((Double(grey.height) * scale).rounded())))
        }
    }

    private final class Classifier: @unchecked Sendable {
        private let handle: OpaquePointer

        init(path: String, modelName: String) throws {
            var message = [CChar](repeating: 0, count: 512)
            guard let created = obscura_cv_cascade_create(path, &message, message.count) else {
                throw ObscuraError(.modelCorrupt, "OpenCV could not load the \(modelName) cascade", cause: messageText(message))
            }
            handle = created
        }

        deinit { obscura_cv_cascade_free(handle) }

        /// Hits in the `width` × `height` area at (x, y) of `grey`, in that area's pixels.
        func detect(_ grey: PixelBuffer, x: Int, y: Int, width: Int, height: Int, scaleFactor: Double,
                    minimumNeighbours: Int, minimumWidth: Int, minimumHeight: Int,
                    maximumWidth: Int) throws -> [(box: Box, neighbours: Int)] {
            let capacity = 512
            var rects = [Int32](repeating: 0, count: capacity * 4), neighbours = [Int32](repeating: 0, count: capacity)
            var count = 0
            var message = [CChar](repeating: 0, count: 512)
            let status = grey.pixels.withUnsafeBufferPointer { pixels in
                obscura_cv_cascade_detect(handle, pixels.baseAddress! + y * grey.width + x, Int32(width), Int32(height),
                                          Int32(grey.width), scaleFactor, Int32(minimumNeighbours),
                                          Int32(minimumWidth), Int32(minimumHeight), Int32(maximumWidth),
                                          &rects, &neighbours, capacity, &count, &message, message.count)
            }
            try check(status: status, message: message, .detectionFailed, "plate detection failed")
            return (0..<min(count, capacity)).map { i in
                (Box(x: Double(rects[i * 4]), y: Double(rects[i * 4 + 1]), width: Double(rects[i * 4 + 2]),
                     height: Double(rects[i * 4 + 3])), Int(neighbours[i]))
            }
        }
    }
}
