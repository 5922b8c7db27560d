import Foundation
import GRDB
import Obscura

/// Jobs and their images in SQLite (GRDB), so that a restart keeps every job's state. Files
/// (originals, results) live beside the database in `JobFiles`; rows say which exist.
/// Every state change is one conditional UPDATE, so two workers can never take the same image
/// and a worker whose job was deleted meanwhile learns it (the update changes no row).
package final class JobStore: Sendable {
    private let database: DatabaseQueue

    /// Opens (and creates or migrates) the database at `path`.
    package init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        database = try DatabaseQueue(path: path, configuration: configuration)
        try Self.migrator.migrate(database)
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE job (
                    id TEXT PRIMARY KEY NOT NULL,
                    createdAt DOUBLE NOT NULL,
                    expiresAt DOUBLE NOT NULL,
                    options TEXT NOT NULL,
                    review INTEGER NOT NULL
                );
                CREATE TABLE image (
                    jobID TEXT NOT NULL REFERENCES job(id) ON DELETE CASCADE,
                    idx INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    errorCode TEXT,
                    errorMessage TEXT,
                    width INTEGER,
                    height INTEGER,
                    regions TEXT,
                    report TEXT,
                    outputFormat TEXT,
                    resultBytes INTEGER,
                    PRIMARY KEY (jobID, idx)
                );
                CREATE INDEX image_state ON image(state);
                """)
        }
        migrator.registerMigration("v2-webhooks") { db in
            try db.execute(sql: """
                ALTER TABLE job ADD COLUMN webhook TEXT;
                ALTER TABLE job ADD COLUMN webhookEvent TEXT;
                ALTER TABLE job ADD COLUMN webhookState TEXT;
                ALTER TABLE job ADD COLUMN webhookAttempts INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE job ADD COLUMN webhookNextAt DOUBLE;
                """)
        }
        // The detection stage's timings, kept until a reviewed image is rendered so its report
        // counts decoding and detection as a direct job's does.
        migrator.registerMigration("v3-detection-timings") { db in
            try db.execute(sql: "ALTER TABLE image ADD COLUMN timings TEXT")
        }
        // When the client finished a review job (POST …/finish): until then its originals are
        // kept, so rendered images can be edited and rendered again. And what the detectors
        // found, kept when a person replaces the regions, so a region left out can come back.
        migrator.registerMigration("v4-finished") { db in
            try db.execute(sql: """
                ALTER TABLE job ADD COLUMN finishedAt DOUBLE;
                ALTER TABLE image ADD COLUMN detected TEXT;
                """)
        }
        return migrator
    }

    // MARK: Jobs

    enum CreateError: Error { case tooManyActiveJobs }

    /// Stores a new job and its images (all `queued`, or `failed` where the upload was refused)
    /// unless `maximumActiveJobs` unfinished jobs exist already.
    func create(_ job: JobRecord, images: [ImageRecord], maximumActiveJobs: Int) async throws {
        try await database.write { db in
            let active = try Int.fetchOne(db, sql: """
                SELECT COUNT(DISTINCT jobID) FROM image WHERE state NOT IN ('done', 'failed')
                """) ?? 0
            guard active < maximumActiveJobs else { throw CreateError.tooManyActiveJobs }
            try db.execute(sql: "INSERT INTO job (id, createdAt, expiresAt, options, review, webhook) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [job.id, job.createdAt.timeIntervalSince1970, job.expiresAt.timeIntervalSince1970,
                                       try Self.json(job.options), job.review, job.webhook?.url])
            for image in images {
                try db.execute(sql: """
                    INSERT INTO image (jobID, idx, name, state, errorCode, errorMessage) VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [job.id, image.index, image.name, image.state.rawValue, image.error?.code, image.error?.message])
            }
        }
    }

    func job(_ id: String) async throws -> JobRecord? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM job WHERE id = ?", arguments: [id]).map(Self.job(from:))
        }
    }

    func images(of jobID: String) async throws -> [ImageRecord] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM image WHERE jobID = ? ORDER BY idx", arguments: [jobID]).map(Self.image(from:))
        }
    }

    func image(of jobID: String, index: Int) async throws -> ImageRecord? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM image WHERE jobID = ? AND idx = ?", arguments: [jobID, index]).map(Self.image(from:))
        }
    }

    /// Every job id, oldest first.
    func jobIDs() async throws -> [String] {
        try await database.read { db in try String.fetchAll(db, sql: "SELECT id FROM job ORDER BY createdAt, id") }
    }

    /// Deletes a job's rows; true when it existed.
    @discardableResult
    func delete(_ jobID: String) async throws -> Bool {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM job WHERE id = ?", arguments: [jobID])
            return db.changesCount > 0
        }
    }

    enum FinishOutcome: Equatable { case finished, noJob, unfinished(index: Int, state: ImageState) }

    /// Marks a job finished by its client (once; a second call changes nothing), unless an image
    /// is still being worked on or waits for review. The caller then deletes the originals.
    func finish(_ jobID: String, at now: Date) async throws -> FinishOutcome {
        try await database.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM job WHERE id = ?", arguments: [jobID]) != nil else { return .noJob }
            if let row = try Row.fetchOne(db, sql: """
                SELECT idx, state FROM image WHERE jobID = ? AND state NOT IN ('done', 'failed') ORDER BY idx LIMIT 1
                """, arguments: [jobID]) {
                return .unfinished(index: row["idx"], state: ImageState(rawValue: row["state"]) ?? .queued)
            }
            try db.execute(sql: "UPDATE job SET finishedAt = ? WHERE id = ? AND finishedAt IS NULL",
                           arguments: [now.timeIntervalSince1970, jobID])
            return .finished
        }
    }

    enum ImageDeletion: Equatable { case none, image, job }

    /// Deletes one image's row; when it was the job's last image, the job goes too (a job has
    /// at least one image). A worker busy with the image learns it when its update changes no row.
    func deleteImage(jobID: String, index: Int) async throws -> ImageDeletion {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM image WHERE jobID = ? AND idx = ?", arguments: [jobID, index])
            guard db.changesCount > 0 else { return .none }
            let left = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM image WHERE jobID = ?", arguments: [jobID]) ?? 0
            guard left == 0 else { return .image }
            try db.execute(sql: "DELETE FROM job WHERE id = ?", arguments: [jobID])
            return .job
        }
    }

    /// How many images are in each state.
    func imageCounts() async throws -> [ImageState: Int] {
        try await database.read { db in
            var counts: [ImageState: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM image GROUP BY state") {
                if let state = ImageState(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            return counts
        }
    }

    /// Jobs whose results have expired at `now`.
    func expiredJobIDs(at now: Date) async throws -> [String] {
        try await database.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM job WHERE expiresAt <= ?", arguments: [now.timeIntervalSince1970])
        }
    }

    // MARK: Work

    /// What a worker took: an image to detect (`queued`) or to render (`approved`).
    struct Claim: Sendable {
        var job: JobRecord
        var image: ImageRecord
        /// The state the image was moved to: `detecting` or `rendering`.
        var stage: ImageState
        /// The token of the claim's lease, where claims have one (PostgreSQL).
        var lease: String? = nil
    }

    /// Takes the oldest waiting image, moving it to `detecting` or `rendering` and counting the
    /// attempt. Nil when nothing waits.
    func claimNext() async throws -> Claim? {
        try await database.write { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT image.* FROM image JOIN job ON job.id = image.jobID
                WHERE image.state IN ('queued', 'approved')
                ORDER BY job.createdAt, job.id, image.idx LIMIT 1
                """) else { return nil }
            var image = try Self.image(from: row)
            let stage: ImageState = image.state == .queued ? .detecting : .rendering
            try db.execute(sql: "UPDATE image SET state = ?, attempts = attempts + 1 WHERE jobID = ? AND idx = ? AND state = ?",
                           arguments: [stage.rawValue, image.jobID, image.index, image.state.rawValue])
            image.state = stage
            image.attempts += 1
            guard let job = try Row.fetchOne(db, sql: "SELECT * FROM job WHERE id = ?", arguments: [image.jobID]).map(Self.job(from:)) else {
                return nil
            }
            return Claim(job: job, image: image, stage: stage)
        }
    }

    /// Moves an image from `expected` to `image.state`, writing its results or error. False
    /// when the image is no longer in `expected` (its job was deleted, or it moved on).
    func update(_ image: ImageRecord, from expected: ImageState) async throws -> Bool {
        try await database.write { db in
            try db.execute(sql: """
                UPDATE image SET state = ?, attempts = ?, errorCode = ?, errorMessage = ?, width = ?, height = ?,
                    regions = ?, report = ?, outputFormat = ?, resultBytes = ?, timings = ?, detected = ?
                WHERE jobID = ? AND idx = ? AND state = ?
                """, arguments: [image.state.rawValue, image.attempts, image.error?.code, image.error?.message,
                                 image.width, image.height, try image.regions.map(Self.json), try image.report.map(Self.json),
                                 image.outputFormat, image.resultBytes, try image.detectionTimings.map(Self.json),
                                 try image.detected.map(Self.json),
                                 image.jobID, image.index, expected.rawValue])
            return db.changesCount > 0
        }
    }

    /// After a restart: images a worker had taken are put back in line (`detecting → queued`,
    /// `rendering → approved`), unless they have been tried `maximumAttempts` times already,
    /// in which case they fail with `server.interrupted`. Returns (requeued, failed).
    func recoverInterrupted(maximumAttempts: Int) async throws -> (requeued: Int, failed: Int) {
        try await database.write { db in
            try db.execute(sql: """
                UPDATE image SET state = 'failed', errorCode = 'server.interrupted',
                    errorMessage = 'the server stopped while this image was being processed, \(maximumAttempts) times'
                WHERE state IN ('detecting', 'rendering') AND attempts >= ?
                """, arguments: [maximumAttempts])
            let failed = db.changesCount
            try db.execute(sql: "UPDATE image SET state = 'queued' WHERE state = 'detecting'")
            var requeued = db.changesCount
            try db.execute(sql: "UPDATE image SET state = 'approved' WHERE state = 'rendering'")
            requeued += db.changesCount
            return (requeued, failed)
        }
    }

    /// Sets an image's regions and queues it for rendering, if it waits for review, or if it
    /// was rendered in a review job that its client has not finished (the original is kept).
    func approve(jobID: String, index: Int, regions: [Detection]) async throws -> Bool {
        try await database.write { db in
            try db.execute(sql: """
                UPDATE image SET state = 'approved', attempts = 0, regions = ? WHERE jobID = ? AND idx = ? AND (state = 'review'
                    OR (state = 'done' AND EXISTS (SELECT 1 FROM job WHERE id = ? AND review = 1 AND finishedAt IS NULL)))
                """, arguments: [try Self.json(regions), jobID, index, jobID])
            return db.changesCount > 0
        }
    }

    /// Queues every image of a job that waits for review, with the regions it has. Returns
    /// how many.
    func approveAll(jobID: String) async throws -> Int {
        try await database.write { db in
            try db.execute(sql: "UPDATE image SET state = 'approved', attempts = 0 WHERE jobID = ? AND state = 'review'",
                           arguments: [jobID])
            return db.changesCount
        }
    }

    // MARK: Webhooks

    /// After an image changed state: when the job has just finished, or now waits for review,
    /// and has a webhook that has not been told, an event is queued (`job.finished`,
    /// `job.review`). A later event replaces an undelivered earlier one.
    func queueWebhookIfDue(jobID: String, now: Date) async throws {
        try await database.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT webhook, webhookEvent FROM job WHERE id = ?", arguments: [jobID]),
                  (row["webhook"] as String?) != nil else { return }
            let states = try String.fetchAll(db, sql: "SELECT state FROM image WHERE jobID = ?", arguments: [jobID])
                .map { ImageState(rawValue: $0) ?? .failed }
            let event: String? = switch JobState.of(states) {
            case .finished: "job.finished"
            case .review: "job.review"
            default: nil
            }
            guard let event, event != row["webhookEvent"] as String? else { return }
            try db.execute(sql: """
                UPDATE job SET webhookEvent = ?, webhookState = 'pending', webhookAttempts = 0, webhookNextAt = ? WHERE id = ?
                """, arguments: [event, now.timeIntervalSince1970, jobID])
        }
    }

    struct WebhookDue: Sendable {
        var jobID: String
        var url: String
        var event: String
        var attempts: Int
    }

    /// Events whose next call is due at `now`.
    func dueWebhooks(at now: Date) async throws -> [WebhookDue] {
        try await database.read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, webhook, webhookEvent, webhookAttempts FROM job
                WHERE webhookState = 'pending' AND webhookNextAt <= ? ORDER BY webhookNextAt
                """, arguments: [now.timeIntervalSince1970]).map {
                WebhookDue(jobID: $0["id"], url: $0["webhook"], event: $0["webhookEvent"], attempts: $0["webhookAttempts"])
            }
        }
    }

    /// Records one call of `event`: delivered, retried at `retryAt`, or given up (`retryAt` nil).
    func recordWebhookCall(jobID: String, event: String, delivered: Bool, retryAt: Date?) async throws {
        try await database.write { db in
            let state = delivered ? "delivered" : retryAt == nil ? "failed" : "pending"
            try db.execute(sql: """
                UPDATE job SET webhookState = ?, webhookAttempts = webhookAttempts + 1, webhookNextAt = ?
                WHERE id = ? AND webhookEvent = ? AND webhookState = 'pending'
                """, arguments: [state, retryAt?.timeIntervalSince1970, jobID, event])
        }
    }

    // MARK: Rows

    private static func job(from row: Row) throws -> JobRecord {
        JobRecord(id: row["id"], createdAt: Date(timeIntervalSince1970: row["createdAt"]),
                  expiresAt: Date(timeIntervalSince1970: row["expiresAt"]),
                  options: try decode(AnonymizeOptions.self, row["options"]), review: row["review"],
                  finishedAt: (row["finishedAt"] as Double?).map(Date.init(timeIntervalSince1970:)),
                  webhook: (row["webhook"] as String?).map {
                      WebhookStatus(url: $0, event: row["webhookEvent"], state: row["webhookState"], attempts: row["webhookAttempts"])
                  })
    }

    private static func image(from row: Row) throws -> ImageRecord {
        let code: String? = row["errorCode"]
        let message: String? = row["errorMessage"]
        let regions: String? = row["regions"]
        let report: String? = row["report"]
        let timings: String? = row["timings"]
        let detected: String? = row["detected"]
        let state: String = row["state"]
        return ImageRecord(jobID: row["jobID"], index: row["idx"], name: row["name"],
                           state: ImageState(rawValue: state) ?? .failed, attempts: row["attempts"],
                           error: code.map { Failure(code: $0, message: message ?? "") },
                           width: row["width"], height: row["height"],
                           regions: try regions.map { try decode([Detection].self, $0) },
                           report: try report.map { try decode(ReportRecord.self, $0) },
                           outputFormat: row["outputFormat"], resultBytes: row["resultBytes"],
                           detectionTimings: try timings.map { try decode(StageTimings.self, $0) },
                           detected: try detected.map { try decode([Detection].self, $0) })
    }

    private static func json(_ value: some Encodable) throws -> String {
        String(decoding: try JSONCoding.encoder.encode(value), as: UTF8.self)
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONCoding.decoder.decode(type, from: Data(text.utf8))
    }
}
