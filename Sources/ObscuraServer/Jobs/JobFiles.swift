import Foundation
import Obscura

/// The files of jobs under `<data>/jobs/<job id>/`: `<n>.original` from upload until the image
/// is rendered or fails (in a review job: until the job is finished, so it can be rendered
/// again), `<n>.result` once it is done. Results are written to a temporary
/// file and renamed into place, so a result file is always complete.
struct JobFiles: Sendable {
    let root: URL

    init(dataDirectory: URL) throws {
        root = dataDirectory.appendingPathComponent("jobs", isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    func folder(_ jobID: String) -> URL { root.appendingPathComponent(jobID, isDirectory: true) }
    func original(_ jobID: String, _ index: Int) -> URL { folder(jobID).appendingPathComponent("\(index).original") }
    /// A file part while it is received, before its checks.
    func upload(_ jobID: String, _ index: Int) -> URL { folder(jobID).appendingPathComponent("\(index).upload") }
    func result(_ jobID: String, _ index: Int) -> URL { folder(jobID).appendingPathComponent("\(index).result") }

    func createFolder(_ jobID: String) throws {
        try FileManager.default.createDirectory(at: folder(jobID), withIntermediateDirectories: true)
    }

    /// The whole file, read straight into one array (no second copy).
    func read(_ url: URL) throws -> [UInt8] { try Self.readWhole(url) }

    static func readWhole(_ url: URL) throws -> [UInt8] {
        let failure = ObscuraError(.fileSystem, "a stored file could not be read")
        let descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw failure }
        let size = Int(status.st_size)
        var complete = true
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            count = 0
            while count < size {
                let got = Glibc.read(descriptor, buffer.baseAddress! + count, size - count)
                if got < 0, errno == EINTR { continue }
                guard got > 0 else { break }
                count += got
            }
            complete = count == size
        }
        guard complete else { throw failure }
        return bytes
    }

    /// Writes `bytes` to a temporary file beside `url`, then renames it over `url`.
    func write(_ bytes: [UInt8], to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(UUID().uuidString).tmp")
        do {
            try Data(bytes).write(to: temporary)
            guard rename(temporary.path, url.path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw ObscuraError(.fileSystem, "a result could not be stored")
        }
    }

    func remove(_ url: URL) { try? FileManager.default.removeItem(at: url) }
    func removeFolder(_ jobID: String) { try? FileManager.default.removeItem(at: folder(jobID)) }

    /// Folders with no job row: left by a crash between writing uploads and storing the job.
    func orphans(known: Set<String>) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.filter { !known.contains($0) }
    }
}
