import Foundation
import Obscura

/// `GET /v1/jobs/{job}`: a job and the progress of each image. The job's own fields are the
/// stored `JobRecord`'s, written as they are stored (one flat object with the fields below), so
/// the API and the store cannot drift apart; `JobStatusTests` pins the keys a client sees.
struct JobStatus: Encodable, Sendable {
    struct Progress: Codable, Sendable {
        var total = 0, pending = 0, review = 0, done = 0, failed = 0
    }

    struct ImageStatus: Codable, Sendable {
        var index: Int
        var name: String
        var state: ImageState
        var error: Failure?
        var width: Int?
        var height: Int?
        /// Regions found or set (absent before detection).
        var regions: Int?
        /// The result's file name and path, once done.
        var resultName: String?
        var result: String?
    }

    /// What the job's images tell of it.
    struct Summary: Encodable, Sendable {
        var state: JobState
        /// True while the originals are kept (a review job until it is finished or expires):
        /// done images can then get new regions and be rendered again, and have a preview.
        var originalsKept: Bool
        var progress: Progress
        var images: [ImageStatus]
        /// Path of the zip of every result.
        var results: String
    }

    /// `id`, `createdAt`, `expiresAt`, `options`, `review`, `finishedAt` (when the client
    /// finished the job; absent until then) and `webhook`.
    var job: JobRecord
    var summary: Summary

    init(job: JobRecord, images: [ImageRecord]) {
        self.job = job
        var progress = Progress(total: images.count)
        for image in images {
            switch image.state {
            case .review: progress.review += 1
            case .done: progress.done += 1
            case .failed: progress.failed += 1
            default: progress.pending += 1
            }
        }
        summary = Summary(state: JobState.of(images.map(\.state)), originalsKept: job.keepsOriginals, progress: progress,
                          images: images.map { image in
                              ImageStatus(index: image.index, name: image.name, state: image.state, error: image.error,
                                          width: image.width, height: image.height, regions: image.regions?.count,
                                          resultName: image.state == .done ? image.resultName : nil,
                                          result: image.state == .done ? "/v1/jobs/\(job.id)/images/\(image.index)/result" : nil)
                          },
                          results: "/v1/jobs/\(job.id)/results.zip")
    }

    /// One flat object: the stored job's fields, then the summary's.
    func encode(to encoder: any Encoder) throws {
        try job.encode(to: encoder)
        try summary.encode(to: encoder)
    }
}

/// `GET /v1/jobs/{job}/images/{image}/regions`, and the body of `PUT` to the same path
/// (where only `regions` is read). A region is a detector box (or one a person drew) in pixels
/// of the upright image, before the margin is added; `manual` is painted exactly as drawn.
struct RegionsDocument: Codable, Sendable {
    var state: ImageState?
    var width: Int?
    var height: Int?
    var regions: [Detection]
    /// What each region will be painted as, in the order of `regions` (null for one outside
    /// the image). Read-only: a PUT ignores it.
    var planned: [Region.Painting?]? = nil
    /// What the detectors found, whatever a person changed since (read-only), and what each
    /// would be painted as: a region left out can be put back.
    var detected: [Detection]? = nil
    var detectedPlanned: [Region.Painting?]? = nil
    /// Rectangles actually painted `[x, y, w, h]` (margins added, clipped), once rendered.
    var painted: [ReportRecord.RegionEntry]?
}

extension RegionsDocument {
    /// `image`'s regions as the API shows them: boxes to 0.1 px and scores to 0.001 (the store
    /// keeps them exact). With `options`, also what the detectors found, what each region will
    /// be painted as, and what was painted.
    init(_ image: ImageRecord, regions: [Detection], options: AnonymizeOptions? = nil) {
        self.init(state: image.state, width: image.width, height: image.height, regions: regions.map(\.rounded),
                  painted: options == nil ? nil : image.report?.regions)
        guard let options else { return }
        planned = Self.plan(regions, image: image, options: options)
        detected = image.detected?.map(\.rounded)
        detectedPlanned = image.detected.flatMap { Self.plan($0, image: image, options: options) }
    }

    /// What each region will be painted as (margin added, shape and style settled), in the
    /// order of `regions`; nil for a region wholly outside the image.
    static func plan(_ regions: [Detection], image: ImageRecord, options: AnonymizeOptions) -> [Region.Painting?]? {
        guard let width = image.width, let height = image.height else { return nil }
        return regions.map { region in
            RegionPlanner.plan([region], imageWidth: width, imageHeight: height, options: options).first?.painting
        }
    }
}

extension Detection {
    /// `regions` (as a client sent them) with the evidence of the detected region each one is
    /// (the same kind and box, to the 0.1 px the API shows), and none for the others: the
    /// evidence in a report is always the detector's.
    static func keepingDetectedEvidence(_ regions: [Detection], detected: [Detection]) -> [Detection] {
        regions.map { region in
            var region = region
            let box = region.box
            region.evidence = detected.first { found in
                found.kind == region.kind
                    && zip([found.box.x, found.box.y, found.box.width, found.box.height], [box.x, box.y, box.width, box.height])
                        .allSatisfy { abs($0 - $1) < 0.06 }
            }?.evidence
            return region
        }
    }
}

/// `GET /v1/info`: what a client needs to know before its first request. Needs no token.
/// `package`: `obscura submit` reads it with this same type.
package struct ServerInfo: Codable, Sendable {
    package var version: String
    /// True when every request under /v1 (except this one) needs `Authorization: Bearer <token>`.
    package var tokenRequired: Bool
    /// Seconds a job is kept after it is created.
    package var resultLifetime: Double
    package var maximumImagesPerJob: Int
    package var maximumUploadBytes: Int
}

/// `GET /v1/jobs`: every job, oldest first.
struct JobList: Codable, Sendable {
    struct Entry: Codable, Sendable {
        var id: String
        var state: JobState
        var images: Int
        var createdAt: Date
    }
    var jobs: [Entry]
}
