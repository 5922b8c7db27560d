import Foundation

/// A rectangle turned by `angle` about its centre, in pixels of the upright image: a tilted
/// text line as the detector saw it. `length` runs along the angle, `thickness` across it.
struct OrientedBox: Sendable, Equatable {
    var centerX: Double, centerY: Double
    var length: Double, thickness: Double
    /// Radians, clockwise on screen (y grows downwards), within ±π/2.
    var angle: Double

    init(centerX: Double, centerY: Double, length: Double, thickness: Double, angle: Double) {
        self.centerX = centerX
        self.centerY = centerY
        self.length = length
        self.thickness = thickness
        self.angle = angle
    }

    /// The image point at (`along`, `across`) in the box's own frame, whose origin is its centre.
    func point(along: Double, across: Double) -> (x: Double, y: Double) {
        (centerX + along * cos(angle) - across * sin(angle), centerY + along * sin(angle) + across * cos(angle))
    }

    /// The upright box around the four corners.
    var boundingBox: Box {
        let corners = [(-1.0, -1.0), (1, -1), (1, 1), (-1, 1)].map { point(along: $0.0 * length / 2, across: $0.1 * thickness / 2) }
        let xs = corners.map(\.x), ys = corners.map(\.y)
        return Box(x: xs.min()!, y: ys.min()!, width: xs.max()! - xs.min()!, height: ys.max()! - ys.min()!)
    }
}
