import Foundation

/// Reads one line of a machine-readable zone (ICAO 9303: 30, 36 or 44 characters in a
/// monospace font) cell by cell, because Tesseract's general model collapses or misreads runs
/// of the filler `<`.
///
/// The line crop is enlarged until its capitals are about `targetCapHeight` pixels high,
/// smoothed and binarised (Otsu). The ink's connected components give the cap height and the
/// baseline's slope; a grid of `n` equal cells (n = 30, 36 or 44, whichever the component
/// centres fit best) is fitted to them. A cell whose ink is clearly lower than a capital is the
/// filler `<` (every other MRZ character is a capital or a digit); the remaining cells are
/// copied, straightened, into one image read by Tesseract as a single line restricted to A–Z and
/// 0–9, and each symbol goes to the cell under its centre. A cell left with no symbol or with
/// two is read again on its own. Whether the result is a valid zone is for the check digits to
/// say (`MRZ`); this only reads. Deterministic.
struct MRZLineReader {
    /// The characters read, one per cell, and each cell's box in image pixels.
    struct Reading {
        var characters: [Character]
        var boxes: [Box]
    }

    static let lengths = [44, 36, 30]
    static let alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    /// Capitals are enlarged (at most 4×) to about this many pixels before anything is measured.
    static let targetCapHeight = 40.0

    /// Ink components of a binarised crop.
    struct Component {
        var minX: Int, maxX: Int, minY: Int, maxY: Int, area: Int
        var width: Int { maxX - minX + 1 }
        var height: Int { maxY - minY + 1 }
        var centreX: Double { Double(minX + maxX) / 2 }
        var centreY: Double { Double(minY + maxY) / 2 }
    }

    /// The grid fitted to a line: cell `i` is centred at `x = origin + pitch × i`, on the
    /// capitals' centre line `y = intercept + slope × x`.
    struct Grid {
        var count: Int
        var origin: Double, pitch: Double
        var intercept: Double, slope: Double
        var capHeight: Double
        func centre(_ cell: Int) -> (x: Double, y: Double) {
            let x = origin + pitch * Double(cell)
            return (x, intercept + slope * x)
        }
    }

