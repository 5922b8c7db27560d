/// Tells a face from a face-shaped area that has already been redacted. The face detector still
/// fires on a solid ellipse or a coarse mosaic where a face was (a solid black ellipse scores
/// about 0.36), so `verify` looks at the pixels under each detection: a solid fill has no
/// gradient at all, and a mosaic changes only along the lines of its cell grid, whereas a real
/// face has detail spread across the whole area.
public struct RedactionEvidence: Sendable, Equatable, Codable {
    /// Mean absolute luma step between neighbours, after ignoring steps below the noise floor.
    public var meanGradient: Double
    /// Share of the horizontal (vertical) gradient found in the strongest sixth of the columns
    /// (rows): near 1 for a mosaic, whose steps all lie on cell edges.
    public var columnConcentration: Double
    public var rowConcentration: Double
    /// Share of pixels within the noise floor of the most common luma value: half or more of
    /// the area under the detection is one solid fill.
    public var fillShare: Double = 0
    /// Share of neighbour steps within the noise floor: near 1 inside the flat cells of a
    /// mosaic or a fill.
    public var flatShare: Double = 0
    /// The most of the horizontal (vertical) gradient that lies on one cell grid (cells of
    /// `smallestCell` px or more, a step of slack for compression), taken over grid sizes and
    /// offsets that put at least two cell edges inside the area: near 1 for a mosaic.
    public var columnGrid: Double = 0
    public var rowGrid: Double = 0

    /// Luma steps up to this size are compression noise, not detail.
    static let noiseFloor = 4
    /// Below this mean step the area is flat: a solid fill. (0.6 until issue 16 also called 2%
    /// of real faces flat: dark or blurred ones.)
    static let flatGradient = 0.15
    /// Above this share in both directions the gradient lies on one cell grid, and with
    /// `flatCells` of the steps flat the area is a mosaic. Tuned on half A of the face set: 0.4%
    /// of real faces look like this, against half of the detections on Obscura's mosaics.
    static let gridDominance = 0.7
    static let flatCells = 0.5

    /// At least this share of one value: the detection leans on a solid fill (the detector
    /// also fires on a filled ellipse above a collar).
    static let fillDominance = 0.5

    /// True when the area is flat, mostly one fill, or changes only along a cell grid.
    /// (`columnConcentration` and `rowConcentration` are kept for reports; the grid test
    /// replaced them: on half A they called 1 real face in 500 a mosaic and missed most mosaics.)
    public var looksRedacted: Bool {
        meanGradient < Self.flatGradient || fillShare >= Self.fillDominance
            || (min(columnGrid, rowGrid) >= Self.gridDominance && flatShare >= Self.flatCells)
    }

    /// Measures the central part of `box` (the detector's box may spill past the painted area).
    public init(pixels: PixelBuffer, box: Box, centralFraction: Double = 0.6) {
        let inset = (1 - centralFraction) / 2
        let x0 = max(0, Int((box.x + box.width * inset).rounded(.down)))
        let y0 = max(0, Int((box.y + box.height * inset).rounded(.down)))
        let x1 = min(pixels.width, Int((box.maxX - box.width * inset).rounded(.up)))
        let y1 = min(pixels.height, Int((box.maxY - box.height * inset).rounded(.up)))
        guard x1 - x0 >= 3, y1 - y0 >= 3 else {
            // Too small to judge: treat as detail, so that verify errs towards reporting.
            self.init(meanGradient: 999, columnConcentration: 0, rowConcentration: 0)
            return
        }
        let width = x1 - x0, height = y1 - y0
        var luma = [Int](repeating: 0, count: width * height)
        let colour = pixels.colorChannels
        for y in 0..<height {
            for x in 0..<width {
                let at = pixels.offset(x: x0 + x, y: y0 + y)
                luma[y * width + x] = colour >= 3
                    ? (Int(pixels.pixels[at]) * 77 + Int(pixels.pixels[at + 1]) * 150 + Int(pixels.pixels[at + 2]) * 29) >> 8
                    : Int(pixels.pixels[at])
            }
        }
        var columns = [Int](repeating: 0, count: width - 1), rows = [Int](repeating: 0, count: height - 1)
        var flat = 0
        for y in 0..<height {
            for x in 0..<width {
                let value = luma[y * width + x]
                if x + 1 < width {
                    let step = abs(luma[y * width + x + 1] - value)
                    columns[x] += max(0, step - Self.noiseFloor)
                    if step <= Self.noiseFloor { flat += 1 }
                }
                if y + 1 < height {
                    let step = abs(luma[(y + 1) * width + x] - value)
                    rows[y] += max(0, step - Self.noiseFloor)
                    if step <= Self.noiseFloor { flat += 1 }
                }
            }
        }
        var histogram = [Int](repeating: 0, count: 256)
        for value in luma { histogram[value] += 1 }
        let mode = histogram.indices.max { histogram[$0] < histogram[$1] } ?? 0
        let near = histogram[max(0, mode - Self.noiseFloor)...min(255, mode + Self.noiseFloor)].reduce(0, +)
        func concentration(_ energy: [Int]) -> Double {
            let total = energy.reduce(0, +)
            guard total > 0 else { return 1 }
            let top = max(1, (energy.count + 5) / 6)
            return Double(energy.sorted(by: >).prefix(top).reduce(0, +)) / Double(total)
        }
        let steps = Double(columns.count * height + rows.count * width)
        self.init(meanGradient: Double(columns.reduce(0, +) + rows.reduce(0, +)) / steps,
                  columnConcentration: concentration(columns), rowConcentration: concentration(rows),
                  fillShare: Double(near) / Double(luma.count))
        flatShare = Double(flat) / steps
        columnGrid = Self.gridShare(columns)
        rowGrid = Self.gridShare(rows)
    }

    /// Obscura's mosaics at full strength have cells of 8 px or more.
    static let smallestCell = 8

    /// The largest share of `energy` (step sizes by position) found at, or one step beside, the
    /// edges of a grid of `smallestCell` px or more, among grids with two edges or more inside.
    static func gridShare(_ energy: [Int]) -> Double {
        let total = energy.reduce(0, +), count = energy.count
        guard total > 0 else { return 1 }
        guard count > smallestCell else { return 0 }
        var best = 0
        for cell in smallestCell..<count {
            for offset in 0..<min(cell, count - cell) {
                var sum = 0
                var edge = offset
                while edge < count {
                    for at in max(0, edge - 1)...min(count - 1, edge + 1) { sum += energy[at] }
                    edge += cell
                }
                best = max(best, sum)
            }
        }
        return Double(best) / Double(total)
    }

    public init(meanGradient: Double, columnConcentration: Double, rowConcentration: Double,
                fillShare: Double = 0) {
        self.meanGradient = meanGradient
        self.columnConcentration = columnConcentration
        self.rowConcentration = rowConcentration
        self.fillShare = fillShare
    }
}
