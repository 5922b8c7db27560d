import Foundation
import HummingbirdTesting
import Logging
import Obscura
import Testing
@testable import ObscuraServer

/// Jobs in PostgreSQL (`serve --database`, `obscura worker`), each test on a server and
/// database of its own: leases, one claim per image, results that count once, migrations and
/// webhook events taken once by concurrent nodes, and a job that flows from an API node
/// without workers to a separate `obscura worker` process.
@Suite("PostgresJobTests", .enabled(if: PostgresTestServer.installed, PostgresTestServer.missing))
struct PostgresJobTests {
    static let logger = Logger(label: "test.postgres")
    /// Time to reach a database that is there: the limit counts wall time, and on a loaded
    /// 2-core machine this process may not run at all for a minute (see `Serve.configuration`).
    static let connectTimeout: TimeInterval = 300

    /// A migrated backend on `url`, its client running for the duration of `body`.
    static func withBackend<T: Sendable>(_ url: String, _ body: @Sendable (PostgresJobBackend) async throws -> T) async throws -> T {
        let client = try await PostgresJobBackend.migratedClient(url, logger: logger, connectTimeout: connectTimeout)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(PostgresJobBackend(client: client, logger: logger))
        }
    }

    static func job(expiresIn lifetime: TimeInterval = 3600, webhook: String? = nil) -> JobRecord {
        JobRecord(id: UUID().uuidString.lowercased(), createdAt: Date(), expiresAt: Date().addingTimeInterval(lifetime),
                  options: AnonymizeOptions(), review: false, webhook: webhook.map { WebhookStatus(url: $0) })
    }

    /// An upload file holding `bytes`, as the API leaves it for the backend.
    static func upload(_ bytes: [UInt8]) throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("upload-\(UUID().uuidString)")
        try Data(bytes).write(to: url)
        return url
    }

    /// Stores a job of `count` queued images, image n's original being `[n]`.
    static func createJob(_ backend: PostgresJobBackend, images count: Int, lifetime: TimeInterval = 3600,
                          webhook: String? = nil) async throws -> JobRecord {
        let job = job(expiresIn: lifetime, webhook: webhook)
        var originals: [Int: URL] = [:]
        for index in 0..<count { originals[index] = try upload([UInt8(index)]) }
        try await backend.create(job, images: (0..<count).map { ImageRecord(jobID: job.id, index: $0, name: "\($0).jpg", state: .queued, attempts: 0) },
                                 originals: originals, maximumActiveJobs: 10)
        #expect(originals.values.allSatisfy { !FileManager.default.fileExists(atPath: $0.path) }, "the backend takes the uploads over")
        return job
    }

    @Test func aLeaseThatEndsPutsTheImageBackAndTheLateWorkersResultIsRefused() async throws {
        try await PostgresTestServer.with { server in
            let url = try await server.database()
            try await Self.withBackend(url) { backend in
                let job = try await Self.createJob(backend, images: 1)
                #expect(try await backend.original(jobID: job.id, index: 0) == [0])
                // Leases long enough here that a slow machine cannot end them early.
                let first = try #require(try await backend.claimNext(lease: 30))
                #expect(first.stage == .detecting)
                #expect(first.image.attempts == 1)
                #expect(try await backend.claimNext(lease: 30) == nil, "a taken image is not taken twice")
                #expect(try await backend.renewLease(first, lease: 30))
                let early = try await backend.recoverInterrupted(maximumAttempts: 2)
                #expect(early.requeued == 0 && early.failed == 0, "a lease that holds is left alone")

                // The first worker's last renewal is short, then it stops: after its lease the
                // image is back in line.
                #expect(try await backend.renewLease(first, lease: 0.2))
                try await Task.sleep(for: .milliseconds(900))
                let recovered = try await backend.recoverInterrupted(maximumAttempts: 2)
                #expect(recovered.requeued == 1 && recovered.failed == 0)
                #expect(try await backend.image(of: job.id, index: 0)?.state == .queued)
                let second = try #require(try await backend.claimNext(lease: 30))
                #expect(second.image.attempts == 2)

                // The first worker comes back late: it can neither renew nor store anything.
                #expect(try await !backend.renewLease(first, lease: 30))
                var late = first.image
                late.state = .done
                late.outputFormat = "jpeg"
                #expect(try await !backend.complete(first, as: late, result: [9, 9], removeOriginal: true))
                #expect(try await backend.result(jobID: job.id, index: 0) == nil)
                #expect(try await backend.original(jobID: job.id, index: 0) == [0])

                var done = second.image
                done.state = .done
                done.outputFormat = "jpeg"
                done.resultBytes = 2
                #expect(try await backend.complete(second, as: done, result: [7, 7], removeOriginal: true))
                #expect(try await backend.result(jobID: job.id, index: 0) == [7, 7])
                #expect(try await backend.original(jobID: job.id, index: 0) == nil, "the original goes with the result, in one transaction")
                #expect(try await backend.image(of: job.id, index: 0)?.state == .done)
                // A result counts once: the same claim cannot store another.
                #expect(try await !backend.complete(second, as: done, result: [8], removeOriginal: true))
                #expect(try await backend.result(jobID: job.id, index: 0) == [7, 7])
            }
        }
    }

    @Test func anImageWhoseWorkersStopTwiceFailsAsInterruptedAndLosesItsOriginal() async throws {
        try await PostgresTestServer.with { server in
            try await Self.withBackend(try await server.database()) { backend in
                let job = try await Self.createJob(backend, images: 1)
                for attempt in 1...2 {
                    let claim = try #require(try await backend.claimNext(lease: 0.2))
                    #expect(claim.image.attempts == attempt)
                    try await Task.sleep(for: .milliseconds(400))
                    let recovered = try await backend.recoverInterrupted(maximumAttempts: 2)
                    #expect(recovered.requeued == (attempt == 1 ? 1 : 0))
                    #expect(recovered.failed == (attempt == 2 ? 1 : 0))
                }
                let image = try #require(try await backend.image(of: job.id, index: 0))
                #expect(image.state == .failed)
                #expect(image.error?.code == "server.interrupted")
                #expect(try await !backend.hasOriginal(jobID: job.id, index: 0))
                #expect(try await backend.claimNext(lease: 1) == nil)
            }
        }
    }

    @Test func concurrentWorkersTakeEveryImageExactlyOnce() async throws {
        try await PostgresTestServer.with { server in
            try await Self.withBackend(try await server.database()) { backend in
                let jobs = [try await Self.createJob(backend, images: 12), try await Self.createJob(backend, images: 12)]
                let claims = try await withThrowingTaskGroup(of: [String].self) { group in
                    for _ in 0..<6 {
                        group.addTask {
                            var taken: [String] = []
                            while let claim = try await backend.claimNext(lease: 30) {
                                taken.append("\(claim.job.id)/\(claim.image.index)")
                                var image = claim.image
                                image.state = .done
                                image.outputFormat = "png"
                                #expect(try await backend.complete(claim, as: image, result: [1], removeOriginal: true))
                            }
                            return taken
                        }
                    }
                    return try await group.reduce(into: []) { $0 += $1 }
                }
                #expect(claims.count == 24)
                #expect(Set(claims).count == 24, "no image was taken twice")
                for job in jobs {
                    let images = try await backend.images(of: job.id)
                    #expect(images.allSatisfy { $0.state == .done && $0.attempts == 1 })
                }
            }
        }
    }

    @Test func nodesStartingTogetherMigrateOnceAndSendEachWebhookEventOnce() async throws {
        try await PostgresTestServer.with { server in
            let name = "obscura_nodes"
            let url = try await server.database(name)
            // Four nodes start at once.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 { group.addTask { _ = try await PostgresJobBackend.migratedClient(url, logger: Self.logger, connectTimeout: Self.connectTimeout) } }
                try await group.waitForAll()
            }
            #expect(try await server.sql(name, "SELECT count(*) FROM obscura_schema").trimmingCharacters(in: .whitespacesAndNewlines)
                == "\(PostgresJobBackend.migrations.count)")

            let job = try await Self.withBackend(url) { backend in
                let job = try await Self.createJob(backend, images: 1, lifetime: 0.5, webhook: "http://127.0.0.1:9/hook")
                let claim = try #require(try await backend.claimNext(lease: 30))
                var image = claim.image
                image.state = .failed
                image.error = Failure(code: "image.damaged", message: "test")
                #expect(try await backend.complete(claim, as: image, result: nil, removeOriginal: true))
                try await backend.queueWebhookIfDue(jobID: job.id, now: Date())
                return job
            }
            // Two nodes look for due events, and for expired jobs, at the same moment.
            let due = try await withThrowingTaskGroup(of: (events: Int, expired: [String]).self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        try await Self.withBackend(url) { backend in
                            let events = try await backend.dueWebhooks(at: Date().addingTimeInterval(1), hold: 60).count
                            return (events, try await backend.deleteExpired(at: Date().addingTimeInterval(1)))
                        }
                    }
                }
                return try await group.reduce(into: [(events: Int, expired: [String])]()) { $0.append($1) }
            }
            #expect(due.map(\.events).reduce(0, +) == 1, "one node takes the event")
            #expect(due.flatMap(\.expired) == [job.id], "one node deletes the expired job")
            #expect(try await server.sql(name, "SELECT count(*) FROM image_file").trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        }
    }

    @Test(.enabled(if: Serve.modelInstalled, "CenterFace model not installed: run scripts/setup.sh (skipped)"))
    func aJobFlowsFromANodeWithoutWorkersToAWorkerProcessAndMatchesAnonymize() async throws {
        try await PostgresTestServer.with { server in
            let name = "obscura_flow"
            let url = try await server.database(name)
            let photo = try Serve.astronaut()
            let data = Serve.dataDirectory()
            let configuration = Serve.configuration(data: data) {
                $0.databaseURL = url
                $0.workers = 0
            }
            let worker = try WorkerProcess(["worker", "--database", url, "--jobs", "1", "--lease", "10", "--metrics-port", "0"])
            try await WorkerProcess.stopped([worker]) {
                try await Serve.app(configuration).test(.router) { client in
                    let id = try await Serve.createJob(client, [Serve.file("a.jpg", photo), Serve.file("notes.txt", Array("not an image".utf8))])
                    // What the node keeps on disk: nothing (uploads go to the database).
                    #expect((try? FileManager.default.contentsOfDirectory(atPath: data.appendingPathComponent("uploads/jobs").path))?.isEmpty ?? true)
                    let status = try await Serve.waitForJob(client, id, seconds: 300)
                    #expect(Serve.images(status).map { $0["state"] as? String } == ["done", "failed"])
                    let result = try await client.execute(uri: "/v1/jobs/\(id)/images/0/result", method: .get)
                    #expect(Array(buffer: result.body) == (try Anonymizer(options: AnonymizeOptions()).anonymize(photo)).bytes,
                            "the worker's result is byte for byte what anonymize writes")
                    let zip = try await client.execute(uri: "/v1/jobs/\(id)/results.zip", method: .get)
                    #expect(try ZipContents.read(Array(buffer: zip.body)).count == 1)
                    #expect(try await server.sql(name, "SELECT kind FROM image_file").trimmingCharacters(in: .whitespacesAndNewlines) == "result",
                            "the original was deleted when the image was rendered")
                    #expect(try await client.execute(uri: "/v1/jobs/\(id)", method: .delete).status == .noContent)
                    #expect(try await server.sql(name, "SELECT count(*) FROM image_file").trimmingCharacters(in: .whitespacesAndNewlines) == "0")
                }
                #expect(!worker.output.contains("a.jpg"), "worker logs carry ids and codes, not file names")
                // The worker's own metrics, on loopback: what it did, and the queue of every node.
                let port = try #require(worker.output.firstMatch(of: /Worker metrics on http:\/\/127\.0\.0\.1:(\d+)\/metrics/).flatMap { Int($0.1) })
                let connection = try RawConnection(port: port)
                connection.send("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                let metrics = await connection.readAll(timeout: 30).text
                #expect(metrics.contains("obscura_images_processed_total{outcome=\"done\"} 1"), "\(metrics)")
                #expect(metrics.contains("obscura_image_failures_total") == false, "the text file was refused at upload, not by the worker")
                #expect(metrics.contains("obscura_images{state=\"done\"} 0.0"), "the job was deleted")
            }
        }
    }

    /// Over TCP the connection is encrypted as `sslmode` says, and `verify-full` refuses a
    /// server whose certificate it cannot trust.
    @Test func theConnectionIsEncryptedAsSslmodeSays() async throws {
        try await PostgresTestServer.with(tcp: true) { server in
            _ = try await server.database("obscura_tls")
            let base = "postgresql://\(server.user)@localhost:\(server.port)/obscura_tls"
            func encrypted(_ url: String) async throws -> Bool {
                try await Self.withBackend(url) { backend in
                    try await backend.client.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").collect().first?.decode(Bool.self) ?? false
                }
            }
            #expect(try await encrypted("\(base)?sslmode=verify-full&sslrootcert=\(server.certificate.path)"))
            #expect(try await encrypted("\(base)?sslmode=require"))
            #expect(try await encrypted(base), "prefer, the default, encrypts when the server offers TLS")
            #expect(try await !encrypted("\(base)?sslmode=disable"))
            // Verified against the system's roots, the self-signed certificate is refused.
            await #expect(throws: ObscuraError.self) {
                _ = try await PostgresJobBackend.migratedClient("\(base)?sslmode=verify-full", logger: Self.logger, connectTimeout: 5)
            }
            #expect(throws: ObscuraError.self) { _ = try PostgresJobBackend.clientConfiguration("\(base)?sslmode=sometimes") }
        }
    }

    /// An API node without workers, one worker process SIGKILLed while it holds an image, then
    /// two workers: every image is done once, the killed one on its second attempt, each
    /// result byte for byte what `anonymize` writes, and no original is left.
    @Test(.enabled(if: Serve.modelInstalled, "CenterFace model not installed: run scripts/setup.sh (skipped)"))
    func aWorkerKilledMidImageLosesNothingAndDoublesNothing() async throws {
        try await PostgresTestServer.with { server in
            let name = "obscura_kill"
            let url = try await server.database(name)
            // 1024 × 1024 (the astronaut twice each way): long enough on the detector to be
            // caught in the middle, light enough not to slow the other tests running beside it.
            let tile = try ImageDecoder.decode(try Serve.astronaut()).pixels.rgb()
            var mosaic = PixelBuffer(width: tile.width * 2, height: tile.height * 2, channels: 3)
            for y in 0..<mosaic.height {
                let from = (y % tile.height) * tile.width * 3
                for copy in 0..<2 {
                    let to = (y * mosaic.width + copy * tile.width) * 3
                    mosaic.pixels.replaceSubrange(to..<to + tile.width * 3, with: tile.pixels[from..<from + tile.width * 3])
                }
            }
            let photo = try ImageEncoder.encode(mosaic, as: .jpeg, quality: 90, jpegLayout: nil)
            let expected = try Anonymizer(options: AnonymizeOptions()).anonymize(photo).bytes
            let configuration = Serve.configuration {
                $0.databaseURL = url
                $0.workers = 0
                $0.leaseDuration = 5
            }
            // Renewed every 1.7 s by a live worker, so only the killed one loses its image.
            let workerArguments = ["worker", "--database", url, "--jobs", "1", "--lease", "5"]
            try await Serve.app(configuration).test(.router) { client in
                let id = try await Serve.createJob(client, (0..<4).map { Serve.file("\($0).jpg", photo) })
                // A worker alone takes an image; once the database shows it holding one, it is
                // killed without warning. What it still holds after the kill is the interrupted
                // image (it may have just finished one and taken the next: that one counts).
                var interrupted: Int?
                for _ in 0..<3 where interrupted == nil {
                    let first = try WorkerProcess(workerArguments)
                    try await WorkerProcess.stopped([first]) {
                        let deadline = Date().addingTimeInterval(240)
                        while Date() < deadline,
                              try await server.sql(name, "SELECT count(*) FROM image WHERE state IN ('detecting', 'rendering')")
                                  .trimmingCharacters(in: .whitespacesAndNewlines) == "0" {
                            try await Task.sleep(for: .milliseconds(20))
                        }
                        await first.kill()
                    }
                    interrupted = Int(try await server.sql(name, "SELECT idx FROM image WHERE state IN ('detecting', 'rendering') LIMIT 1")
                        .trimmingCharacters(in: .whitespacesAndNewlines))
                }
                let killed = try #require(interrupted, "no worker was caught holding an image")
                let second = try WorkerProcess(workerArguments), third = try WorkerProcess(workerArguments)
                try await WorkerProcess.stopped([second, third]) {
                    let status = try await Serve.waitForJob(client, id, seconds: 300)
                    #expect(Serve.images(status).map { $0["state"] as? String } == Array(repeating: "done", count: 4))
                    for index in 0..<4 {
                        let result = try await client.execute(uri: "/v1/jobs/\(id)/images/\(index)/result", method: .get)
                        #expect(Array(buffer: result.body) == expected, "image \(index) differs from anonymize")
                    }
                    let attempts = try await server.sql(name, "SELECT idx || ':' || attempts FROM image ORDER BY idx")
                        .split(separator: "\n").map(String.init)
                    // The killed image was taken again once its lease ended; every other image once.
                    #expect(attempts == (0..<4).map { "\($0):\($0 == killed ? 2 : 1)" })
                    #expect(try await server.sql(name, "SELECT count(*) FROM image_file WHERE kind = 'original'")
                        .trimmingCharacters(in: .whitespacesAndNewlines) == "0")
                    #expect(try await server.sql(name, "SELECT count(*) FROM image_file WHERE kind = 'result'")
                        .trimmingCharacters(in: .whitespacesAndNewlines) == "4", "one result per image, none doubled")
                }
            }
        }
    }
}

/// The built `obscura` binary running in the background until `stop()`; its output is kept.
final class WorkerProcess: @unchecked Sendable {
    private let process = Process()
    private let file: URL

    init(_ arguments: [String]) throws {
        file = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("worker-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        process.executableURL = Submit.binary
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var output: String { (try? String(contentsOf: file, encoding: .utf8)) ?? "" }

    /// Runs `body`, then stops the workers whether it threw or not (`defer` cannot wait).
    static func stopped<T>(_ workers: [WorkerProcess], _ body: () async throws -> T) async throws -> T {
        try await finally(body, then: { for worker in workers { await worker.stop() } })
    }

    /// SIGKILL: no chance to release anything.
    func kill() async {
        await process.end(with: SIGKILL, within: 60)
    }

    /// SIGINT, as Ctrl-C; SIGKILL after a minute. Stopping is not what these tests check, and a
    /// worker still busy on a loaded machine must not hold the test up.
    func stop() async {
        if await !process.end(with: SIGINT, within: 60) {
            print("note: a worker did not stop within 60 s of SIGINT and was killed; its output:\n\(output)")
        }
        try? FileManager.default.removeItem(at: file)
    }
}