    /// Reads the line in `box` of `grey` (one channel); nil when the line is not a grid of 30, 36
    /// or 44 monospace cells or a cell cannot be read as exactly one character.
    static func read(_ grey: PixelBuffer, box: Box, engine: Engine) throws -> Reading? {
        precondition(grey.channels == 1)
        let x0 = max(0, Int(box.x.rounded(.down))), y0 = max(0, Int(box.y.rounded(.down)))
        let x1 = min(grey.width, Int(box.maxX.rounded(.up))), y1 = min(grey.height, Int(box.maxY.rounded(.up)))
        guard x1 - x0 >= 30, y1 - y0 >= 6 else { return nil }
        var crop = [UInt8](repeating: 0, count: (x1 - x0) * (y1 - y0))
        for y in y0..<y1 {
            let from = y * grey.width + x0, to = (y - y0) * (x1 - x0)
            crop[to..<(to + x1 - x0)] = grey.pixels[from..<(from + x1 - x0)]
        }
        let native = PixelBuffer(width: x1 - x0, height: y1 - y0, channels: 1, pixels: crop)
        // First pass at the native size for the cap height, then enlarge so capitals are about
        // `targetCapHeight` high.
        guard let (_, firstComponents) = components(of: native),
              let nativeCap = capHeight(firstComponents), nativeCap >= 5 else { return nil }
        let scale = min(4, max(1, targetCapHeight / nativeCap))
        let image = scale > 1
            ? try CenterFaceDetector.resize(native, width: Int((Double(native.width) * scale).rounded()),
                                            height: Int((Double(native.height) * scale).rounded()))
            : native
        guard let (ink, found) = components(of: image), let grid = fitGrid(found) else { return nil }

        // Cells: the filler by height, the rest read by Tesseract.
        var characters = [Character?](repeating: nil, count: grid.count)
        var letterCells: [Int] = []
        for cell in 0..<grid.count {
            guard let extent = inkExtent(ink, width: image.width, height: image.height, grid: grid, cell: cell) else { return nil }
            if Double(extent) < 0.75 * grid.capHeight {
                characters[cell] = "<"
            } else {
                letterCells.append(cell)
            }
        }
        if !letterCells.isEmpty {
            let margin = Int(grid.capHeight)
            let cellWidth = Int(grid.pitch.rounded())
            let strip = straightened(image, grid: grid, cells: letterCells, margin: margin)
            let symbols = try engine.recognize(strip, whitelist: alphanumerics)
            var assigned = [Int: [Character]]()
            for symbol in symbols {
                let cell = Int(((symbol.box.x + symbol.box.width / 2 - Double(margin)) / Double(cellWidth)).rounded(.down))
                guard cell >= 0, cell < grid.count else { continue }
                assigned[cell, default: []] += Array(symbol.text)
            }
            for cell in letterCells {
                if let read = assigned[cell], read.count == 1, alphanumerics.contains(read[0]) {
                    characters[cell] = read[0]
                    continue
                }
                // Read this cell alone.
                let single = straightened(image, grid: grid, cells: [cell], margin: margin, only: true)
                let again = try engine.recognize(single, whitelist: alphanumerics, pageMode: 10)
                let text = again.flatMap { Array($0.text) }
                guard text.count == 1, alphanumerics.contains(text[0]) else { return nil }
                characters[cell] = text[0]
            }
        }
        let boxes = (0..<grid.count).map { cell -> Box in
            let centre = grid.centre(cell)
            return Box(x: Double(x0) + (centre.x - grid.pitch / 2) / scale, y: Double(y0) + (centre.y - 0.6 * grid.capHeight) / scale,
                       width: grid.pitch / scale, height: 1.2 * grid.capHeight / scale)
        }
        return Reading(characters: characters.map { $0 ?? "<" }, boxes: boxes)
    }

    /// The ink mask (3 × 3 box blur, Otsu threshold, dark on light) and its 8-connected
    /// components, specks (under 1/400 of the crop's height squared, at least 3 px) removed
    /// from both.
    static func components(of image: PixelBuffer) -> (ink: [Bool], components: [Component])? {
        let width = image.width, height = image.height
        var blurred = [UInt8](repeating: 0, count: width * height)
        var histogram = [Int](repeating: 0, count: 256)
        image.pixels.withUnsafeBufferPointer { source in
            for y in 0..<height {
                for x in 0..<width {
                    var sum = 0, count = 0
                    for dy in -1...1 where y + dy >= 0 && y + dy < height {
                        for dx in -1...1 where x + dx >= 0 && x + dx < width {
                            sum += Int(source[(y + dy) * width + x + dx]); count += 1
                        }
                    }
                    let value = UInt8(sum / count)
                    blurred[y * width + x] = value
                    histogram[Int(value)] += 1
                }
            }
        }
        let threshold = otsu(histogram, total: width * height)
        var ink = blurred.map { Int($0) <= threshold }
        let inkCount = ink.reduce(0) { $0 + ($1 ? 1 : 0) }
        // Mostly ink, or none: not dark text on a light ground.
        guard inkCount > 0, inkCount * 2 < width * height else { return nil }
        var label = [Int32](repeating: 0, count: width * height)
        var found: [Component] = []
        var members: [[Int]] = []
        var stack: [Int] = []
        for start in 0..<(width * height) where ink[start] && label[start] == 0 {
            found.append(Component(minX: start % width, maxX: start % width, minY: start / width, maxY: start / width, area: 0))
            members.append([])
            let id = Int32(found.count)
            label[start] = id
            stack.append(start)
            while let index = stack.popLast() {
                let x = index % width, y = index / width
                found[found.count - 1].minX = min(found[found.count - 1].minX, x)
                found[found.count - 1].maxX = max(found[found.count - 1].maxX, x)
                found[found.count - 1].minY = min(found[found.count - 1].minY, y)
                found[found.count - 1].maxY = max(found[found.count - 1].maxY, y)
                found[found.count - 1].area += 1
                members[members.count - 1].append(index)
                for dy in -1...1 where y + dy >= 0 && y + dy < height {
                    for dx in -1...1 where x + dx >= 0 && x + dx < width {
                        let neighbour = (y + dy) * width + x + dx
                        if ink[neighbour], label[neighbour] == 0 { label[neighbour] = id; stack.append(neighbour) }
                    }
                }
            }
        }
        let minimumArea = max(3, height * height / 400)
        var kept: [Component] = []
        for (component, pixels) in zip(found, members) {
            if component.area >= minimumArea { kept.append(component) } else { for index in pixels { ink[index] = false } }
        }
        return (ink, kept)
    }

