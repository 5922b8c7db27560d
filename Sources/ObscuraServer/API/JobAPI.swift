import Foundation
import Hummingbird
import NIOPosix
import Obscura

/// The REST API under `/v1`. Thin: it checks requests, stores uploads and reads the store; the
/// workers (`JobRunner`) do the image work through the `Obscura` library.
struct JobAPI: Sendable {
    let backend: any JobBackend
    /// Where uploads are received, one folder per job, before the backend takes them.
    let uploads: JobFiles
    let configuration: ServerConfiguration
    /// Upload bytes in flight across all requests (`--max-inflight`).
    let uploadBudget: UploadBudget

    func register(on router: Router<BasicRequestContext>) {
        router.post("/v1/jobs") { request, context in try await create(request, context: context) }
        router.get("/v1/jobs") { _, _ in try await list() }
        router.get("/v1/jobs/:job") { _, context in try await status(try jobID(context)) }
        router.delete("/v1/jobs/:job") { _, context in try await delete(try jobID(context)) }
        router.post("/v1/jobs/:job/render") { _, context in try await renderAll(try jobID(context)) }
        router.get("/v1/jobs/:job/results.zip") { _, context in try await zip(try jobID(context)) }
        router.get("/v1/jobs/:job/images/:image/regions") { _, context in
            try await regions(try jobID(context), try imageIndex(context))
        }
        router.put("/v1/jobs/:job/images/:image/regions") { request, context in
            try await replaceRegions(request, context: context)
        }
        router.get("/v1/jobs/:job/images/:image/result") { _, context in
            try await result(try jobID(context), try imageIndex(context), context: context)
        }
        router.get("/v1/jobs/:job/images/:image/preview") { _, context in
            try await preview(try jobID(context), try imageIndex(context))
        }
        router.get("/v1/jobs/:job/images/:image/report") { _, context in
            try await report(try jobID(context), try imageIndex(context))
        }
        router.post("/v1/jobs/:job/finish") { _, context in try await finish(try jobID(context)) }
        router.delete("/v1/jobs/:job/images/:image") { _, context in
            try await deleteImage(try jobID(context), try imageIndex(context))
        }
        router.get("/v1/info") { _, _ in
            try Response.json(ServerInfo(version: Obscura.version, tokenRequired: !(configuration.token ?? "").isEmpty,
                                         resultLifetime: configuration.resultLifetime, maximumImagesPerJob: configuration.maximumImagesPerJob,
                                         maximumUploadBytes: configuration.maximumUploadBytes))
        }
    }

    // MARK: Parameters

    /// Job ids are UUIDs; anything else is refused before it reaches a path on disk.
    private func jobID(_ context: BasicRequestContext) throws -> String {
        let id = try context.parameters.require("job")
        guard let uuid = UUID(uuidString: id), uuid.uuidString.lowercased() == id else { throw APIError.notFound("job") }
        return id
    }

    private func imageIndex(_ context: BasicRequestContext) throws -> Int {
        guard let index = context.parameters.get("image", as: Int.self), index >= 0 else { throw APIError.notFound("image") }
        return index
    }

    private func existingJob(_ id: String) async throws -> JobRecord {
        guard let job = try await backend.job(id) else { throw APIError.notFound("job") }
        return job
    }

    private func existingImage(_ id: String, _ index: Int) async throws -> ImageRecord {
        _ = try await existingJob(id)
        guard let image = try await backend.image(of: id, index: index) else { throw APIError.notFound("image") }
        return image
    }

    // MARK: Jobs

