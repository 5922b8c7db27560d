/// Where the face detector looks: an image pyramid cut into fixed-size, overlapping tiles.
///
/// Every inference runs on one `tileSize` x `tileSize` input, so a single network shape serves
/// every image (OpenCV 4.6 needs a separate Net per input shape). The first pass shrinks the whole
/// image into one tile and finds large faces; each further pass is 3x finer, up to the native
/// resolution, where overlapping tiles find small and background faces that a single downscaled
/// pass misses. A tile overlap of a quarter tile means every face smaller than the overlap lies
/// wholly inside some tile; larger ones are found by a coarser pass.
public struct ScaleSearch: Sendable, Equatable {
    public struct Tile: Sendable, Equatable {
        /// Pass scale: scaled image = original * scale.
        public var scale: Double
        /// Size of the whole image at that scale.
        public var scaledWidth: Int, scaledHeight: Int
        /// Tile origin and size in scaled pixels.
        public var x: Int, y: Int, width: Int, height: Int
    }

    public static let tileSize = 640
    public static let overlap = 160
    /// Ratio between consecutive passes: CenterFace finds faces of roughly 10-200 px in a tile,
    /// so a 3x step leaves no gap in face size between passes.
    public static let passRatio = 3.0

    public let tiles: [Tile]

    public init(width: Int, height: Int) {
        let tileSize = Self.tileSize
        let longSide = Double(max(width, height))
        var scales = [min(1.0, Double(tileSize) / longSide)]
        while let last = scales.last, last < 1 { scales.append(min(1.0, last * Self.passRatio)) }
        var tiles: [Tile] = []
        for scale in scales {
            let scaledWidth = max(1, Int((Double(width) * scale).rounded()))
            let scaledHeight = max(1, Int((Double(height) * scale).rounded()))
            for y in Self.origins(length: scaledHeight) {
                for x in Self.origins(length: scaledWidth) {
                    tiles.append(Tile(scale: scale, scaledWidth: scaledWidth, scaledHeight: scaledHeight,
                                      x: x, y: y, width: min(tileSize, scaledWidth - x), height: min(tileSize, scaledHeight - y)))
                }
            }
        }
        self.tiles = tiles
    }

    /// Tile origins along one axis: evenly spread, at least `overlap` apart from full coverage.
    static func origins(length: Int) -> [Int] {
        if length <= tileSize { return [0] }
        let stride = tileSize - overlap
        let count = Int((Double(length - tileSize) / Double(stride)).rounded(.up)) + 1
        return (0..<count).map { index in ((length - tileSize) * index) / (count - 1) }
    }
}
