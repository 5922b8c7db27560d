import Foundation

/// Settings of a verification; `anonymize --verify` uses the anonymization's own threshold and
/// smallest face, so that a check is as thorough as the run it checks.
public struct VerifyOptions: Sendable, Codable, Equatable {
    /// Look for faces (needs the face model). Default true.
    public var faces = true
    /// Minimum detector score for a face to count. Stricter than anonymize's 0.2 on purpose:
    /// painting wants every likely face, a check that refuses outputs wants few false alarms.
    /// Measured on the face set (README, "Checking a file"): at 0.2 about 1.4 reported "faces"
    /// per output overlap no labelled face; at 0.4 about 0.05, for 3 to 4 points less recall.
    public var threshold = VerifyOptions.defaultThreshold
    public static let defaultThreshold = 0.4
    /// Smallest face searched for, in pixels (as `AnonymizeOptions.minimumFace`).
    public var minimumFace = AnonymizeOptions().minimumFace
    /// Files declaring more pixels are refused (`input.too-large`) before decoding.
    public var maximumPixels = ImageDecoder.defaultMaximumPixels

    public init() {}

    /// As thorough in face size as the run it checks; the threshold is verify's own unless
    /// the run asked for a stricter one.
    public init(matching options: AnonymizeOptions) {
        threshold = max(options.threshold, Self.defaultThreshold)
        minimumFace = options.minimumFace
    }

    public func validate() throws {
        // The face search's settings are anonymize's own: the same ranges and names.
        try OptionTable.threshold.check(threshold, .commandLine)
        try OptionTable.minimumFace.check(minimumFace, .commandLine)
        guard (1...ImageDecoder.pixelCeiling).contains(maximumPixels) else {
            throw ObscuraError(.invalidSettings, "--max-pixels must be between 0.000001 and \(ImageDecoder.pixelCeiling / 1_000_000) million")
        }
    }
}

/// What `verify` found in one file. Never holds metadata values or pixels.
public struct Verification: Sendable, Codable {
    public enum Status: String, Sendable, Codable {
        /// Nothing beyond the allowlist and no unredacted face.
        case clean
        /// Metadata, structural problems or faces were found.
        case leaks
        /// The file could not be read or decoded completely.
        case unreadable
    }

    /// A face the detector found on detail that is not a fill or mosaic.
    public struct Face: Sendable, Codable, Equatable {
        @RoundedBox public var box: Box
        public var score: Double
        public var evidence: RedactionEvidence
    }

    public var status: Status
    public var format: String?
    /// Metadata beyond the allowlist of pixel and container structure.
    public var metadata: [MetadataFinding] = []
    /// Structures the inspector could not make sense of: a file that cannot be read fully
    /// cannot be called clean.
    public var problems: [String] = []
    public var faces: [Face] = []
    /// Detections that lie on an already redacted area (a fill or mosaic), not counted.
    public var redactedDetections = 0
    /// False when no face check ran (not asked for, or the model is not installed).
    public var facesChecked = false
    /// Paths of the crops written of `faces` (`verify --verify-crops`); set by the caller.
    public var crops: [String] = []
    public var error: Failure?

    public init(status: Status) { self.status = status }

    public var passed: Bool { status == .clean }
}

/// Re-checks a file: metadata beyond the allowlist (by Obscura's own inspector), complete
/// decoding, and faces left unredacted (by the face detector, ignoring detections on areas that
/// are already a fill or a mosaic).
public final class Verifier: Sendable {
    public let options: VerifyOptions
    let faceDetector: CenterFaceDetector?

    /// A detection with at least this share of its central area painted by the run is redacted.
    static let paintedDominance = 0.5

    /// `faceDetector` nil skips the face check (reported as `facesChecked == false`).
    package init(options: VerifyOptions, faceDetector: CenterFaceDetector?) {
        self.options = options
        self.faceDetector = options.faces ? faceDetector : nil
    }

    /// `painted` marks the pixels the caller itself redacted (`anonymize --verify`): a detection
    /// lying on them is counted as redacted whatever the style looks like.
    package func verify(_ bytes: [UInt8], painted: PaintedMask? = nil) -> Verification {
        var result = Verification(status: .clean)
        do {
            let inventory = try MetadataInspector.inspect(bytes)
            result.format = inventory.format
            result.metadata = inventory.leaks
            result.problems = inventory.problems
            let decoded = try ImageDecoder.decode(bytes, maximumPixels: options.maximumPixels)
            if let faceDetector {
                let detections = try faceDetector.detect(in: decoded.pixels, threshold: options.threshold,
                                                         minimumFace: Double(options.minimumFace))
                result.facesChecked = true
                for detection in detections {
                    // Half of the box's centre painted by this run: the face it found and
                    // destroyed (a centre point alone let a face beside a neighbour's ellipse pass).
                    let inPainted = (painted?.share(of: detection.box) ?? 0) >= Self.paintedDominance
                    let evidence = RedactionEvidence(pixels: decoded.pixels, box: detection.box)
                    if inPainted || evidence.looksRedacted {
                        result.redactedDetections += 1
                    } else {
                        result.faces.append(.init(box: detection.box, score: (detection.confidence * 1000).rounded() / 1000,
                                                  evidence: evidence))
                    }
                }
            }
        } catch {
            // Not inspectable, not decodable completely, or the detector failed: not clean.
            result.status = .unreadable
            if let error = error as? ObscuraError {
                result.error = Failure(error)
            }
            return result
        }
        if !result.metadata.isEmpty || !result.problems.isEmpty || !result.faces.isEmpty {
            result.status = .leaks
        }
        return result
    }

    /// One line naming what was found, for errors and logs: kinds and counts, never values.
    public static func summary(of result: Verification) -> String {
        var parts: [String] = []
        let kinds = Set(result.metadata.map(\.kind.rawValue)).sorted()
        if !kinds.isEmpty { parts.append("metadata: " + kinds.joined(separator: ", ")) }
        if !result.problems.isEmpty { parts.append("\(result.problems.count) unreadable structure(s)") }
        if !result.faces.isEmpty {
            // Where and how sure, so a person can look (boxes and scores carry no pixels).
            let named = result.faces.prefix(5).map { face in
                "\(Int(face.box.width.rounded()))×\(Int(face.box.height.rounded())) px at (\(Int(face.box.x.rounded())), "
                    + "\(Int(face.box.y.rounded()))), score \(String(format: "%.2f", face.score))"
            }
            let more = result.faces.count > 5 ? ", and \(result.faces.count - 5) more" : ""
            parts.append("\(result.faces.count) unredacted face(s): " + named.joined(separator: "; ") + more)
        }
        if let error = result.error { parts.append(error.message) }
        return parts.isEmpty ? "clean" : parts.joined(separator: "; ")
    }
}

/// What `anonymize --verify` does with an output that fails its check.
public enum VerifyFailure: String, Sendable, CaseIterable {
    /// No output; the input fails with `verify.failed` (the default).
    case refuse
    /// The output is written and flagged: the report's `verifyWarning` and the CLI name what
    /// was found, for a person to decide.
    case warn
}
