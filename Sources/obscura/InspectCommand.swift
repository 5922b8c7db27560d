import ArgumentParser
import Foundation
import Obscura

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "List the metadata hidden in image files, by kind, without changing them.",
        discussion: """
        For each file, every segment, chunk, box and tag that is not pixel data is listed with its \
        kind (exif, gps, timestamps, maker-notes, serial-numbers, authorship, xmp, iptc, photoshop, \
        icc-profile, thumbnail, extra-images, comment, text, trailing-data, c2pa, container-chunk), \
        where it is and its size. Items an image needs (its structure and a standard colour profile) \
        are marked intrinsic; everything else is what `obscura anonymize` removes.

        Only tag names are shown. Metadata values (coordinates, serial numbers, names, comments) are \
        printed only with --values, and never in errors. Damaged structures are listed as problems.

        Reads JPEG, PNG, WebP, GIF, TIFF and camera raw (CR2, NEF, DNG, BigTIFF), HEIF/HEIC, AVIF, \
        JPEG 2000, JPEG XL, PSD, Netpbm and SVG.

        Exit codes: 0 every file inspected, 1 some files could not be read (each named on stderr \
        with a code), 2 usage error.
        """
    )

    @Argument(help: ArgumentHelp("Image files to inspect.", valueName: "FILE"))
    var files: [String]

    @Flag(help: "Print one JSON object per file (JSON Lines) on standard output.")
    var json = false

    @Flag(help: "Also print metadata values (GPS as decimal degrees, dates, text cut to 200 characters).")
    var values = false

    func run() throws {
        let console = Console(quiet: false)
        var failed = 0
        for (index, path) in files.enumerated() {
            let inventory: MetadataInventory
            do {
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw ObscuraError(.fileSystem, "cannot read the file")
                }
                inventory = try MetadataInspector.inspect([UInt8](data), includeValues: values)
            } catch let error as ObscuraError {
                failed += 1
                console.error("obscura: failed: \(path): \(error.message) [\(error.code)]")
                if json { console.json(InspectRecord(path: path, error: .init(code: error.code.rawValue, message: error.message))) }
                continue
            }
            if json {
                console.json(InspectRecord(path: path, inventory: inventory))
            } else {
                if index > 0 { print("") }
                print(InspectTable.render(path: path, inventory: inventory, showValues: values), terminator: "")
            }
        }
        if failed > 0 { throw ExitCode(ExitStatus.someFailed) }
    }
}

/// One file in `inspect --json` output.
struct InspectRecord: Encodable {
    struct Failure: Encodable { var code: String, message: String }
    var path: String
    var format: String?
    var kinds: [String]?
    var leaks: Int?
    var findings: [MetadataFinding]?
    var problems: [String]?
    var error: Failure?

    init(path: String, inventory: MetadataInventory) {
        self.path = path
        format = inventory.format
        kinds = inventory.kinds.sorted().map(\.rawValue)
        leaks = inventory.leaks.count
        findings = inventory.findings
        problems = inventory.problems
    }

    init(path: String, error: Failure) {
        self.path = path
        self.error = error
    }
}

/// The readable `inspect` table: findings grouped by kind.
enum InspectTable {
    static func render(path: String, inventory: MetadataInventory, showValues: Bool) -> String {
        let leaks = inventory.leaks.count
        var out = "\(path): \(inventory.format), \(inventory.findings.count) findings, \(leaks) not intrinsic"
        out += inventory.problems.isEmpty ? "\n" : ", \(inventory.problems.count) problems\n"
        let sorted = inventory.findings.enumerated().sorted { ($0.element.kind, $0.offset) < ($1.element.kind, $1.offset) }.map(\.element)
        let kindWidth = max(4, sorted.map { $0.kind.rawValue.count }.max() ?? 0)
        let whereWidth = min(48, max(5, sorted.map { $0.location.count + ($0.isIntrinsic ? 12 : 0) }.max() ?? 0))
        func pad(_ text: String, _ width: Int) -> String {
            text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
        }
        out += "  " + pad("KIND", kindWidth) + "  " + pad("WHERE", whereWidth) + "  " + pad("BYTES", 9) + "  TAGS\n"
        for finding in sorted {
            let place = finding.location + (finding.isIntrinsic ? " (intrinsic)" : "")
            var tags = finding.tags.prefix(12).joined(separator: ", ")
            if finding.tags.count > 12 { tags += ", … (\(finding.tags.count) tags)" }
            let bytes = String(finding.byteCount)
            out += "  " + pad(finding.kind.rawValue, kindWidth) + "  " + pad(place, whereWidth) + "  "
                + String(repeating: " ", count: max(0, 9 - bytes.count)) + bytes + "  " + tags + "\n"
            if showValues, let values = finding.values {
                for tag in finding.tags where values[tag] != nil {
                    out += String(repeating: " ", count: kindWidth + 4) + "\(tag) = \(values[tag] ?? "")\n"
                }
                for (key, value) in values.sorted(by: { $0.key < $1.key }) where !finding.tags.contains(key) {
                    out += String(repeating: " ", count: kindWidth + 4) + "\(key) = \(value)\n"
                }
            }
        }
        for problem in inventory.problems { out += "  problem: \(problem)\n" }
        return out
    }
}
