/// An axis-aligned rectangle in pixels of the upright image. Detector boxes use fractional
/// coordinates; painted areas are whole pixels.
public struct Box: Sendable, Equatable, Codable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public var maxX: Double { x + width }
    public var maxY: Double { y + height }
    public var area: Double { max(0, width) * max(0, height) }

    public func intersectionArea(with other: Box) -> Double {
        let w = min(maxX, other.maxX) - max(x, other.x)
        let h = min(maxY, other.maxY) - max(y, other.y)
        return w > 0 && h > 0 ? w * h : 0
    }

    public func intersectionOverUnion(with other: Box) -> Double {
        let intersection = intersectionArea(with: other)
        let union = area + other.area - intersection
        return union > 0 ? intersection / union : 0
    }

    public func encode(to encoder: any Encoder) throws {
        // Reports carry boxes as [x, y, w, h] rounded to 0.1 px.
        var container = encoder.unkeyedContainer()
        for value in [x, y, width, height] { try container.encode((value * 10).rounded() / 10) }
    }

    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        x = try container.decode(Double.self)
        y = try container.decode(Double.self)
        width = try container.decode(Double.self)
        height = try container.decode(Double.self)
    }
}

/// What a detector found: a box and its score. Detectors produce only these.
public struct Detection: Sendable, Equatable {
    public var kind: RegionKind
    public var box: Box
    public var score: Double
    /// For personal data (`pii.…`): why the text was taken for it. Nil for every other kind.
    public var evidence: PIIEvidence?

    public init(kind: RegionKind, box: Box, score: Double, evidence: PIIEvidence? = nil) {
        self.kind = kind
        self.box = box
        self.score = score
        self.evidence = evidence
    }
}

/// A planned redaction: the detection, the whole-pixel area that will be painted (grown by the
/// margin, not yet clipped to the image, so an ellipse keeps its shape at the edges) and how.
public struct Region: Sendable, Equatable {
    public var detection: Detection
    /// Painted rectangle in whole pixels: x0, y0 inclusive, x1, y1 exclusive.
    public var x0: Int, y0: Int, x1: Int, y1: Int

    /// The painted rectangle as a box.
    public var paintedBox: Box { Box(x: Double(x0), y: Double(y0), width: Double(x1 - x0), height: Double(y1 - y0)) }
    public var shape: RegionShape
    public var style: RedactionStyle
    /// Side of a pixelation cell in pixels.
    public var cellSize: Int
    /// True when the strength is weaker than the irreversible default.
    public var weak: Bool
}