    /// Otsu's threshold: the grey level that best separates the histogram into two classes.
    static func otsu(_ histogram: [Int], total: Int) -> Int {
        let sum = histogram.enumerated().reduce(0.0) { $0 + Double($1.offset * $1.element) }
        var below = 0, belowSum = 0.0, best = 0.0, threshold = 127
        for level in 0..<256 {
            below += histogram[level]
            belowSum += Double(level * histogram[level])
            let above = total - below
            guard below > 0, above > 0 else { continue }
            let meanBelow = belowSum / Double(below), meanAbove = (sum - belowSum) / Double(above)
            let between = Double(below) * Double(above) * (meanBelow - meanAbove) * (meanBelow - meanAbove)
            if between > best { best = between; threshold = level }
        }
        return threshold
    }

    /// The capitals' height: the 75th percentile of component heights (fillers are lower, and
    /// there are fewer of them than capitals and digits in any zone line).
    static func capHeight(_ components: [Component]) -> Double? {
        let heights = components.map(\.height).sorted()
        guard heights.count >= 10 else { return nil }
        return Double(heights[heights.count * 3 / 4])
    }

    /// Least-squares line through points; nil for fewer than two distinct x.
    static func fitLine(_ points: [(x: Double, y: Double)]) -> (intercept: Double, slope: Double)? {
        guard points.count >= 2 else { return nil }
        let n = Double(points.count)
        let mx = points.reduce(0) { $0 + $1.x } / n, my = points.reduce(0) { $0 + $1.y } / n
        let sxx = points.reduce(0) { $0 + ($1.x - mx) * ($1.x - mx) }
        guard sxx > 0 else { return nil }
        let slope = points.reduce(0) { $0 + ($1.x - mx) * ($1.y - my) } / sxx
        return (my - slope * mx, slope)
    }

