/// An 8-bit, tightly packed, row-major image: 1 (grey), 3 (RGB) or 4 (RGBA) channels.
/// This is what detectors read and redaction writes.
public struct PixelBuffer: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let channels: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && [1, 3, 4].contains(channels))
        precondition(pixels.count == width * height * channels)
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// A buffer filled with one value in every sample.
    public init(width: Int, height: Int, channels: Int, filledWith value: UInt8 = 0) {
        self.init(width: width, height: height, channels: channels,
                  pixels: [UInt8](repeating: value, count: width * height * channels))
    }

    /// Number of colour channels (alpha excluded).
    public var colorChannels: Int { channels == 4 ? 3 : channels }

    @inline(__always) public func offset(x: Int, y: Int) -> Int { (y * width + x) * channels }

    /// Calls `body(row, column, offset)` for each pixel of the `width` × `height` window whose
    /// top left is (x0, y0) that lies inside the image: row and column within the window, offset
    /// of the pixel's first sample in `pixels`. Windows may reach beyond the image.
    @inline(__always) func forEachPixel(inWindowAt x0: Int, _ y0: Int, width windowWidth: Int, height windowHeight: Int,
                                        _ body: (_ row: Int, _ column: Int, _ offset: Int) -> Void) {
        let firstRow = max(0, -y0), endRow = min(windowHeight, height - y0)
        let firstColumn = max(0, -x0), endColumn = min(windowWidth, width - x0)
        guard firstRow < endRow, firstColumn < endColumn else { return }
        for row in firstRow..<endRow {
            for column in firstColumn..<endColumn {
                body(row, column, offset(x: x0 + column, y: y0 + row))
            }
        }
    }

    /// The buffer as RGB, dropping alpha and expanding grey; what detectors consume.
    public func rgb() -> PixelBuffer {
        if channels == 3 { return self }
        let count = width * height, channels = channels
        precondition(pixels.count >= count * channels, "pixel buffer shorter than its size")
        // Unchecked access: 12 MP of grey took about 0.1 s with checked subscripts.
        let out = [UInt8](unsafeUninitializedCapacity: count * 3) { target, initialized in
            pixels.withUnsafeBufferPointer { source in
                for index in 0..<count {
                    let from = index * channels, to = index * 3
                    if channels == 1 {
                        target[to] = source[from]; target[to + 1] = source[from]; target[to + 2] = source[from]
                    } else {
                        target[to] = source[from]; target[to + 1] = source[from + 1]; target[to + 2] = source[from + 2]
                    }
                }
            }
            initialized = count * 3
        }
        return PixelBuffer(width: width, height: height, channels: 3, pixels: out)
    }
}
