import Foundation
import Logging
import NIOCore
import Obscura
import PostgresNIO

/// Jobs in one PostgreSQL database that any number of `obscura serve --database` and
/// `obscura worker` processes share, on any number of machines: rows, originals and results
/// (`bytea`) alike, so a worker needs nothing but the URL.
///
/// - A worker takes an image with `FOR UPDATE SKIP LOCKED` and holds it by a lease (a random
///   token and an end time on the database's clock) that it renews while it works. A lease that
///   ends without a result puts the image back in line; after `maximumAttempts` it fails with
///   `server.interrupted`.
/// - A result counts once: the image's new state, its result and the deletion of its original
///   are one transaction, conditional on the lease. A worker stopped at any point loses
///   nothing (the image is taken again) and doubles nothing (a late worker's write is refused).
/// - A webhook event is held by the node that sends it; expiry runs on one node at a time
///   (an advisory lock). Migrations are versioned and run once, under an advisory lock.
final class PostgresJobBackend: JobBackend {
    let client: PostgresClient
    let logger: Logger

    init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Advisory lock keys (any fixed numbers of our own).
    enum Lock: Int64 {
        case migrate = 0x6f62_7363_0001
        case create = 0x6f62_7363_0002
        case expire = 0x6f62_7363_0003
    }

    /// One transaction on a pooled connection. An error thrown inside comes out as itself
    /// (PostgresNIO wraps it), so callers can tell `tooManyActiveJobs` from a database failure.
    func transaction<Result: Sendable>(_ body: (PostgresConnection) async throws -> sending Result) async throws -> Result {
        do {
            return try await client.withTransaction(logger: logger, body)
        } catch let error as PostgresTransactionError {
            if let inner = error.closureError { throw inner }
            throw error
        }
    }

    /// The database's clock, in seconds since 1970, so that leases mean the same on every node.
    static let databaseNow = "extract(epoch from clock_timestamp())"

    // MARK: Jobs

    func create(_ job: JobRecord, images: [ImageRecord], originals: [Int: URL], maximumActiveJobs: Int) async throws {
        try await transaction { connection in
            // One creation at a time counts the active jobs.
            try await connection.query("SELECT pg_advisory_xact_lock(\(Lock.create.rawValue))", logger: logger)
            let active = try await connection.query("""
                SELECT COUNT(DISTINCT job_id) FROM image WHERE state NOT IN ('done', 'failed')
                """, logger: logger).collect().first?.decode(Int.self) ?? 0
            guard active < maximumActiveJobs else { throw JobStore.CreateError.tooManyActiveJobs }
            let options = try Self.json(job.options)
            try await connection.query("""
                INSERT INTO job (id, created_at, expires_at, options, review, webhook)
                VALUES (\(job.id), \(job.createdAt.timeIntervalSince1970), \(job.expiresAt.timeIntervalSince1970), \(options), \(job.review), \(job.webhook?.url))
                """, logger: logger)
            for image in images {
                try await connection.query("""
                    INSERT INTO image (job_id, idx, name, state, error_code, error_message)
                    VALUES (\(job.id), \(image.index), \(image.name), \(image.state.rawValue), \(image.error?.code), \(image.error?.message))
                    """, logger: logger)
            }
            // One original in memory at a time.
            for (index, url) in originals.sorted(by: { $0.key < $1.key }) {
                let bytes = try JobFiles.readWhole(url)
                try await connection.query("""
                    INSERT INTO image_file (job_id, idx, kind, bytes) VALUES (\(job.id), \(index), 'original', \(ByteBuffer(bytes: bytes)))
                    """, logger: logger)
            }
        }
        for url in originals.values { try? FileManager.default.removeItem(at: url) }
    }

    func job(_ id: String) async throws -> JobRecord? {
        try await client.query("SELECT \(unescaped: Self.jobColumns) FROM job WHERE id = \(id)", logger: logger)
            .collect().first.map(Self.job(from:))
    }