    /// The centre line of the capitals and the best grid of 30, 36 or 44 cells, or nil when the
    /// components do not sit on a regular grid of one of those lengths.
    static func fitGrid(_ all: [Component]) -> Grid? {
        guard let cap = capHeight(all) else { return nil }
        // Capitals and digits: the centre line, refitted without components off it (parts of
        // the neighbouring lines that the box also holds).
        var tall = all.filter { Double($0.height) >= 0.8 * cap && Double($0.height) <= 1.3 * cap }
        guard tall.count >= 8, var line = fitLine(tall.map { ($0.centreX, $0.centreY) }) else { return nil }
        for _ in 0..<2 {
            tall = tall.filter { abs($0.centreY - (line.intercept + line.slope * $0.centreX)) < 0.35 * cap }
            guard tall.count >= 8, let refit = fitLine(tall.map { ($0.centreX, $0.centreY) }) else { return nil }
            line = refit
        }
        guard abs(line.slope) < 0.1 else { return nil }
        // Glyphs: everything at least half a capital high, centred near that line.
        let glyphs = all.filter { component in
            Double(component.height) >= 0.4 * cap && Double(component.height) <= 1.3 * cap
                && abs(component.centreY - (line.intercept + line.slope * component.centreX)) < 0.4 * cap
        }
        guard let left = glyphs.map(\.minX).min(), let right = glyphs.map(\.maxX).max() else { return nil }
        var best: (grid: Grid, residual: Double)?
        for count in lengths {
            var pitch = Double(right - left + 1) / Double(count)
            var origin = Double(left) + pitch / 2
            var residual = Double.infinity
            var covered = 0
            for _ in 0..<3 {
                var points: [(x: Double, y: Double)] = []
                var cells = Set<Int>()
                for glyph in glyphs where Double(glyph.width) <= 1.2 * pitch {
                    let cell = Int(((glyph.centreX - origin) / pitch).rounded())
                    guard cell >= 0, cell < count else { continue }
                    points.append((Double(cell), glyph.centreX))
                    cells.insert(cell)
                }
                guard let fit = fitLine(points), fit.slope > 0 else { break }
                origin = fit.intercept
                pitch = fit.slope
                residual = points.reduce(0) { $0 + abs($1.y - (origin + pitch * $1.x)) } / Double(points.count) / pitch
                covered = cells.count
            }
            guard residual < 0.12, covered * 10 >= count * 6,
                  pitch >= 0.5 * cap, pitch <= 1.6 * cap,
                  origin - pitch / 2 <= Double(left) + 0.3 * pitch,
                  origin + pitch * (Double(count) - 0.5) >= Double(right) - 0.3 * pitch else { continue }
            let grid = Grid(count: count, origin: origin, pitch: pitch, intercept: line.intercept, slope: line.slope, capHeight: cap)
            if best == nil || residual < best!.residual { best = (grid, residual) }
        }
        return best?.grid
    }

    /// The height of the ink in the middle 60% of a cell's width, within a capital's height of
    /// the centre line; nil for a cell with no ink (a zone has no spaces).
    static func inkExtent(_ ink: [Bool], width: Int, height: Int, grid: Grid, cell: Int) -> Int? {
        let centre = grid.centre(cell)
        // A cell of a tilted or cut-off line may lie partly or wholly outside the crop.
        let left = max(0, Int((centre.x - 0.3 * grid.pitch).rounded())), right = min(width - 1, Int((centre.x + 0.3 * grid.pitch).rounded()))
        let top = max(0, Int((centre.y - 0.8 * grid.capHeight).rounded())), bottom = min(height - 1, Int((centre.y + 0.8 * grid.capHeight).rounded()))
        guard left <= right, top <= bottom else { return nil }
        let xs = left...right
        var first: Int?, last: Int?
        for y in top...bottom where xs.contains(where: { ink[y * width + $0] }) {
            if first == nil { first = y }
            last = y
        }
        guard let first, let last else { return nil }
        return last - first + 1
    }

    /// The given cells copied, each shifted onto one straight centre line, at their places in
    /// a white strip of the whole line's width plus `margin` on every side (only: just the one
    /// cell, in a strip of its own).
    static func straightened(_ image: PixelBuffer, grid: Grid, cells: [Int], margin: Int, only: Bool = false) -> PixelBuffer {
        let cellWidth = Int(grid.pitch.rounded())
        let cellHeight = Int((1.6 * grid.capHeight).rounded())
        let columns = only ? 1 : grid.count
        let width = columns * cellWidth + 2 * margin, height = cellHeight + 2 * margin
        var out = [UInt8](repeating: 255, count: width * height)
        for (slot, cell) in cells.enumerated() {
            let column = only ? slot : cell
            let centre = grid.centre(cell)
            let sourceX = Int((centre.x - grid.pitch / 2).rounded()), sourceY = Int((centre.y - Double(cellHeight) / 2).rounded())
            image.forEachPixel(inWindowAt: sourceX, sourceY, width: cellWidth, height: cellHeight) { row, x, from in
                out[(margin + row) * width + margin + column * cellWidth + x] = image.pixels[from]
            }
        }
        return PixelBuffer(width: width, height: height, channels: 1, pixels: out)
    }
}
