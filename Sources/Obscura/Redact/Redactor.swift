/// Destroys the pixels of planned regions. Plain integer pixel code: no model is involved and
/// the result depends only on the pixels and the regions. Alpha is left as it was; every colour
/// sample inside a region's shape is replaced.
public enum Redactor {
    /// Paints `regions` in order, as planned by `boundedPlan`, and returns the regions painted.
    /// With `feather` > 0, a band that wide around each region then blends from the region's
    /// painted edge to the image, only where no region's shape is: every pixel inside a region is
    /// exactly what it is without feathering.
    @discardableResult
    public static func redact(_ image: inout PixelBuffer, regions: [Region], fill: RGBColor, feather: Int = 0) -> [Region] {
        let painted = boundedPlan(regions, width: image.width, height: image.height)
        guard feather > 0 else {
            for region in painted { redact(&image, region: region, fill: fill) }
            return painted
        }
        var edges: [(region: Region, grid: CellGrid?)] = []
        var inside = [Bool](repeating: false, count: image.width * image.height)
        for region in painted {
            let grid = region.style == .solid ? nil : CellGrid(image, clippedTo: region)
            redact(&image, region: region, fill: fill)
            edges.append((region, grid))
            let mask = ShapeMask(region: region)
            for y in max(region.y0, 0)..<min(region.y1, image.height) {
                for x in max(region.x0, 0)..<min(region.x1, image.width) where mask.contains(x: x, y: y) {
                    inside[y * image.width + x] = true
                }
            }
        }
        for edge in edges { blendEdge(&image, region: edge.region, grid: edge.grid, fill: fill, width: feather, inside: inside) }
        return painted
    }

    /// Blends the band of `width` px outside one region from its painted edge (the paint at the
    /// nearest point of its rectangle) to the image, skipping every pixel inside any region.
    private static func blendEdge(_ image: inout PixelBuffer, region: Region, grid: CellGrid?, fill: RGBColor,
                                  width: Int, inside: [Bool]) {
        let clipX0 = max(region.x0, 0), clipY0 = max(region.y0, 0)
        let clipX1 = min(region.x1, image.width), clipY1 = min(region.y1, image.height)
        guard clipX1 > clipX0, clipY1 > clipY0 else { return }
        let mask = ShapeMask(region: region)
        let colour = fillSamples(fill, channels: image.colorChannels)
        let channels = image.channels, colorChannels = image.colorChannels, imageWidth = image.width
        var edge = [UInt8](repeating: 0, count: colorChannels)
        image.pixels.withUnsafeMutableBufferPointer { pixels in
            edge.withUnsafeMutableBufferPointer { edge in
                for y in max(clipY0 - width, 0)..<min(clipY1 + width, image.height) {
                    for x in max(clipX0 - width, 0)..<min(clipX1 + width, imageWidth) where !inside[y * imageWidth + x] {
                        let distance = mask.distanceOutside(x: x, y: y)
                        guard distance < Double(width) else { continue }
                        let nearX = min(max(x, clipX0), clipX1 - 1), nearY = min(max(y, clipY0), clipY1 - 1)
                        switch region.style {
                        case .solid: for channel in 0..<colorChannels { edge[channel] = colour[channel] }
                        case .pixelate: grid!.writeMean(column: (nearX - clipX0) / grid!.cellSize, row: (nearY - clipY0) / grid!.cellSize, into: edge)
                        case .blur: grid!.writeInterpolated(x: nearX - clipX0, y: nearY - clipY0, into: edge)
                        }
                        let weight = 1 - distance / Double(width)
                        let at = (y * imageWidth + x) * channels
                        for channel in 0..<colorChannels {
                            let blended = weight * Double(edge[channel]) + (1 - weight) * Double(pixels[at + channel])
                            pixels[at + channel] = UInt8(min(max(blended.rounded(), 0), 255))
                        }
                    }
                }
            }
        }
    }

