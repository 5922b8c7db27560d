import Testing
@testable import Obscura

@Suite struct RedactionTests {
    func region(x0: Int, y0: Int, x1: Int, y1: Int, style: RedactionStyle, shape: RegionShape = .rect, cellsAcross: Int = 6) -> Region {
        let shorter = min(x1 - x0, y1 - y0)
        return Region(detection: Detection(kind: "face", box: Box(x: Double(x0), y: Double(y0), width: Double(x1 - x0), height: Double(y1 - y0)), score: 0.9),
                      x0: x0, y0: y0, x1: x1, y1: y1, shape: shape, style: style,
                      cellSize: RegionPlanner.cellSize(shorterSide: shorter, cellsAcross: cellsAcross),
                      weak: cellsAcross > AnonymizeOptions.strongestCellsAcross)
    }

    @Test("cell size is a sixth of the shorter side, never below 8 px by default")
    func cellSizeRule() {
        #expect(RegionPlanner.cellSize(shorterSide: 120, cellsAcross: 6) == 20)
        #expect(RegionPlanner.cellSize(shorterSide: 61, cellsAcross: 6) == 11)
        #expect(RegionPlanner.cellSize(shorterSide: 30, cellsAcross: 6) == 8)
        #expect(RegionPlanner.cellSize(shorterSide: 5, cellsAcross: 6) == 8)
        // Weaker, explicitly asked for: finer cells, down to 2 px.
        #expect(RegionPlanner.cellSize(shorterSide: 120, cellsAcross: 20) == 6)
        #expect(RegionPlanner.cellSize(shorterSide: 10, cellsAcross: 20) == 2)
    }

    @Test("pixelate paints each cell with its mean and leaves the rest of the image alone")
    func pixelateCells() {
        let original = TestSupport.gradient(width: 100, height: 80, channels: 3)
        var image = original
        let r = region(x0: 10, y0: 20, x1: 70, y1: 68, style: .pixelate)  // 60 x 48 → cell 8
        #expect(r.cellSize == 8)
        Redactor.redact(&image, region: r, fill: .black)
        for y in 0..<80 {
            for x in 0..<100 {
                let at = image.offset(x: x, y: y)
                let inside = x >= 10 && x < 70 && y >= 20 && y < 68
                if !inside {
                    #expect(image.pixels[at..<at + 3] == original.pixels[at..<at + 3], "pixel \(x),\(y) outside the region changed")
                    continue
                }
                // Every pixel equals the rounded mean of its cell in the original.
                let cx0 = 10 + (x - 10) / 8 * 8, cy0 = 20 + (y - 20) / 8 * 8
                for c in 0..<3 {
                    var sum = 0, count = 0
                    for yy in cy0..<min(cy0 + 8, 68) { for xx in cx0..<min(cx0 + 8, 70) { sum += Int(original.pixels[original.offset(x: xx, y: yy) + c]); count += 1 } }
                    if Int(image.pixels[at + c]) != (sum + count / 2) / count {
                        Issue.record("pixel \(x),\(y) channel \(c) is not its cell mean")
                        return
                    }
                }
            }
        }
    }

    @Test("pixelate and blur keep no detail finer than a cell", arguments: [RedactionStyle.pixelate, .blur])
    func noDetailBeyondCells(style: RedactionStyle) {
        // Two images whose cells have equal means but different content inside each cell must
        // come out identical: the output is a function of the cell means alone.
        let a = TestSupport.gradient(width: 64, height: 64, channels: 3)
        var b = a
        let r = region(x0: 8, y0: 8, x1: 56, y1: 56, style: style)  // cell 8, cells aligned at 8
        for cellY in stride(from: 8, to: 56, by: 8) {
            for cellX in stride(from: 8, to: 56, by: 8) {
                // Reverse the pixel order inside the cell: same mean, other detail.
                var samples: [[UInt8]] = []
                for y in cellY..<cellY + 8 { for x in cellX..<cellX + 8 { let at = a.offset(x: x, y: y); samples.append(Array(a.pixels[at..<at + 3])) } }
                samples.reverse()
                var index = 0
                for y in cellY..<cellY + 8 { for x in cellX..<cellX + 8 { let at = b.offset(x: x, y: y); b.pixels.replaceSubrange(at..<at + 3, with: samples[index]); index += 1 } }
            }
        }
        #expect(a != b)
        var redactedA = a, redactedB = b
        Redactor.redact(&redactedA, region: r, fill: .black)
        Redactor.redact(&redactedB, region: r, fill: .black)
        #expect(redactedA == redactedB)
        #expect(redactedA != a)
    }

    @Test("solid fill paints the colour; the ellipse spares the corners")
    func solidEllipse() {
        var image = PixelBuffer(width: 40, height: 30, channels: 3, filledWith: 200)
        let fill = RGBColor(hex: "ff00ff")!
        Redactor.redact(&image, region: region(x0: 0, y0: 0, x1: 40, y1: 30, style: .solid, shape: .ellipse), fill: fill)
        let centre = image.offset(x: 20, y: 15)
        #expect(Array(image.pixels[centre..<centre + 3]) == [255, 0, 255])
        for (x, y) in [(0, 0), (39, 0), (0, 29), (39, 29)] {
            let at = image.offset(x: x, y: y)
            #expect(Array(image.pixels[at..<at + 3]) == [200, 200, 200])
        }
        // Painted share of the box is close to pi/4.
        var painted = 0
        for index in 0..<(40 * 30) where image.pixels[index * 3 + 1] == 0 { painted += 1 }
        #expect(abs(Double(painted) / 1200 - Double.pi / 4) < 0.03)
    }

