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

    /// `[x, y, width, height]` at full precision: the job store keeps what it is given, so an
    /// image reviewed and rendered later gets exactly the bytes `obscura anonymize` writes.
    /// What people read (reports, API responses) shows `rounded`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        try container.encode(contentsOf: [x, y, width, height])
    }

    /// To 0.1 px, as reports and API responses write boxes: finer is detector noise.
    var rounded: Box {
        func tenth(_ value: Double) -> Double { (value * 10).rounded() / 10 }
        return Box(x: tenth(x), y: tenth(y), width: tenth(width), height: tenth(height))
    }

    public init(from decoder: any Decoder) throws {
        var container = try decoder.unkeyedContainer()
        x = try container.decode(Double.self)
        y = try container.decode(Double.self)
        width = try container.decode(Double.self)
        height = try container.decode(Double.self)
    }
}

/// A box kept exact and written to 0.1 px (`Box.rounded`), for fields of what people read.
@propertyWrapper public struct RoundedBox: Sendable, Equatable, Codable {
    public var wrappedValue: Box
    public init(wrappedValue: Box) { self.wrappedValue = wrappedValue }
    public init(from decoder: any Decoder) throws { wrappedValue = try Box(from: decoder) }
    public func encode(to encoder: any Encoder) throws { try wrappedValue.rounded.encode(to: encoder) }
}

/// A region before planning: what a detector found, or a rectangle a person drew in review.
/// Detectors, the planner, the job store and the API all pass this one value, coded as
/// `{"kind", "box", "score"?, "evidence"?}` at full precision; reports and API responses write
/// it `rounded`.
public struct Detection: Sendable, Equatable, Codable {
    public var kind: RegionKind
    public var box: Box
    /// The detector's score, 0…1; nil for a region a person drew (or sent) without one.
    public var score: Double?
    /// For personal data (`pii.…`): why the text was taken for it. Nil for every other kind.
    /// Set by the detector only (see the API's `keepingDetectedEvidence`).
    public var evidence: PIIEvidence?

    public init(kind: RegionKind, box: Box, score: Double? = nil, evidence: PIIEvidence? = nil) {
        self.kind = kind
        self.box = box
        self.score = score
        self.evidence = evidence
    }

    /// The score, with a region drawn without one taken as sure (1): what ranks detections
    /// and what a report writes.
    public var confidence: Double { score ?? 1 }

    /// As reports and API responses show it: the box to 0.1 px, the score to 0.001.
    public var rounded: Detection {
        Detection(kind: kind, box: box.rounded, score: score.map { ($0 * 1000).rounded() / 1000 }, evidence: evidence)
    }

    enum CodingKeys: String, CodingKey { case kind, box, score, evidence }

    /// An evidence value this build does not know reads as none (a client's claim is replaced
    /// by the detector's anyway). A stored row from before evidence was recorded has none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(RegionKind.self, forKey: .kind)
        box = try container.decode(Box.self, forKey: .box)
        score = try container.decodeIfPresent(Double.self, forKey: .score)
        evidence = (try? container.decodeIfPresent(String.self, forKey: .evidence)).flatMap { PIIEvidence(rawValue: $0) }
    }
    // Encoding is the synthesised one: the four keys, absent score and evidence left out.
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

extension Region {
    /// How a region is painted, as the report (clipped) and the API's plan (not clipped) write
    /// it: `{"painted": [x, y, w, h], "shape", "style"}` in whole pixels.
    public struct Painting: Sendable, Codable, Equatable {
        public var painted: [Int]
        public var shape: RegionShape
        public var style: RedactionStyle
    }

    /// The painted rectangle as planned, not clipped (an ellipse at an edge keeps its shape).
    public var painting: Painting { Painting(painted: [x0, y0, x1 - x0, y1 - y0], shape: shape, style: style) }

    /// The painted rectangle clipped to an image of `width` × `height`.
    func painting(clippedToWidth width: Int, height: Int) -> Painting {
        let x0 = max(x0, 0), y0 = max(y0, 0)
        return Painting(painted: [x0, y0, min(x1, width) - x0, min(y1, height) - y0], shape: shape, style: style)
    }
}
