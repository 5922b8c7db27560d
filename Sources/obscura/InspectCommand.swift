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
        are intrinsic; everything else is what `obscura anonymize` removes. The table leads with \
        what identifies a person or place (gps, serial numbers, authorship, thumbnails) and leaves \
        intrinsic items out unless --all is given; --json always lists every finding.

        Folders are walked as by anonymize and verify (sorted, hidden entries skipped); files in \
        them that are not images are skipped and counted.

        Only tag names are shown. Metadata values (coordinates, serial numbers, names, comments) are \
        printed only with --values, and never in errors. Damaged structures are listed as problems.

        Reads JPEG, PNG, WebP, GIF, TIFF and camera raw (CR2, NEF, DNG, BigTIFF), HEIF/HEIC, AVIF, \
        JPEG 2000, JPEG XL, PSD, Netpbm and SVG.

        Exit codes: 0 every file inspected, 1 some files could not be read (each named on stderr \
        with a code), 2 usage error.
        """
    )

    @Argument(help: ArgumentHelp("Image files or folders to inspect.", valueName: "INPUT"))
    var files: [String]

    @Flag(help: "Also list intrinsic items (image structure such as HEIF ispe and pixi boxes, a standard colour profile) in the table.")
    var all = false

    @Flag(help: "Print one JSON object per file (JSON Lines) on standard output.")
    var json = false

    @Flag(help: "Also print metadata values (GPS as decimal degrees, dates, text cut to 200 characters).")
    var values = false

    func run() throws {
        let console = Console(quiet: false)
        var failed = 0, skipped = 0, shown = 0
        for (path, foundInFolder) in try expandedInputs(console: console) {
            let inventory: MetadataInventory
            do {
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw ObscuraError(.fileSystem, "cannot read the file")
                }
                inventory = try MetadataInspector.inspect([UInt8](data), includeValues: values)
            } catch let error as ObscuraError where foundInFolder && error.code == .notAnImage {
                skipped += 1
                continue
            } catch let error as ObscuraError {
                failed += 1
                console.error("obscura: failed: \(path): \(error.message) [\(error.code)]")
                if json { console.json(InspectRecord(path: path, error: Failure(error, keepingCause: false))) }
                continue
            }
            if json {
                console.json(InspectRecord(path: path, inventory: inventory))
            } else {
                if shown > 0 { print("") }
                print(InspectTable.render(path: path, inventory: inventory, showValues: values, showIntrinsic: all), terminator: "")
            }
            shown += 1
        }
        if skipped > 0 { console.info("obscura: \(skipped) file\(skipped == 1 ? "" : "s") skipped (not images)") }
        if failed > 0 { throw ExitCode(ExitStatus.someFailed) }
    }

    /// Files as given, and the files below each folder (marked as found in a folder).
    private func expandedInputs(console: Console) throws -> [(path: String, foundInFolder: Bool)] {
        var expanded: [(path: String, foundInFolder: Bool)] = []
        for input in files {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory), isDirectory.boolValue else {
                expanded.append((input, false))
                continue
            }
            do {
                expanded += try BatchPlanner.walk(input).map { ((input as NSString).appendingPathComponent($0), true) }
            } catch let error as ObscuraError {
                console.error("obscura: \(error.message)")
                throw ExitCode(ExitStatus.usage)
            }
        }
        return expanded
    }
}

/// One file in `inspect --json` output.
struct InspectRecord: Encodable {
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

/// The readable `inspect` table: what identifies a person or place first, grouped by kind;
/// intrinsic items only when asked for.
enum InspectTable {
    /// The order of the table: location, identity and hidden pictures before device details,
    /// containers last.
    static let order: [MetadataKind] = [.gps, .serialNumbers, .authorship, .thumbnail, .extraImages, .timestamps, .comment,
                                        .text, .makerNotes, .c2pa, .exif, .xmp, .iptc, .photoshop, .iccProfile, .trailingData,
                                        .containerChunk, .imageStructure]

    static func render(path: String, inventory: MetadataInventory, showValues: Bool, showIntrinsic: Bool = false) -> String {
        let leaks = inventory.leaks.count
        var out = "\(path): \(inventory.format), \(inventory.findings.count) findings, \(leaks) not intrinsic"
        out += inventory.problems.isEmpty ? "\n" : ", \(inventory.problems.count) problems\n"
        let rank = { (kind: MetadataKind) in order.firstIndex(of: kind) ?? order.count }
        let sorted = inventory.findings.enumerated()
            .filter { showIntrinsic || !$0.element.isIntrinsic }
            .sorted { ($0.element.isIntrinsic ? 1 : 0, rank($0.element.kind), $0.offset) < ($1.element.isIntrinsic ? 1 : 0, rank($1.element.kind), $1.offset) }
            .map(\.element)
        let hidden = inventory.findings.count - sorted.count
        if !sorted.isEmpty { out += rows(sorted, showValues: showValues) }
        if hidden > 0 {
            let items = hidden == 1 ? "1 intrinsic item" : "\(hidden) intrinsic items"
            out += sorted.isEmpty
                ? "  nothing but the image itself (\(items); --all lists them)\n"
                : "  and \(items) (image structure, standard colour profiles; --all lists them)\n"
        }
        for problem in inventory.problems { out += "  problem: \(problem)\n" }
        return out
    }

    private static func rows(_ findings: [MetadataFinding], showValues: Bool) -> String {
        let kindWidth = max(4, findings.map { $0.kind.rawValue.count }.max() ?? 0)
        let whereWidth = min(48, max(5, findings.map { $0.location.count + ($0.isIntrinsic ? 12 : 0) }.max() ?? 0))
        func pad(_ text: String, _ width: Int) -> String {
            text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
        }
        var out = "  " + pad("KIND", kindWidth) + "  " + pad("WHERE", whereWidth) + "  " + pad("BYTES", 9) + "  TAGS\n"
        for finding in findings {
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
        return out
    }
}