    private func create(_ request: Request, context: BasicRequestContext) async throws -> Response {
        guard let contentType = request.headers[.contentType], let boundary = Multipart.boundary(contentType: contentType) else {
            throw APIError(.unsupportedMediaType, "upload.not-multipart", "send the images as multipart/form-data")
        }
        let declaredLength = request.headers[.contentLength].flatMap(Int.init)
        if let declaredLength, declaredLength > configuration.maximumUploadBytes {
            throw Self.uploadTooLarge(configuration.maximumUploadBytes)
        }
        // The whole declared body is held against --max-inflight before its first byte is read.
        let reservation = try UploadReservation(budget: uploadBudget)
        defer { reservation.release() }
        try reservation.cover(declaredLength ?? 0)

        let now = Date()
        let jobID = UUID().uuidString.lowercased()
        try uploads.createFolder(jobID)
        do {
            let upload = try await UploadReceiver(folder: uploads.folder(jobID), maximumBytes: configuration.maximumUploadBytes,
                                                  maximumFiles: configuration.maximumImagesPerJob)
                .receive(request.body, boundary: boundary, reservation: reservation)
            let response = try await createJob(jobID, from: upload, at: now)
            context.logger.info("job created", metadata: ["job": "\(jobID)", "images": "\(upload.files.count)"])
            // Left empty where the backend keeps the originals elsewhere (PostgreSQL).
            if (try? FileManager.default.contentsOfDirectory(atPath: uploads.folder(jobID).path))?.isEmpty == true {
                uploads.removeFolder(jobID)
            }
            return response
        } catch {
            uploads.removeFolder(jobID)
            throw error
        }
    }

