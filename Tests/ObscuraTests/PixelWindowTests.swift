import Testing
@testable import Obscura

/// `PixelBuffer.forEachPixel(inWindowAt:…)`, which the face detector's second look and the MRZ
/// reader's cell strips copy windows with: only pixels inside the image are visited, at their
/// place in the window.
struct PixelWindowTests {
    /// A 5 × 4 RGB image whose every sample names its pixel: 10 × y + x.
    let image = PixelBuffer(width: 5, height: 4, channels: 3,
                            pixels: (0..<4).flatMap { y in (0..<5).flatMap { x in [UInt8](repeating: UInt8(10 * y + x), count: 3) } })

    func visited(_ x0: Int, _ y0: Int, _ width: Int, _ height: Int) -> [[Int]] {
        var seen: [[Int]] = []
        image.forEachPixel(inWindowAt: x0, y0, width: width, height: height) { row, column, offset in
            seen.append([row, column, Int(image.pixels[offset])])
        }
        return seen
    }

    @Test("a window over the top-left corner visits only the pixels inside the image, at their window places")
    func overTheCorner() {
        #expect(visited(-1, -2, 3, 3) == [[2, 1, 0], [2, 2, 1]])
    }

    @Test("a window inside the image visits every pixel; one beyond any side visits none")
    func insideAndOutside() {
        #expect(visited(1, 1, 2, 2) == [[0, 0, 11], [0, 1, 12], [1, 0, 21], [1, 1, 22]])
        #expect(visited(5, 0, 3, 3).isEmpty)
        #expect(visited(0, 4, 3, 3).isEmpty)
        #expect(visited(-10, -10, 3, 3).isEmpty)
        #expect(visited(3, 3, 4, 4) == [[0, 0, 33], [0, 1, 34]])
    }
}
