import Foundation
import Synchronization
private import CObscuraVision

/// Counts of a finished batch.
package struct BatchSummary: Sendable, Equatable {
    package var written = 0
    package var failed = 0
    package var skipped = 0
    /// Of `skipped`: inputs whose output existed (`skipExisting`).
    package var existing = 0
    package var total: Int { written + failed + skipped }

    package init() {}

    /// Counts one finished item.
    package mutating func count(_ record: ReportRecord) {
        switch record.outcome {
        case .written: written += 1
        case .failed: failed += 1
        case .skipped:
            skipped += 1
            if record.skipReason == .outputExists { existing += 1 }
        }
    }
}

/// Runs work items on the worker pool. Each item is read, anonymized and written on its own; a
/// failing item is recorded and the batch carries on.
package final class BatchRunner: Sendable {
    package let anonymizer: Anonymizer
    package let pool: WorkerPool
    /// Leave outputs that exist alone and count their inputs as skipped, so a stopped run into
    /// the same folder can resume. Default false (an existing output fails its input unless
    /// the options ask to overwrite).
    package let skipExisting: Bool
    /// Inputs declaring more pixels fail with `input.too-large` before they are decoded.
    package let maximumPixels: Int
    /// With `--verify`: a folder for PNG crops of the faces a failed or flagged check reports,
    /// named after the input (`IMG_0042.face-1.png`). Nil writes none.
    package let verifyCropsDirectory: String?

    /// `jobs`: worker count (default: the number of cores).
    package convenience init(anonymizer: Anonymizer, jobs: Int? = nil, skipExisting: Bool = false,
                            maximumPixels: Int = ImageDecoder.defaultMaximumPixels, verifyCropsDirectory: String? = nil) {
        self.init(anonymizer: anonymizer, pool: WorkerPool(threads: jobs ?? ProcessInfo.processInfo.activeProcessorCount),
                  skipExisting: skipExisting, maximumPixels: maximumPixels, verifyCropsDirectory: verifyCropsDirectory)
    }

    package init(anonymizer: Anonymizer, pool: WorkerPool, skipExisting: Bool = false,
                maximumPixels: Int = ImageDecoder.defaultMaximumPixels, verifyCropsDirectory: String? = nil) {
        self.anonymizer = anonymizer
        self.pool = pool
        self.skipExisting = skipExisting
        self.maximumPixels = maximumPixels
        self.verifyCropsDirectory = verifyCropsDirectory
    }

    /// Processes every item; calls `onStart` as a worker takes an item and `onRecord` as each
    /// finishes (both from worker threads; `onRecord` one call at a time). No output may
    /// replace any input of the batch or a `protected` file (the run's report).
    package func run(_ items: [BatchItem], protected: [String] = [], onStart: (@Sendable (BatchItem) -> Void)? = nil,
                    onRecord: @escaping @Sendable (ReportRecord) -> Void) -> BatchSummary {
        // Workers × OpenCV threads (resizing, the cascade) should not exceed the cores.
        let workers = min(pool.threads, max(1, items.count))
        obscura_cv_set_threads(Int32(max(1, ProcessInfo.processInfo.activeProcessorCount / workers)))
        let inputs = items.compactMap { item -> String? in
            if case .file(let path) = item.source { return path }
            return nil
        }
        let shared = SharedBatchState(untouchable: FileIdentitySet(inputs + protected))
        pool.forEach(items.count) { [self] index in
            onStart?(items[index])
            let record = process(items[index], claimed: shared)
            shared.summary.withLock { summary in
                summary.count(record)
                onRecord(record)
            }
        }
        return shared.summary.withLock { $0 }
    }

    func process(_ item: BatchItem, claimed: SharedBatchState) -> ReportRecord {
        let options = anonymizer.options
        var record = ReportRecord(input: item.displayName, outcome: .failed, settings: options, models: anonymizer.models)
        do {
            let input = try read(item.source)
            record.inputSHA256 = Digest.sha256(input)
            if item.foundInFolder && ImageFormat.sniff(input) == nil {
                record.outcome = .skipped
                record.skipReason = .notAnImage
                return record
            }
            // Refuse unreadable formats before an output path is claimed for them.
            let inputFormat = try ImageDecoder.supportedFormat(of: input)
            let requested = item.formatFromName ?? options.format
            var outputPath: String?
            if case .file(let path) = item.destination {
                let resolved = Anonymizer.resolve(requested, input: inputFormat)
                let finalPath = item.formatFromName == nil ? Self.path(path, for: resolved, input: inputFormat, source: item.source) : path
                guard try claim(finalPath, source: item.source, claimed: claimed, overwrite: options.overwrite) else {
                    record.outcome = .skipped
                    record.skipReason = .outputExists
                    record.output = finalPath
                    return record
                }
                outputPath = finalPath
            }
            var crops: [VerifyCrop] = []
            defer { record.verifyCrops = writeCrops(crops, for: item) }
            let result = try anonymizer.anonymize(input, outputFormat: requested, maximumPixels: maximumPixels,
                                                  verifyCrops: verifyCropsDirectory == nil ? nil : { crops = $0 })
            record.record(result)
            switch item.destination {
            case .standardOutput:
                FileHandle.standardOutput.write(Data(result.bytes))
                record.output = "-"
            case .file:
                try AtomicFile.write(result.bytes, to: outputPath!, overwrite: options.overwrite)
                record.output = outputPath
            }
            record.outputSHA256 = Digest.sha256(result.bytes)
            record.outcome = .written
        } catch let error as ObscuraError {
            record.error = Failure(error)
        } catch {
            record.error = .init(code: ObscuraError.Code.fileSystem.rawValue, message: "unexpected failure")
        }
        return record
    }

    /// Writes the crops of one input into `verifyCropsDirectory`; returns their paths (nil when
    /// none). A crop that cannot be written is left out: the check's verdict stands either way.
    private func writeCrops(_ crops: [VerifyCrop], for item: BatchItem) -> [String]? {
        guard let directory = verifyCropsDirectory, !crops.isEmpty else { return nil }
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let written = crops.compactMap { crop -> String? in
            let path = (directory as NSString).appendingPathComponent(
                VerifyCrop.fileName(forInput: item.displayName == "-" ? "stdin" : item.displayName, number: crop.number))
            return (try? AtomicFile.write(crop.png, to: path, overwrite: true)) == nil ? nil : path
        }
        return written.isEmpty ? nil : written
    }

    private func read(_ source: BatchItem.Source) throws -> [UInt8] {
        switch source {
        case .standardInput:
            return [UInt8](FileHandle.standardInput.readDataToEndOfFile())
        case .file(let path):
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ObscuraError(.fileSystem, "no such file")
            }
            guard !isDirectory.boolValue, let data = FileManager.default.contents(atPath: path) else {
                throw ObscuraError(.fileSystem, "cannot read the file")
            }
            return [UInt8](data)
        }
    }

    /// Refuses outputs that would replace an input, that another item already claimed, or
    /// that exist when overwriting was not asked for. Returns false for an existing output that
    /// `skipExisting` leaves alone.
    private func claim(_ path: String, source: BatchItem.Source, claimed: SharedBatchState, overwrite: Bool) throws -> Bool {
        let target = FileIdentity.resolvedPath(path)
        if case .file(let inputPath) = source, FileIdentity.resolvedPath(inputPath) == target {
            throw ObscuraError(.outputIsInput, "the output would replace the input; choose another output folder")
        }
        // Any other input of the batch, or the report, by path or as the same file (a hard link).
        if claimed.untouchable.contains(path) {
            throw ObscuraError(.outputIsInput, "the output '\(path)' would replace an input or the report of this run; choose another output folder")
        }
        let fresh = claimed.outputs.withLock { $0.insert(target).inserted }
        guard fresh else {
            throw ObscuraError(.outputExists, "another input in this batch already writes '\(path)'")
        }
        if !overwrite && FileManager.default.fileExists(atPath: path) {
            if skipExisting { return false }
            throw ObscuraError(.outputExists, "'\(path)' already exists; pass --overwrite to replace it or --skip-existing to keep it")
        }
        return true
    }

    /// Keeps the file name when the format is unchanged, otherwise swaps the extension. When
    /// another image beside the input shares its name stem (`IMG_1.HEIC` next to `IMG_1.JPG`),
    /// the input's extension joins the stem (`IMG_1-heic.jpg`), so that outputs never collide
    /// and the name does not depend on which worker finishes first. Public for `obscura submit`,
    /// which names the results a server wrote as `anonymize` would have.
    package static func path(_ path: String, for format: ImageFormat, input: ImageFormat, source: BatchItem.Source? = nil) -> String {
        guard format != input else { return path }
        var stem = (path as NSString).deletingPathExtension
        if case .file(let inputPath) = source {
            let inputStem = (inputPath as NSString).deletingPathExtension
            let ownExtension = (inputPath as NSString).pathExtension
            let hasSibling = imageExtensions.contains { candidate in
                candidate.lowercased() != ownExtension.lowercased()
                    && FileManager.default.fileExists(atPath: inputStem + "." + candidate)
            }
            if hasSibling, !ownExtension.isEmpty { stem += "-" + ownExtension.lowercased() }
        }
        return (stem as NSString).appendingPathExtension(format.fileExtension) ?? path
    }

    /// Extensions of images that could sit beside an input under the same stem.
    static let imageExtensions: [String] = {
        let names = ["jpg", "jpeg", "jpe", "png", "webp", "gif", "tif", "tiff", "heic", "heif", "hif", "avif"]
        return names + names.map { $0.uppercased() }
    }()
}

/// State the workers of one batch share.
final class SharedBatchState: Sendable {
    let summary = Mutex(BatchSummary())
    /// Output paths already taken in this batch.
    let outputs = Mutex(Set<String>())
    /// The batch's inputs and protected files, which no output may replace.
    let untouchable: FileIdentitySet

    init(untouchable: FileIdentitySet) {
        self.untouchable = untouchable
    }
}
