import Foundation
import Obscura

/// The default backend: rows in SQLite (`JobStore`, `<data>/obscura.sqlite`) and files in
/// `<data>/jobs/` (`JobFiles`), for one server process. Files follow their rows: an original
/// is removed once its row says it is no longer needed, a result is written (to a temporary
/// file, renamed) before the row says `done`.
struct LocalJobBackend: JobBackend {
    let store: JobStore
    let files: JobFiles

    init(store: JobStore, files: JobFiles) {
        self.store = store
        self.files = files
    }

    init(dataDirectory: URL) throws {
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        store = try JobStore(path: dataDirectory.appendingPathComponent("obscura.sqlite").path)
        files = try JobFiles(dataDirectory: dataDirectory)
    }

    // MARK: Jobs

    func create(_ job: JobRecord, images: [ImageRecord], originals: [Int: URL], maximumActiveJobs: Int) async throws {
        try files.createFolder(job.id)
        for (index, url) in originals where url != files.original(job.id, index) {
            guard rename(url.path, files.original(job.id, index).path) == 0 else {
                throw ObscuraError(.fileSystem, "an upload could not be stored")
            }
        }
        try await store.create(job, images: images, maximumActiveJobs: maximumActiveJobs)
    }

    func job(_ id: String) async throws -> JobRecord? { try await store.job(id) }
    func images(of jobID: String) async throws -> [ImageRecord] { try await store.images(of: jobID) }
    func image(of jobID: String, index: Int) async throws -> ImageRecord? { try await store.image(of: jobID, index: index) }
    func jobIDs() async throws -> [String] { try await store.jobIDs() }

    func delete(_ jobID: String) async throws -> Bool {
        guard try await store.delete(jobID) else { return false }
        files.removeFolder(jobID)
        return true
    }

    func finish(_ jobID: String, at now: Date) async throws -> JobStore.FinishOutcome {
        let outcome = try await store.finish(jobID, at: now)
        if outcome == .finished {
            for image in try await store.images(of: jobID) { files.remove(files.original(jobID, image.index)) }
        }
        return outcome
    }

    func deleteImage(jobID: String, index: Int) async throws -> JobStore.ImageDeletion {
        let deletion = try await store.deleteImage(jobID: jobID, index: index)
        switch deletion {
        case .none: break
        case .image:
            files.remove(files.original(jobID, index))
            files.remove(files.result(jobID, index))
        case .job:
            files.removeFolder(jobID)
        }
        return deletion
    }

    func imageCounts() async throws -> [ImageState: Int] { try await store.imageCounts() }

    func deleteExpired(at now: Date) async throws -> [String] {
        let expired = try await store.expiredJobIDs(at: now)
        for id in expired {
            _ = try? await store.delete(id)
            files.removeFolder(id)
        }
        return expired
    }

    // MARK: Files

    func original(jobID: String, index: Int) async throws -> [UInt8]? {
        let url = files.original(jobID, index)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try files.read(url)
    }

    func hasOriginal(jobID: String, index: Int) -> Bool {
        FileManager.default.fileExists(atPath: files.original(jobID, index).path)
    }

    func result(jobID: String, index: Int) async throws -> [UInt8]? {
        let url = files.result(jobID, index)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try files.read(url)
    }

    func resultFile(jobID: String, index: Int) -> URL? {
        let url = files.result(jobID, index)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    // MARK: Review

    func approve(jobID: String, index: Int, regions: [Detection]) async throws -> Bool {
        try await store.approve(jobID: jobID, index: index, regions: regions)
    }

    func approveAll(jobID: String) async throws -> Int { try await store.approveAll(jobID: jobID) }

    // MARK: Work

    /// Runs once, before the server answers: whatever was taken belonged to the previous run.
    /// Also removes files that belong to no job, and originals their rows no longer need.
    func recoverInterrupted(maximumAttempts: Int) async throws -> (requeued: Int, failed: Int) {
        let outcome = try await store.recoverInterrupted(maximumAttempts: maximumAttempts)
        let jobIDs = try await store.jobIDs()
        for orphan in files.orphans(known: Set(jobIDs)) { files.removeFolder(orphan) }
        // Originals of finished images (failed by recovery, or left by a stop just after the
        // state was stored) are deleted now, except the rendered ones of review jobs that
        // their client has not finished.
        for id in jobIDs {
            let keeps = try await store.job(id)?.keepsOriginals ?? false
            for image in try await store.images(of: id) where image.state == .failed || (image.state == .done && !keeps) {
                files.remove(files.original(id, image.index))
            }
        }
        return outcome
    }

    /// One process owns the store: a claim holds until the process stops, so there is no lease.
    func claimNext(lease: TimeInterval) async throws -> JobStore.Claim? { try await store.claimNext() }
    func renewLease(_ claim: JobStore.Claim, lease: TimeInterval) -> Bool { true }

    func complete(_ claim: JobStore.Claim, as image: ImageRecord, result: [UInt8]?, removeOriginal: Bool) async throws -> Bool {
        let resultURL = files.result(image.jobID, image.index)
        if let result { try files.write(result, to: resultURL) } else if image.state == .failed { files.remove(resultURL) }
        guard try await store.update(image, from: claim.stage) else {
            await removeImageIfGone(image.jobID, image.index)
            return false
        }
        if removeOriginal { files.remove(files.original(image.jobID, image.index)) }
        return true
    }

    /// A worker finished an image that was deleted meanwhile (alone or with its job): its
    /// files go too.
    private func removeImageIfGone(_ jobID: String, _ index: Int) async {
        // A store that cannot be read says nothing: the files stay until the job expires.
        guard let imageGone = try? await store.image(of: jobID, index: index) == nil, imageGone else { return }
        files.remove(files.original(jobID, index))
        files.remove(files.result(jobID, index))
        if let jobGone = try? await store.job(jobID) == nil, jobGone { files.removeFolder(jobID) }
    }

    // MARK: Webhooks

    func queueWebhookIfDue(jobID: String, now: Date) async throws { try await store.queueWebhookIfDue(jobID: jobID, now: now) }
    /// One process sends every event, so nothing needs holding.
    func dueWebhooks(at now: Date, hold: TimeInterval) async throws -> [JobStore.WebhookDue] { try await store.dueWebhooks(at: now) }
    func recordWebhookCall(jobID: String, event: String, delivered: Bool, retryAt: Date?) async throws {
        try await store.recordWebhookCall(jobID: jobID, event: event, delivered: delivered, retryAt: retryAt)
    }
}
