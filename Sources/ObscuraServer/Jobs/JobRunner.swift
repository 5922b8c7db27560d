import Foundation
import Logging
import NIOPosix
import Obscura
import ServiceLifecycle

/// The workers of `obscura serve`, as a service: each takes the oldest waiting image from the
/// store, runs the library on it on the worker pool (never on the event loop) with the one
/// model set of the process (a job's options never reload a model), stores the result
/// and deletes the original. Also deletes expired jobs. Logs carry job ids, image numbers,
/// states and error codes only: never file names, pixels, metadata or text from images.
public final class JobRunner: Service, Sendable {
    let store: JobStore
    let files: JobFiles
    let configuration: ServerConfiguration
    let logger: Logger
    /// The models, loaded once and shared by every job whatever its options.
    let models: ModelSet
    let pool: WorkerPool
    let webhooks: WebhookSender

    init(store: JobStore, files: JobFiles, configuration: ServerConfiguration, logger: Logger, models: ModelSet) {
        self.store = store
        self.files = files
        self.configuration = configuration
        self.logger = logger
        self.models = models
        pool = WorkerPool(threads: configuration.workers)
        webhooks = WebhookSender(store: store, configuration: configuration, logger: logger)
    }

    /// Puts images that a stopped server had taken back in line (or fails them after
    /// `maximumAttempts`), and removes files that belong to no job. Runs before the server
    /// accepts requests.
    func recover() throws {
        let outcome = try store.recoverInterrupted(maximumAttempts: configuration.maximumAttempts)
        if outcome.requeued + outcome.failed > 0 {
            logger.notice("recovered interrupted images", metadata: ["requeued": "\(outcome.requeued)", "failed": "\(outcome.failed)"])
        }
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
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<self.configuration.workers { group.addTask { await self.work() } }
                group.addTask { await self.sweep() }
                group.addTask { await self.webhooks.run() }
            }
        }
    }

    private func work() async {
        while !Task.isCancelled {
            let claim: JobStore.Claim?
            do { claim = try store.claimNext() } catch {
                logger.error("job store unavailable", metadata: ["error": "\(type(of: error))"])
                claim = nil
            }
            if let claim {
                await process(claim)
            } else {
                try? await Task.sleep(for: .seconds(configuration.pollInterval))
            }
        }
    }

    private func sweep() async {
        while !Task.isCancelled {
            deleteExpired(at: Date())
            try? await Task.sleep(for: .seconds(configuration.sweepInterval))
        }
    }

    /// Deletes every job whose results have expired at `now`, rows and files.
    func deleteExpired(at now: Date) {
        for id in (try? store.expiredJobIDs(at: now)) ?? [] {
            _ = try? store.delete(id)
            files.removeFolder(id)
            logger.info("job expired", metadata: ["job": "\(id)"])
        }
    }

    private enum Outcome: Sendable {
        case detected(Anonymizer.Detected)
        case rendered(AnonymizedImage, models: [ModelDescriptor])
    }

    /// Runs one claimed image to its next state. Any failure fails this image only.
    func process(_ claim: JobStore.Claim) async {
        let job = claim.job
        var image = claim.image
        let stage = claim.stage
        let originalURL = files.original(job.id, image.index)
        let resultURL = files.result(job.id, image.index)
        let maximumPixels = configuration.maximumPixels
        do {
            let bytes = try files.read(originalURL)
            let regions = image.regions ?? []
            let detectionTimings = image.detectionTimings ?? StageTimings()
            let outcome = try await pool.run { [models] () throws -> Outcome in
                let anonymizer = try Anonymizer(options: job.options, models: models)
                if stage == .detecting {
                    let found = try anonymizer.detect(bytes, maximumPixels: maximumPixels)
                    if job.review { return .detected(found) }
                    let detections = found.detections, timings = found.timings
                    return .rendered(try anonymizer.render((consume found).decoded, detections: detections, timings: timings),
                                     models: anonymizer.models)
                }
                // A reviewed image is decoded again (the pixels are not kept between stages): its
                // report counts both decodes and the detection stage's time, and names the
                // metadata removed, as a direct job's does.
                let clock = ContinuousClock(), start = clock.now
                let decoded = try Anonymizer.decode(bytes, maximumPixels: maximumPixels)
                var timings = detectionTimings
                timings.decode += Self.milliseconds(clock.now - start)
                return .rendered(try anonymizer.render(consume decoded, detections: regions.map(\.detection), timings: timings),
                                 models: anonymizer.models)
            }
            switch outcome {
            case .detected(let found):
                image.state = .review
                image.attempts = 0
                image.width = found.decoded.pixels.width
                image.height = found.decoded.pixels.height
                image.regions = found.detections.map(RegionInput.init)
                image.detected = image.regions
                image.detectionTimings = found.timings
                if try !store.update(image, from: stage) { files.removeImageIfGone(job.id, image.index, store: store) }
            case .rendered(let result, let models):
                try files.write(result.bytes, to: resultURL)
                image.state = .done
                image.width = result.width
                image.height = result.height
                if stage == .detecting {
                    image.regions = result.regions.map { RegionInput($0.detection) }
                    image.detected = image.regions
                }
                image.outputFormat = result.outputFormat.rawValue
                image.resultBytes = result.bytes.count
                var report = ReportRecord(input: image.name, outcome: .written, settings: job.options, models: models)
                report.record(result)
                report.inputSHA256 = Digest.sha256(bytes)
                report.output = image.resultName
                report.outputSHA256 = Digest.sha256(result.bytes)
                image.report = report
                if try store.update(image, from: stage) {
                    // A review job keeps it until finished, so the regions can change again.
                    if !job.keepsOriginals { files.remove(originalURL) }
                } else {
                    files.removeImageIfGone(job.id, image.index, store: store)
                }
            }
            try? store.queueWebhookIfDue(jobID: job.id, now: Date())
            logger.info("image \(image.state.rawValue)", metadata: ["job": "\(job.id)", "image": "\(image.index)"])
        } catch {
            let failure = (error as? ObscuraError).map(Failure.init) ?? Failure(code: "server.failed", message: "the image could not be processed")
            image.state = .failed
            image.error = failure
            _ = try? store.update(image, from: stage)
            try? store.queueWebhookIfDue(jobID: job.id, now: Date())
            files.remove(originalURL)
            files.remove(resultURL)
            logger.info("image failed", metadata: ["job": "\(job.id)", "image": "\(image.index)", "code": "\(failure.code)"])
        }
    }
}

extension JobRunner {
    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}

extension JobFiles {
    /// A worker finished an image that was deleted meanwhile (alone or with its job): its
    /// files go too.
    func removeImageIfGone(_ jobID: String, _ index: Int, store: JobStore) {
        // A store that cannot be read says nothing: the files stay until the job expires.
        guard let imageGone = try? store.image(of: jobID, index: index) == nil, imageGone else { return }
        remove(original(jobID, index))
        remove(result(jobID, index))
        if let jobGone = try? store.job(jobID) == nil, jobGone { removeFolder(jobID) }
    }
}
