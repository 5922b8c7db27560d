import Foundation
import Obscura

/// Where a server keeps its jobs: their rows and their files (originals, results). Two exist:
/// `LocalJobBackend` (SQLite and a folder, one machine, the default) and
/// `PostgresJobBackend` (one PostgreSQL database shared by any number of `serve` and `worker`
/// processes, which need nothing else). The API, the workers and the webhook sender see only
/// this, so both behave the same way to clients.
///
/// Every state change is conditional on the state it expects, so two workers never take the
/// same image, and a worker whose image was deleted or taken back meanwhile learns it (the
/// change is refused) and keeps nothing.
protocol JobBackend: Sendable {
    // MARK: Jobs

    /// Stores a new job and its images, unless `maximumActiveJobs` unfinished jobs exist
    /// already (`JobStore.CreateError.tooManyActiveJobs`). `originals` maps an image's index to
    /// its checked upload file, which the backend takes over (moved or copied, then removed).
    func create(_ job: JobRecord, images: [ImageRecord], originals: [Int: URL], maximumActiveJobs: Int) async throws
    func job(_ id: String) async throws -> JobRecord?
    func images(of jobID: String) async throws -> [ImageRecord]
    func image(of jobID: String, index: Int) async throws -> ImageRecord?
    /// Every job id, oldest first.
    func jobIDs() async throws -> [String]
    /// Deletes a job, its rows and files; true when it existed.
    func delete(_ jobID: String) async throws -> Bool
    /// Marks a job finished by its client and deletes the originals it kept.
    func finish(_ jobID: String, at now: Date) async throws -> JobStore.FinishOutcome
    /// Deletes one image, its original and result; the last image takes the job with it.
    func deleteImage(jobID: String, index: Int) async throws -> JobStore.ImageDeletion
    /// How many images are in each state, every job together (for `/metrics`).
    func imageCounts() async throws -> [ImageState: Int]
    /// Deletes the jobs whose results have expired at `now`; returns their ids.
    func deleteExpired(at now: Date) async throws -> [String]

    // MARK: Files

    /// The original of an image, while it is kept; nil once deleted.
    func original(jobID: String, index: Int) async throws -> [UInt8]?
    func hasOriginal(jobID: String, index: Int) async throws -> Bool
    /// The result of a done image; nil when there is none.
    func result(jobID: String, index: Int) async throws -> [UInt8]?
    /// The result's file, where the backend keeps results as files (local): a download streams
    /// it from disk rather than holding it in memory. Nil elsewhere.
    func resultFile(jobID: String, index: Int) -> URL?

    // MARK: Review

    /// Sets an image's regions and queues it for rendering, if it waits for review, or if it
    /// was rendered in a review job that its client has not finished (the original is kept).
    func approve(jobID: String, index: Int, regions: [Detection]) async throws -> Bool
    /// Queues every image of a job that waits for review. Returns how many.
    func approveAll(jobID: String) async throws -> Int

    // MARK: Work

    /// Puts back in line what workers had taken and can no longer finish (a local server's
    /// previous run; expired leases in PostgreSQL), or fails it with `server.interrupted` after
    /// `maximumAttempts`. Returns (requeued, failed).
    func recoverInterrupted(maximumAttempts: Int) async throws -> (requeued: Int, failed: Int)
    /// Takes the oldest waiting image for `lease` seconds, moving it to `detecting` or
    /// `rendering` and counting the attempt. Nil when nothing waits.
    func claimNext(lease: TimeInterval) async throws -> JobStore.Claim?
    /// Extends a claim's lease; false when the image is no longer this claim's.
    func renewLease(_ claim: JobStore.Claim, lease: TimeInterval) async throws -> Bool
    /// Stores a claimed image's next state (with its result, if rendered) in one step, and
    /// deletes its original when `removeOriginal`. False when the claim no longer holds (the
    /// image or its job was deleted, or its lease expired and it was taken back): then nothing
    /// of it is kept.
    func complete(_ claim: JobStore.Claim, as image: ImageRecord, result: [UInt8]?, removeOriginal: Bool) async throws -> Bool

    // MARK: Webhooks

    /// After an image changed state: queues `job.finished` or `job.review` when due.
    func queueWebhookIfDue(jobID: String, now: Date) async throws
    /// Events whose next call is due at `now`, each taken by this process alone until
    /// `now + hold` (so that one event is sent by one node).
    func dueWebhooks(at now: Date, hold: TimeInterval) async throws -> [JobStore.WebhookDue]
    /// Records one call of `event`: delivered, retried at `retryAt`, or given up (`retryAt` nil).
    func recordWebhookCall(jobID: String, event: String, delivered: Bool, retryAt: Date?) async throws
}
