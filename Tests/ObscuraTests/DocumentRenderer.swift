import Foundation
@testable import Obscura

/// Renders document-like test images with ImageMagick (`/usr/bin/convert`, DejaVu fonts) and
/// records where each item's text landed, from a second, colour-coded rendering with the same
/// geometry.
struct DocumentRenderer {
    struct Item {
        /// The label printed to the left of the value (not part of the item's box).
        var label: String
        var value: String
        /// The kind the matcher must report here, or nil for a look-alike that must be left alone.
        var expected: PIIKind?
        /// Monospace (MRZ lines).
        var monospace = false
    }

    struct Spec {
        var width = 1400
        var font = "DejaVu-Sans"
        var pointSize = 28.0
        var angle = 0.0
        var noise = 0.0
        var quality = 85
        /// Seeds ImageMagick's noise, so a spec always gives the same image.
        var seed = 1
        var items: [Item]
        /// Page and text colours: paper by default, or a light or dark app card.
        var background = "white"
        var ink = "black"
        /// Gaussian blur (sigma in pixels, 0: none), a phone photo's perspective (the top
        /// corners pulled in by this fraction of the width) and uneven light (the page darkened
        /// by up to this fraction towards one side).
        var blur = 0.0
        var perspective = 0.0
        var unevenLight = 0.0
    }

    struct Rendered {
        var image: PixelBuffer
        /// Each item's box in the final image (nil when nothing of it was visible).
        var boxes: [Box?]
    }

    static var convert: URL? {
        let url = URL(fileURLWithPath: "/usr/bin/convert")
        return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
    }

    static func render(_ spec: Spec, in folder: URL, name: String) throws -> Rendered {
        guard let convert else { throw TestFailure("ImageMagick's /usr/bin/convert is not installed") }
        let lineHeight = spec.pointSize * 2.0
        let height = Int(lineHeight * Double(spec.items.count + 2))
        let valueColumn = 40.0 + spec.pointSize * 9
        var visual = ["-size", "\(spec.width)x\(height)", "xc:\(spec.background)", "-fill", spec.ink, "-pointsize", "\(spec.pointSize)"]
        var labels = ["-size", "\(spec.width)x\(height)", "xc:black", "+antialias", "-pointsize", "\(spec.pointSize)"]
        for (index, item) in spec.items.enumerated() {
            let baseline = Int(lineHeight * Double(index + 1) + spec.pointSize)
            let font = item.monospace ? "DejaVu-Sans-Mono" : spec.font
            let x = item.monospace ? 40 : Int(valueColumn)
            if !item.label.isEmpty {
                visual += ["-font", spec.font, "-annotate", "+40+\(baseline)", item.label]
            }
            visual += ["-font", font, "-annotate", "+\(x)+\(baseline)", item.value]
            labels += ["-font", font, "-fill", "rgb(\(index + 1),0,0)", "-annotate", "+\(x)+\(baseline)", item.value]
        }
        var distort = ["-distort", "SRT", "\(spec.angle)"]
        if spec.perspective > 0 {
            let inset = spec.perspective * Double(spec.width), w = Double(spec.width), h = Double(height)
            distort += ["-distort", "Perspective", "0,0 \(inset),0  \(w),0 \(w - inset),0  \(w),\(h) \(w),\(h)  0,\(h) 0,\(h)"]
        }
        visual += (spec.background == "white" ? ["-virtual-pixel", "white"]
                   : ["-background", spec.background, "-virtual-pixel", "background"]) + distort
        if spec.unevenLight > 0 {
            let shade = Int((1 - spec.unevenLight) * 100)
            visual += ["(", "-size", "\(spec.width)x\(height)", "gradient:white-gray\(shade)", "-rotate", "90", "-resize",
                       "\(spec.width)x\(height)!", ")", "-compose", "Multiply", "-composite"]
        }
        if spec.blur > 0 { visual += ["-blur", "0x\(spec.blur)"] }
        if spec.noise > 0 { visual += ["-seed", "\(spec.seed)", "-attenuate", "\(spec.noise)", "+noise", "Gaussian"] }
        let jpeg = folder.appendingPathComponent("\(name).jpg"), map = folder.appendingPathComponent("\(name)-labels.png")
        visual += ["-quality", "\(spec.quality)", jpeg.path]
        labels += ["-virtual-pixel", "black", "-filter", "point", "-interpolate", "nearest"] + distort + [map.path]
        for arguments in [visual, labels] {
            let result = try TestSupport.run(convert, arguments)
            guard result.status == 0 else { throw TestFailure("convert failed: \(result.standardError)") }
        }
        let image = try ImageDecoder.decode([UInt8](try Data(contentsOf: jpeg))).pixels
        let mapImage = try ImageDecoder.decode([UInt8](try Data(contentsOf: map))).pixels.rgb()
        var bounds = [(Int, Int, Int, Int)?](repeating: nil, count: spec.items.count)
        for y in 0..<mapImage.height {
            for x in 0..<mapImage.width {
                let offset = mapImage.offset(x: x, y: y)
                let red = Int(mapImage.pixels[offset])
                guard red > 0, red <= spec.items.count, mapImage.pixels[offset + 1] == 0 else { continue }
                if let (x0, y0, x1, y1) = bounds[red - 1] {
                    bounds[red - 1] = (min(x0, x), min(y0, y), max(x1, x), max(y1, y))
                } else {
                    bounds[red - 1] = (x, y, x, y)
                }
            }
        }
        let boxes = bounds.map { bound in
            bound.map { Box(x: Double($0.0), y: Double($0.1), width: Double($0.2 - $0.0 + 1), height: Double($0.3 - $0.1 + 1)) }
        }
        return Rendered(image: image, boxes: boxes)
    }
}