    /// Checks the fields and files of a received upload and stores the job. The files are in
    /// the job's upload folder as `<n>.upload`; the backend takes each as the image's original
    /// or, refused, it is removed.
    private func createJob(_ jobID: String, from upload: ReceivedUpload, at now: Date) async throws -> Response {
        let options = try OptionsInput.parse(upload.field("options"))
        let review: Bool
        switch upload.field("review").map({ String(decoding: $0, as: UTF8.self) }) {
        case nil, "false", "0": review = false
        case "true", "1": review = true
        default: throw APIError.badRequest("upload.invalid", "review must be true or false")
        }
        var webhook: WebhookStatus?
        if let field = upload.field("webhook") {
            let text = String(decoding: field, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            let configuration = configuration
            let target = try? await NIOThreadPool.singleton.runIfActive { () -> WebhookTarget? in
                guard let url = URL(string: text) else { return nil }
                return try WebhookTarget.resolve(url, configuration: configuration)
            }
            guard target != nil else {
                throw APIError.badRequest("webhook.not-allowed",
                                          "webhooks must be http(s) URLs whose host resolves to loopback only, or a host the server allows (--webhook-allow)")
            }
            guard configuration.webhookSecret != nil else {
                throw APIError.badRequest("webhook.no-secret", "this server has no webhook secret (--webhook-secret or OBSCURA_WEBHOOK_SECRET)")
            }
            webhook = WebhookStatus(url: text)
        }
        guard !upload.files.isEmpty else { throw APIError.badRequest("upload.no-images", "the upload holds no file parts") }

        let job = JobRecord(id: jobID, createdAt: now, expiresAt: now.addingTimeInterval(configuration.resultLifetime),
                            options: options, review: review, webhook: webhook)
        var images: [ImageRecord] = []
        var originals: [Int: URL] = [:]
        do {
            for (index, file) in upload.files.enumerated() {
                var image = ImageRecord(jobID: job.id, index: index, name: Self.cleanName(file.fileName, index: index),
                                        state: .queued, attempts: 0)
                let (files, maximumPixels) = (uploads, configuration.maximumPixels)
                let refusal = try await NIOThreadPool.singleton.runIfActive { () -> ObscuraError? in
                    // One image in memory at a time, within the bytes this upload holds.
                    let bytes = try files.read(file.url)
                    do {
                        // Non-images, unsupported formats, headers the decoder cannot read and
                        // images over the pixel limit fail now and are never stored.
                        let size = try ImageDecoder.declaredSize(of: bytes)
                        if size.width * size.height > maximumPixels {
                            throw ObscuraError(.tooLarge, "the image has \(size.width) × \(size.height) pixels, more than the limit of \(maximumPixels)")
                        }
                    } catch let error as ObscuraError {
                        files.remove(file.url)
                        return error
                    }
                    return nil
                }
                if let refusal {
                    image.state = .failed
                    image.error = Failure(refusal, keepingCause: false)
                } else {
                    originals[index] = file.url
                }
                images.append(image)
            }
            do {
                try await backend.create(job, images: images, originals: originals, maximumActiveJobs: configuration.maximumActiveJobs)
            } catch let error as ObscuraError where error.code == .fileSystem {
                throw APIError(ObscuraError(.fileSystem, "an upload could not be stored"))
            }
            // A job whose images were all refused at upload is finished already.
            try await backend.queueWebhookIfDue(jobID: job.id, now: now)
        } catch JobStore.CreateError.tooManyActiveJobs {
            throw APIError(.tooManyRequests, "jobs.too-many",
                           "\(configuration.maximumActiveJobs) jobs are unfinished; wait for one to finish or delete one")
        }
        var response = try Response.json(JobStatus(job: job, images: images), status: .accepted)
        response.headers[.location] = "/v1/jobs/\(job.id)"
        return response
    }

    private func list() async throws -> Response {
        var entries: [JobList.Entry] = []
        for id in try await backend.jobIDs() {
            guard let job = try await backend.job(id) else { continue }
            let images = try await backend.images(of: id)
            entries.append(JobList.Entry(id: id, state: JobState.of(images.map(\.state)), images: images.count, createdAt: job.createdAt))
        }
        return try Response.json(JobList(jobs: entries))
    }

    private func status(_ id: String) async throws -> Response {
        let job = try await existingJob(id)
        return try Response.json(JobStatus(job: job, images: try await backend.images(of: id)))
    }

    private func delete(_ id: String) async throws -> Response {
        guard try await backend.delete(id) else { throw APIError.notFound("job") }
        return Response(status: .noContent)
    }

    /// The client is done with a job: from now on its regions cannot change, and the originals
    /// kept for that are deleted. Refused while an image is being worked on or waits for review.
    private func finish(_ id: String) async throws -> Response {
        switch try await backend.finish(id, at: Date()) {
        case .noJob:
            throw APIError.notFound("job")
        case .unfinished(let index, let state):
            throw APIError(.conflict, "job.not-ready",
                           "image \(index) is \(state.rawValue): render it (or delete it) before finishing the job")
        case .finished:
            return try await status(id)
        }
    }

    /// Deletes one image of a job, its original and its result; the job's last image takes the
    /// job with it.
    private func deleteImage(_ id: String, _ index: Int) async throws -> Response {
        _ = try await existingJob(id)
        if try await backend.deleteImage(jobID: id, index: index) == .none { throw APIError.notFound("image") }
        return Response(status: .noContent)
    }

    private func renderAll(_ id: String) async throws -> Response {
        let job = try await existingJob(id)
        _ = try await backend.approveAll(jobID: id)
        return try Response.json(JobStatus(job: job, images: try await backend.images(of: id)), status: .accepted)
    }

    // MARK: Images

    private func regions(_ id: String, _ index: Int) async throws -> Response {
        let image = try await existingImage(id, index)
        guard let regions = image.regions else {
            throw APIError(.conflict, "image.not-detected", "image \(index) is \(image.state.rawValue): it has no regions yet")
        }
        let job = try await existingJob(id)
        return try Response.json(RegionsDocument(image, regions: regions, options: job.options))
    }

    private func replaceRegions(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let id = try jobID(context), index = try imageIndex(context)
        let job = try await existingJob(id)
        let image = try await existingImage(id, index)
        // Reading the body takes an upload slot, so slow bodies cannot hold every connection.
        let reservation = try UploadReservation(budget: uploadBudget)
        defer { reservation.release() }
        try reservation.cover(min(request.headers[.contentLength].flatMap(Int.init) ?? Self.maximumRegionsBody, Self.maximumRegionsBody))
        var request = request
        let body = try await request.collectBody(upTo: Self.maximumRegionsBody)
        let document: RegionsDocument
        do { document = try JSONCoding.decoder.decode(RegionsDocument.self, from: body) } catch {
            throw APIError.badRequest("regions.invalid", "send {\"regions\": [{\"kind\": \"manual\", \"box\": [x, y, width, height]}, …]}")
        }
        // Painting cost grows with the number of regions: refuse more than the library paints
        // before anything is stored.
        guard document.regions.count <= Anonymizer.maximumRegions else {
            throw APIError(ObscuraError(.tooManyRegions,
                                        "an image takes at most \(Anonymizer.maximumRegions) regions; this request has \(document.regions.count)"))
        }
        for region in document.regions {
            let b = region.box
            guard [b.x, b.y, b.width, b.height].allSatisfy({ $0.isFinite && abs($0) < 1e6 }), b.width > 0, b.height > 0,
                  !region.kind.rawValue.isEmpty, region.kind.rawValue.count <= 64 else {
                throw APIError.badRequest("regions.invalid", "every region needs a kind and a box [x, y, width, height] with width and height above 0")
            }
        }
        // A rendered image of an unfinished review job can be rendered again while its original is there.
        var editable = image.state == .review
        if !editable, image.state == .done, job.keepsOriginals { editable = try await backend.hasOriginal(jobID: id, index: index) }
        let regions = Detection.keepingDetectedEvidence(document.regions, detected: image.detected ?? [])
        guard editable, try await backend.approve(jobID: id, index: index, regions: regions) else {
            throw APIError(.conflict, "image.not-in-review",
                           "image \(index) cannot be re-rendered: \(Self.notInReviewReason(image.state, job: job))")
        }
        let updated = try await existingImage(id, index)
        return try Response.json(RegionsDocument(updated, regions: updated.regions ?? []), status: .accepted)
    }

    /// The upright pixels of an image waiting for review, as a JPEG without metadata and
    /// without any painting, so a person can see what the regions cover.
    private func preview(_ id: String, _ index: Int) async throws -> Response {
        let image = try await existingImage(id, index)
        let gone = APIError(.conflict, "image.no-original", "image \(index) is \(image.state.rawValue): only images whose original is kept (review jobs until finished) have a preview")
        guard image.state == .review || image.state == .approved || image.state == .done,
              let bytes = try? await backend.original(jobID: id, index: index) else { throw gone }
        let maximumPixels = configuration.maximumPixels
        let jpeg = try await NIOThreadPool.singleton.runIfActive {
            try ImageEncoder.encode(try ImageDecoder.decode(bytes, maximumPixels: maximumPixels).pixels.rgb(), as: .jpeg, quality: 85, jpegLayout: nil)
        }
        return Response(status: .ok, headers: [.contentType: "image/jpeg", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: jpeg)))
    }

