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

    func create(_ job: JobRecord, images: [ImageRecord], originals: [Int: URL], maximumActiveJobs: Int) throws {
        try files.createFolder(job.id)
        for (index, url) in originals where url != files.original(job.id, index) {
            guard rename(url.path, files.original(job.id, index).path) == 0 else {
                throw ObscuraError(.fileSystem, "an upload could not be stored")
            }
        }
        try store.create(job, images: images, maximumActiveJobs: maximumActiveJobs)
    }

    func job(_ id: String) throws -> JobRecord? { try store.job(id) }
    func images(of jobID: String) throws -> [ImageRecord] { try store.images(of: jobID) }
    func image(of jobID: String, index: Int) throws -> ImageRecord? { try store.image(of: jobID, index: index) }
    func jobIDs() throws -> [String] { try store.jobIDs() }

    func delete(_ jobID: String) throws -> Bool {
        guard try store.delete(jobID) else { return false }
        files.removeFolder(jobID)
        return true
    }

    func finish(_ jobID: String, at now: Date) throws -> JobStore.FinishOutcome {
        let outcome = try store.finish(jobID, at: now)
        if outcome == .finished {
            for image in try store.images(of: jobID) { files.remove(files.original(jobID, image.index)) }
        }
        return outcome
    }

    func deleteImage(jobID: String, index: Int) throws -> JobStore.ImageDeletion {
        let deletion = try store.deleteImage(jobID: jobID, index: index)
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

    func imageCounts() throws -> [ImageState: Int] { try store.imageCounts() }

    func deleteExpired(at now: Date) throws -> [String] {
        let expired = try store.expiredJobIDs(at: now)
        for id in expired {
            _ = try? store.delete(id)
            files.removeFolder(id)
        }
        return expired
    }

    // MARK: Files

    func original(jobID: String, index: Int) throws -> [UInt8]? {
        let url = files.original(jobID, index)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try files.read(url)
    }

    func hasOriginal(jobID: String, index: Int) -> Bool {
        FileManager.default.fileExists(atPath: files.original(jobID, index).path)
    }

    func result(jobID: String, index: Int) throws -> [UInt8]? {
        let url = files.result(jobID, index)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try files.read(url)
    }

    func resultFile(jobID: String, index: Int) -> URL? {
        let url = files.result(jobID, index)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    // MARK: Review

    func approve(jobID: String, index: Int, regions: [Detection]) throws -> Bool {
        try store.approve(jobID: jobID, index: index, regions: regions)
    }

    func approveAll(jobID: String) throws -> Int { try store.approveAll(jobID: jobID) }

    // MARK: Work

    /// Runs once, before the server answers: whatever was taken belonged to the previous run.
    /// Also removes files that belong to no job, and originals their rows no longer need.
    func recoverInterrupted(maximumAttempts: Int) throws -> (requeued: Int, failed: Int) {
        let outcome = try store.recoverInterrupted(maximumAttempts: maximumAttempts)
        let jobIDs = try store.jobIDs()
        for orphan in files.orphans(known: Set(jobIDs)) { files.removeFolder(orphan) }
        // Originals of finished images (failed by recovery, or left by a stop just after the
        // state was stored) are deleted now, except the rendered ones of review jobs that
        // their client has not finished.
        for id in jobIDs {
            let keeps = try store.job(id)?.keepsOriginals ?? false
            for image in try store.images(of: id) where image.state == .failed || (image.state == .done && !keeps) {
                files.remove(files.original(id, image.index))
            }
        }
        return outcome
    }

    /// One process owns the store: a claim holds until the process stops, so there is no lease.
    func claimNext(lease: TimeInterval) throws -> JobStore.Claim? { try store.claimNext() }
    func renewLease(_ claim: JobStore.Claim, lease: TimeInterval) -> Bool { true }

    func complete(_ claim: JobStore.Claim, as image: ImageRecord, result: [UInt8]?, removeOriginal: Bool) throws -> Bool {
        let resultURL = files.result(image.jobID, image.index)
        if let result { try files.write(result, to: resultURL) } else if image.state == .failed { files.remove(resultURL) }
        guard try store.update(image, from: claim.stage) else {
            removeImageIfGone(image.jobID, image.index)
            return false
        }
        if removeOriginal { files.remove(files.original(image.jobID, image.index)) }
        return true
    }

    /// A worker finished an image that was deleted meanwhile (alone or with its job): its
    /// files go too.
    private func removeImageIfGone(_ jobID: String, _ index: Int) {
        // A store that cannot be read says nothing: the files stay until the job expires.
        guard let imageGone = try? store.image(of: jobID, index: index) == nil, imageGone else { return }
        files.remove(files.original(jobID, index))
        files.remove(files.result(jobID, index))
        if let jobGone = try? store.job(jobID) == nil, jobGone { files.removeFolder(jobID) }
    }

    // MARK: Webhooks

    func queueWebhookIfDue(jobID: String, now: Date) throws { try store.queueWebhookIfDue(jobID: jobID, now: now) }
    /// One process sends every event, so nothing needs holding.
    func dueWebhooks(at now: Date, hold: TimeInterval) throws -> [JobStore.WebhookDue] { try store.dueWebhooks(at: now) }
    func recordWebhookCall(jobID: String, event: String, delivered: Bool, retryAt: Date?) throws {
        try store.recordWebhookCall(jobID: jobID, event: event, delivered: delivered, retryAt: retryAt)
    }
}
