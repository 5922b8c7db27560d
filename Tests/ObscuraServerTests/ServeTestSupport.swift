import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Obscura
import Testing
@testable import ObscuraServer

/// Servers, uploads and waits shared by the server tests.
enum Serve {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The 512 × 512 astronaut portrait (one face) of the library's tests.
    static func astronaut() throws -> [UInt8] {
        Array(try Data(contentsOf: repositoryRoot.appendingPathComponent("Tests/ObscuraTests/Fixtures/astronaut.jpg")))
    }

    static var modelInstalled: Bool {
        ProcessInfo.processInfo.environment["OBSCURA_REQUIRE_MODELS"] == "1"
            || FileManager.default.fileExists(atPath: ModelStore.defaultDirectory.appendingPathComponent(ModelDescriptor.centerFace.fileName).path)
    }

    /// One folder for this test process, removed when it exits.
    static let temporaryRoot: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("obscura-serve-tests-\(getpid())", isDirectory: true)
        atexit { try? FileManager.default.removeItem(at: Serve.temporaryRoot) }
        return url
    }()

    /// A fresh data folder, inside `temporaryRoot`.
    static func dataDirectory() -> URL {
        let url = temporaryRoot.appendingPathComponent(UUID().uuidString, isDirectory: true)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Fast settings: port 0, quick polling, one worker, a fresh data folder.
    static func configuration(data: URL = dataDirectory(), _ edit: (inout ServerConfiguration) -> Void = { _ in }) -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.dataDirectory = data
        configuration.workers = 1
        configuration.pollInterval = 0.02
        // The test client keeps one connection and does not reconnect: a loaded machine must not
        // see it closed between two requests. Tests of the timeouts set their own.
        configuration.headerTimeout = 120
        // Swift concurrency has as many threads as cores, and the command-line tests block
        // them while the binary runs: on 2 cores the server tests can stand still for minutes.
        configuration.databaseConnectTimeout = PostgresJobTests.connectTimeout
        edit(&configuration)
        return configuration
    }

    static func app(_ configuration: ServerConfiguration, logs: LogCapture = LogCapture(),
                    models: ModelSet? = nil) async throws -> ObscuraServerApp.App {
        try await ObscuraServerApp.build(configuration, logger: logs.logger, models: models)
    }

    struct Upload {
        var name: String
        var fileName: String?
        var bytes: [UInt8]
    }

    static func file(_ fileName: String, _ bytes: [UInt8]) -> Upload { Upload(name: "images", fileName: fileName, bytes: bytes) }
    static func field(_ name: String, _ value: String) -> Upload { Upload(name: name, fileName: nil, bytes: Array(value.utf8)) }

    static let boundary = "obscura-test-boundary-7d1f"

    static func multipart(_ parts: [Upload]) -> ByteBuffer {
        var body: [UInt8] = []
        for part in parts {
            body += Array("--\(boundary)\r\n".utf8)
            var disposition = "Content-Disposition: form-data; name=\"\(part.name)\""
            if let fileName = part.fileName { disposition += "; filename=\"\(fileName)\"" }
            body += Array("\(disposition)\r\n".utf8)
            if part.fileName != nil { body += Array("Content-Type: application/octet-stream\r\n".utf8) }
            body += Array("\r\n".utf8) + part.bytes + Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        return ByteBuffer(bytes: body)
    }

    static func headers(token: String? = nil, multipart: Bool = false) -> HTTPFields {
        var fields: HTTPFields = [:]
        if multipart { fields[.contentType] = "multipart/form-data; boundary=\(boundary)" }
        if let token { fields[.authorization] = "Bearer \(token)" }
        return fields
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    static func errorCode(_ response: TestResponse) throws -> String? {
        (try json(response)["error"] as? [String: Any])?["code"] as? String
    }

    /// Creates a job and returns its id.
    static func createJob(_ client: some TestClientProtocol, _ parts: [Upload], token: String? = nil) async throws -> String {
        let response = try await client.execute(uri: "/v1/jobs", method: .post, headers: headers(token: token, multipart: true),
                                                body: multipart(parts))
        #expect(response.status == .accepted, "\(String(buffer: response.body))")
        return try #require(try json(response)["id"] as? String)
    }

    /// Polls the job until its state is one of `states` (default: finished), for at most
    /// `seconds` (more for a worker process that loads its models first on a loaded machine).
    static func waitForJob(_ client: some TestClientProtocol, _ id: String, token: String? = nil,
                           until states: Set<String> = ["finished"], seconds: TimeInterval = 60) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let response = try await client.execute(uri: "/v1/jobs/\(id)", method: .get, headers: headers(token: token))
            let status = try json(response)
            if let state = status["state"] as? String, states.contains(state) { return status }
            guard Date() < deadline else {
                Issue.record("job \(id) did not reach \(states): \(status)")
                return status
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    static func images(_ status: [String: Any]) -> [[String: Any]] { status["images"] as? [[String: Any]] ?? [] }

    /// Files left in a job's folder.
    static func files(in data: URL, job: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: data.appendingPathComponent("jobs/\(job)").path)) ?? []).sorted()
    }
}

/// A log handler that keeps every message and its metadata in memory, so tests can check
/// what the server logs.
final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    var logger: Logger {
        var logger = Logger(label: "obscura.test") { _ in Handler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    var text: String { lock.withLock { lines.joined(separator: "\n") } }

    fileprivate func append(_ line: String) { lock.withLock { lines.append(line) } }

    struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            capture.append("\(event.level) \(event.message) \(all.map { "\($0)=\($1)" }.sorted().joined(separator: " "))")
        }
    }
}