    private func report(_ id: String, _ index: Int) async throws -> Response {
        let image = try await existingImage(id, index)
        guard let report = image.report else {
            throw APIError(.conflict, "image.not-done", "image \(index) is \(image.state.rawValue): it has no report")
        }
        return try Response.json(report)
    }

    private func result(_ id: String, _ index: Int, context: BasicRequestContext) async throws -> Response {
        let image = try await existingImage(id, index)
        let notDone = APIError(.conflict, "image.not-done", "image \(index) is \(image.state.rawValue): it has no result")
        guard image.state == .done, let name = image.resultName, let format = image.outputFormat else { throw notDone }
        let body: ResponseBody
        if let file = backend.resultFile(jobID: id, index: index) {
            // Streamed from disk: many downloads of large results hold no whole copies.
            body = try await FileIO().loadFile(path: file.path, context: context)
        } else if let bytes = try await backend.result(jobID: id, index: index) {
            body = .init(byteBuffer: ByteBuffer(bytes: bytes))
        } else {
            throw notDone
        }
        return Response(status: .ok, headers: [.contentType: Self.mediaType(format),
                                               .contentDisposition: "attachment; filename=\"\(Self.headerSafe(name))\""],
                        body: body)
    }

    private func zip(_ id: String) async throws -> Response {
        _ = try await existingJob(id)
        let done = try await backend.images(of: id).filter { $0.state == .done }
        guard !done.isEmpty else { throw APIError(.conflict, "job.no-results", "no image of this job is done yet") }
        let names = Self.uniqueEntryNames(done.map { $0.resultName ?? "image-\($0.index + 1)" })
        let body: ResponseBody
        do {
            body = try await ResultsZip.body(of: id, entries: Swift.zip(names, done).map { ($0, $1.index) }, backend: backend, folder: uploads.root)
        } catch {
            throw APIError(ObscuraError(.fileSystem, "the zip could not be written"))
        }
        return Response(status: .ok, headers: [.contentType: "application/zip",
                                               .contentDisposition: "attachment; filename=\"obscura-\(id.prefix(8)).zip\""],
                        body: body)
    }

