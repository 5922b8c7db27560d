import Foundation
import Obscura
import ObscuraServer
import Synchronization

/// Sends a folder to an `obscura serve` in jobs and collects the results into an output folder,
/// as `anonymize` would have written them: same relative paths, same names, one report record
/// per input. A bounded number of jobs is on the server at once; each result is written
/// (atomically) as soon as it is done, and `SubmitState` remembers it, so a stopped run resumes
/// without sending a done input again.
final class Submitter: Sendable {
    struct Settings: Sendable {
        var input: String
        var output: String
        /// Sent as each job's options.
        var options: AnonymizeOptions
        var batchSize = 100
        var inFlight = 2
        /// Replace outputs that exist (and that this run's state does not account for).
        var overwrite = false
        /// Seconds between two looks at a job.
        var pollInterval = 1.0
        /// Tries of a request that failed for a reason that may pass (connection lost, server
        /// busy or restarting) before the inputs it concerns are given up for this run.
        var attempts = 8
        /// Files no output may replace besides the inputs (the report).
        var protected: [String] = []
    }

    /// An image of the folder to send.
    struct Item: Sendable {
        /// The input's path as the folder walk gives it (how messages and reports name it).
        var input: String
        /// Its path below the input folder, which is also its output's below the output folder.
        var relative: String
        /// The output path with the input's own name (the extension follows the format written).
        var destination: String
        var format: ImageFormat
        var size: Int
    }

    /// What to do next: send images as a new job, or collect a job already on the server.
    private enum Work: Sendable {
        case upload([Item])
        case collect(job: String, images: [Int: Item])
    }

    let settings: Settings
    let client: ServerClient
    /// Called as images go to the server (their input paths) and as each input is settled.
    private let onStart: @Sendable ([String]) -> Void
    private let onRecord: @Sendable (ReportRecord) -> Void
    private let summary = Mutex(BatchSummary())
    /// Output paths taken in this run (resolved), so two inputs never write one file.
    private let claimed = Mutex(Set<String>())
    /// How often each input was put in a job this run; a server that keeps losing jobs does
    /// not make the run loop forever.
    private let sends = Mutex([String: Int]())
    private let optionsJSON: Data
    /// Set when the server could not be reached after every try.
    private let lost = Mutex(false)

    init(settings: Settings, client: ServerClient, onStart: @escaping @Sendable ([String]) -> Void,
         onRecord: @escaping @Sendable (ReportRecord) -> Void) throws {
        self.settings = settings
        self.client = client
        self.onStart = onStart
        self.onRecord = onRecord
        // `overwrite` is this machine's business; a path to a words file means nothing to a server.
        var sent = settings.options
        sent.overwrite = false
        sent.piiWordsFile = nil
        optionsJSON = try JSONEncoder().encode(sent)
    }

    /// Checks that the server answers and takes the token: a set-up problem otherwise, before
    /// anything is written.
    static func connect(_ client: ServerClient, attempts: Int) async throws -> ServerInfo {
        let info = try await retrying(attempts: attempts) { try await client.info() }
        if info.tokenRequired && client.token == nil {
            throw SubmitError("auth.required", "the server at \(client.server) needs a token: pass --token or set OBSCURA_TOKEN")
        }
        // A job that cannot exist: 404 when the token is accepted, 401 when it is not.
        _ = try await retrying(attempts: attempts) { try await client.job(UUID().uuidString.lowercased()) }
        return info
    }

