import Foundation
import Hummingbird
import NIOPosix
import ZIPFoundation

/// The zip behind `GET /v1/jobs/{id}/results.zip`. It is written to a temporary file beside the
/// jobs, then sent from that file; every file operation runs on the thread pool, never on the
/// task that serves the request. Memory holds one piece (`pieceBytes`) of a result and the zip's
/// central directory, never the zip, whatever the number and size of the results (a backend
/// without result files, PostgreSQL, holds one result at a time). Entries are stored, not
/// compressed: the results are JPEG, PNG or WebP already.
final class ResultsZip: @unchecked Sendable {
    // @unchecked: one request builds one zip, adding entries one after another.

    /// Bytes read, written and sent at a time.
    static let pieceBytes = 64 << 10
    /// Entries carry a fixed date (1980-01-01), so a zip says nothing about when it was made.
    static let entryDate = Date(timeIntervalSince1970: 315_532_800)

    private let url: URL
    private let archive: Archive

    private init(url: URL, archive: Archive) {
        self.url = url
        self.archive = archive
    }

    /// The zip of job `jobID`'s results, each under its entry name, as a response body.
    static func body(of jobID: String, entries: [(name: String, index: Int)], backend: any JobBackend,
                     folder: URL) async throws -> ResponseBody {
        let zip = try await create(in: folder)
        do {
            for (name, index) in entries {
                if let file = try await NIOThreadPool.singleton.runIfActive({ backend.resultFile(jobID: jobID, index: index) }) {
                    try await zip.add(name, file: file)
                } else if let bytes = try await backend.result(jobID: jobID, index: index) {
                    try await zip.add(name, bytes: bytes)
                } else {
                    throw CocoaError(.fileReadNoSuchFile)
                }
            }
            return try await zip.body()
        } catch {
            await zip.discard()
            throw error
        }
    }

    /// Starts an empty zip in `folder`, under a name no job has: what a crash leaves there is
    /// removed by the local backend's start-up sweep of orphans.
    private static func create(in folder: URL) async throws -> ResultsZip {
        let url = folder.appendingPathComponent(".\(UUID().uuidString).zip")
        return try await NIOThreadPool.singleton.runIfActive {
            ResultsZip(url: url, archive: try Archive(url: url, accessMode: .create))
        }
    }

    /// Adds a result kept as a file, read a piece at a time.
    private func add(_ name: String, file: URL) async throws {
        try await NIOThreadPool.singleton.runIfActive {
            let source = try OpenFile(reading: file)
            try self.archive.addEntry(with: name, type: .file, uncompressedSize: Int64(source.size), modificationDate: Self.entryDate,
                                 bufferSize: Self.pieceBytes) { position, count in
                Data(try source.read(at: Int(position), count: count).readableBytesView)
            }
        }
    }

    /// Adds a result held in memory.
    private func add(_ name: String, bytes: [UInt8]) async throws {
        try await NIOThreadPool.singleton.runIfActive {
            try self.archive.addEntry(with: name, type: .file, uncompressedSize: Int64(bytes.count), modificationDate: Self.entryDate,
                                 bufferSize: Self.pieceBytes) { position, count in
                Data(bytes[Int(position)..<Int(position) + count])
            }
        }
    }

    /// The finished zip as a response body read from disk a piece at a time. The file is
    /// unlinked once open, so it is gone however the download ends (completed, cut off, never
    /// started); its space is freed when the body lets go of it.
    private func body() async throws -> ResponseBody {
        let url = url
        let file = try await NIOThreadPool.singleton.runIfActive {
            defer { unlink(url.path) }
            return try OpenFile(reading: url)
        }
        return ResponseBody(contentLength: file.size) { writer in
            var offset = 0
            while offset < file.size {
                let (start, count) = (offset, min(Self.pieceBytes, file.size - offset))
                let piece = try await NIOThreadPool.singleton.runIfActive { try file.read(at: start, count: count) }
                offset += piece.readableBytes
                try await writer.write(piece)
            }
            try await writer.finish(nil)
        }
    }

    /// Removes the file after a failure.
    private func discard() async {
        let url = url
        _ = try? await NIOThreadPool.singleton.runIfActive { unlink(url.path) }
    }
}

/// A file open for reading, closed when the last user lets go of it.
private final class OpenFile: Sendable {
    struct Failed: Error {}

    let descriptor: Int32
    let size: Int

    init(reading url: URL) throws {
        descriptor = open(url.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failed() }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            close(descriptor)
            throw Failed()
        }
        size = Int(status.st_size)
    }

    deinit { close(descriptor) }

    /// `count` bytes from `offset`; a short file is an error (the file changed under us).
    func read(at offset: Int, count: Int) throws -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        while buffer.readableBytes < count {
            let done = buffer.readableBytes
            var error: Int32 = 0
            let got = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count - done) { space in
                let got = pread(descriptor, space.baseAddress, count - done, off_t(offset + done))
                if got < 0 { error = errno }
                return max(got, 0)
            }
            guard got > 0 || error == EINTR else { throw Failed() }
        }
        return buffer
    }
}