    func images(of jobID: String) async throws -> [ImageRecord] {
        try await client.query("SELECT \(unescaped: Self.imageColumns) FROM image WHERE job_id = \(jobID) ORDER BY idx", logger: logger)
            .collect().map(Self.image(from:))
    }

    func image(of jobID: String, index: Int) async throws -> ImageRecord? {
        try await client.query("SELECT \(unescaped: Self.imageColumns) FROM image WHERE job_id = \(jobID) AND idx = \(index)", logger: logger)
            .collect().first.map(Self.image(from:))
    }

    func jobIDs() async throws -> [String] {
        try await client.query("SELECT id FROM job ORDER BY created_at, id", logger: logger).collect().map { try $0.decode(String.self) }
    }

    func delete(_ jobID: String) async throws -> Bool {
        try await !client.query("DELETE FROM job WHERE id = \(jobID) RETURNING id", logger: logger).collect().isEmpty
    }

    func finish(_ jobID: String, at now: Date) async throws -> JobStore.FinishOutcome {
        try await transaction { connection in
            guard try await !connection.query("SELECT id FROM job WHERE id = \(jobID) FOR UPDATE", logger: logger).collect().isEmpty else {
                return .noJob
            }
            if let row = try await connection.query("""
                SELECT idx, state FROM image WHERE job_id = \(jobID) AND state NOT IN ('done', 'failed') ORDER BY idx LIMIT 1
                """, logger: logger).collect().first {
                let (index, state) = try row.decode((Int, String).self)
                return .unfinished(index: index, state: ImageState(rawValue: state) ?? .queued)
            }
            try await connection.query("UPDATE job SET finished_at = \(now.timeIntervalSince1970) WHERE id = \(jobID) AND finished_at IS NULL",
                                       logger: logger)
            try await connection.query("DELETE FROM image_file WHERE job_id = \(jobID) AND kind = 'original'", logger: logger)
            return .finished
        }
    }

    func deleteImage(jobID: String, index: Int) async throws -> JobStore.ImageDeletion {
        try await transaction { connection in
            guard try await !connection.query("DELETE FROM image WHERE job_id = \(jobID) AND idx = \(index) RETURNING idx", logger: logger)
                .collect().isEmpty else { return .none }
            let left = try await connection.query("SELECT COUNT(*) FROM image WHERE job_id = \(jobID)", logger: logger)
                .collect().first?.decode(Int.self) ?? 0
            guard left == 0 else { return .image }
            try await connection.query("DELETE FROM job WHERE id = \(jobID)", logger: logger)
            return .job
        }
    }

    func imageCounts() async throws -> [ImageState: Int] {
        var counts: [ImageState: Int] = [:]
        for row in try await client.query("SELECT state, COUNT(*) FROM image GROUP BY state", logger: logger).collect() {
            let (state, count) = try row.decode((String, Int).self)
            if let state = ImageState(rawValue: state) { counts[state] = count }
        }
        return counts
    }

    /// Runs on one node at a time: the others find the lock taken and skip this round.
    func deleteExpired(at now: Date) async throws -> [String] {
        try await transaction { connection in
            let locked = try await connection.query("SELECT pg_try_advisory_xact_lock(\(Lock.expire.rawValue))", logger: logger)
                .collect().first?.decode(Bool.self) ?? false
            guard locked else { return [] }
            return try await connection.query("DELETE FROM job WHERE expires_at <= \(now.timeIntervalSince1970) RETURNING id", logger: logger)
                .collect().map { try $0.decode(String.self) }
        }
    }

    // MARK: Files

    func original(jobID: String, index: Int) async throws -> [UInt8]? { try await file(jobID, index, "original") }
    func result(jobID: String, index: Int) async throws -> [UInt8]? { try await file(jobID, index, "result") }
    /// Results are rows: read whole (within the server's pixel limit).
    func resultFile(jobID: String, index: Int) -> URL? { nil }

    func hasOriginal(jobID: String, index: Int) async throws -> Bool {
        try await !client.query("""
            SELECT 1 FROM image_file WHERE job_id = \(jobID) AND idx = \(index) AND kind = 'original'
            """, logger: logger).collect().isEmpty
    }

