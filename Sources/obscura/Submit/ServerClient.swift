import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Obscura
import ObscuraServer

/// A failure talking to an `obscura serve`: a stable `code` and a human message, like every
/// error of Obscura. Messages name the server and the server's own code, never image content.
struct SubmitError: Error, Sendable, CustomStringConvertible {
    var code: String
    var message: String
    /// True when the same request may succeed later: the connection was lost, the server is
    /// restarting, busy (429, 503) or failed on its side (5xx).
    var transient: Bool
    /// Seconds the server asked us to wait (`Retry-After`).
    var retryAfter: Int?

    init(_ code: String, _ message: String, transient: Bool = false, retryAfter: Int? = nil) {
        self.code = code
        self.message = message
        self.transient = transient
        self.retryAfter = retryAfter
    }

    var description: String { "\(message) [\(code)]" }

    static func unreachable(_ server: String) -> SubmitError {
        SubmitError("server.unreachable", "cannot reach the server at \(server)", transient: true)
    }
}

/// What the client reads of `GET /v1/jobs/{id}` (`GET /v1/info` it reads as the server's own
/// `ServerInfo`); the server's OpenAPI document describes the whole of them.
struct JobReply: Decodable, Sendable {
    struct Image: Decodable, Sendable {
        var index: Int
        var state: String
        var error: Failure?
    }
    var id: String
    var images: [Image]
}

/// One file of an upload: sent from disk as it is read, never held whole in memory.
struct UploadFile: Sendable {
    var path: String
    /// The name the server sees (the file's last path component).
    var name: String
    var size: Int
}

/// The HTTP client of `obscura submit` over AsyncHTTPClient: one method per request of the
/// server's API that submitting a folder needs. Non-2xx answers become `SubmitError`s with the
/// server's code.
struct ServerClient: Sendable {
    /// The server's base URL, without a trailing slash.
    let server: String
    let token: String?
    private var http: HTTPClient { Self.http }

    /// One client for the process, never shut down (the process ends with `_exit`). A failed
    /// connection fails its request at once instead of being tried again until the request's
    /// deadline: `Submitter.retrying` decides when to try again.
    private static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(10))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    init(server: String, token: String?) throws {
        var base = server
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              url.host != nil else {
            throw SubmitError("settings.invalid", "--server takes the server's URL, for example http://127.0.0.1:8080")
        }
        self.server = base
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
    }

    func info() async throws -> ServerInfo {
        try decode(ServerInfo.self, try await send(.GET, "/v1/info"))
    }

    /// Uploads `files` as one job with `options` (a JSON object); the job's image `n` is `files[n]`.
    func createJob(_ files: [UploadFile], options: Data) async throws -> JobReply {
        let body = MultipartBody(files: files, fields: [("options", Array(options))])
        let reply = try await send(.POST, "/v1/jobs", body: .stream(body, length: .known(Int64(body.length))),
                                   contentType: "multipart/form-data; boundary=\(body.boundary)", timeout: .hours(1))
        return try decode(JobReply.self, reply)
    }

    /// The job, or nil when the server does not have it (expired, deleted, another server).
    func job(_ id: String) async throws -> JobReply? {
        do {
            return try decode(JobReply.self, try await send(.GET, "/v1/jobs/\(id)"))
        } catch let error as SubmitError where error.code == "not-found" {
            return nil
        }
    }

    func result(_ id: String, image: Int) async throws -> [UInt8] {
        Array(buffer: try await send(.GET, "/v1/jobs/\(id)/images/\(image)/result", timeout: .minutes(10), limit: 1 << 31))
    }

    func report(_ id: String, image: Int) async throws -> ReportRecord {
        try decode(ReportRecord.self, try await send(.GET, "/v1/jobs/\(id)/images/\(image)/report"))
    }

    /// Deletes the job and its files on the server; one it no longer has counts as deleted.
    func delete(_ id: String) async throws {
        do {
            _ = try await send(.DELETE, "/v1/jobs/\(id)")
        } catch let error as SubmitError where error.code == "not-found" {
        }
    }

    // MARK: Requests

    private func send(_ method: HTTPMethod, _ path: String, body: HTTPClientRequest.Body? = nil, contentType: String? = nil,
                      timeout: TimeAmount = .seconds(120), limit: Int = 64 << 20) async throws -> ByteBuffer {
        var request = HTTPClientRequest(url: server + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        request.body = body
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await http.execute(request, timeout: timeout)
            bytes = try await response.body.collect(upTo: limit)
        } catch let error as SubmitError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw SubmitError.unreachable(server)
        }
        guard (200..<300).contains(response.status.code) else {
            throw Self.failure(response.status, headers: response.headers, body: bytes)
        }
        return bytes
    }

    /// The server's `{"error": {"code", "message"}}`, or a code of our own when it sent none.
    static func failure(_ status: HTTPResponseStatus, headers: HTTPHeaders, body: ByteBuffer) -> SubmitError {
        struct Envelope: Decodable { var error: Failure }
        let sent = try? JSONDecoder().decode(Envelope.self, from: Data(Array(buffer: body))).error
        let code = sent?.code ?? (status == .notFound ? "not-found" : "server.error")
        let message = "the server answered \(status.code)" + (sent.map { ": \($0.message)" } ?? "")
        let transient = status == .tooManyRequests || status.code >= 500
        return SubmitError(code, message, transient: transient, retryAfter: headers.first(name: "Retry-After").flatMap { Int($0) })
    }

    private func decode<Value: Decodable>(_ type: Value.Type, _ body: ByteBuffer) throws -> Value {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(type, from: Data(Array(buffer: body)))
        } catch {
            throw SubmitError("server.invalid-reply", "the server at \(server) sent an answer this version of obscura does not understand")
        }
    }
}