    // MARK: Helpers

    /// Why an image's regions cannot be replaced now. Only a job created without review is told
    /// to use review=true.
    static func notInReviewReason(_ state: ImageState, job: JobRecord) -> String {
        let review = job.review
        return switch state {
        case .done:
            !review ? "its original was deleted when it was rendered; create the job with review=true to edit regions before rendering"
                : job.finishedAt != nil ? "the job was finished and its originals deleted, so its regions can no longer change; upload the photo again to review it afresh"
                : "its original is gone, so its regions can no longer change; upload the photo again to review it afresh"
        case .failed:
            "it failed and its original was deleted; upload the photo again"
        case .approved, .rendering:
            "it is \(state.rawValue): its regions were set and it is being rendered"
        case .queued, .detecting, .review:
            review ? "it is \(state.rawValue); its regions can be replaced once it waits for review"
                : "the job was created without review=true, so it is rendered as soon as it is detected"
        }
    }

    /// Largest body of a regions PUT (1,000 regions take about 60 KB).
    static let maximumRegionsBody = 4 << 20

    static func uploadTooLarge(_ limit: Int) -> APIError {
        APIError(.contentTooLarge, "upload.too-large", "the upload is larger than the limit of \(limit) bytes")
    }

    /// The client's file name, last path component only, without control characters.
    static func cleanName(_ name: String?, index: Int) -> String {
        let last = (name ?? "").split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let clean = String(last.unicodeScalars.filter { $0.value >= 32 && $0.value != 127 }.map(Character.init).prefix(200))
        return clean.isEmpty || clean == "." || clean == ".." ? "image-\(index + 1)" : clean
    }

    /// Zip entry names in upload order, each one distinct: a name seen before gets " (2)",
    /// " (3)", … before its extension, skipping any name already taken (so uploads named
    /// `a.jpg`, `3-a.jpg`, `a.jpg` give `a.jpg`, `3-a.jpg`, `a (2).jpg`). A zip with two equal
    /// names would hide one result when extracted.
    static func uniqueEntryNames(_ names: [String]) -> [String] {
        var used = Set<String>()
        return names.map { name in
            var candidate = name
            if used.contains(candidate) {
                let dot = name.lastIndex(of: ".").flatMap { $0 == name.startIndex ? nil : $0 }
                let stem = dot.map { String(name[..<$0]) } ?? name
                let suffix = dot.map { String(name[$0...]) } ?? ""
                var number = 2
                repeat {
                    candidate = "\(stem) (\(number))\(suffix)"
                    number += 1
                } while used.contains(candidate)
            }
            used.insert(candidate)
            return candidate
        }
    }

    static func headerSafe(_ name: String) -> String {
        String(name.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
    }

    static func mediaType(_ format: String) -> String {
        switch format {
        case "jpeg": "image/jpeg"
        case "png": "image/png"
        case "webp": "image/webp"
        default: "application/octet-stream"
        }
    }
}
