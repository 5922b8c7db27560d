import Testing
@testable import Obscura

@Suite struct ScaleSearchTests {
    @Test("passes: a coarse pass, then 3x finer passes down to the smallest face asked for, each in as few tiles as fit")
    func tileCounts() {
        #expect(ScaleSearch(width: 512, height: 512).tiles.count == 1)            // fits one tile at native size
        #expect(ScaleSearch(width: 768, height: 768).tiles.count == 2)            // the coarse pass and the whole native frame
        #expect(ScaleSearch(width: 1024, height: 768).tiles.count == 3)           // the coarse pass and two 544 x 768 native tiles
        #expect(ScaleSearch(width: 1024, height: 768, minimumFace: 20).tiles.count == 1)
        #expect(ScaleSearch(width: 4000, height: 3000).tiles.count == 1 + 6 + 30)   // 1 + 3 x 2 at 0.4 + 6 x 5 native
        #expect(ScaleSearch(width: 4000, height: 3000, minimumFace: 20).tiles.count == 1 + 4 + 9)
        #expect(ScaleSearch(width: 512, height: 512, minimumFace: 5).tiles.count == 5)  // native + 2 x 2 at 2x
        #expect(ScaleSearch(width: 1024, height: 768).tiles.map(\.scale) == [0.625, 1, 1])
        let scales = Set(ScaleSearch(width: 4000, height: 3000).tiles.map(\.scale)).sorted()
        #expect(scales.count == 3 && abs(scales[0] - 0.16) < 1e-9 && abs(scales[1] - 0.4) < 1e-9 && scales[2] == 1)
        // No two passes more than 3x apart.
        for (a, b) in zip(scales, scales.dropFirst()) { #expect(b / a <= ScaleSearch.passRatio + 1e-9) }
    }

    @Test("a pass of one tile runs in the finest pass's tile shape when it fits there and at most doubles its pixels")
    func sharedShape() {
        func shape(_ tile: ScaleSearch.Tile) -> [Int] { [tile.inputWidth, tile.inputHeight] }
        // 1280 x 960: the 640 x 480 first pass runs as 672 x 512, the native tiles' shape.
        let photo = ScaleSearch(width: 1280, height: 960).tiles
        #expect(shape(photo[0]) == [672, 512] && photo[0].width == 640 && photo[0].height == 480)
        #expect(Set(photo.map(shape)).count == 1)
        // 1024 x 768: the first pass (640 wide) does not fit the 544 x 768 native tiles.
        #expect(shape(ScaleSearch(width: 1024, height: 768).tiles[0]) == [640, 480])
        // 4000 x 3000: the first pass joins the native tiles' shape; the six tiles at 0.4 keep their own.
        let phone = ScaleSearch(width: 4000, height: 3000).tiles
        #expect(shape(phone[0]) == shape(phone.last!))
        #expect(Set(phone.filter { abs($0.scale - 0.4) < 1e-9 }.map(shape)) == [[576, 640]])
        for size in [(768, 768), (2400, 600), (3000, 4000), (641, 5000), (512, 512), (300, 200)] {
            let tiles = ScaleSearch(width: size.0, height: size.1).tiles
            let finest = tiles.last!
            for tile in tiles {
                let own = ScaleSearch.padded(tile.width) * ScaleSearch.padded(tile.height)
                if shape(tile) != [ScaleSearch.padded(tile.width), ScaleSearch.padded(tile.height)] {
                    // Padded: to the finest shape, from a one-tile pass, by at most its own pixels.
                    #expect(shape(tile) == shape(finest) && tiles.filter { $0.scale == tile.scale }.count == 1)
                    #expect(tile.inputWidth * tile.inputHeight - own <= own, "\(size)")
                }
            }
        }
    }

    @Test("tiles stay inside the scaled image, within the limit, and neighbours overlap by at least the overlap",
          arguments: [(1024, 768), (1280, 960), (4000, 3000), (3000, 4000), (641, 5000), (1025, 1025)])
    func coverage(width: Int, height: Int) {
        let search = ScaleSearch(width: width, height: height)
        for scale in Set(search.tiles.map(\.scale)) {
            let pass = search.tiles.filter { $0.scale == scale }
            for tile in pass {
                #expect(tile.x >= 0 && tile.y >= 0 && tile.width > 0 && tile.height > 0)
                #expect(tile.x + tile.width <= tile.scaledWidth && tile.y + tile.height <= tile.scaledHeight)
                #expect(tile.inputWidth <= ScaleSearch.tileLimit && tile.inputHeight <= ScaleSearch.tileLimit)
                #expect(tile.inputWidth % ScaleSearch.inputStep == 0 && tile.inputHeight % ScaleSearch.inputStep == 0)
            }
            let xs = Set(pass.map(\.x)).sorted(), ys = Set(pass.map(\.y)).sorted()
            let tileWidth = pass[0].width, tileHeight = pass[0].height
            for (a, b) in zip(xs, xs.dropFirst()) { #expect(a + tileWidth - b >= ScaleSearch.overlap) }
            for (a, b) in zip(ys, ys.dropFirst()) { #expect(a + tileHeight - b >= ScaleSearch.overlap) }
            // The first tile starts at the near edges and the last reaches the far ones.
            #expect(pass.contains { $0.x == 0 && $0.y == 0 })
            #expect(pass.contains { $0.x + $0.width == $0.scaledWidth && $0.y + $0.height == $0.scaledHeight })
        }
    }

    @Test("non-maximum suppression keeps the best of overlapping boxes, whatever their order")
    func suppression() {
        let a = Detection(kind: "face", box: Box(x: 10, y: 10, width: 40, height: 40), score: 0.9)
        let b = Detection(kind: "face", box: Box(x: 14, y: 12, width: 40, height: 40), score: 0.7)
        let c = Detection(kind: "face", box: Box(x: 200, y: 10, width: 40, height: 40), score: 0.5)
        #expect(suppressOverlaps([b, c, a]) == [a, c])
        #expect(suppressOverlaps([c, a, b]) == [a, c])
    }
}
