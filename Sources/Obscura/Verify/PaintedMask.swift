/// Which pixels a run painted: `anonymize --verify` knows them exactly (the pixels redaction
/// changed), so a detection lying on them is a face this run found and destroyed, whatever
/// the style looks like to the detector. Holds one bit of "changed" per pixel, never values.
package struct PaintedMask: Sendable {
    package let width: Int
    package let height: Int
    private var painted: [Bool]

    /// The pixels where `redacted` differs from `original` (same size; else nothing painted).
    package init(original: PixelBuffer, redacted: PixelBuffer) {
        width = redacted.width
        height = redacted.height
        painted = [Bool](repeating: false, count: width * height)
        guard original.width == width, original.height == height, original.channels == redacted.channels else { return }
        let channels = redacted.channels
        for index in 0..<(width * height) {
            let at = index * channels
            for channel in 0..<channels where original.pixels[at + channel] != redacted.pixels[at + channel] {
                painted[index] = true
                break
            }
        }
    }

    /// Whole painted rectangles (callers that know only boxes, and tests).
    package init(width: Int, height: Int, boxes: [Box]) {
        self.width = width
        self.height = height
        painted = [Bool](repeating: false, count: width * height)
        for box in boxes {
            let x0 = max(0, Int(box.x.rounded(.down))), y0 = max(0, Int(box.y.rounded(.down)))
            let x1 = min(width, Int(box.maxX.rounded(.up))), y1 = min(height, Int(box.maxY.rounded(.up)))
            guard x1 > x0, y1 > y0 else { continue }
            for y in y0..<y1 { for x in x0..<x1 { painted[y * width + x] = true } }
        }
    }

    /// Share of the central `centralFraction` of `box` that was painted (0 outside the image).
    package func share(of box: Box, centralFraction: Double = 0.6) -> Double {
        let inset = (1 - centralFraction) / 2
        let x0 = max(0, Int((box.x + box.width * inset).rounded(.down)))
        let y0 = max(0, Int((box.y + box.height * inset).rounded(.down)))
        let x1 = min(width, Int((box.maxX - box.width * inset).rounded(.up)))
        let y1 = min(height, Int((box.maxY - box.height * inset).rounded(.up)))
        guard x1 > x0, y1 > y0 else { return 0 }
        var count = 0
        for y in y0..<y1 { for x in x0..<x1 where painted[y * width + x] { count += 1 } }
        return Double(count) / Double((x1 - x0) * (y1 - y0))
    }
}