    /// Paints `regions` into CMYK samples stored in Adobe's inverted convention (255 is no ink,
    /// so a pixel shows about C·K/255 red): the coefficient path's CMYK JPEGs. The fill becomes
    /// (red, green, blue, no black), which shows exactly the fill colour; pixelation and blur
    /// work on each ink on its own, as they do on each colour channel. C, M, Y and K are painted
    /// as one RGB-like buffer and one grey buffer with the same plan.
    public static func redactCMYK(_ image: inout PixelBuffer, regions: [Region], fill: RGBColor, feather: Int = 0) {
        precondition(image.channels == 4)
        let count = image.width * image.height
        var colours = PixelBuffer(width: image.width, height: image.height, channels: 3)
        var black = PixelBuffer(width: image.width, height: image.height, channels: 1)
        for index in 0..<count {
            for ink in 0..<3 { colours.pixels[index * 3 + ink] = image.pixels[index * 4 + ink] }
            black.pixels[index] = image.pixels[index * 4 + 3]
        }
        redact(&colours, regions: regions, fill: fill, feather: feather)
        redact(&black, regions: regions, fill: RGBColor(red: 255, green: 255, blue: 255), feather: feather)
        for index in 0..<count {
            for ink in 0..<3 { image.pixels[index * 4 + ink] = colours.pixels[index * 3 + ink] }
            image.pixels[index * 4 + 3] = black.pixels[index]
        }
    }

    /// Painting costs the area of every region, so many large overlapping regions (10,000
    /// whole-image rectangles took 150 s) could buy unbounded time. While the clipped areas add
    /// up to at most `areaBudget` times the image, the regions are painted as given; past that,
    /// overlapping regions are merged into their bounding rectangles until none overlap, painted
    /// with the strongest style and the coarsest cells among them. Merging only ever paints more
    /// pixels, never fewer, and the result no longer overlaps, so its cost is at most one pass
    /// over the image.
    public static func boundedPlan(_ regions: [Region], width: Int, height: Int) -> [Region] {
        func clippedArea(_ region: Region) -> Int {
            max(0, min(region.x1, width) - max(region.x0, 0)) * max(0, min(region.y1, height) - max(region.y0, 0))
        }
        let total = regions.reduce(0) { $0 + clippedArea($1) }
        guard total > areaBudget * width * height else { return regions }
        var merged = regions.filter { clippedArea($0) > 0 }.map { region -> Region in
            var clipped = region
            clipped.x0 = max(region.x0, 0); clipped.y0 = max(region.y0, 0)
            clipped.x1 = min(region.x1, width); clipped.y1 = min(region.y1, height)
            clipped.shape = .rect
            return clipped
        }
        var changed = true
        while changed {
            changed = false
            var index = 0
            while index < merged.count {
                var other = index + 1
                while other < merged.count {
                    if overlaps(merged[index], merged[other]) {
                        merged[index] = union(merged[index], merged.remove(at: other))
                        changed = true
                    } else {
                        other += 1
                    }
                }
                index += 1
            }
        }
        return merged
    }

    /// Clipped region areas may add up to this many times the image before regions are merged.
    public static let areaBudget = 4

    private static func overlaps(_ a: Region, _ b: Region) -> Bool {
        a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1
    }

    private static func union(_ a: Region, _ b: Region) -> Region {
        var result = strength(a.style) >= strength(b.style) ? a : b
        result.x0 = min(a.x0, b.x0); result.y0 = min(a.y0, b.y0)
        result.x1 = max(a.x1, b.x1); result.y1 = max(a.y1, b.y1)
        result.cellSize = max(a.cellSize, b.cellSize)
        result.weak = a.weak && b.weak
        return result
    }

    private static func strength(_ style: RedactionStyle) -> Int {
        switch style {
        case .solid: 2
        case .pixelate: 1
        case .blur: 0
        }
    }

    public static func redact(_ image: inout PixelBuffer, region: Region, fill: RGBColor) {
        let clipX0 = max(region.x0, 0), clipY0 = max(region.y0, 0)
        let clipX1 = min(region.x1, image.width), clipY1 = min(region.y1, image.height)
        guard clipX1 > clipX0, clipY1 > clipY0 else { return }
        let mask = ShapeMask(region: region)
        switch region.style {
        case .solid:
            let color = fillSamples(fill, channels: image.colorChannels)
            paint(&image, x0: clipX0, y0: clipY0, x1: clipX1, y1: clipY1, mask: mask) { _, _, sample in
                for channel in 0..<color.count { sample[channel] = color[channel] }
            }
        case .pixelate:
            let grid = CellGrid(image, clippedTo: region)
            paint(&image, x0: clipX0, y0: clipY0, x1: clipX1, y1: clipY1, mask: mask) { x, y, sample in
                grid.writeMean(column: (x - clipX0) / grid.cellSize, row: (y - clipY0) / grid.cellSize, into: sample)
            }
        case .blur:
            let grid = CellGrid(image, clippedTo: region)
            paint(&image, x0: clipX0, y0: clipY0, x1: clipX1, y1: clipY1, mask: mask) { x, y, sample in
                grid.writeInterpolated(x: x - clipX0, y: y - clipY0, into: sample)
            }
        }
    }

