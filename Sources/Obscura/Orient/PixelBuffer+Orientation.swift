extension PixelBuffer {
    /// The upright image for pixels stored with the given EXIF orientation.
    public func applying(_ orientation: ExifOrientation) -> PixelBuffer {
        if orientation == .up { return self }
        let newWidth = orientation.swapsAxes ? height : width
        let newHeight = orientation.swapsAxes ? width : height
        var out = [UInt8](repeating: 0, count: pixels.count)
        let channels = self.channels
        pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for y in 0..<newHeight {
                    for x in 0..<newWidth {
                        // (sx, sy): the stored pixel that appears at upright (x, y).
                        let (sx, sy): (Int, Int)
                        switch orientation {
                        case .up: (sx, sy) = (x, y)
                        case .upMirrored: (sx, sy) = (width - 1 - x, y)
                        case .down: (sx, sy) = (width - 1 - x, height - 1 - y)
                        case .downMirrored: (sx, sy) = (x, height - 1 - y)
                        case .leftMirrored: (sx, sy) = (y, x)
                        case .right: (sx, sy) = (y, height - 1 - x)
                        case .rightMirrored: (sx, sy) = (width - 1 - y, height - 1 - x)
                        case .left: (sx, sy) = (width - 1 - y, x)
                        }
                        let from = (sy * width + sx) * channels
                        let to = (y * newWidth + x) * channels
                        for channel in 0..<channels { target[to + channel] = source[from + channel] }
                    }
                }
            }
        }
        return PixelBuffer(width: newWidth, height: newHeight, channels: channels, pixels: out)
    }
}