    /// Runs the whole folder; returns the counts `anonymize` would give.
    /// `planned`: the folder walk (`BatchPlanner.plan` of the input folder into the output folder).
    func run(_ planned: [BatchItem], info: ServerInfo) async throws -> BatchSummary {
        let state = try SubmitState(folder: settings.output)
        defer { state.finish() }
        let untouchable = FileIdentitySet(planned.compactMap { item -> String? in
            if case .file(let path) = item.source { return path }
            return nil
        } + settings.protected + [state.path])
        let outputBase = settings.output.hasSuffix("/") ? settings.output : settings.output + "/"

        // Sort the walk into done, not images, open jobs' images and images to send.
        let snapshot = state.current
        var pending: [String: (item: Item, resumed: Bool)] = [:]
        var order: [String] = []
        for batchItem in planned {
            guard case .file(let input) = batchItem.source, case .file(let destination) = batchItem.destination,
                  destination.hasPrefix(outputBase) else { continue }
            let relative = String(destination.dropFirst(outputBase.count))
            var record = ReportRecord(input: input, outcome: .skipped, settings: settings.options, models: [])
            guard let sniffed = Self.sniff(input) else {
                record.error = .init(code: ObscuraError.Code.fileSystem.rawValue, message: "cannot read the file")
                record.outcome = .failed
                settle(record)
                continue
            }
            guard let format = sniffed.format else {
                record.skipReason = .notAnImage
                settle(record)
                continue
            }
            if let done = snapshot.done[relative] {
                let output = outputBase + done
                if FileManager.default.fileExists(atPath: output) {
                    record.skipReason = .outputExists
                    record.output = output
                    _ = claimed.withLock { $0.insert(FileIdentity.resolvedPath(output)) }
                    settle(record)
                    continue
                }
                // Done before, but the output is gone: send it again.
                state.forget(relative)
            }
            pending[relative] = (Item(input: input, relative: relative, destination: destination, format: format, size: sniffed.size), false)
            order.append(relative)
        }

        // Open jobs first: their images are collected if the server still has them.
        var queue: [Work] = []
        for job in snapshot.jobs {
            var images: [Int: Item] = [:]
            for (index, relative) in job.images.enumerated() {
                guard let entry = pending[relative], !entry.resumed else { continue }
                images[index] = entry.item
                pending[relative]?.resumed = true
            }
            if images.isEmpty {
                // Nothing of it is wanted any more; it may still hold results on the server.
                try? await client.delete(job.id)
                state.closed(job: job.id)
            } else {
                queue.append(.collect(job: job.id, images: images))
            }
        }

        // Outputs are claimed before anything is sent, as `anonymize` claims them before work.
        var fresh: [Item] = []
        for relative in order {
            guard let entry = pending[relative] else { continue }
            let (item, resumed) = (entry.item, entry.resumed)
            do {
                try claim(expectedPath(item), untouchable: untouchable, mayExist: resumed || settings.overwrite)
                if !resumed { fresh.append(item) }
            } catch let error as ObscuraError {
                fail(item, code: error.code.rawValue, message: error.message, cause: error.cause)
                if resumed { drop(item, from: &queue) }
            }
        }
        queue += batches(fresh, info: info)

        await withTaskGroup(of: [Item].self) { group in
            var running = 0
            while !queue.isEmpty || running > 0 {
                while running < settings.inFlight, !queue.isEmpty {
                    let work = queue.removeFirst()
                    group.addTask { await self.perform(work, state: state, untouchable: untouchable, outputBase: outputBase) }
                    running += 1
                }
                guard let resend = await group.next() else { break }
                running -= 1
                // Images of a job the server no longer has go out again, in new jobs.
                var again: [Item] = []
                for item in resend {
                    let count = sends.withLock { $0[item.relative, default: 0] }
                    if count >= 3 {
                        fail(item, code: "server.lost-job", message: "the server lost this image's job \(count) times; run the same command again to retry")
                    } else {
                        again.append(item)
                    }
                }
                queue += batches(again, info: info)
            }
        }
        return summary.withLock { $0 }
    }

    // MARK: Jobs

    private func perform(_ work: Work, state: SubmitState, untouchable: FileIdentitySet, outputBase: String) async -> [Item] {
        switch work {
        case .upload(let items):
            onStart(items.map(\.input))
            for item in items { sends.withLock { $0[item.relative, default: 0] += 1 } }
            let files = items.map { UploadFile(path: $0.input, name: ($0.input as NSString).lastPathComponent, size: $0.size) }
            let reply: JobReply
            do {
                reply = try await retrying { try await self.client.createJob(files, options: self.optionsJSON) }
            } catch {
                let failure = Self.failure(error, client: client)
                for item in items { fail(item, code: failure.code, message: failure.message) }
                return []
            }
            guard reply.images.count == items.count else {
                for item in items { fail(item, code: "server.invalid-reply", message: "the server's job \(reply.id) holds \(reply.images.count) images, not \(items.count)") }
                try? await client.delete(reply.id)
                return []
            }
            state.opened(job: reply.id, images: items.map(\.relative))
            var images: [Int: Item] = [:]
            for (index, item) in items.enumerated() { images[index] = item }
            return await collect(reply.id, images: images, resumed: false, state: state, untouchable: untouchable, outputBase: outputBase)
        case .collect(let job, let images):
            onStart(images.keys.sorted().compactMap { images[$0]?.input })
            return await collect(job, images: images, resumed: true, state: state, untouchable: untouchable, outputBase: outputBase)
        }
    }

