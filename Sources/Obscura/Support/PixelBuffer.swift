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

    /// The buffer as RGB, dropping alpha and expanding grey; what detectors consume.
    public func rgb() -> PixelBuffer {
        if channels == 3 { return self }
        var out = [UInt8](repeating: 0, count: width * height * 3)
        pixels.withUnsafeBufferPointer { source in
            for index in 0..<(width * height) {
                let from = index * channels
                if channels == 1 {
                    out[index * 3] = source[from]; out[index * 3 + 1] = source[from]; out[index * 3 + 2] = source[from]
                } else {
                    out[index * 3] = source[from]; out[index * 3 + 1] = source[from + 1]; out[index * 3 + 2] = source[from + 2]
                }
            }
        }
        return PixelBuffer(width: width, height: height, channels: 3, pixels: out)
    }
}
