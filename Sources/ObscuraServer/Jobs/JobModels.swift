import Foundation
import Obscura

/// Where one image of a job stands. Each image moves forward only:
/// `queued → detecting → (review → approved → rendering →) done`, or `failed` from any step.
public enum ImageState: String, Codable, Sendable, CaseIterable {
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
    public var isPending: Bool { self == .queued || self == .detecting || self == .approved || self == .rendering }
    public var isFinal: Bool { self == .done || self == .failed }
}

/// A job's overall state, derived from its images.
public enum JobState: String, Codable, Sendable {
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

/// A region as the API reads and writes it: a detector box (or one a person drew) in pixels of
/// the upright image, `[x, y, width, height]`, before the margin is added.
public struct RegionInput: Codable, Sendable, Equatable {
    /// `face`, `body`, `plate`, `text`, `pii.…` as found, or `manual` for one a person drew
    /// (painted exactly as drawn, with the job's style).
    public var kind: RegionKind
    public var box: Box
    /// Detector score; absent for regions a person drew.
    public var score: Double?
    /// For personal data (`pii.…`): why the detector took the text for it (`checksum`,
    /// `checksum-corrected`, `label`, `format`, `rule`), as in the report. Absent for other kinds.
    /// Set by the detector only: a PUT keeps it for a region the detectors found
    /// (`keepingDetectedEvidence`), whatever the client sends.
    public var evidence: PIIEvidence?

    public init(kind: RegionKind, box: Box, score: Double? = nil, evidence: PIIEvidence? = nil) {
        self.kind = kind
        self.box = box
        self.score = score
        self.evidence = evidence
    }

    /// Keeps the detector's full precision: the API shows boxes to 0.1 px and scores to 0.001,
    /// but the store keeps them exact, so an image rendered as detected gets exactly the bytes
    /// `obscura anonymize` writes.
    init(_ detection: Detection) {
        self.init(kind: detection.kind, box: detection.box, score: detection.score, evidence: detection.evidence)
    }

    var detection: Detection { Detection(kind: kind, box: box, score: score ?? 1, evidence: evidence) }

    /// `regions` (as a client sent them) with the evidence of the detected region each one is
    /// (the same kind and box, to the 0.1 px the API shows), and none for the others: the
    /// evidence in a report is always the detector's.
    static func keepingDetectedEvidence(_ regions: [RegionInput], detected: [RegionInput]) -> [RegionInput] {
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

    enum CodingKeys: String, CodingKey { case kind, box, score, evidence }

    /// An evidence value this server does not know is read as none (a PUT replaces it anyway).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(RegionKind.self, forKey: .kind)
        box = try container.decode(Box.self, forKey: .box)
        score = try container.decodeIfPresent(Double.self, forKey: .score)
        let evidence = try? container.decodeIfPresent(String.self, forKey: .evidence)
        self.evidence = evidence.flatMap { PIIEvidence(rawValue: $0) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(box, forKey: .box)
        try container.encodeIfPresent(score.map { ($0 * 1000).rounded() / 1000 }, forKey: .score)
        try container.encodeIfPresent(evidence, forKey: .evidence)
    }
}

/// A region as the store keeps it: full precision.
struct StoredRegion: Codable, Sendable {
    var kind: RegionKind
    var box: [Double]
    var score: Double?
    /// Absent in rows stored before evidence was recorded, and for kinds other than `pii.…`.
    var evidence: PIIEvidence?

    init(_ region: RegionInput) {
        kind = region.kind
        box = [region.box.x, region.box.y, region.box.width, region.box.height]
        score = region.score
        evidence = region.evidence
    }

    var region: RegionInput? {
        guard box.count == 4 else { return nil }
        return RegionInput(kind: kind, box: Box(x: box[0], y: box[1], width: box[2], height: box[3]), score: score,
                           evidence: evidence)
    }
}

/// A stored job.
struct JobRecord: Sendable {
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
public struct WebhookStatus: Codable, Sendable, Equatable {
    public var url: String
    /// `job.review` or `job.finished`; absent until the first event.
    public var event: String?
    /// `pending`, `delivered` or `failed` (given up after the last retry).
    public var state: String?
    /// Calls made for the current event.
    public var attempts: Int = 0
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
    var regions: [RegionInput]?
    /// The audit record of the rendered result.
    var report: ReportRecord?
    var outputFormat: String?
    var resultBytes: Int?
    /// Decode and detect times of the detection stage, for the report of a reviewed image
    /// (rendered later, by another claim).
    var detectionTimings: StageTimings? = nil
    /// What the detectors found, kept when a person replaces `regions`.
    var detected: [RegionInput]? = nil

    /// The name of the result: the original's name with the output format's extension.
    var resultName: String? {
        guard let outputFormat, let format = ImageFormat(rawValue: outputFormat) else { return nil }
        let stem = (name as NSString).deletingPathExtension
        return (stem.isEmpty ? "image-\(index + 1)" : stem) + "." + format.fileExtension
    }
}