    /// Polls `job` until each of `images` is done (written) or failed; returns the images to
    /// send again when the server no longer has the job.
    private func collect(_ job: String, images: [Int: Item], resumed: Bool, state: SubmitState,
                         untouchable: FileIdentitySet, outputBase: String) async -> [Item] {
        var waiting = images
        while !waiting.isEmpty {
            let reply: JobReply?
            do {
                reply = try await retrying { try await self.client.job(job) }
            } catch {
                // The job stays open in the state file: the next run collects it if it can.
                let failure = Self.failure(error, client: client)
                for index in waiting.keys.sorted() {
                    fail(waiting[index]!, code: failure.code, message: failure.message)
                }
                return []
            }
            guard let reply else {
                state.closed(job: job)
                return waiting.keys.sorted().compactMap { waiting[$0] }
            }
            for image in reply.images {
                guard let item = waiting[image.index] else { continue }
                switch image.state {
                case "done":
                    do {
                        try await fetch(job, image.index, item, mayReplace: resumed || settings.overwrite, state: state,
                                        untouchable: untouchable, outputBase: outputBase)
                    } catch let error as ObscuraError {
                        fail(item, code: error.code.rawValue, message: error.message, cause: error.cause)
                    } catch {
                        let failure = Self.failure(error, client: client)
                        fail(item, code: failure.code, message: failure.message)
                    }
                    waiting[image.index] = nil
                case "failed":
                    let error = image.error ?? .init(code: "server.failed", message: "the server could not process the image")
                    fail(item, code: error.code, message: error.message, cause: error.cause)
                    waiting[image.index] = nil
                default:
                    break
                }
            }
            if waiting.count == images.count && reply.images.allSatisfy({ $0.state == "review" }) && !reply.images.isEmpty {
                // Created with review elsewhere: nothing will happen without a person.
                for index in waiting.keys.sorted() {
                    fail(waiting[index]!, code: "job.in-review", message: "the server's job \(job) waits for review; render it on the review page")
                }
                return []
            }
            if !waiting.isEmpty { try? await Task.sleep(for: .seconds(settings.pollInterval)) }
        }
        try? await client.delete(job)
        state.closed(job: job)
        return []
    }

    /// Downloads image `index` of `job` and its report, writes the result beside where
    /// `anonymize` would have, and records it.
    private func fetch(_ job: String, _ index: Int, _ item: Item, mayReplace: Bool, state: SubmitState,
                       untouchable: FileIdentitySet, outputBase: String) async throws {
        let (bytes, report) = try await retrying { () -> ([UInt8], ReportRecord) in
            let bytes = try await self.client.result(job, image: index)
            let report = try await self.client.report(job, image: index)
            if let sha = report.outputSHA256, sha != Digest.sha256(bytes) {
                throw SubmitError("server.damaged-result", "the result of \(item.relative) arrived damaged", transient: true)
            }
            return (bytes, report)
        }
        let written = report.outputFormat.flatMap(ImageFormat.init(rawValue:)) ?? Anonymizer.resolve(settings.options.format, input: item.format)
        let output = BatchRunner.path(item.destination, for: written, input: item.format, source: .file(item.input))
        if output != expectedPath(item) {
            try claim(output, untouchable: untouchable, mayExist: mayReplace)
        }
        try AtomicFile.write(bytes, to: output, overwrite: mayReplace)
        var record = report
        record.input = item.input
        record.output = output
        record.outcome = .written
        state.markDone(item.relative, output: String(output.dropFirst(outputBase.count)))
        settle(record)
    }

    // MARK: Helpers

    /// Where `anonymize` would write `item` with the format the options ask for.
    private func expectedPath(_ item: Item) -> String {
        BatchRunner.path(item.destination, for: Anonymizer.resolve(settings.options.format, input: item.format),
                         input: item.format, source: .file(item.input))
    }

