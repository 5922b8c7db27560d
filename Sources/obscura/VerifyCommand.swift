import ArgumentParser
import Foundation
import Obscura
import Synchronization

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-check files: no metadata beyond the pixels, no face left unredacted.",
        discussion: """
        A file passes when Obscura's inspector finds nothing beyond what describes the pixels \
        (size, bit depth, colour type, JFIF density, a standard colour profile), the image decodes \
        completely, and the face detector finds no face at --threshold. Detections on areas that \
        are a solid fill or a coarse mosaic (what anonymize paints) are not faces; a blurred face \
        may still be reported as one. --verify-crops DIR writes a crop of each reported face for a \
        person to judge: the only unpainted face pixels Obscura writes on purpose. When the face model is not installed the face check is \
        skipped and said so. Values are never printed: use 'obscura inspect --values' on your own \
        file to see them.

        Exit codes: 0 every file passed, 1 some file has leaks or cannot be read, 2 usage error, \
        3 the face model is corrupt.
        """
    )

    @Argument(help: ArgumentHelp("Files or folders to check.", valueName: "FILE"))
    var inputs: [String]

    @Option(help: ArgumentHelp("Minimum detector score for a face to count (\(OptionTable.threshold.rangeText ?? "")). Stricter than anonymize's 0.2: lower finds a few more faces and many more false alarms (see the README's measured rates)."))
    var threshold: Double = VerifyOptions().threshold

    @Option(name: .customLong(OptionTable.minimumFace.flag), help: OptionTable.minimumFace.argumentHelp())
    var minimumFace: Int = VerifyOptions().minimumFace

    @Flag(name: .customLong("no-faces"), help: "Check metadata only.")
    var skipFaces = false

    @OptionGroup var runOptions: RunOptions

    @Option(name: .customLong("verify-crops"), help: ArgumentHelp("When a file has unredacted faces, write a PNG crop of each (its box grown by 25%) into this folder, named after the file (photo.face-1.png), so a person can decide. These crops are the only unpainted face pixels Obscura writes on purpose; they are never printed or logged.", valueName: "DIR"))
    var verifyCrops: String?

    @Flag(help: "Print one JSON object per file on standard output.")
    var json = false

    @Flag(help: "Print only files that fail, and errors.")
    var quiet = false

    func makeOptions() -> VerifyOptions {
        var options = VerifyOptions()
        options.faces = !skipFaces
        options.threshold = threshold
        options.minimumFace = minimumFace
        options.maximumPixels = runOptions.maximumPixels
        return options
    }

    func validate() throws {
        do {
            try makeOptions().validate()
        } catch let error as ObscuraError {
            throw ValidationError(error.message)
        }
    }

    func run() throws {
        let console = Console(quiet: quiet)
        let options = makeOptions()
        var files: [String] = []
        for input in inputs {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory), isDirectory.boolValue {
                do {
                    files += try BatchPlanner.walk(input).map { (input as NSString).appendingPathComponent($0) }
                } catch let error as ObscuraError {
                    console.error("obscura: \(error.message)")
                    throw ExitCode(ExitStatus.usage)
                }
            } else {
                files.append(input)
            }
        }

        var detector: CenterFaceDetector?
        if options.faces {
            do {
                detector = try ModelSet(modelDirectory: runOptions.modelDirectory).faceDetector()
            } catch let error as ObscuraError where error.code == .modelMissing {
                console.error("obscura: faces not checked: \(error.message) (run scripts/setup.sh); checking metadata only")
            } catch let error as ObscuraError {
                console.error("obscura: set-up problem: \(error.message) [\(error.code)]")
                throw ExitCode(ExitStatus.setup)
            }
        }
        let verifier = Verifier(options: options, faceDetector: detector)
        let paths = files

        let results = Mutex([Verification?](repeating: nil, count: files.count))
        let progress = Progress(total: files.count, console: console, failedLabel: "not clean")
        let pool = WorkerPool(threads: min(runOptions.jobs ?? ProcessInfo.processInfo.activeProcessorCount, max(files.count, 1)))
        pool.forEach(paths.count) { index in
            progress.start(paths[index])
            var result: Verification
            if let data = FileManager.default.contents(atPath: paths[index]) {
                result = verifier.verify([UInt8](data))
                if let directory = verifyCrops, !result.faces.isEmpty {
                    result.crops = Self.writeCrops(of: result.faces, in: [UInt8](data), input: paths[index], directory: directory)
                }
            } else {
                var unreadable = Verification(status: .unreadable)
                unreadable.error = .init(code: ObscuraError.Code.fileSystem.rawValue, message: "cannot read the file")
                result = unreadable
            }
            results.withLock { $0[index] = result }
            progress.advance(paths[index], result.passed ? .written : .failed)
        }
        progress.finish()

        var counts = [Verification.Status: Int]()
        for (path, result) in zip(files, results.withLock { $0 }) {
            guard let result else { continue }
            counts[result.status, default: 0] += 1
            if json {
                console.json(JSONResult(path: path, result: result))
            } else {
                report(result, path: path, console: console)
            }
        }
        if !json {
            let faces = detector == nil ? "metadata only" : "metadata and faces"
            console.info("obscura: \(counts[.clean] ?? 0) clean, \(counts[.leaks] ?? 0) with leaks, \(counts[.unreadable] ?? 0) unreadable (\(faces) checked)")
        }
        if (counts[.leaks] ?? 0) + (counts[.unreadable] ?? 0) > 0 { throw ExitCode(ExitStatus.someFailed) }
    }

    /// Writes a crop of each reported face; returns the paths written.
    static func writeCrops(of faces: [Verification.Face], in bytes: [UInt8], input: String, directory: String) -> [String] {
        guard let crops = try? VerifyCrop.crops(of: faces, in: bytes) else { return [] }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return crops.compactMap { crop in
            let path = (directory as NSString).appendingPathComponent(VerifyCrop.fileName(forInput: input, number: crop.number))
            return FileManager.default.createFile(atPath: path, contents: Data(crop.png)) ? path : nil
        }
    }

    private func report(_ result: Verification, path: String, console: Console) {
        switch result.status {
        case .clean:
            console.info("clean       \(path)")
        case .unreadable:
            console.error("unreadable  \(path): \(result.error ?? Failure(code: "", message: "cannot be read"))")
        case .leaks:
            console.error("LEAKS       \(path)")
            for finding in result.metadata {
                let tags = finding.tags.isEmpty ? "" : ": " + finding.tags.prefix(8).joined(separator: ", ") + (finding.tags.count > 8 ? ", …" : "")
                console.error("            \(finding.kind.rawValue) in \(finding.location) (\(finding.byteCount) bytes)\(tags)")
            }
            for problem in result.problems {
                console.error("            unreadable structure: \(problem)")
            }
            for face in result.faces {
                let box = [face.box.x, face.box.y, face.box.width, face.box.height].map { String(Int($0.rounded())) }.joined(separator: ", ")
                console.error("            face at [\(box)] score \(face.score)")
            }
            if !result.crops.isEmpty {
                console.error("            crops: \(result.crops.joined(separator: ", "))")
            }
        }
    }
}

struct JSONResult: Encodable {
    var path: String
    var result: Verification

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(path, forKey: .path)
        try container.encode(result.status, forKey: .status)
        try container.encodeIfPresent(result.format, forKey: .format)
        try container.encode(result.metadata, forKey: .metadata)
        try container.encode(result.problems, forKey: .problems)
        try container.encode(result.faces, forKey: .faces)
        try container.encode(result.redactedDetections, forKey: .redactedDetections)
        try container.encode(result.facesChecked, forKey: .facesChecked)
        if !result.crops.isEmpty { try container.encode(result.crops, forKey: .crops) }
        try container.encodeIfPresent(result.error, forKey: .error)
    }

    enum CodingKeys: String, CodingKey { case path, status, format, metadata, problems, faces, redactedDetections, facesChecked, crops, error }
}
