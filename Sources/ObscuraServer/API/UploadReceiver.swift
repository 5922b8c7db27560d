import Foundation
import Hummingbird
import NIOPosix
import Obscura

/// Bytes of upload bodies in flight across all requests (`--max-inflight`), and how many
/// requests may be reading a body at once. An upload holds its Content-Length (or, sent
/// chunked, what has arrived so far) from its first byte until its job is stored; one that does
/// not fit is answered 503 with `Retry-After`. The count keeps slow bodies (a byte a minute)
/// from taking every connection: past it they are refused at once, and the connection cap can
/// close them as idle.
final class UploadBudget: @unchecked Sendable {
    let capacity: Int
    let maximumUploads: Int
    private let lock = NSLock()
    private var used = 0
    private var uploads = 0

    init(capacity: Int, maximumUploads: Int) {
        self.capacity = capacity
        self.maximumUploads = maximumUploads
    }

    var inUse: Int { lock.withLock { used } }

    /// Takes `bytes` more, or nothing and false when they do not fit.
    func take(_ bytes: Int) -> Bool {
        lock.withLock {
            guard bytes <= capacity - used else { return false }
            used += bytes
            return true
        }
    }

    func giveBack(_ bytes: Int) { lock.withLock { used -= bytes } }

    /// Counts one more request reading a body, or false when `maximumUploads` are.
    func startUpload() -> Bool {
        lock.withLock {
            guard uploads < maximumUploads else { return false }
            uploads += 1
            return true
        }
    }

    func endUpload() { lock.withLock { uploads -= 1 } }
}

/// What one request holds of the `UploadBudget`: an upload slot and bytes, both given back by
/// `release()`.
final class UploadReservation {
    let budget: UploadBudget
    private(set) var held = 0
    private var started = false

    /// Takes an upload slot, or throws the 503 that tells the client to come back.
    init(budget: UploadBudget) throws {
        self.budget = budget
        guard budget.startUpload() else { throw Self.busy("as many uploads as it takes at once (\(budget.maximumUploads))") }
        started = true
    }

    /// Holds at least `total` bytes, or throws the 503.
    func cover(_ total: Int) throws {
        guard total > held else { return }
        guard budget.take(total - held) else { throw Self.busy("as many upload bytes as it takes at once (\(budget.capacity) bytes)") }
        held = total
    }

    func release() {
        budget.giveBack(held)
        held = 0
        if started { budget.endUpload() }
        started = false
    }

    static func busy(_ what: String) -> APIError {
        var error = APIError(.serviceUnavailable, "upload.busy", "the server is receiving \(what); try again shortly")
        error.retryAfter = 5
        return error
    }
}

/// The parts of one upload: form fields in memory (small), files streamed to disk.
struct ReceivedUpload {
    struct File {
        var fileName: String?
        /// Where the part's bytes are, in the job's folder.
        var url: URL
    }

    var fields: [(name: String, value: [UInt8])] = []
    var files: [File] = []

    /// The last field named `name` (a field sent twice counts once, the last value).
    func field(_ name: String) -> [UInt8]? { fields.last { $0.name == name }?.value }
}

/// Reads a multipart request body as it arrives and writes each file part to
/// `<job folder>/<n>.upload`, a megabyte at a time, off the event loops. Only the current
/// part's unwritten tail and one header block are in memory.
struct UploadReceiver {
    /// Largest form field (options, review, webhook), in bytes.
    static let maximumFieldBytes = 1 << 20
    /// Bytes gathered before they are written.
    static let writeChunk = 1 << 20

    let folder: URL
    let maximumBytes: Int
    let maximumFiles: Int

    func receive(_ body: RequestBody, boundary: String, reservation: UploadReservation) async throws -> ReceivedUpload {
        var reader = MultipartReader(boundary: boundary)
        let sink = PartSink(folder: folder, maximumFiles: maximumFiles)
        defer { sink.closeFiles() }
        var total = 0
        for try await piece in body {
            total += piece.readableBytes
            guard total <= maximumBytes else { throw JobAPI.uploadTooLarge(maximumBytes) }
            try reservation.cover(total)
            do {
                try reader.feed(piece.readableBytesView) { try sink.handle($0) }
            } catch let error as Multipart.Malformed {
                throw APIError.badRequest("upload.malformed", "the multipart body is malformed: \(error.reason)")
            }
            try await sink.flush()
            if reader.isFinished { break }
        }
        do { try reader.finish() } catch let error as Multipart.Malformed {
            throw APIError.badRequest("upload.malformed", "the multipart body is malformed: \(error.reason)")
        }
        try await sink.flush()
        return sink.received
    }
}

/// Where the parts of one upload go while it is read. Used by one task only.
private final class PartSink {
    let folder: URL
    let maximumFiles: Int
    var received = ReceivedUpload()
    /// The open file of the current file part, and its bytes not yet handed to `writes`.
    private var descriptor: Int32 = -1
    private var unwritten: [UInt8] = []
    /// Writes waiting for `flush()`, in order; `close` ends a file.
    private var writes: [(descriptor: Int32, bytes: [UInt8], close: Bool)] = []
    private var field: (name: String, value: [UInt8])?

    init(folder: URL, maximumFiles: Int) {
        self.folder = folder
        self.maximumFiles = maximumFiles
    }

    func handle(_ event: MultipartReader.Event) throws {
        switch event {
        case .partStart(let part):
            if part.fileName != nil {
                guard received.files.count < maximumFiles else {
                    throw APIError(.contentTooLarge, "upload.too-many-images",
                                   "a job takes at most \(maximumFiles) images; this upload has more")
                }
                let url = folder.appendingPathComponent("\(received.files.count).upload")
                descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
                guard descriptor >= 0 else { throw APIError(ObscuraError(.fileSystem, "an upload could not be stored")) }
                received.files.append(.init(fileName: part.fileName, url: url))
            } else {
                field = (part.name, [])
            }
        case .bytes(let bytes):
            if field != nil {
                guard field!.value.count + bytes.count <= UploadReceiver.maximumFieldBytes else {
                    throw APIError(.contentTooLarge, "upload.too-large", "a form field is larger than \(UploadReceiver.maximumFieldBytes) bytes")
                }
                field!.value += bytes
            } else {
                unwritten += bytes
                if unwritten.count >= UploadReceiver.writeChunk {
                    writes.append((descriptor, unwritten, false))
                    unwritten = []
                }
            }
        case .partEnd:
            if let field {
                received.fields.append(field)
                self.field = nil
            } else {
                writes.append((descriptor, unwritten, true))
                unwritten = []
                descriptor = -1
            }
        }
    }

    /// Runs the waiting writes on the thread pool, in order.
    func flush() async throws {
        while !writes.isEmpty {
            let next = writes.removeFirst()
            let written = try await NIOThreadPool.singleton.runIfActive { () -> Bool in
                var offset = 0
                while offset < next.bytes.count {
                    let count = next.bytes[offset...].withUnsafeBytes { write(next.descriptor, $0.baseAddress, $0.count) }
                    if count < 0, errno == EINTR { continue }
                    guard count > 0 else { return false }
                    offset += count
                }
                return true
            }
            if next.close { close(next.descriptor) }
            guard written else { throw APIError(ObscuraError(.fileSystem, "an upload could not be stored")) }
        }
    }

    /// Closes every file still open (after an error, or when the body is done).
    func closeFiles() {
        for write in writes where write.close { close(write.descriptor) }
        writes = []
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
    }
}
