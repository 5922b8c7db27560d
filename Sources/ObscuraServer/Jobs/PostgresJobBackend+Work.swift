import Foundation
import Logging
import NIOCore
import Obscura
import PostgresNIO

// The workers' side: leases on images, their results, and the webhook events jobs raise.
extension PostgresJobBackend {
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
        let regions = try image.regions.map(Self.json)
        let detected = try image.detected.map(Self.json)
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
}
