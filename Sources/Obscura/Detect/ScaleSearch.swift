import Foundation

/// Where the face detector looks: an image pyramid cut into overlapping, fixed-size tiles.
///
/// The first pass shrinks the whole image into one tile and finds large faces; each further
/// pass is up to `passRatio` times finer, down to the scale at which the smallest face asked for
/// (`minimumFace`, 10 px by default: native resolution) reaches the size CenterFace needs. There
/// small and background faces that a single downscaled pass misses are found (CenterFace reports 78.2 single-scale vs
/// 87.5 multi-scale on WIDER hard). A pass larger than a tile is cut into tiles overlapping by
/// `overlap`, so every face smaller than the overlap lies wholly inside some tile; larger ones
/// are found whole by a coarser pass.
///
/// Every network input is one `tileSize` square (zero-padded). OpenCV 4.6 needs one Net per
/// input shape, and a Net holds its layer buffers: about 100 MB at 640 x 640 against 185 MB at
/// 1024 x 768 (measured). Per-image shapes made the WIDER run 20% faster but peaked at 1.8 GB of
/// memory with two workers; one shape keeps memory at one Net per worker.
public struct ScaleSearch: Sendable, Equatable {
    public struct Tile: Sendable, Equatable {
        /// Pass scale: scaled image = original * scale.
        public var scale: Double
        /// Size of the whole image at that scale.
        public var scaledWidth: Int, scaledHeight: Int
        /// Tile origin and size in scaled pixels.
        /// (Every network input is `tileSize` square; a smaller tile is zero-padded.)
        public var x: Int, y: Int, width: Int, height: Int
    }

    public static let tileSize = 640
    public static let overlap = 160
    /// CenterFace finds faces from about 10 px to a few hundred px in one tile, so a 3x step
    /// between passes leaves no gap in face size.
    public static let passRatio = 3.0
    /// Face size (px) that CenterFace still finds reliably in its input (its heat map has a
    /// 4 px stride).
    public static let detectableFace = 10.0

    public let tiles: [Tile]

    /// - Parameter minimumFace: the smallest face, in image pixels, the search must be able to
    ///   find. 10 searches at native resolution; 20 stops at half resolution (about a quarter of
    ///   the work); 5 searches at twice the native resolution.
    public init(width: Int, height: Int, minimumFace: Double = 10) {
        let longSide = Double(max(width, height))
        let coarsest = min(1.0, Double(Self.tileSize) / longSide)
        let finest = max(coarsest, Self.detectableFace / minimumFace)
        // Evenly spaced in log scale, no step wider than `passRatio`: no face size falls between
        // passes, and no pass nearly repeats another.
        let steps = finest > coarsest ? Int((log(finest / coarsest) / log(Self.passRatio) - 1e-9).rounded(.up)) : 0
        let scales = (0...steps).map { step in
            step == steps ? finest : coarsest * pow(finest / coarsest, Double(step) / Double(steps))
        }
        var tiles: [Tile] = []
        for scale in scales {
            let scaledWidth = max(1, Int((Double(width) * scale).rounded()))
            let scaledHeight = max(1, Int((Double(height) * scale).rounded()))
            for y in Self.origins(length: scaledHeight) {
                for x in Self.origins(length: scaledWidth) {
                    tiles.append(Tile(scale: scale, scaledWidth: scaledWidth, scaledHeight: scaledHeight, x: x, y: y,
                                      width: min(Self.tileSize, scaledWidth - x), height: min(Self.tileSize, scaledHeight - y)))
                }
            }
        }
        self.tiles = tiles
    }

    /// Tile origins along one axis: evenly spread, neighbours overlapping by at least `overlap`.
    static func origins(length: Int) -> [Int] {
        if length <= tileSize { return [0] }
        let stride = tileSize - overlap
        let count = Int((Double(length - tileSize) / Double(stride)).rounded(.up)) + 1
        return (0..<count).map { index in ((length - tileSize) * index) / (count - 1) }
    }
}