    /// The fill colour in the image's colour channels (grey images get the colour's luma).
    static func fillSamples(_ fill: RGBColor, channels: Int) -> [UInt8] {
        if channels == 1 {
            let luma = (299 * Int(fill.red) + 587 * Int(fill.green) + 114 * Int(fill.blue) + 500) / 1000
            return [UInt8(luma)]
        }
        return [fill.red, fill.green, fill.blue]
    }

    /// Calls `write` with the colour samples of every pixel inside the mask (alpha excluded).
    private static func paint(_ image: inout PixelBuffer, x0: Int, y0: Int, x1: Int, y1: Int, mask: ShapeMask,
                              write: (Int, Int, UnsafeMutableBufferPointer<UInt8>) -> Void) {
        let channels = image.channels, colorChannels = image.colorChannels, width = image.width
        image.pixels.withUnsafeMutableBufferPointer { pixels in
            for y in y0..<y1 {
                for x in x0..<x1 where mask.contains(x: x, y: y) {
                    let at = (y * width + x) * channels
                    write(x, y, UnsafeMutableBufferPointer(rebasing: pixels[at..<at + colorChannels]))
                }
            }
        }
    }
}

/// Which pixels of a region's rectangle are painted. The ellipse is inscribed in the unclipped
/// rectangle and tested at pixel centres, so it keeps its shape where it meets the image edge.
/// A body (`BodyPlanner.kind`) with the ellipse shape gets a person's outline instead of one
/// large ellipse, which would miss the shoulders: a head ellipse over a rounded body (a
/// superellipse of power 4, square-shouldered) that fills the rest of the box.
struct ShapeMask {
    enum Outline { case rectangle, ellipse, person }
    let outline: Outline
    let x0: Double, y0: Double, x1: Double, y1: Double
    let centreX: Double, centreY: Double, radiusX: Double, radiusY: Double

    /// The person outline's parts, as fractions of the box: the head's centre height and radii,
    /// and where the body starts.
    static let headCentre = 0.13, headRadiusX = 0.26, headRadiusY = 0.13, bodyTop = 0.12

    init(region: Region) {
        outline = region.shape == .rect ? .rectangle : region.detection.kind == .body ? .person : .ellipse
        x0 = Double(region.x0); y0 = Double(region.y0); x1 = Double(region.x1); y1 = Double(region.y1)
        centreX = (x0 + x1) / 2
        centreY = (y0 + y1) / 2
        radiusX = (x1 - x0) / 2
        radiusY = (y1 - y0) / 2
    }

    @inline(__always) func contains(x: Int, y: Int) -> Bool {
        switch outline {
        case .rectangle: return true
        case .ellipse: return Self.norm(Double(x) + 0.5, Double(y) + 0.5, centreX, centreY, radiusX, radiusY, power: 2) <= 1
        case .person:
            let px = Double(x) + 0.5, py = Double(y) + 0.5
            return headNorm(px, py) <= 1 || bodyNorm(px, py) <= 1
        }
    }

    /// About how far (px) the centre of pixel (x, y) lies outside the outline; 0 inside. Exact
    /// for rectangles; for curved outlines the radial excess scaled by the shorter radius.
    func distanceOutside(x: Int, y: Int) -> Double {
        let px = Double(x) + 0.5, py = Double(y) + 0.5
        let dx = max(x0 - px, 0, px - x1), dy = max(y0 - py, 0, py - y1)
        let rectangle = (dx * dx + dy * dy).squareRoot()
        switch outline {
        case .rectangle: return rectangle
        case .ellipse:
            let radial = Self.norm(px, py, centreX, centreY, radiusX, radiusY, power: 2).squareRoot()
            return max(rectangle, (radial - 1) * min(radiusX, radiusY))
        case .person:
            let head = (headNorm(px, py).squareRoot() - 1) * min(headRadii.x, headRadii.y)
            let body = (bodyNorm(px, py).squareRoot().squareRoot() - 1) * min(bodyRadii.x, bodyRadii.y)
            return max(rectangle, min(head, body), 0)
        }
    }

    private var headRadii: (x: Double, y: Double) { (Self.headRadiusX * (x1 - x0), Self.headRadiusY * (y1 - y0)) }
    private var bodyRadii: (x: Double, y: Double) { (radiusX, (1 - Self.bodyTop) * (y1 - y0) / 2) }

