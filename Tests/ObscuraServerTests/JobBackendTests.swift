import Foundation
import Obscura
import Testing
@testable import ObscuraServer

/// The job-store contract, run against both backends: SQLite with files (the default) and
/// PostgreSQL. The API and the workers rely on exactly this, whichever is configured.
@Suite("JobBackendTests")
struct JobBackendTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case sqlite, postgres
        var testDescription: String { rawValue }

        /// PostgreSQL only where its server is installed; `PostgresJobTests` says so when it
        /// is not (scripts/setup.sh installs it, so CI runs both).
        static var available: [Kind] { PostgresTestServer.installed ? allCases : [.sqlite] }
    }

    /// Runs `body` with a fresh backend of `kind`.
    static func with(_ kind: Kind, _ body: @Sendable (any JobBackend) async throws -> Void) async throws {
        switch kind {
        case .sqlite:
            try await body(try LocalJobBackend(dataDirectory: Serve.dataDirectory()))
        case .postgres:
            try await PostgresTestServer.with { server in
                try await PostgresJobTests.withBackend(try await server.database()) { try await body($0) }
            }
        }
    }

    static func create(_ backend: any JobBackend, review: Bool = false, lifetime: TimeInterval = 3600,
                       webhook: String? = nil) async throws -> JobRecord {
        let job = JobRecord(id: UUID().uuidString.lowercased(), createdAt: Date(), expiresAt: Date().addingTimeInterval(lifetime),
                            options: AnonymizeOptions(), review: review, webhook: webhook.map { WebhookStatus(url: $0) })
        let images = [ImageRecord(jobID: job.id, index: 0, name: "a.jpg", state: .queued, attempts: 0),
                      ImageRecord(jobID: job.id, index: 1, name: "b.jpg", state: .queued, attempts: 0),
                      ImageRecord(jobID: job.id, index: 2, name: "c.txt", state: .failed, attempts: 0,
                                  error: Failure(code: "input.unsupported", message: "not an image"))]
        try await backend.create(job, images: images, originals: [0: try PostgresJobTests.upload([10]), 1: try PostgresJobTests.upload([11])],
                                 maximumActiveJobs: 10)
        return job
    }

    @Test(arguments: Kind.available)
    func aDirectJobIsClaimedCompletedAndDeletedImageByImage(kind: Kind) async throws {
        try await Self.with(kind) { backend in
            let job = try await Self.create(backend, webhook: "http://127.0.0.1:9/hook")
            #expect(try await backend.images(of: job.id).map(\.state) == [.queued, .queued, .failed])
            #expect(try await backend.original(jobID: job.id, index: 1) == [11])
            #expect(try await backend.imageCounts() == [.queued: 2, .failed: 1])

            let first = try #require(try await backend.claimNext(lease: 30))
            let second = try #require(try await backend.claimNext(lease: 30))
            #expect(first.image.index == 0 && second.image.index == 1)
            #expect(first.stage == .detecting && first.image.attempts == 1)
            #expect(try await backend.claimNext(lease: 30) == nil)

            var done = first.image
            done.state = .done
            done.outputFormat = "jpeg"
            #expect(try await backend.complete(first, as: done, result: [20], removeOriginal: true))
            #expect(try await backend.result(jobID: job.id, index: 0) == [20])
            #expect(try await !backend.hasOriginal(jobID: job.id, index: 0))
            #expect(try await !backend.complete(first, as: done, result: [21], removeOriginal: true), "a result counts once")

            var failed = second.image
            failed.state = .failed
            failed.error = Failure(code: "input.undecodable", message: "damaged")
            #expect(try await backend.complete(second, as: failed, result: nil, removeOriginal: true))
            #expect(try await backend.original(jobID: job.id, index: 1) == nil)
            #expect(try await backend.image(of: job.id, index: 1)?.error?.code == "input.undecodable")
            #expect(try await backend.imageCounts() == [.done: 1, .failed: 2])

            // The job has finished: its event is due once, then delivered.
            try await backend.queueWebhookIfDue(jobID: job.id, now: Date())
            let due = try await backend.dueWebhooks(at: Date().addingTimeInterval(1), hold: 60)
            #expect(due.map(\.event) == ["job.finished"])
            try await backend.recordWebhookCall(jobID: job.id, event: "job.finished", delivered: true, retryAt: nil)
            #expect(try await backend.job(job.id)?.webhook?.state == "delivered")
            #expect(try await backend.dueWebhooks(at: Date().addingTimeInterval(120), hold: 60).isEmpty)

            #expect(try await backend.deleteImage(jobID: job.id, index: 0) == .image)
            #expect(try await backend.result(jobID: job.id, index: 0) == nil)
            #expect(try await backend.deleteImage(jobID: job.id, index: 0) == JobStore.ImageDeletion.none)
            #expect(try await backend.deleteImage(jobID: job.id, index: 1) == .image)
            #expect(try await backend.deleteImage(jobID: job.id, index: 2) == .job)
            #expect(try await backend.job(job.id) == nil)
            #expect(try await backend.jobIDs().isEmpty)
        }
    }

    @Test(arguments: Kind.available)
    func aReviewJobKeepsItsOriginalsUntilFinishedAndExpires(kind: Kind) async throws {
        try await Self.with(kind) { backend in
            let job = try await Self.create(backend, review: true, lifetime: 3600)
            for _ in 0..<2 {
                let claim = try #require(try await backend.claimNext(lease: 30))
                var image = claim.image
                image.state = .review
                image.regions = [Detection(kind: .face, box: Box(x: 1, y: 2, width: 3, height: 4), score: 0.9)]
                #expect(try await backend.complete(claim, as: image, result: nil, removeOriginal: false))
            }
            #expect(try await backend.finish(job.id, at: Date()) == .unfinished(index: 0, state: .review))
            let manual = [Detection(kind: .manual, box: Box(x: 5, y: 6, width: 7, height: 8))]
            #expect(try await backend.approve(jobID: job.id, index: 0, regions: manual))
            #expect(try await backend.approveAll(jobID: job.id) == 1)
            for _ in 0..<2 {
                let claim = try #require(try await backend.claimNext(lease: 30))
                #expect(claim.stage == .rendering)
                #expect(claim.image.regions == (claim.image.index == 0 ? manual : [Detection(kind: .face, box: Box(x: 1, y: 2, width: 3, height: 4), score: 0.9)]))
                var image = claim.image
                image.state = .done
                image.outputFormat = "png"
                #expect(try await backend.complete(claim, as: image, result: [UInt8(30 + image.index)], removeOriginal: false))
            }
            // Rendered but not finished: the original stays, so the regions may change again.
            #expect(try await backend.hasOriginal(jobID: job.id, index: 0))
            #expect(try await backend.approve(jobID: job.id, index: 0, regions: manual))
            let again = try #require(try await backend.claimNext(lease: 30))
            var image = again.image
            image.state = .done
            image.outputFormat = "png"
            #expect(try await backend.complete(again, as: image, result: [40], removeOriginal: false))

            #expect(try await backend.finish(job.id, at: Date()) == .finished)
            #expect(try await !backend.hasOriginal(jobID: job.id, index: 0))
            #expect(try await !backend.hasOriginal(jobID: job.id, index: 1))
            #expect(try await !backend.approve(jobID: job.id, index: 0, regions: manual), "a finished job's regions are fixed")
            #expect(try await backend.result(jobID: job.id, index: 0) == [40])

            // Times relative to the job's own end, so a slow machine cannot expire it early.
            #expect(try await backend.deleteExpired(at: job.expiresAt.addingTimeInterval(-1)).isEmpty)
            #expect(try await backend.deleteExpired(at: job.expiresAt) == [job.id])
            #expect(try await backend.job(job.id) == nil)
            #expect(try await backend.result(jobID: job.id, index: 0) == nil)
        }
    }

    @Test(arguments: Kind.available)
    func moreActiveJobsThanTheLimitAreRefused(kind: Kind) async throws {
        try await Self.with(kind) { backend in
            let job = JobRecord(id: UUID().uuidString.lowercased(), createdAt: Date(), expiresAt: Date().addingTimeInterval(60),
                                options: AnonymizeOptions(), review: false)
            try await backend.create(job, images: [ImageRecord(jobID: job.id, index: 0, name: "a", state: .queued, attempts: 0)],
                                     originals: [:], maximumActiveJobs: 1)
            let next = JobRecord(id: UUID().uuidString.lowercased(), createdAt: Date(), expiresAt: Date().addingTimeInterval(60),
                                 options: AnonymizeOptions(), review: false)
            await #expect(throws: JobStore.CreateError.self) {
                try await backend.create(next, images: [ImageRecord(jobID: next.id, index: 0, name: "a", state: .queued, attempts: 0)],
                                         originals: [:], maximumActiveJobs: 1)
            }
            #expect(try await backend.job(next.id) == nil)
        }
    }
}
