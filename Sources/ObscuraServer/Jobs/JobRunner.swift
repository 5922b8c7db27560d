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
package final class JobRunner: Service, Sendable {
    let backend: any JobBackend
    let configuration: ServerConfiguration
    let logger: Logger
    /// The models, loaded once and shared by every job whatever its options.
    let models: ModelSet
    let pool: WorkerPool
    let webhooks: WebhookSender
    /// False on a worker process, which has no webhook secret: the serving nodes send them.
    let sendsWebhooks: Bool
    let metrics: ServerMetrics

    init(backend: any JobBackend, configuration: ServerConfiguration, logger: Logger, models: ModelSet, sendsWebhooks: Bool = true,
         metrics: ServerMetrics = ServerMetrics()) {
        self.backend = backend
        self.metrics = metrics
        self.configuration = configuration
        self.logger = logger
        self.models = models
        self.sendsWebhooks = sendsWebhooks
        pool = WorkerPool(threads: max(1, configuration.workers))
        webhooks = WebhookSender(backend: backend, configuration: configuration, logger: logger)
    }

    /// Puts images that a stopped worker had taken back in line (or fails them after
    /// `maximumAttempts`). For the local store this runs once, before the server accepts
    /// requests; with PostgreSQL, leases end on their own and every node looks regularly.
    func recover() async throws {
        let outcome = try await backend.recoverInterrupted(maximumAttempts: configuration.maximumAttempts)
        if outcome.requeued + outcome.failed > 0 {
            logger.notice("recovered interrupted images", metadata: ["requeued": "\(outcome.requeued)", "failed": "\(outcome.failed)"])
        }
    }

    package func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<self.configuration.workers { group.addTask { await self.work() } }
                group.addTask { await self.sweep() }
                if self.sendsWebhooks { group.addTask { await self.webhooks.run() } }
                if self.configuration.databaseURL != nil { group.addTask { await self.recoverExpiredLeases() } }
            }
        }
    }

    private func work() async {
        while !Task.isCancelled {
            let claim: JobStore.Claim?
            do { claim = try await backend.claimNext(lease: configuration.leaseDuration) } catch {
                logger.error("job store unavailable", metadata: ["error": "\(type(of: error))"])
                claim = nil
            }
            if let claim {
                metrics.claimed()
                defer { metrics.released() }
                await withTaskGroup(of: Void.self) { group in
                    // The lease is renewed while the image is worked on, so only a stopped
                    // worker loses it.
                    if claim.lease != nil { group.addTask { await self.keepLease(claim) } }
                    await process(claim)
                    group.cancelAll()
                }
            } else {
                try? await Task.sleep(for: .seconds(configuration.pollInterval))
            }
        }
    }

    /// Renews a claim's lease every third of its length until cancelled.
    private func keepLease(_ claim: JobStore.Claim) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(configuration.leaseDuration / 3))
            guard !Task.isCancelled else { return }
            do {
                if try await !backend.renewLease(claim, lease: configuration.leaseDuration) { return }
            } catch {
                logger.warning("lease not renewed", metadata: ["job": "\(claim.job.id)", "image": "\(claim.image.index)", "error": "\(type(of: error))"])
            }
        }
    }

    /// Every node looks for ended leases a few times per lease length.
    private func recoverExpiredLeases() async {
        while !Task.isCancelled {
            do { try await recover() } catch {
                logger.error("job store unavailable", metadata: ["error": "\(type(of: error))"])
            }
            try? await Task.sleep(for: .seconds(max(0.05, configuration.leaseDuration / 4)))
        }
    }

    private func sweep() async {
        while !Task.isCancelled {
            await deleteExpired(at: Date())
            try? await Task.sleep(for: .seconds(configuration.sweepInterval))
        }
    }

    /// Deletes every job whose results have expired at `now`, rows and files.
    func deleteExpired(at now: Date) async {
        for id in (try? await backend.deleteExpired(at: now)) ?? [] {
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
        let maximumPixels = configuration.maximumPixels
        do {
            guard let bytes = try await backend.original(jobID: job.id, index: image.index) else {
                throw ObscuraError(.fileSystem, "a stored file could not be read")
            }
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
                return .rendered(try anonymizer.render(consume decoded, detections: regions, timings: timings),
                                 models: anonymizer.models)
            }
            switch outcome {
            case .detected(let found):
                image.state = .review
                image.attempts = 0
                image.width = found.decoded.pixels.width
                image.height = found.decoded.pixels.height
                image.regions = found.detections
                image.detected = image.regions
                image.detectionTimings = found.timings
                _ = try await backend.complete(claim, as: image, result: nil, removeOriginal: false)
                metrics.finished(.review, timings: found.timings)
            case .rendered(let result, let models):
                image.state = .done
                image.width = result.width
                image.height = result.height
                if stage == .detecting {
                    image.regions = result.regions.map(\.detection)
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
                // A review job keeps its original until finished, so the regions can change again.
                _ = try await backend.complete(claim, as: image, result: result.bytes, removeOriginal: !job.keepsOriginals)
                metrics.finished(.done, timings: result.timings)
            }
            try? await backend.queueWebhookIfDue(jobID: job.id, now: Date())
            logger.info("image \(image.state.rawValue)", metadata: ["job": "\(job.id)", "image": "\(image.index)"])
        } catch {
            let failure = (error as? ObscuraError).map { Failure($0, keepingCause: false) }
                ?? Failure(code: "server.failed", message: "the image could not be processed")
            image.state = .failed
            image.error = failure
            _ = try? await backend.complete(claim, as: image, result: nil, removeOriginal: true)
            metrics.finished(.failed, failure: failure.code)
            try? await backend.queueWebhookIfDue(jobID: job.id, now: Date())
            logger.info("image failed", metadata: ["job": "\(job.id)", "image": "\(image.index)", "code": "\(failure.code)"])
        }
    }
}

extension JobRunner {
    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}
