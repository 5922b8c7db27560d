// obscura-eval: scores anonymized images against labelled boxes.
//
//   obscura-eval --labels DATASET/labels.json --outputs OUTDIR [--fill ff00ff] [--json FILE]
//
// OUTDIR holds the outputs of any tool run over DATASET (same relative paths; the extension may
// differ), painted with the solid fill colour. A labelled box counts as covered when at least
// half of its pixels carry the fill colour. Only output pixels are read, never a tool's report,
// so any anonymizer can be scored the same way.
import Foundation
import Obscura

struct LabelledImage: Decodable {
    var file: String
    var boxes: [[Double]]
    var flags: [[String]]?
    /// A group to report separately (the plate set's `br`, `eu`, `us`), when the labels have one.
    var country: String?
}

struct Bin: Codable {
    var label: String
    var faces = 0
    var covered = 0
    var recall: Double { faces > 0 ? Double(covered) / Double(faces) : 0 }

    enum CodingKeys: String, CodingKey { case label, faces, covered, recall }
    init(label: String) { self.label = label }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(label, forKey: .label)
        try container.encode(faces, forKey: .faces)
        try container.encode(covered, forKey: .covered)
        try container.encode((recall * 10000).rounded() / 10000, forKey: .recall)
    }
    init(from decoder: any Decoder) throws { fatalError("not decoded") }
}

struct Score: Encodable {
    var images = 0
    var missingOutputs: [String] = []
    var bins = [Bin(label: "<10"), Bin(label: "10-20"), Bin(label: "20-40"), Bin(label: ">=40")]
    var all = Bin(label: "all")
    var valid = Bin(label: "all except invalid")
    var atLeast20 = Bin(label: ">=20 px")
    /// Recall per `country`, when the labels carry one.
    var byCountry: [String: Bin] = [:]
    var paintedPixels = 0
    var paintedOutsideLabels = 0
    var paintedOutsideShare: Double { paintedPixels > 0 ? Double(paintedOutsideLabels) / Double(paintedPixels) : 0 }

    enum CodingKeys: String, CodingKey { case images, missingOutputs, bins, all, valid, atLeast20, byCountry, paintedPixels, paintedOutsideLabels, paintedOutsideShare }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(images, forKey: .images)
        try container.encode(missingOutputs, forKey: .missingOutputs)
        try container.encode(bins, forKey: .bins)
        try container.encode(all, forKey: .all)
        try container.encode(valid, forKey: .valid)
        try container.encode(atLeast20, forKey: .atLeast20)
        if !byCountry.isEmpty { try container.encode(byCountry, forKey: .byCountry) }
        try container.encode(paintedPixels, forKey: .paintedPixels)
        try container.encode(paintedOutsideLabels, forKey: .paintedOutsideLabels)
        try container.encode((paintedOutsideShare * 10000).rounded() / 10000, forKey: .paintedOutsideShare)
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("obscura-eval: \(message)\n".utf8))
    exit(2)
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "verify" {
    do { try VerifyMeasurement.run(Array(arguments.dropFirst())) } catch { fail("\(error)") }
    exit(0)
}
@MainActor func value(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}
if arguments.contains("--help") || arguments.isEmpty {
    print("usage: obscura-eval --labels DATASET/labels.json --outputs OUTDIR [--fill RRGGBB] [--json FILE]")
    print("       obscura-eval verify --labels DATASET/labels.json --out DUMP.jsonl [--floor 0.1] [--left-out 3] [--models DIR] [--only LIST] [--live]")
    exit(0)
}
guard let labelsPath = value("--labels"), let outputs = value("--outputs") else { fail("--labels and --outputs are required") }
guard let fill = RGBColor(hex: value("--fill") ?? "ff00ff") else { fail("--fill takes RRGGBB") }
guard let labelData = FileManager.default.contents(atPath: labelsPath),
      let labels = try? JSONDecoder().decode([LabelledImage].self, from: labelData) else { fail("cannot read \(labelsPath)") }

@MainActor func outputPath(for file: String) -> String? {
    let base = (outputs as NSString).appendingPathComponent(file)
    let stem = (base as NSString).deletingPathExtension
    for candidate in [base, stem + ".png", stem + ".jpg", stem + ".jpeg", stem + ".webp"]
    where FileManager.default.fileExists(atPath: candidate) { return candidate }
    return nil
}