    @Test("an ellipse cut by the image edge keeps its shape")
    func ellipseAtEdge() {
        var image = PixelBuffer(width: 20, height: 20, channels: 3, filledWith: 100)
        // Box from -20 to 20: its centre is the image's left edge.
        Redactor.redact(&image, region: region(x0: -20, y0: 0, x1: 20, y1: 20, style: .solid, shape: .ellipse), fill: .black)
        #expect(image.pixels[image.offset(x: 0, y: 10)] == 0)
        #expect(image.pixels[image.offset(x: 19, y: 10)] == 0)
        #expect(image.pixels[image.offset(x: 19, y: 0)] == 100)  // outside the ellipse
        #expect(image.pixels[image.offset(x: 0, y: 0)] == 0)  // top of the ellipse at its centre line
    }

    @Test("alpha survives every style", arguments: RedactionStyle.allCases)
    func alphaKept(style: RedactionStyle) {
        let original = TestSupport.gradient(width: 32, height: 32, channels: 4)
        var image = original
        Redactor.redact(&image, region: region(x0: 4, y0: 4, x1: 28, y1: 28, style: style), fill: .black)
        #expect(image != original)
        for index in 0..<(32 * 32) { #expect(image.pixels[index * 4 + 3] == original.pixels[index * 4 + 3]) }
    }

    @Test("grey images get the fill colour's luma")
    func greyFill() {
        var image = PixelBuffer(width: 10, height: 10, channels: 1, filledWith: 0)
        Redactor.redact(&image, region: region(x0: 0, y0: 0, x1: 10, y1: 10, style: .solid), fill: RGBColor(hex: "ffffff")!)
        #expect(image.pixels.allSatisfy { $0 == 255 })
        Redactor.redact(&image, region: region(x0: 0, y0: 0, x1: 10, y1: 10, style: .solid), fill: RGBColor(hex: "ff0000")!)
        #expect(image.pixels.allSatisfy { $0 == 76 })
    }

    @Test("the planner grows boxes by the margin, rounds outwards and marks weak strength")
    func planner() {
        var options = AnonymizeOptions()
        options.margin = 0.25
        let detection = Detection(kind: "face", box: Box(x: 10.5, y: 20, width: 40, height: 60), score: 0.8)
        let regions = RegionPlanner.plan([detection], imageWidth: 100, imageHeight: 100, options: options)
        #expect(regions.count == 1)
        #expect((regions[0].x0, regions[0].y0, regions[0].x1, regions[0].y1) == (0, 5, 61, 95))
        #expect(regions[0].cellSize == 11)  // shorter side 61 px → ceil(61 / 6)
        #expect(!regions[0].weak)
        options.cellsAcross = 12
        #expect(RegionPlanner.plan([detection], imageWidth: 100, imageHeight: 100, options: options)[0].weak)
        options.style = .solid
        #expect(!RegionPlanner.plan([detection], imageWidth: 100, imageHeight: 100, options: options)[0].weak)
    }

    @Test("ordinary regions are painted as given; past 4× the image's area overlapping regions merge, covering every pixel they covered")
    func paintingCostIsBounded() {
        let few = [region(x0: 10, y0: 10, x1: 60, y1: 60, style: .pixelate, shape: .ellipse),
                   region(x0: 40, y0: 40, x1: 90, y1: 79, style: .blur), region(x0: 40, y0: 40, x1: 90, y1: 79, style: .blur)]
        #expect(Redactor.boundedPlan(few, width: 100, height: 80) == few)

        // Issue 17, item 5: 10,000 regions (a seeded mix of sizes, styles and shapes).
        var generator = SplitMix64(seed: 17)
        var many: [Region] = []
        for index in 0..<10_000 {
            let x0 = Int(generator.next() % 300) - 20, y0 = Int(generator.next() % 200) - 20
            let x1 = x0 + 1 + Int(generator.next() % 200), y1 = y0 + 1 + Int(generator.next() % 150)
            let styles: [RedactionStyle] = [.blur, .pixelate, .solid]
            many.append(region(x0: x0, y0: y0, x1: x1, y1: y1, style: index == 5000 ? .solid : styles[index % 2],
                               shape: index % 3 == 0 ? .ellipse : .rect))
        }
        let plan = Redactor.boundedPlan(many, width: 320, height: 240)
        #expect(plan.count < many.count)
        for (i, a) in plan.enumerated() {
            #expect(a.x0 >= 0 && a.y0 >= 0 && a.x1 <= 320 && a.y1 <= 240 && a.shape == .rect)
            for b in plan[(i + 1)...] { #expect(!(a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1), "merged regions overlap") }
        }
        #expect(plan.reduce(0) { $0 + ($1.x1 - $1.x0) * ($1.y1 - $1.y0) } <= 320 * 240)
        // Every pixel some region covered is inside a merged region; the one solid region made its
        // merged region solid, and cells never got finer.
        for original in many {
            let x0 = max(original.x0, 0), y0 = max(original.y0, 0), x1 = min(original.x1, 320), y1 = min(original.y1, 240)
            guard x1 > x0, y1 > y0 else { continue }
            let home = plan.first { $0.x0 <= x0 && $0.y0 <= y0 && $0.x1 >= x1 && $0.y1 >= y1 }
            #expect(home != nil)
            #expect((home?.cellSize ?? 0) >= original.cellSize)
        }
        #expect(plan.contains { $0.style == .solid })
        // Painting the plan is one pass, and the image is painted wherever a region was.
        var image = TestSupport.gradient(width: 320, height: 240, channels: 3)
        let painted = Redactor.redact(&image, regions: many, fill: RGBColor(red: 255, green: 0, blue: 255))
        #expect(painted == plan)
    }
}

