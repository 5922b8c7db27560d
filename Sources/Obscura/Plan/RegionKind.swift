/// What a region is, as reports, the API and the page name it (`face`, `body`, `plate`, `text`,
/// `pii.iban`, `manual`), with how it is painted. New kinds may be added; existing names never
/// change. Written as its name wherever it is encoded.
public struct RegionKind: RawRepresentable, Hashable, Sendable, Codable, Comparable, CustomStringConvertible,
    ExpressibleByStringLiteral {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.init(rawValue: value) }
    init(_ kind: PIIKind) { self.init(rawValue: kind.rawValue) }
    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
    public var description: String { rawValue }
    public static func < (lhs: RegionKind, rhs: RegionKind) -> Bool { lhs.rawValue < rhs.rawValue }

    /// A face (CenterFace).
    public static let face: RegionKind = "face"
    /// A whole person: the person detector's box or the body a face predicts (`BodyPlanner`).
    public static let body: RegionKind = "body"
    /// A licence plate.
    public static let plate: RegionKind = "plate"
    /// A line of text.
    public static let text: RegionKind = "text"
    /// A region a person drew during review: a rectangle exactly as drawn, painted like text
    /// (`textStyle`, solid by default), since what people draw over by hand is most often
    /// writing. A person who wants a drawn box painted as a face sends the kind `face`.
    public static let manual: RegionKind = "manual"

    /// True for `pii.*`: personal data read from text.
    public var isPersonalData: Bool { rawValue.hasPrefix("pii.") }
    /// Text and personal data: painted with `textStyle`, and weak unless solid.
    public var isText: Bool { self == .text || isPersonalData }
    /// Kinds whose regions are weak unless solid: text, personal data and drawn regions
    /// (pixelated writing can often be read back).
    public var weakUnlessSolid: Bool { isText || self == .manual }

    /// How a region of this kind is painted.
    public struct Treatment: Sendable, Equatable {
        public var style: RedactionStyle
        public var shape: RegionShape
        /// Growth on every side, as a fraction of the box: of its width across and height down
        /// when `marginFollowsWidth`, of its height on all sides otherwise.
        public var margin: Double
        public var marginFollowsWidth: Bool
    }

    /// Margin around a body on every side, as a fraction of its width across and height down:
    /// person boxes hug the outline, and predicted bodies are generous already.
    public static let bodyMargin = 0.05
    /// Margin around text, PII and plate boxes on every side, as a fraction of the box height
    /// (0.2): OCR character boxes hug the glyphs, and plate boxes hug the plate.
    public static let textMargin = 0.2

    /// Faces (and kinds this build does not know): `style`, `shape` and `margin`. Bodies: the
    /// same with `bodyMargin`. A drawn region: `textStyle`, a rectangle exactly as drawn. Plates:
    /// `style`, rectangles, `textMargin`. Text and `pii.*`: `textStyle` (solid by default;
    /// anything else is weak, since pixelated text can often be read back), rectangles,
    /// `textMargin`.
    public func treatment(_ options: AnonymizeOptions) -> Treatment {
        switch self {
        case .manual: Treatment(style: options.textStyle, shape: .rect, margin: 0, marginFollowsWidth: true)
        case .plate: Treatment(style: options.style, shape: .rect, margin: Self.textMargin, marginFollowsWidth: false)
        case .body: Treatment(style: options.style, shape: options.shape, margin: Self.bodyMargin, marginFollowsWidth: true)
        case _ where isText: Treatment(style: options.textStyle, shape: .rect, margin: Self.textMargin, marginFollowsWidth: false)
        default: Treatment(style: options.style, shape: options.shape, margin: options.margin, marginFollowsWidth: true)
        }
    }
}