var score = Score()
for image in labels {
    guard let path = outputPath(for: image.file) else { score.missingOutputs.append(image.file); continue }
    guard let data = FileManager.default.contents(atPath: path),
          let decoded = try? ImageDecoder.decode([UInt8](data)) else { score.missingOutputs.append(image.file); continue }
    score.images += 1
    let pixels = decoded.pixels.rgb()
    let width = pixels.width, height = pixels.height
    var painted = [Bool](repeating: false, count: width * height)
    for index in 0..<(width * height) {
        painted[index] = pixels.pixels[index * 3] == fill.red && pixels.pixels[index * 3 + 1] == fill.green
            && pixels.pixels[index * 3 + 2] == fill.blue
    }
    var nearLabel = [Bool](repeating: false, count: width * height)
    for (number, box) in image.boxes.enumerated() where box.count == 4 && box[2] > 0 && box[3] > 0 {
        let x0 = max(0, Int(box[0])), y0 = max(0, Int(box[1]))
        let x1 = min(width, Int((box[0] + box[2]).rounded(.up))), y1 = min(height, Int((box[1] + box[3]).rounded(.up)))
        var inside = 0, hit = 0
        if x1 > x0 && y1 > y0 {
            for y in y0..<y1 { for x in x0..<x1 { inside += 1; if painted[y * width + x] { hit += 1 } } }
        }
        let covered = inside > 0 && hit * 2 >= inside
        let size = max(box[2], box[3])
        let bin = size < 10 ? 0 : size < 20 ? 1 : size < 40 ? 2 : 3
        let flags = image.flags.flatMap { number < $0.count ? $0[number] : nil } ?? []
        score.bins[bin].faces += 1
        score.all.faces += 1
        if covered { score.bins[bin].covered += 1; score.all.covered += 1 }
        if !flags.contains("invalid") { score.valid.faces += 1; if covered { score.valid.covered += 1 } }
        if size >= 20 { score.atLeast20.faces += 1; if covered { score.atLeast20.covered += 1 } }
        if let country = image.country {
            score.byCountry[country, default: Bin(label: country)].faces += 1
            if covered { score.byCountry[country, default: Bin(label: country)].covered += 1 }
        }
        // Painting within half a box of a label counts as on target (heads, hair, loose boxes).
        let dx = box[2] / 2, dy = box[3] / 2
        let nx0 = max(0, Int(box[0] - dx)), ny0 = max(0, Int(box[1] - dy))
        let nx1 = min(width, Int((box[0] + box[2] + dx).rounded(.up))), ny1 = min(height, Int((box[1] + box[3] + dy).rounded(.up)))
        if nx1 > nx0 && ny1 > ny0 { for y in ny0..<ny1 { for x in nx0..<nx1 { nearLabel[y * width + x] = true } } }
    }
    for index in 0..<(width * height) where painted[index] {
        score.paintedPixels += 1
        if !nearLabel[index] { score.paintedOutsideLabels += 1 }
    }
}

func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
print("images scored: \(score.images)  (missing or unreadable outputs: \(score.missingOutputs.count))")
print("recall by size (longer side of the labelled box):")
for bin in score.bins { print("  \(bin.label.padding(toLength: 6, withPad: " ", startingAt: 0)) \(percent(bin.recall).padding(toLength: 7, withPad: " ", startingAt: 0)) (\(bin.covered)/\(bin.faces))") }
for bin in [score.all, score.valid, score.atLeast20] {
    print("recall, \(bin.label): \(percent(bin.recall)) (\(bin.covered)/\(bin.faces))")
}
for (_, bin) in score.byCountry.sorted(by: { $0.key < $1.key }) {
    print("recall, \(bin.label): \(percent(bin.recall)) (\(bin.covered)/\(bin.faces))")
}
print("painted pixels outside labels (dilated by half a box): \(percent(score.paintedOutsideShare))")
if let jsonPath = value("--json") {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    guard let data = try? encoder.encode(score), FileManager.default.createFile(atPath: jsonPath, contents: data) else { fail("cannot write \(jsonPath)") }
}
