import Foundation

/// Where the face detector looks: an image pyramid, each pass cut into as few tiles as its size
/// allows.
///
/// The first pass fits the whole image into `coarseSide` and finds large faces; each further
/// pass is up to `passRatio` times finer, down to the scale at which the smallest face asked for
/// (`minimumFace`, 10 px by default: native resolution) reaches the size CenterFace needs. There
/// small and background faces that a single downscaled pass misses are found (CenterFace reports
/// 78.2 single-scale vs 87.5 multi-scale on WIDER hard).
///
/// OpenVINO runs one compiled model on any input shape, so a pass is one tile when it fits in
/// `tileLimit` on both sides, and otherwise the fewest equal tiles of at most that size,
/// overlapping by `overlap`: every face up to the overlap lies wholly inside some tile, and
/// larger ones are seen whole by a coarser pass (at a third of the size they are still at least
/// `overlap / passRatio` px, which CenterFace finds). The limit bounds the activations one
/// request holds (measured peak: 305 MB for a 1024 × 1024 input, 169 MB for 640 × 640). Over the
/// 161 WIDER JPEGs, a 1024 px limit peaked at 640 MB; 768 px peaks at 498 MB (`make bench`).
/// With the CPU plugin's shape cache off, 768 px tiles took 2% longer than 1024 px ones.
/// Measured on `../shared/eval/faces`, a whole native frame finds as many faces as 1024 px
/// tiles; what the old 640 px tiles overlapping by 160 px gained came from looking at most
/// faces several times, which `CenterFaceDetector`'s second looks now do for the candidates
/// that need it.
public struct ScaleSearch: Sendable, Equatable {
    public struct Tile: Sendable, Equatable {
        /// Pass scale: scaled image = original * scale.
        public var scale: Double
        /// Size of the whole image at that scale.
        public var scaledWidth: Int, scaledHeight: Int
        /// Tile origin and size in scaled pixels.
        public var x: Int, y: Int, width: Int, height: Int
        /// The network input: the tile padded with zeros to multiples of `inputStep`, or to
        /// the shape of the finest pass's tiles (see `sharedShapeGrowth`).
        public var inputWidth: Int, inputHeight: Int

        public init(scale: Double, scaledWidth: Int, scaledHeight: Int, x: Int, y: Int, width: Int, height: Int) {
            self.scale = scale
            self.scaledWidth = scaledWidth
            self.scaledHeight = scaledHeight
            self.x = x
            self.y = y
            self.width = width
            self.height = height
            inputWidth = ScaleSearch.padded(width)
            inputHeight = ScaleSearch.padded(height)
        }
    }

    /// The longest side of the first, whole-image pass.
    public static let coarseSide = 640
    /// The longest tile side: larger passes are split.
    public static let tileLimit = 768
    /// Above this many pixels (40 MP: 120 MB of RGB) the search keeps the network's working
    /// memory small next to the image's own (issue 17: no input may take the process past
    /// 500 MB). Inputs stay within `largeImageTileLimit` (the first pass within
    /// `largeImageCoarseSide`), and each tile is shrunk from the image on its own instead of
    /// from a scaled copy of the whole pass (`resizesPerTile`): a third-scale copy of 100 MP is
    /// 34 MB more. CenterFace's buffers, measured with one-colour squares: 134 MiB for a
    /// 768 × 768 input, 56 MiB for 512 × 512 (about 230 bytes a pixel; so about 33 MiB for
    /// 384 × 384). A 100 MP RGB PNG peaked at 463 MiB with these limits.
    public static let largeImage = 40_000_000
    public static let largeImageTileLimit = 384
    public static let largeImageCoarseSide = 448
    /// Overlap between neighbouring tiles of one pass, in that pass's pixels.
    public static let overlap = 64
    /// CenterFace finds faces from about 10 px to a few hundred px in one input, so a 3x step
    /// between passes leaves no gap in face size.
    public static let passRatio = 3.0
    /// Face size (px) that CenterFace still finds reliably in its input (its heat map has a
    /// 4 px stride).
    public static let detectableFace = 10.0
    /// CenterFace's input sides must be multiples of its coarsest feature stride.
    public static let inputStep = 32
    /// A pass of one tile that fits in the finest pass's tile shape is padded to that shape
    /// when this adds at most this share of its own pixels: a process runs a new input shape
    /// the first time at two to three times the cost of later runs, so a photo searched alone
    /// gains by having fewer shapes (a 1280 × 960 photo's 640 × 480 first pass runs as
    /// 672 × 512, like its native tiles).
    public static let sharedShapeGrowth = 1.0

    public let tiles: [Tile]
    /// The longest input side of this search (`tileLimit`, or `largeImageTileLimit`).
    public let inputLimit: Int
    /// True for large images: each tile is resized from the image on its own.
    public let resizesPerTile: Bool

    /// - Parameter minimumFace: the smallest face, in image pixels, the search must be able to
    ///   find. 10 searches at native resolution; 20 stops at half resolution (about a quarter of
    ///   the work); 5 searches at twice the native resolution.
    ///   `largeImageAbove`: the pixel count from which the large-image limits apply (tests
    ///   lower it to search small images as large ones).
    public init(width: Int, height: Int, minimumFace: Double = 10, largeImageAbove: Int = largeImage) {
        let longSide = Double(max(width, height))
        let large = width * height > largeImageAbove
        let limit = large ? Self.largeImageTileLimit : Self.tileLimit
        inputLimit = limit
        resizesPerTile = large
        let coarsest = min(1.0, Double(large ? Self.largeImageCoarseSide : Self.coarseSide) / longSide)
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
            for (y, tileHeight) in Self.spans(length: scaledHeight, limit: limit) {
                for (x, tileWidth) in Self.spans(length: scaledWidth, limit: limit) {
                    tiles.append(Tile(scale: scale, scaledWidth: scaledWidth, scaledHeight: scaledHeight,
                                      x: x, y: y, width: tileWidth, height: tileHeight))
                }
            }
        }
        // One input shape for the small passes too, where that costs few pixels.
        if let finest = tiles.last {
            for scale in scales.dropLast() {
                let pass = tiles.indices.filter { tiles[$0].scale == scale }
                guard pass.count == 1, let index = pass.first else { continue }
                let tile = tiles[index]
                let own = tile.inputWidth * tile.inputHeight, shared = finest.inputWidth * finest.inputHeight
                if tile.inputWidth <= finest.inputWidth, tile.inputHeight <= finest.inputHeight,
                   Double(shared - own) <= Self.sharedShapeGrowth * Double(own) {
                    tiles[index].inputWidth = finest.inputWidth
                    tiles[index].inputHeight = finest.inputHeight
                }
            }
        }
        self.tiles = tiles
    }

    /// Pixels fed to the network over all tiles, padding included.
    public var inputPixels: Int { tiles.reduce(0) { $0 + $1.inputWidth * $1.inputHeight } }

    /// Tile spans along one axis: the fewest equal spans of at most `tileLimit`, evenly spread,
    /// neighbours overlapping by at least `overlap`.
    static func spans(length: Int, limit: Int) -> [(origin: Int, length: Int)] {
        Tiling.spans(length: length, limit: limit, overlap: overlap, step: inputStep)
    }

    static func padded(_ side: Int) -> Int { (side + inputStep - 1) / inputStep * inputStep }
}

