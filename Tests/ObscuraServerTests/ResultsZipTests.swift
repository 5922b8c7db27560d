import Foundation
import Hummingbird
import HummingbirdTesting
import Obscura
import Testing
@testable import ObscuraServer

/// Issue 15, item 4: the results zip is written to a file off the request's task and sent from
/// it in pieces; these check what the client gets, not how (the memory figure comes from
/// scripts/zip-memory.sh).
@Suite struct ServeResultsZipTests {
    /// Results that cross the 64 KiB piece size, one empty, and two with the same name.
    static let results: [(name: String, format: String, bytes: [UInt8])] = {
        var generator = SystemRandomNumberGenerator()
        func random(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) } }
        return [("a.jpg", "jpeg", random(200_000)), ("b.png", "png", random(ResultsZip.pieceBytes)),
                ("a.jpg", "jpeg", random(1)), ("c.webp", "webp", []), ("d.jpg", "jpeg", random(3 * ResultsZip.pieceBytes + 7))]
    }()
    static let names = ["a.jpg", "b.png", "a (2).jpg", "c.webp", "d.jpg"]

    /// Stores a job whose images are all done with `results`.
    static func doneJob(_ backend: any JobBackend) async throws -> String {
        let job = JobRecord(id: UUID().uuidString.lowercased(), createdAt: Date(), expiresAt: Date().addingTimeInterval(3600),
                            options: AnonymizeOptions(), review: false, webhook: nil)
        let images = results.indices.map { ImageRecord(jobID: job.id, index: $0, name: results[$0].name, state: .queued, attempts: 0) }
        let originals = try Dictionary(uniqueKeysWithValues: results.indices.map { ($0, try PostgresJobTests.upload([UInt8($0)])) })
        try await backend.create(job, images: images, originals: originals, maximumActiveJobs: 10)
        for _ in results {
            let claim = try #require(try await backend.claimNext(lease: 30))
            var done = claim.image
            done.state = .done
            done.outputFormat = results[done.index].format
            #expect(try await backend.complete(claim, as: done, result: results[done.index].bytes, removeOriginal: true))
        }
        return job.id
    }

    /// Collects what a response body writes.
    struct Collector: ResponseBodyWriter {
        let bytes: Box
        final class Box: @unchecked Sendable { var bytes: [UInt8] = [] }
        mutating func write(_ buffer: ByteBuffer) async throws { bytes.bytes += Array(buffer: buffer) }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }

    @Test(arguments: JobBackendTests.Kind.available)
    func everyResultIsInTheZipByteForByte(kind: JobBackendTests.Kind) async throws {
        try await JobBackendTests.with(kind) { backend in
            let id = try await Self.doneJob(backend)
            let folder = Serve.dataDirectory()
            let body = try await ResultsZip.body(of: id, entries: Self.names.enumerated().map { ($1, $0) }, backend: backend, folder: folder)
            // Gone from the folder once the body holds it open, before a byte is sent.
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
            let collected = Collector.Box(), length = body.contentLength
            try await body.write(Collector(bytes: collected))
            #expect(length == collected.bytes.count)
            let entries = try ZipContents.read(collected.bytes)
            #expect(entries.map(\.name) == Self.names)
            #expect(entries.map(\.bytes) == Self.results.map(\.bytes))
        }
    }

    @Test func theZipDownloadKeepsItsHeadersAndLeavesNoFileBehind() async throws {
        let data = Serve.dataDirectory()
        let id = try await Self.doneJob(try LocalJobBackend(dataDirectory: data))
        // On a socket: the body goes through the HTTP server as it is read from the file.
        try await Serve.app(Serve.configuration(data: data)).test(.live) { client in
            let zip = try await client.execute(uri: "/v1/jobs/\(id)/results.zip", method: .get)
            #expect(zip.status == .ok)
            #expect(zip.headers[.contentLength] == "\(zip.body.readableBytes)")
            #expect(zip.headers[.contentType] == "application/zip")
            #expect(zip.headers[.contentDisposition] == "attachment; filename=\"obscura-\(id.prefix(8)).zip\"")
            let entries = try ZipContents.read(Array(buffer: zip.body))
            #expect(entries.map(\.name) == Self.names)
            #expect(entries.map(\.bytes) == Self.results.map(\.bytes))
            let root = data.appendingPathComponent("jobs")
            #expect(try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasSuffix(".zip") } == [])

            // A result gone from disk fails the zip, and its half-written file is removed.
            try FileManager.default.removeItem(at: root.appendingPathComponent("\(id)/1.result"))
            let broken = try await client.execute(uri: "/v1/jobs/\(id)/results.zip", method: .get)
            #expect(broken.status == .internalServerError)
            #expect(try Serve.errorCode(broken) == "io.failed")
            #expect(try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasSuffix(".zip") } == [])

            // A job with nothing done yet has no zip.
            let queued = try await Serve.createJob(client, [Serve.file("x.txt", [1])])
            _ = try await Serve.waitForJob(client, queued)
            let none = try await client.execute(uri: "/v1/jobs/\(queued)/results.zip", method: .get)
            #expect(none.status == .conflict)
            #expect(try Serve.errorCode(none) == "job.no-results")
        }
    }

    /// Not a check: prints how far peak resident memory rises while a 320 MiB zip is built and
    /// sent (scripts/zip-memory.sh runs it alone, so no other test shares the process).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["OBSCURA_ZIP_MEMORY"] == "1", "figure only: scripts/zip-memory.sh"))
    func zipMemoryFigure() async throws {
        let backend = try LocalJobBackend(dataDirectory: Serve.dataDirectory())
        let count = 40, result = [UInt8](repeating: 0xA5, count: 8 << 20)
        let job = JobRecord(id: UUID().uuidString.lowercased(), createdAt: Date(), expiresAt: Date().addingTimeInterval(3600),
                            options: AnonymizeOptions(), review: false, webhook: nil)
        try await backend.create(job, images: (0..<count).map { ImageRecord(jobID: job.id, index: $0, name: "\($0).jpg", state: .queued, attempts: 0) },
                                 originals: [:], maximumActiveJobs: 10)
        for _ in 0..<count {
            let claim = try #require(try await backend.claimNext(lease: 30))
            var done = claim.image
            done.state = .done
            done.outputFormat = "jpeg"
            _ = try await backend.complete(claim, as: done, result: result, removeOriginal: true)
        }
        func status(_ key: String) -> Int {
            let text = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
            let line = text.split(separator: "\n").first { $0.hasPrefix(key + ":") } ?? ""
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        // Resets the peak (VmHWM) to the current resident size (Linux 4.0 and later).
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        let before = status("VmHWM")
        let body = try await ResultsZip.body(of: job.id, entries: (0..<count).map { ("\($0).jpg", $0) }, backend: backend,
                                             folder: Serve.dataDirectory())
        // Sent nowhere: what is measured is the server's side.
        struct Discard: ResponseBodyWriter {
            mutating func write(_ buffer: ByteBuffer) async throws {}
            consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
        }
        let length = body.contentLength ?? 0
        try await body.write(Discard())
        let peak = status("VmHWM")
        print("results zip: \(count) results of 8 MiB, \(length >> 20) MiB sent; peak resident memory "
              + "\(before >> 10) MiB before, \(peak >> 10) MiB after (+\((peak - before) >> 10) MiB)")
    }
}