    private func file(_ jobID: String, _ index: Int, _ kind: String) async throws -> [UInt8]? {
        try await client.query("""
            SELECT bytes FROM image_file WHERE job_id = \(jobID) AND idx = \(index) AND kind = \(kind)
            """, logger: logger).collect().first.map { Array(buffer: try $0.decode(ByteBuffer.self)) }
    }

    // MARK: Review

    func approve(jobID: String, index: Int, regions: [Detection]) async throws -> Bool {
        let stored = try Self.json(regions)
        return try await !client.query("""
            UPDATE image SET state = 'approved', attempts = 0, regions = \(stored) WHERE job_id = \(jobID) AND idx = \(index) AND (state = 'review'
                OR (state = 'done' AND EXISTS (SELECT 1 FROM job WHERE id = \(jobID) AND review AND finished_at IS NULL)))
            RETURNING idx
            """, logger: logger).collect().isEmpty
    }

    func approveAll(jobID: String) async throws -> Int {
        try await client.query("""
            UPDATE image SET state = 'approved', attempts = 0 WHERE job_id = \(jobID) AND state = 'review' RETURNING idx
            """, logger: logger).collect().count
    }

    // MARK: Rows

    private static let jobColumns = "id, created_at, expires_at, options, review, finished_at, webhook, webhook_event, webhook_state, webhook_attempts"
    private static let imageColumns = """
        job_id, idx, name, state, attempts, error_code, error_message, width, height, regions, report, output_format, result_bytes, timings, detected
        """

    /// `imageColumns` qualified by the table, for the claim's UPDATE … FROM.
    static let claimedColumns = imageColumns.split(separator: ",")
        .map { "image." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")

    private static func job(from row: PostgresRow) throws -> JobRecord {
        let cells = row.makeRandomAccess()
        let webhook = try cells["webhook"].decode(String?.self)
        return JobRecord(id: try cells["id"].decode(String.self),
                         createdAt: Date(timeIntervalSince1970: try cells["created_at"].decode(Double.self)),
                         expiresAt: Date(timeIntervalSince1970: try cells["expires_at"].decode(Double.self)),
                         options: try decode(AnonymizeOptions.self, try cells["options"].decode(String.self)),
                         review: try cells["review"].decode(Bool.self),
                         finishedAt: try cells["finished_at"].decode(Double?.self).map(Date.init(timeIntervalSince1970:)),
                         webhook: try webhook.map {
                             WebhookStatus(url: $0, event: try cells["webhook_event"].decode(String?.self),
                                           state: try cells["webhook_state"].decode(String?.self),
                                           attempts: try cells["webhook_attempts"].decode(Int.self))
                         })
    }

    static func image(from row: PostgresRow) throws -> ImageRecord {
        let cells = row.makeRandomAccess()
        func text(_ name: String) throws -> String? { try cells[name].decode(String?.self) }
        func number(_ name: String) throws -> Int? { try cells[name].decode(Int?.self) }
        let code = try text("error_code")
        return ImageRecord(jobID: try cells["job_id"].decode(String.self), index: try cells["idx"].decode(Int.self),
                           name: try cells["name"].decode(String.self),
                           state: ImageState(rawValue: try cells["state"].decode(String.self)) ?? .failed,
                           attempts: try cells["attempts"].decode(Int.self),
                           error: try code.map { Failure(code: $0, message: try text("error_message") ?? "") },
                           width: try number("width"), height: try number("height"),
                           regions: try text("regions").map { try decode([Detection].self, $0) },
                           report: try text("report").map { try decode(ReportRecord.self, $0) },
                           outputFormat: try text("output_format"), resultBytes: try number("result_bytes"),
                           detectionTimings: try text("timings").map { try decode(StageTimings.self, $0) },
                           detected: try text("detected").map { try decode([Detection].self, $0) })
    }

    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try JSONCoding.encoder.encode(value), as: UTF8.self)
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONCoding.decoder.decode(type, from: Data(text.utf8))
    }
}
