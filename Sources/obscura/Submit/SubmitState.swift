import Foundation
import Obscura
import Synchronization

/// What `obscura submit` remembers in the output folder so that a stopped run resumes: which
/// inputs are done (and the output each got), and which jobs are on the server with which
/// inputs. Paths are relative to the input and output folders.
///
/// The file (`.obscura-submit.jsonl`, hidden, so folder walks skip it) is a journal of JSON
/// lines, appended as things happen, so recording an image costs one short write however large
/// the folder is. A line cut short by a crash is ignored. Each run starts by rewriting the file
/// atomically with what is still true (done inputs, open jobs).
final class SubmitState: Sendable {
    static let fileName = ".obscura-submit.jsonl"

    /// One line of the journal: exactly one of its groups is set.
    struct Entry: Codable {
        /// An input is done: `done` (relative input) was written to `output` (relative).
        var done: String?
        var output: String?
        /// A job was created: `job`'s image `n` is `images[n]`.
        var job: String?
        var images: [String]?
        /// A job was collected in full (and deleted on the server).
        var closed: String?
    }

    struct Snapshot: Sendable {
        /// Relative input → relative output.
        var done: [String: String] = [:]
        /// Open jobs, in the order they were created: id and the inputs of its images.
        var jobs: [(id: String, images: [String])] = []
    }

    let path: String
    /// True when a state file was there when the run started (a resumed run).
    let resumed: Bool
    private let snapshot: Mutex<Snapshot>
    private let handle: Mutex<FileHandle?>
    /// The output folder, opened and locked for this run.
    private let lock: Int32

    /// Another run holds the output folder.
    static let busy = ObscuraError.Code(rawValue: "output.busy")

    /// Reads the journal in `folder` (if any) and rewrites it with what is still open.
    init(folder: String) throws {
        path = (folder as NSString).appendingPathComponent(Self.fileName)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw ObscuraError(.fileSystem, "cannot create the output folder '\(folder)'")
        }
        // One run per output folder: two would send the same images and race for the outputs.
        // The lock (on the folder itself) goes when the process ends, however it ends.
        let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ObscuraError(.fileSystem, "cannot open the output folder '\(folder)'") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw ObscuraError(Self.busy, "another 'obscura submit' is writing into '\(folder)'; wait for it to end or stop it")
        }
        lock = descriptor

        var loaded = Snapshot()
        resumed = FileManager.default.fileExists(atPath: path)
        if let data = FileManager.default.contents(atPath: path) {
            var closed = Set<String>()
            var jobs: [(id: String, images: [String])] = []
            let decoder = JSONDecoder()
            for line in data.split(separator: UInt8(ascii: "\n")) {
                guard let entry = try? decoder.decode(Entry.self, from: Data(line)) else { continue }
                if let done = entry.done, let output = entry.output { loaded.done[done] = output }
                if let job = entry.job, let images = entry.images { jobs.append((job, images)) }
                if let job = entry.closed { closed.insert(job) }
            }
            loaded.jobs = jobs.filter { !closed.contains($0.id) }
        }
        snapshot = Mutex(loaded)
        // Compacted: the done inputs and the open jobs, written atomically.
        var lines = Data()
        for (input, output) in loaded.done.sorted(by: { $0.key < $1.key }) { lines += Self.line(Entry(done: input, output: output)) }
        for job in loaded.jobs { lines += Self.line(Entry(job: job.id, images: job.images)) }
        try? AtomicFile.write(Array(lines), to: path, overwrite: true)
        guard FileManager.default.fileExists(atPath: path), let file = FileHandle(forWritingAtPath: path) else {
            throw ObscuraError(.fileSystem, "cannot write the state file '\(path)'")
        }
        _ = try? file.seekToEnd()
        handle = Mutex(file)
    }

    var current: Snapshot { snapshot.withLock { $0 } }

    func markDone(_ input: String, output: String) {
        snapshot.withLock { $0.done[input] = output }
        append(Entry(done: input, output: output))
    }

    /// Forgets that `input` was done (its output is gone, so it is sent again).
    func forget(_ input: String) {
        snapshot.withLock { _ = $0.done.removeValue(forKey: input) }
    }

    func opened(job: String, images: [String]) {
        snapshot.withLock { $0.jobs.append((job, images)) }
        append(Entry(job: job, images: images))
    }

    func closed(job: String) {
        snapshot.withLock { $0.jobs.removeAll { $0.id == job } }
        append(Entry(closed: job))
    }

    /// Flushes the journal; the folder's lock stays until the process ends.
    func finish() {
        handle.withLock { file in
            try? file?.synchronize()
            try? file?.close()
            file = nil
        }
    }

    private func append(_ entry: Entry) {
        let line = Self.line(entry)
        handle.withLock { $0?.write(line) }
    }

    private static func line(_ entry: Entry) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return ((try? encoder.encode(entry)) ?? Data()) + Data("\n".utf8)
    }
}
