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
    private let logger: Logger

    init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// `postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=…&sslrootcert=FILE]`, or
    /// `postgresql://USER@/DATABASE?host=/run/postgresql` for a Unix socket (the folder that
    /// holds `.s.PGSQL.PORT`). The password may also come from `PGPASSWORD`.
    ///
    /// Over TCP the connection is encrypted as libpq's `sslmode` says: `prefer` (the default, as
    /// libpq's: TLS when the server offers it, unverified), `require` (TLS or no connection,
    /// unverified), `verify-ca` (the server's certificate must chain to `sslrootcert`, or the
    /// system's roots), `verify-full` (that, and its name must match the host), or `disable`.
    /// Photos cross this connection: between machines, use `verify-full`.
    static func clientConfiguration(_ url: String) throws -> PostgresClient.Configuration {
        let invalid = ObscuraError(.invalidSettings, "--database must look like postgresql://USER@HOST:PORT/DATABASE")
        guard let components = URLComponents(string: url), ["postgresql", "postgres"].contains(components.scheme?.lowercased() ?? ""),
              let user = components.user, !user.isEmpty else { throw invalid }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty else { throw invalid }
        let password = components.password ?? ProcessInfo.processInfo.environment["PGPASSWORD"]
        let query = Dictionary(components.queryItems?.map { ($0.name, $0.value ?? "") } ?? [], uniquingKeysWith: { $1 })
        var configuration: PostgresClient.Configuration
        if let socketFolder = query["host"], socketFolder.hasPrefix("/") {
            // A local socket: PostgreSQL does not use TLS there.
            let port = components.port ?? 5432
            configuration = .init(unixSocketPath: "\(socketFolder)/.s.PGSQL.\(port)", username: user, password: password, database: database)
        } else {
            guard let host = components.host, !host.isEmpty else { throw invalid }
            configuration = .init(host: host, port: components.port ?? 5432, username: user, password: password, database: database,
                                  tls: try tls(mode: query["sslmode"] ?? "prefer", rootCertificate: query["sslrootcert"]))
        }
        configuration.options.maximumConnections = 8
        return configuration
    }

    private static func tls(mode: String, rootCertificate: String?) throws -> PostgresClient.Configuration.TLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let rootCertificate, !rootCertificate.isEmpty { tls.trustRoots = .file(rootCertificate) }
        switch mode {
        case "disable":
            return .disable
        case "prefer", "require":
            tls.certificateVerification = .none
            return mode == "prefer" ? .prefer(tls) : .require(tls)
        case "verify-ca":
            tls.certificateVerification = .noHostnameVerification
            return .require(tls)
        case "verify-full":
            tls.certificateVerification = .fullVerification
            return .require(tls)
        default:
            throw ObscuraError(.invalidSettings, "sslmode must be disable, prefer, require, verify-ca or verify-full")
        }
    }

    // MARK: Schema

    /// Each entry (its statements) runs once, in order, recorded in `obscura_schema`.
    static let migrations: [[String]] = [[
        """
        CREATE TABLE job (
            id TEXT PRIMARY KEY,
            created_at DOUBLE PRECISION NOT NULL,
            expires_at DOUBLE PRECISION NOT NULL,
            options TEXT NOT NULL,
            review BOOLEAN NOT NULL,
            finished_at DOUBLE PRECISION,
            webhook TEXT,
            webhook_event TEXT,
            webhook_state TEXT,
            webhook_attempts BIGINT NOT NULL DEFAULT 0,
            webhook_next_at DOUBLE PRECISION
        )
        """, """
        CREATE TABLE image (
            job_id TEXT NOT NULL REFERENCES job(id) ON DELETE CASCADE,
            idx BIGINT NOT NULL,
            name TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts BIGINT NOT NULL DEFAULT 0,
            lease TEXT,
            lease_until DOUBLE PRECISION,
            error_code TEXT,
            error_message TEXT,
            width BIGINT,
            height BIGINT,
            regions TEXT,
            report TEXT,
            output_format TEXT,
            result_bytes BIGINT,
            timings TEXT,
            detected TEXT,
            PRIMARY KEY (job_id, idx)
        )
        """,
        "CREATE INDEX image_state ON image(state)",
        """
        CREATE TABLE image_file (
            job_id TEXT NOT NULL,
            idx BIGINT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('original', 'result')),
            bytes BYTEA NOT NULL,
            PRIMARY KEY (job_id, idx, kind),
            FOREIGN KEY (job_id, idx) REFERENCES image(job_id, idx) ON DELETE CASCADE
        )
        """,
    ]]

    /// A client for `url` (not yet running: run it as a service) on a database whose schema is
    /// up to date. Migrates with a client of its own, run just for that.
    static func migratedClient(_ url: String, logger: Logger, connectTimeout: TimeInterval = 30) async throws -> PostgresClient {
        let configuration = try clientConfiguration(url)
        let migrator = PostgresClient(configuration: configuration)
        struct TimedOut: Error {}
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await migrator.run() }
                group.addTask { try await PostgresJobBackend(client: migrator, logger: logger).migrate() }
                // The pool retries a refused connection for ever: give up after a while instead.
                group.addTask {
                    try await Task.sleep(for: .seconds(connectTimeout))
                    throw TimedOut()
                }
                defer { group.cancelAll() }
                // The first to end: the migration, or the time limit (the client runs until cancelled).
                try await group.next()
            }
        } catch is TimedOut {
            throw ObscuraError(.invalidSettings, "the database could not be reached within \(Int(connectTimeout)) s: check --database")
        } catch {
            throw ObscuraError(.invalidSettings, "the database could not be reached or prepared (\(Self.reason(error)))")
        }
        return PostgresClient(configuration: configuration)
    }

    /// A short reason that names no value from the database.
    static func reason(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            return "\(error.code)"
        }
        return "\(type(of: error))"
    }

    /// Advisory lock keys (any fixed numbers of our own).
    private enum Lock: Int64 {
        case migrate = 0x6f62_7363_0001
        case create = 0x6f62_7363_0002
        case expire = 0x6f62_7363_0003
    }

    /// Brings the schema up to date. Nodes starting together wait for one another on the lock,
    /// so each migration runs once.
    func migrate() async throws {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Lock.migrate.rawValue))", logger: logger)
            do {
                try await connection.query("CREATE TABLE IF NOT EXISTS obscura_schema (version BIGINT NOT NULL)", logger: logger)
                let rows = try await connection.query("SELECT COALESCE(MAX(version), 0) FROM obscura_schema", logger: logger).collect()
                let current = try rows.first?.decode(Int.self) ?? 0
                for (offset, statements) in Self.migrations.enumerated() where offset + 1 > current {
                    try await connection.withTransaction(logger: logger) { connection in
                        for sql in statements { try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger) }
                        try await connection.query("INSERT INTO obscura_schema (version) VALUES (\(offset + 1))", logger: logger)
                    }
                    logger.notice("database migrated", metadata: ["version": "\(offset + 1)"])
                }
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Lock.migrate.rawValue))", logger: logger)
                throw error
            }
            try await connection.query("SELECT pg_advisory_unlock(\(Lock.migrate.rawValue))", logger: logger)
        }
    }

    /// One transaction on a pooled connection. An error thrown inside comes out as itself
    /// (PostgresNIO wraps it), so callers can tell `tooManyActiveJobs` from a database failure.
    private func transaction<Result: Sendable>(_ body: (PostgresConnection) async throws -> sending Result) async throws -> Result {
        do {
            return try await client.withTransaction(logger: logger, body)
        } catch let error as PostgresTransactionError {
            if let inner = error.closureError { throw inner }
            throw error
        }
    }

    /// The database's clock, in seconds since 1970, so that leases mean the same on every node.
    private static let databaseNow = "extract(epoch from clock_timestamp())"

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

    func approve(jobID: String, index: Int, regions: [RegionInput]) async throws -> Bool {
        let stored = try Self.json(regions.map(StoredRegion.init))
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

    // MARK: Work

    /// Images whose lease ended go back in line, or fail after `maximumAttempts` (their
    /// original deleted). Any node may run it at any time: each change is conditional.
    func recoverInterrupted(maximumAttempts: Int) async throws -> (requeued: Int, failed: Int) {
        try await transaction { connection in
            let message = "the image was being processed when its worker stopped, \(maximumAttempts) times"
            let failed = try await connection.query("""
                UPDATE image SET state = 'failed', error_code = 'server.interrupted', error_message = \(message), lease = NULL, lease_until = NULL
                WHERE state IN ('detecting', 'rendering') AND lease_until < \(unescaped: Self.databaseNow) AND attempts >= \(maximumAttempts)
                RETURNING job_id, idx
                """, logger: logger).collect()
            for row in failed {
                let (jobID, index) = try row.decode((String, Int).self)
                try await connection.query("DELETE FROM image_file WHERE job_id = \(jobID) AND idx = \(index)", logger: logger)
            }
            let requeued = try await connection.query("""
                UPDATE image SET state = CASE state WHEN 'detecting' THEN 'queued' ELSE 'approved' END, lease = NULL, lease_until = NULL
                WHERE state IN ('detecting', 'rendering') AND lease_until < \(unescaped: Self.databaseNow)
                RETURNING idx
                """, logger: logger).collect().count
            return (requeued, failed.count)
        }
    }

    func claimNext(lease: TimeInterval) async throws -> JobStore.Claim? {
        let token = UUID().uuidString
        guard let row = try await client.query("""
            WITH next AS (
                SELECT image.job_id, image.idx FROM image JOIN job ON job.id = image.job_id
                WHERE image.state IN ('queued', 'approved')
                ORDER BY job.created_at, job.id, image.idx
                LIMIT 1 FOR UPDATE OF image SKIP LOCKED
            )
            UPDATE image SET state = CASE image.state WHEN 'queued' THEN 'detecting' ELSE 'rendering' END,
                attempts = image.attempts + 1, lease = \(token), lease_until = \(unescaped: Self.databaseNow) + \(lease)
            FROM next WHERE image.job_id = next.job_id AND image.idx = next.idx
            RETURNING \(unescaped: Self.claimedColumns)
            """, logger: logger).collect().first else { return nil }
        let image = try Self.image(from: row)
        guard let job = try await job(image.jobID) else { return nil }
        return JobStore.Claim(job: job, image: image, stage: image.state, lease: token)
    }

    func renewLease(_ claim: JobStore.Claim, lease: TimeInterval) async throws -> Bool {
        try await !client.query("""
            UPDATE image SET lease_until = \(unescaped: Self.databaseNow) + \(lease)
            WHERE job_id = \(claim.image.jobID) AND idx = \(claim.image.index) AND state = \(claim.stage.rawValue) AND lease = \(claim.lease)
            RETURNING idx
            """, logger: logger).collect().isEmpty
    }

    func complete(_ claim: JobStore.Claim, as image: ImageRecord, result: [UInt8]?, removeOriginal: Bool) async throws -> Bool {
        let regions = try image.regions.map { try Self.json($0.map(StoredRegion.init)) }
        let detected = try image.detected.map { try Self.json($0.map(StoredRegion.init)) }
        let report = try image.report.map(Self.json)
        let timings = try image.detectionTimings.map(Self.json)
        return try await transaction { connection in
            let updated = try await connection.query("""
                UPDATE image SET state = \(image.state.rawValue), attempts = \(image.attempts), error_code = \(image.error?.code),
                    error_message = \(image.error?.message), width = \(image.width), height = \(image.height), regions = \(regions),
                    report = \(report), output_format = \(image.outputFormat), result_bytes = \(image.resultBytes), timings = \(timings),
                    detected = \(detected), lease = NULL, lease_until = NULL
                WHERE job_id = \(image.jobID) AND idx = \(image.index) AND state = \(claim.stage.rawValue) AND lease = \(claim.lease)
                RETURNING idx
                """, logger: logger).collect()
            guard !updated.isEmpty else { return false }
            if let result {
                try await connection.query("""
                    INSERT INTO image_file (job_id, idx, kind, bytes) VALUES (\(image.jobID), \(image.index), 'result', \(ByteBuffer(bytes: result)))
                    ON CONFLICT (job_id, idx, kind) DO UPDATE SET bytes = EXCLUDED.bytes
                    """, logger: logger)
            } else if image.state == .failed {
                try await connection.query("DELETE FROM image_file WHERE job_id = \(image.jobID) AND idx = \(image.index) AND kind = 'result'",
                                           logger: logger)
            }
            if removeOriginal {
                try await connection.query("""
                    DELETE FROM image_file WHERE job_id = \(image.jobID) AND idx = \(image.index) AND kind = 'original'
                    """, logger: logger)
            }
            return true
        }
    }

    // MARK: Webhooks

    func queueWebhookIfDue(jobID: String, now: Date) async throws {
        try await transaction { connection in
            guard let row = try await connection.query("""
                SELECT webhook, webhook_event FROM job WHERE id = \(jobID) FOR UPDATE
                """, logger: logger).collect().first else { return }
            let (webhook, previous) = try row.decode((String?, String?).self)
            guard webhook != nil else { return }
            let states = try await connection.query("SELECT state FROM image WHERE job_id = \(jobID)", logger: logger).collect()
                .map { ImageState(rawValue: try $0.decode(String.self)) ?? .failed }
            let event: String? = switch JobState.of(states) {
            case .finished: "job.finished"
            case .review: "job.review"
            default: nil
            }
            guard let event, event != previous else { return }
            try await connection.query("""
                UPDATE job SET webhook_event = \(event), webhook_state = 'pending', webhook_attempts = 0,
                    webhook_next_at = \(now.timeIntervalSince1970) WHERE id = \(jobID)
                """, logger: logger)
        }
    }

    /// Each due event is moved `hold` seconds on as it is taken, so no other node takes it while
    /// this one calls; `recordWebhookCall` then sets its real next time.
    func dueWebhooks(at now: Date, hold: TimeInterval) async throws -> [JobStore.WebhookDue] {
        try await client.query("""
            UPDATE job SET webhook_next_at = \(now.timeIntervalSince1970 + hold) WHERE id IN (
                SELECT id FROM job WHERE webhook_state = 'pending' AND webhook_next_at <= \(now.timeIntervalSince1970)
                ORDER BY webhook_next_at LIMIT 16 FOR UPDATE SKIP LOCKED)
            RETURNING id, webhook, webhook_event, webhook_attempts
            """, logger: logger).collect().map { row in
            let (id, url, event, attempts) = try row.decode((String, String, String, Int).self)
            return JobStore.WebhookDue(jobID: id, url: url, event: event, attempts: attempts)
        }
    }

    func recordWebhookCall(jobID: String, event: String, delivered: Bool, retryAt: Date?) async throws {
        let state = delivered ? "delivered" : retryAt == nil ? "failed" : "pending"
        try await client.query("""
            UPDATE job SET webhook_state = \(state), webhook_attempts = webhook_attempts + 1, webhook_next_at = \(retryAt?.timeIntervalSince1970)
            WHERE id = \(jobID) AND webhook_event = \(event) AND webhook_state = 'pending'
            """, logger: logger)
    }

    // MARK: Rows

    private static let jobColumns = "id, created_at, expires_at, options, review, finished_at, webhook, webhook_event, webhook_state, webhook_attempts"
    private static let imageColumns = """
        job_id, idx, name, state, attempts, error_code, error_message, width, height, regions, report, output_format, result_bytes, timings, detected
        """

    /// `imageColumns` qualified by the table, for the claim's UPDATE … FROM.
    private static let claimedColumns = imageColumns.split(separator: ",")
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

    private static func image(from row: PostgresRow) throws -> ImageRecord {
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
                           regions: try text("regions").map { try decode([StoredRegion].self, $0).compactMap(\.region) },
                           report: try text("report").map { try decode(ReportRecord.self, $0) },
                           outputFormat: try text("output_format"), resultBytes: try number("result_bytes"),
                           detectionTimings: try text("timings").map { try decode(StageTimings.self, $0) },
                           detected: try text("detected").map { try decode([StoredRegion].self, $0).compactMap(\.region) })
    }

    private static func json(_ value: some Encodable) throws -> String {
        String(decoding: try JSONCoding.encoder.encode(value), as: UTF8.self)
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONCoding.decoder.decode(type, from: Data(text.utf8))
    }
}