    /// Refuses an output that would replace an input or the report, that another input of
    /// this run writes, or that exists when it may not.
    private func claim(_ path: String, untouchable: FileIdentitySet, mayExist: Bool) throws {
        if untouchable.contains(path) {
            throw ObscuraError(.outputIsInput, "the output '\(path)' would replace an input or the report of this run; choose another output folder")
        }
        guard claimed.withLock({ $0.insert(FileIdentity.resolvedPath(path)).inserted }) else {
            throw ObscuraError(.outputExists, "another input in this run already writes '\(path)'")
        }
        if !mayExist && FileManager.default.fileExists(atPath: path) {
            throw ObscuraError(.outputExists, "'\(path)' already exists; pass --overwrite to replace it")
        }
    }

    private func drop(_ item: Item, from queue: inout [Work]) {
        queue = queue.compactMap { work in
            guard case .collect(let job, var images) = work else { return work }
            images = images.filter { $0.value.relative != item.relative }
            return images.isEmpty ? nil : .collect(job: job, images: images)
        }
    }

    /// Jobs of at most `batchSize` images (and the server's limit), each within the server's
    /// upload size; an image larger than that alone fails.
    private func batches(_ items: [Item], info: ServerInfo) -> [Work] {
        let count = max(1, min(settings.batchSize, info.maximumImagesPerJob))
        // Room for the multipart framing and the options field.
        let bytes = info.maximumUploadBytes - 16_384 - optionsJSON.count
        var jobs: [Work] = []
        var current: [Item] = [], size = 0
        for item in items {
            let cost = item.size + 512
            guard cost <= bytes else {
                fail(item, code: "upload.too-large", message: "the image is larger than the server's upload limit of \(info.maximumUploadBytes) bytes")
                continue
            }
            if current.count == count || size + cost > bytes {
                jobs.append(.upload(current))
                current = []
                size = 0
            }
            current.append(item)
            size += cost
        }
        if !current.isEmpty { jobs.append(.upload(current)) }
        return jobs
    }

    private func fail(_ item: Item, code: String, message: String, cause: String? = nil) {
        var record = ReportRecord(input: item.input, outcome: .failed, settings: settings.options, models: [])
        record.error = .init(code: code, message: message, cause: cause)
        settle(record)
    }

    private func settle(_ record: ReportRecord) {
        summary.withLock { summary in
            summary.count(record)
            onRecord(record)
        }
    }

    /// The format a file's first bytes announce (nil inside for a non-image) and its size; nil
    /// when it cannot be read.
    static func sniff(_ path: String) -> (format: ImageFormat?, size: Int)? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let head: Data?
        do { head = try handle.read(upToCount: 64) } catch { return nil }
        guard let end = try? handle.seekToEnd() else { return nil }
        return (ImageFormat.sniff(Array(head ?? Data())), Int(end))
    }

    /// Runs `operation`, trying again after a pause when it fails for a reason that may pass.
    func retrying<Value: Sendable>(_ operation: @Sendable () async throws -> Value) async throws -> Value {
        // Once the server was given up for this run, the rest fails at once: waiting again for
        // every remaining job would only delay the message to run the command again.
        if lost.withLock({ $0 }) { throw SubmitError.unreachable(client.server) }
        do {
            return try await Self.retrying(attempts: settings.attempts, operation)
        } catch let error as SubmitError where error.code == SubmitError.unreachable(client.server).code {
            lost.withLock { $0 = true }
            throw error
        }
    }

    static func retrying<Value: Sendable>(attempts: Int, _ operation: @Sendable () async throws -> Value) async throws -> Value {
        var attempt = 0
        while true {
            do {
                return try await operation()
            } catch let error as SubmitError where error.transient && attempt + 1 < attempts {
                let pause = Double(error.retryAfter ?? 0) > 0 ? Double(error.retryAfter!) : min(30, 0.5 * pow(2, Double(attempt)))
                attempt += 1
                try await Task.sleep(for: .seconds(pause))
            }
        }
    }

    /// Code and message for an error from a request.
    static func failure(_ error: any Error, client: ServerClient) -> (code: String, message: String) {
        switch error {
        case let error as SubmitError where error.code == "server.unreachable":
            (error.code, "\(error.message); run the same command again to resume")
        case let error as SubmitError: (error.code, error.message)
        case let error as ObscuraError: (error.code.rawValue, error.message)
        default: ("server.unreachable", "lost the server at \(client.server); run the same command again to resume")
        }
    }
}