    @inline(__always) private func headNorm(_ px: Double, _ py: Double) -> Double {
        Self.norm(px, py, centreX, y0 + Self.headCentre * (y1 - y0), headRadii.x, headRadii.y, power: 2)
    }

    @inline(__always) private func bodyNorm(_ px: Double, _ py: Double) -> Double {
        Self.norm(px, py, centreX, (y0 + Self.bodyTop * (y1 - y0) + y1) / 2, bodyRadii.x, bodyRadii.y, power: 4)
    }

    /// |dx|^power + |dy|^power for offsets scaled by the radii (power 2 or 4).
    @inline(__always) static func norm(_ px: Double, _ py: Double, _ cx: Double, _ cy: Double,
                                       _ rx: Double, _ ry: Double, power: Int) -> Double {
        let dx = (px - cx) / rx, dy = (py - cy) / ry
        let squares = (dx * dx, dy * dy)
        return power == 4 ? squares.0 * squares.0 + squares.1 * squares.1 : squares.0 + squares.1
    }
}

/// Mean colour of square cells laid from a region's top-left corner. Each mean is taken over the
/// whole cell (clipped to the region), so a cell carries one colour and no detail.
struct CellGrid {
    let cellSize: Int
    let columns: Int, rows: Int, colorChannels: Int
    private var means: [UInt8]

    /// The grid of `region` clipped to the image, with the region's cell size.
    init(_ image: PixelBuffer, clippedTo region: Region) {
        self.init(image, x0: max(region.x0, 0), y0: max(region.y0, 0), x1: min(region.x1, image.width),
                  y1: min(region.y1, image.height), cellSize: region.cellSize)
    }

    init(_ image: PixelBuffer, x0: Int, y0: Int, x1: Int, y1: Int, cellSize: Int) {
        self.cellSize = cellSize
        colorChannels = image.colorChannels
        columns = (x1 - x0 + cellSize - 1) / cellSize
        rows = (y1 - y0 + cellSize - 1) / cellSize
        means = [UInt8](repeating: 0, count: columns * rows * colorChannels)
        var sums = [Int](repeating: 0, count: colorChannels)
        for row in 0..<rows {
            for column in 0..<columns {
                let cx0 = x0 + column * cellSize, cy0 = y0 + row * cellSize
                let cx1 = min(cx0 + cellSize, x1), cy1 = min(cy0 + cellSize, y1)
                for channel in 0..<colorChannels { sums[channel] = 0 }
                for y in cy0..<cy1 {
                    for x in cx0..<cx1 {
                        let at = image.offset(x: x, y: y)
                        for channel in 0..<colorChannels { sums[channel] += Int(image.pixels[at + channel]) }
                    }
                }
                let count = (cx1 - cx0) * (cy1 - cy0)
                for channel in 0..<colorChannels {
                    means[(row * columns + column) * colorChannels + channel] = UInt8((sums[channel] + count / 2) / count)
                }
            }
        }
    }

    func writeMean(column: Int, row: Int, into sample: UnsafeMutableBufferPointer<UInt8>) {
        let at = (row * columns + column) * colorChannels
        for channel in 0..<colorChannels { sample[channel] = means[at + channel] }
    }

    /// Bilinear interpolation between cell centres: smooth to look at, but a function of the cell
    /// means alone.
    func writeInterpolated(x: Int, y: Int, into sample: UnsafeMutableBufferPointer<UInt8>) {
        let half = Double(cellSize) / 2
        let gx = min(max((Double(x) + 0.5 - half) / Double(cellSize), 0), Double(columns - 1))
        let gy = min(max((Double(y) + 0.5 - half) / Double(cellSize), 0), Double(rows - 1))
        let c0 = Int(gx), r0 = Int(gy)
        let c1 = min(c0 + 1, columns - 1), r1 = min(r0 + 1, rows - 1)
        let fx = gx - Double(c0), fy = gy - Double(r0)
        for channel in 0..<colorChannels {
            func value(_ column: Int, _ row: Int) -> Double { Double(means[(row * columns + column) * colorChannels + channel]) }
            let top = value(c0, r0) * (1 - fx) + value(c1, r0) * fx
            let bottom = value(c0, r1) * (1 - fx) + value(c1, r1) * fx
            sample[channel] = UInt8(min(max((top * (1 - fy) + bottom * fy).rounded(), 0), 255))
        }
    }
}
