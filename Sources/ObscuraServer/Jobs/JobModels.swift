import Foundation
import Obscura

/// Where one image of a job stands. Each image moves forward only:
/// `queued → detecting → (review → approved → rendering →) done`, or `failed` from any step.
package enum ImageState: String, Codable, Sendable, CaseIterable {
    /// Uploaded; waiting for a worker.
    case queued
    /// A worker is decoding it and running the detectors.
    case detecting
    /// Detected; its regions wait for a person (jobs created with `review=true`). The
    /// original is kept until the job is finished (`POST …/finish`) or expires.
    case review
    /// Its regions were set; waiting for a worker to render them.
    case approved
    /// A worker is painting the regions and encoding the result.
    case rendering
    /// The result is ready. The original has been deleted, except in a review job that its
    /// client has not finished yet: there the regions can still be replaced and rendered again.
    case done
    /// Nothing could be made of it (see its error); the original has been deleted.
    case failed

    /// True while a worker still has something to do for the image.
    package var isPending: Bool { self == .queued || self == .detecting || self == .approved || self == .rendering }
    package var isFinal: Bool { self == .done || self == .failed }
}

/// A job's overall state, derived from its images.
package enum JobState: String, Codable, Sendable {
    /// No image started yet.
    case queued
    /// Some image is being worked on.
    case running
    /// Nothing to do until a person reviews the images waiting for it.
    case review
    /// Every image is done or failed.
    case finished

    static func of(_ states: [ImageState]) -> JobState {
        if states.allSatisfy({ $0 == .queued }) { return .queued }
        if states.contains(where: \.isPending) { return .running }
        if states.contains(.review) { return .review }
        return .finished
    }
}

/// A stored job. Its fields are also the job's part of the API's job status (`JobStatus`), so
/// every one of them is shown to the job's client.
struct JobRecord: Encodable, Sendable {
    var id: String
    var createdAt: Date
    var expiresAt: Date
    var options: AnonymizeOptions
    /// When true, images stop after detection and wait for their regions to be reviewed.
    var review: Bool
    /// When the client finished the job (`POST …/finish`); nil until then.
    var finishedAt: Date? = nil
    /// Where to announce that the job finished or waits for review.
    var webhook: WebhookStatus? = nil
}

extension JobRecord {
    /// True while the originals of rendered images are kept: a review job, until its client
    /// finishes it (or it expires), so a person can change the regions and render again.
    var keepsOriginals: Bool { review && finishedAt == nil }
}

/// A job's webhook and its last event, as the job status shows it.
package struct WebhookStatus: Codable, Sendable, Equatable {
    package var url: String
    /// `job.review` or `job.finished`; absent until the first event.
    package var event: String?
    /// `pending`, `delivered` or `failed` (given up after the last retry).
    package var state: String?
    /// Calls made for the current event.
    package var attempts: Int = 0
}

/// A stored image of a job.
struct ImageRecord: Sendable {
    var jobID: String
    var index: Int
    /// The client's file name (its last path component only).
    var name: String
    var state: ImageState
    var attempts: Int
    var error: Failure?
    var width: Int?
    var height: Int?
    /// The regions found or set (what will be, or was, painted before margins).
    var regions: [Detection]?
    /// The audit record of the rendered result.
    var report: ReportRecord?
    var outputFormat: String?
    var resultBytes: Int?
    /// Decode and detect times of the detection stage, for the report of a reviewed image
    /// (rendered later, by another claim).
    var detectionTimings: StageTimings? = nil
    /// What the detectors found, kept when a person replaces `regions`.
    var detected: [Detection]? = nil

    /// The name of the result: the original's name with the output format's extension.
    var resultName: String? {
        guard let outputFormat, let format = ImageFormat(rawValue: outputFormat) else { return nil }
        let stem = (name as NSString).deletingPathExtension
        return (stem.isEmpty ? "image-\(index + 1)" : stem) + "." + format.fileExtension
    }
}
