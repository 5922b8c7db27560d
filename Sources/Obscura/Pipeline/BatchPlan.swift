import Foundation

/// One unit of work: where the bytes come from and where the cleaned copy goes.
package struct BatchItem: Sendable, Equatable {
    package enum Source: Sendable, Equatable {
        case file(String)
        case standardInput
    }

    package enum Destination: Sendable, Equatable {
        /// A file path; its extension follows the output format when it came from a folder walk.
        case file(String)
        case standardOutput
    }

    package var source: Source
    package var destination: Destination
    /// True when the item came from a folder walk: a non-image is then skipped, not failed.
    package var foundInFolder: Bool
    /// Output format asked for by the output file's own extension (`-o out.png`).
    package var formatFromName: OutputFormat?

    /// How the input is named in messages and reports.
    package var displayName: String {
        switch source {
        case .file(let path): path
        case .standardInput: "-"
        }
    }
}

/// Expands the command line's inputs into work items and maps each to its output path.
///
/// - A folder input is walked recursively (sorted, hidden entries skipped); with a single input
///   its files keep their relative paths under the output folder, with several inputs each
///   folder gets a sub-folder of its own name.
/// - A single file (or `-`) may go to a file path (`-o out.jpg`) or `-` (standard output). The
///   file's extension must name a format Obscura writes and agree with `format` unless that is
///   `keep`, so a file never holds another format than its name says.
/// - Every input path must exist (`input.missing`): a typo is caught before any work starts.
package enum BatchPlanner {
    package static func plan(inputs: [String], output: String, format: OutputFormat = .keep) throws -> [BatchItem] {
        guard !inputs.isEmpty else { throw ObscuraError(.invalidSettings, "no input given") }
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        if let missing = inputs.first(where: { $0 != "-" && !fileManager.fileExists(atPath: $0) }) {
            throw ObscuraError(.inputMissing, "no such file or folder: '\(missing)'")
        }
        let singleInput = inputs.count == 1
        let firstIsFile = inputs[0] == "-" || (fileManager.fileExists(atPath: inputs[0], isDirectory: &isDirectory) && !isDirectory.boolValue)
        let outputIsFile = output == "-" || (singleInput && firstIsFile && !output.hasSuffix("/")
            && !(fileManager.fileExists(atPath: output, isDirectory: &isDirectory) && isDirectory.boolValue)
            && !(output as NSString).pathExtension.isEmpty)

        if outputIsFile {
            guard singleInput, firstIsFile else {
                throw ObscuraError(.invalidSettings, "several inputs or a folder need an output folder, not the file '\(output)'")
            }
            let source: BatchItem.Source = inputs[0] == "-" ? .standardInput : .file(inputs[0])
            let destination: BatchItem.Destination = output == "-" ? .standardOutput : .file(output)
            return [BatchItem(source: source, destination: destination, foundInFolder: false,
                              formatFromName: output == "-" ? nil : try formatForName(output, format: format))]
        }

        var items: [BatchItem] = []
        for input in inputs {
            if input == "-" {
                throw ObscuraError(.invalidSettings, "standard input ('-') needs a single output file or '-' as output")
            }
            if fileManager.fileExists(atPath: input, isDirectory: &isDirectory), isDirectory.boolValue {
                let base = singleInput ? output : join(output, (standardized(input) as NSString).lastPathComponent)
                for relative in try walk(input) {
                    items.append(BatchItem(source: .file(join(input, relative)), destination: .file(join(base, relative)),
                                           foundInFolder: true, formatFromName: nil))
                }
            } else {
                items.append(BatchItem(source: .file(input), destination: .file(join(output, (input as NSString).lastPathComponent)),
                                       foundInFolder: false, formatFromName: nil))
            }
        }
        return items
    }

    /// The report of a run may be neither one of its inputs nor one of its outputs (by path or as
    /// the same file): with `--overwrite` it would otherwise replace a photo with JSON lines.
    package static func checkReport(_ report: String, against items: [BatchItem]) throws {
        let identity = FileIdentity(report)
        for item in items {
            if case .file(let input) = item.source, identity.matches(input) {
                throw ObscuraError(.outputIsInput, "the report '\(report)' is an input of this run; choose another report path")
            }
            if case .file(let output) = item.destination, identity.matches(output) {
                throw ObscuraError(.outputIsInput, "the report '\(report)' is an output of this run; choose another report path")
            }
        }
    }

    /// Relative paths of the files below `folder` (symbolic links to files included, linked
    /// folders not followed), sorted, hidden entries skipped.
    package static func walk(_ folder: String) throws -> [String] {
        let url = URL(fileURLWithPath: folder, isDirectory: true)
        let keys: [URLResourceKey] = [.isRegularFileKey, .isSymbolicLinkKey]
        guard let enumerator = FileManager.default.enumerator(
            at: url, includingPropertiesForKeys: keys, options: [.skipsHiddenFiles]) else {
            throw ObscuraError(.fileSystem, "cannot read the folder '\(folder)'")
        }
        // The enumerator may report paths under the folder as given or as resolved (macOS /tmp).
        let bases = Set([url.standardizedFileURL.path, url.standardizedFileURL.resolvingSymlinksInPath().path])
        var files: [String] = []
        for case let file as URL in enumerator {
            let values = try? file.resourceValues(forKeys: Set(keys))
            var isFile = values?.isRegularFile == true
            if !isFile, values?.isSymbolicLink == true {
                var isDirectory: ObjCBool = false
                isFile = FileManager.default.fileExists(atPath: file.path, isDirectory: &isDirectory) && !isDirectory.boolValue
            }
            guard isFile else { continue }
            let path = file.standardizedFileURL.path
            guard let base = bases.first(where: { path.hasPrefix($0 + "/") }) else { continue }
            files.append(String(path.dropFirst(base.count + 1)))
        }
        return files.sorted()
    }

    /// The format an output file's name asks for, refused when the extension is not one Obscura
    /// writes or contradicts `--format`.
    static func formatForName(_ path: String, format: OutputFormat) throws -> OutputFormat {
        let written = "Obscura writes .jpg (or .jpeg), .png and .webp"
        let suffix = (path as NSString).pathExtension
        guard let named = formatForExtension(path) else {
            throw ObscuraError(.invalidSettings, "the output name '\(path)' ends in .\(suffix), but \(written); "
                               + "end it with '/' to make it a folder")
        }
        if format != .keep && format != named {
            throw ObscuraError(.invalidSettings, "--format \(format.rawValue) contradicts the output name '\(path)' "
                               + "(.\(suffix)); rename the output or drop --format")
        }
        return named
    }

    static func formatForExtension(_ path: String) -> OutputFormat? {
        switch (path as NSString).pathExtension.lowercased() {
        case "jpg", "jpeg": .jpeg
        case "png": .png
        case "webp": .webp
        default: nil
        }
    }

    static func join(_ folder: String, _ relative: String) -> String {
        folder.hasSuffix("/") ? folder + relative : folder + "/" + relative
    }

    static func standardized(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }
}
