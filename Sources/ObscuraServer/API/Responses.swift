import Foundation
import Obscura

/// `GET /v1/jobs/{job}`: a job and the progress of each image.
struct JobStatus: Codable, Sendable {
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

    var id: String
    var state: JobState
    var review: Bool
    var createdAt: Date
    var expiresAt: Date
    /// When the client finished the job (`POST …/finish`); absent until then.
    var finishedAt: Date?
    /// True while the originals are kept (a review job until it is finished or expires): done
    /// images can then get new regions and be rendered again, and have a preview.
    var originalsKept: Bool
    var options: AnonymizeOptions
    var webhook: WebhookStatus?
    var progress: Progress
    var images: [ImageStatus]
    /// Path of the zip of every result.
    var results: String

    init(job: JobRecord, images: [ImageRecord]) {
        id = job.id
        state = JobState.of(images.map(\.state))
        review = job.review
        createdAt = job.createdAt
        expiresAt = job.expiresAt
        finishedAt = job.finishedAt
        originalsKept = job.keepsOriginals
        options = job.options
        webhook = job.webhook
        results = "/v1/jobs/\(job.id)/results.zip"
        progress = Progress(total: images.count)
        for image in images {
            switch image.state {
            case .review: progress.review += 1
            case .done: progress.done += 1
            case .failed: progress.failed += 1
            default: progress.pending += 1
            }
        }
        self.images = images.map { image in
            ImageStatus(index: image.index, name: image.name, state: image.state, error: image.error,
                        width: image.width, height: image.height, regions: image.regions?.count,
                        resultName: image.state == .done ? image.resultName : nil,
                        result: image.state == .done ? "/v1/jobs/\(job.id)/images/\(image.index)/result" : nil)
        }
    }
}

/// `GET /v1/jobs/{job}/images/{image}/regions`, and the body of `PUT` to the same path
/// (where only `regions` is read).
struct RegionsDocument: Codable, Sendable {
    var state: ImageState?
    var width: Int?
    var height: Int?
    var regions: [RegionInput]
    /// What each region will be painted as, in the order of `regions` (null for one outside
    /// the image). Read-only: a PUT ignores it.
    var planned: [PlannedRegion?]? = nil
    /// What the detectors found, whatever a person changed since (read-only), and what each
    /// would be painted as: a region left out can be put back.
    var detected: [RegionInput]? = nil
    var detectedPlanned: [PlannedRegion?]? = nil
    /// Rectangles actually painted `[x, y, w, h]` (margins added, clipped), once rendered.
    var painted: [ReportRecord.RegionEntry]?
}

/// A region as it will be painted: the box grown by its margin and rounded outwards to whole
/// pixels (not clipped), with its shape and style.
struct PlannedRegion: Codable, Sendable {
    /// `[x, y, width, height]` in pixels of the upright image.
    var painted: [Int]
    var shape: RegionShape
    var style: RedactionStyle

    init(_ region: Region) {
        painted = [region.x0, region.y0, region.x1 - region.x0, region.y1 - region.y0]
        shape = region.shape
        style = region.style
    }
}

/// `GET /v1/info`: what a client needs to know before its first request. Needs no token.
struct ServerInfo: Codable, Sendable {
    var version: String
    /// True when every request under /v1 (except this one) needs `Authorization: Bearer <token>`.
    var tokenRequired: Bool
    /// Seconds a job is kept after it is created.
    var resultLifetime: Double
    var maximumImagesPerJob: Int
    var maximumUploadBytes: Int
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
