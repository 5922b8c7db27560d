/// Turns detections into regions to paint: grows each box by the margin, rounds outwards to
/// whole pixels and settles the style and cell size. Pure arithmetic, so the same detections
/// and options always give the same regions.
public enum RegionPlanner {
    public static func plan(_ detections: [Detection], imageWidth: Int, imageHeight: Int,
                            options: AnonymizeOptions) -> [Region] {
        let regions = detections.compactMap { detection -> Region? in
            let box = detection.box
            let treatment = detection.kind.treatment(options)
            let marginX = treatment.margin * (treatment.marginFollowsWidth ? box.width : box.height), marginY = treatment.margin * box.height
            let grownX0 = box.x - marginX, grownX1 = box.maxX + marginX
            let grownY0 = box.y - marginY, grownY1 = box.maxY + marginY
            let x0 = Int(grownX0.rounded(.down)), y0 = Int(grownY0.rounded(.down))
            let x1 = Int(grownX1.rounded(.up)), y1 = Int(grownY1.rounded(.up))
            guard x1 > max(0, x0), y1 > max(0, y0), x0 < imageWidth, y0 < imageHeight else { return nil }
            let shorterSide = min(min(x1, imageWidth) - max(x0, 0), min(y1, imageHeight) - max(y0, 0))
            return Region(detection: detection, x0: x0, y0: y0, x1: x1, y1: y1,
                          shape: treatment.shape, style: treatment.style,
                          cellSize: cellSize(shorterSide: shorterSide, cellsAcross: options.cellsAcross),
                          weak: treatment.style != .solid && (options.isWeak || detection.kind.weakUnlessSolid))
        }
        // Paint in a fixed order so overlapping regions always compose the same way.
        return regions.sorted { ($0.y0, $0.x0, $0.y1, $0.x1) < ($1.y0, $1.x0, $1.y1, $1.x1) }
    }

    /// The kind of a region a person added during review (`RegionKind.manual`).
    public static let manualKind = RegionKind.manual

    /// Cell side for pixelate and blur: the shorter side split into `cellsAcross` cells, never
    /// below 8 px at the default strength (2 px when a weaker strength is asked for).
    public static func cellSize(shorterSide: Int, cellsAcross: Int) -> Int {
        let split = (shorterSide + cellsAcross - 1) / cellsAcross
        let floor = cellsAcross <= AnonymizeOptions.strongestCellsAcross ? AnonymizeOptions.minimumStrongCellSize : 2
        return max(split, floor)
    }
}