/// A `multipart/form-data` body of fields and files, produced in pieces as it is sent: files
/// are read from disk 256 KiB at a time.
struct MultipartBody: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    enum Segment: Sendable {
        case bytes([UInt8])
        case file(path: String, size: Int)
    }

    let boundary = "obscura-submit-\(UUID().uuidString.lowercased())"
    private(set) var segments: [Segment] = []
    /// Bytes in all, for `Content-Length`.
    private(set) var length = 0

    init(files: [UploadFile], fields: [(String, [UInt8])]) {
        for (name, value) in fields {
            append(.bytes(Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n".utf8) + value + Array("\r\n".utf8)))
        }
        for file in files {
            let name = String(file.name.unicodeScalars.map { $0.value < 32 || $0 == "\"" || $0 == "\\" || $0.value == 127 ? "_" : Character($0) })
            append(.bytes(Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"images\"; filename=\"\(name)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8)))
            append(.file(path: file.path, size: file.size))
            append(.bytes(Array("\r\n".utf8)))
        }
        append(.bytes(Array("--\(boundary)--\r\n".utf8)))
    }

    private mutating func append(_ segment: Segment) {
        segments.append(segment)
        switch segment {
        case .bytes(let bytes): length += bytes.count
        case .file(_, let size): length += size
        }
    }

    func makeAsyncIterator() -> Iterator { Iterator(segments: segments) }

    struct Iterator: AsyncIteratorProtocol {
        var segments: [Segment]
        var position = 0
        var handle: FileHandle?
        var left = 0

        mutating func next() async throws -> ByteBuffer? {
            while position < segments.count {
                switch segments[position] {
                case .bytes(let bytes):
                    position += 1
                    return ByteBuffer(bytes: bytes)
                case .file(let path, let size):
                    if handle == nil {
                        guard let opened = FileHandle(forReadingAtPath: path) else {
                            throw SubmitError("io.failed", "cannot read '\(path)'")
                        }
                        handle = opened
                        left = size
                    }
                    if left > 0 {
                        let chunk = try handle?.read(upToCount: Swift.min(left, 256 << 10)) ?? Data()
                        // A file that shrank since it was measured would break Content-Length.
                        guard !chunk.isEmpty else { throw SubmitError("io.failed", "'\(path)' changed while it was being sent") }
                        left -= chunk.count
                        return ByteBuffer(bytes: chunk)
                    }
                    try? handle?.close()
                    handle = nil
                    position += 1
                }
            }
            return nil
        }
    }
}
