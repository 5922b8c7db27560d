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

    /// Makes the image upright in its own storage, when this buffer holds the only reference to
    /// it: a 100 MP photo turned by `applying` would need its 300 MB twice for a moment.
    /// Images of up to `inPlaceThreshold` pixels are copied instead, which is faster.
    public mutating func orient(_ orientation: ExifOrientation, inPlaceAbove inPlaceThreshold: Int = PixelBuffer.orientInPlaceAbove) {
        if orientation == .up { return }
        guard width * height > inPlaceThreshold else {
            self = applying(orientation)
            return
        }
        let (width, height, channels) = (self.width, self.height, self.channels)
        var samples = pixels
        pixels = []  // `samples` now holds the only reference, so it is changed where it lies.
        // Every orientation is a flip of rows and/or columns, then for the four that swap the
        // axes a transposition: (5) transpose, (6) flip rows then transpose, (7) both flips then
        // transpose, (8) flip columns then transpose.
        let flipsColumns = [.upMirrored, .down, .rightMirrored, .left].contains(orientation)
        let flipsRows = [.down, .downMirrored, .right, .rightMirrored].contains(orientation)
        samples.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            if flipsRows { Self.flipRows(base, width: width, height: height, channels: channels) }
            if flipsColumns { Self.flipColumns(base, width: width, height: height, channels: channels) }
            if orientation.swapsAxes { Self.transpose(base, width: width, height: height, channels: channels) }
        }
        self = PixelBuffer(width: orientation.swapsAxes ? height : width, height: orientation.swapsAxes ? width : height,
                           channels: channels, pixels: samples)
    }

    /// Above this many pixels, `orient` turns an image in place (48 MB of RGB).
    public static let orientInPlaceAbove = 16_000_000

    private static func flipRows(_ base: UnsafeMutablePointer<UInt8>, width: Int, height: Int, channels: Int) {
        let rowBytes = width * channels
        var top = 0, bottom = height - 1
        while top < bottom {
            let a = base + top * rowBytes, b = base + bottom * rowBytes
            for index in 0..<rowBytes { let kept = a[index]; a[index] = b[index]; b[index] = kept }
            top += 1; bottom -= 1
        }
    }

    private static func flipColumns(_ base: UnsafeMutablePointer<UInt8>, width: Int, height: Int, channels: Int) {
        for row in 0..<height {
            let line = base + row * width * channels
            var left = 0, right = width - 1
            while left < right {
                for channel in 0..<channels {
                    let kept = line[left * channels + channel]
                    line[left * channels + channel] = line[right * channels + channel]
                    line[right * channels + channel] = kept
                }
                left += 1; right -= 1
            }
        }
    }

    /// Transposes `height` rows of `width` pixels into `width` rows of `height` pixels in place,
    /// by following each cycle of the permutation once (a bit per pixel marks those moved).
    private static func transpose(_ base: UnsafeMutablePointer<UInt8>, width: Int, height: Int, channels: Int) {
        let count = width * height
        var moved = [UInt64](repeating: 0, count: (count + 63) / 64)
        // The pixel that lands at `target` of the transposed image: (x, y) there is (y, x) here.
        func source(of target: Int) -> Int { (target % height) * width + target / height }
        var saved: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
        moved.withUnsafeMutableBufferPointer { moved in
            for start in 0..<count where moved[start >> 6] & (1 << UInt64(start & 63)) == 0 {
                withUnsafeMutableBytes(of: &saved) { kept in
                    for channel in 0..<channels { kept[channel] = base[start * channels + channel] }
                }
                var current = start
                while true {
                    moved[current >> 6] |= 1 << UInt64(current & 63)
                    let from = source(of: current)
                    if from == start {
                        withUnsafeBytes(of: saved) { kept in
                            for channel in 0..<channels { base[current * channels + channel] = kept[channel] }
                        }
                        break
                    }
                    (base + current * channels).update(from: base + from * channels, count: channels)
                    current = from
                }
            }
        }
    }
}
