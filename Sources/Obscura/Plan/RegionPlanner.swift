/// Turns detections into regions to paint: grows each box by the margin, rounds outwards to
/// whole pixels and settles the style and cell size. Pure arithmetic, so the same detections
/// and options always give the same regions.
public enum RegionPlanner {
    public static func plan(_ detections: [Detection], imageWidth: Int, imageHeight: Int,
                            options: AnonymizeOptions) -> [Region] {
        let regions = detections.compactMap { detection -> Region? in
            let box = detection.box
            let treatment = treatment(for: detection.kind, options: options)
            let marginX = treatment.margin * (treatment.isFace ? box.width : box.height), marginY = treatment.margin * box.height
            let grownX0 = box.x - marginX, grownX1 = box.maxX + marginX
            let grownY0 = box.y - marginY, grownY1 = box.maxY + marginY
            let x0 = Int(grownX0.rounded(.down)), y0 = Int(grownY0.rounded(.down))
            let x1 = Int(grownX1.rounded(.up)), y1 = Int(grownY1.rounded(.up))
            guard x1 > max(0, x0), y1 > max(0, y0), x0 < imageWidth, y0 < imageHeight else { return nil }
            let shorterSide = min(min(x1, imageWidth) - max(x0, 0), min(y1, imageHeight) - max(y0, 0))
            return Region(detection: detection, x0: x0, y0: y0, x1: x1, y1: y1,
                          shape: treatment.shape, style: treatment.style,
                          cellSize: cellSize(shorterSide: shorterSide, cellsAcross: options.cellsAcross),
                          weak: treatment.style != .solid && (options.isWeak || treatment.isText))
        }
        // Paint in a fixed order so overlapping regions always compose the same way.
        return regions.sorted { ($0.y0, $0.x0, $0.y1, $0.x1) < ($1.y0, $1.x0, $1.y1, $1.x1) }
    }

    /// The kind of a region a person added during review. It is painted with `style` as a
    /// rectangle, exactly as drawn (no margin).
    public static let manualKind = "manual"

    /// Margin around a body on every side, as a fraction of its width across and height down.
    public static let bodyMargin = 0.05

    /// Margin around text, PII and plate boxes on every side, as a fraction of the box height
    /// (0.2): OCR character boxes hug the glyphs, and plate boxes hug the plate.
    public static let textMargin = 0.2

    /// How a kind is painted. Faces: `style`, `shape` and `margin` (a fraction of the box's
    /// width across and height down). Plates: `style`, rectangles, `textMargin`. Text and
    /// `pii.*`: `textStyle` (solid by default; anything else is weak, since pixelated text can
    /// often be read back), rectangles, `textMargin`.
    static func treatment(for kind: String, options: AnonymizeOptions)
        -> (style: RedactionStyle, shape: RegionShape, margin: Double, isFace: Bool, isText: Bool) {
        switch kind {
        case "face": (options.style, options.shape, options.margin, true, false)
        // A region a person drew: painted exactly where it was drawn.
        case manualKind: (options.style, .rect, 0, true, false)
        case "plate": (options.style, .rect, textMargin, false, false)
        // Person boxes hug the outline and predicted bodies are generous already.
        case BodyPlanner.kind: (options.style, options.shape, bodyMargin, true, false)
        case "text", _ where kind.hasPrefix("pii."): (options.textStyle, .rect, textMargin, false, true)
        default: (options.style, options.shape, options.margin, true, false)
        }
    }

    /// Cell side for pixelate and blur: the shorter side split into `cellsAcross` cells, never
    /// below 8 px at the default strength (2 px when a weaker strength is asked for).
    public static func cellSize(shorterSide: Int, cellsAcross: Int) -> Int {
        let split = (shorterSide + cellsAcross - 1) / cellsAcross
        let floor = cellsAcross <= AnonymizeOptions.strongestCellsAcross ? AnonymizeOptions.minimumStrongCellSize : 2
        return max(split, floor)
    }
}
