import Foundation
import Obscura
import Synchronization

/// What `anonymize` gathers from the records while a run goes on, for its summary: failures,
/// regions found, and the photos in which nothing was found. A missed face is the failure that
/// matters, so those photos are named for a person to look at.
final class RunRecorder: Sendable {
    private struct State {
        var failures: [ReportRecord] = []
        var nothingFound: [String] = []
        var flagged: [JSONSummary.Flagged] = []
        var tally: RegionTally
    }

    private let state: Mutex<State>
    /// With faces asked for, a photo counts as "nothing found" when no face was found in it,
    /// whatever else was; otherwise when no region at all was.
    private let facesAsked: Bool

    init(asked: [DetectionKind]) {
        state = Mutex(State(tally: RegionTally(asked: asked)))
        facesAsked = asked.contains(.faces)
    }

    func add(_ record: ReportRecord) {
        state.withLock { state in
            switch record.outcome {
            case .failed: state.failures.append(record)
            case .skipped: break
            case .written:
                state.tally.add(kinds: record.regions.map(\.kind))
                let found = facesAsked ? record.regions.contains { $0.kind == .face } : !record.regions.isEmpty
                if !found { state.nothingFound.append(record.input) }
                if let warning = record.verifyWarning { state.flagged.append(.init(input: record.input, found: warning)) }
            }
        }
    }

    /// The summary for `--json`.
    func json(_ summary: BatchSummary) -> JSONSummary {
        state.withLock { state in
            var regions: [String: Int] = [:]
            for (group, count) in state.tally.counts { regions[String(describing: group), default: 0] += count }
            return JSONSummary(written: summary.written, failed: summary.failed, skipped: summary.skipped,
                               skippedExisting: summary.existing, regions: regions,
                               nothingFound: state.nothingFound.sorted(),
                               flagged: state.flagged.sorted { $0.input < $1.input },
                               failures: state.failures.map {
                                   .init(input: $0.input, failure: $0.error ?? Failure(code: "", message: ""))
                               })
        }
    }

    /// The closing lines on stderr: counts and regions, then the photos to check (at most
    /// `listed` of them named; `--json` names all).
    func lines(_ summary: BatchSummary, listed: Int = 20) -> [String] {
        state.withLock { state in
            var skipped = "\(summary.skipped) skipped"
            let notImages = summary.skipped - summary.existing
            switch (notImages, summary.existing) {
            case (0, 0): break
            case (_, 0): skipped += " (not images)"
            case (0, _): skipped += " (output already there)"
            default: skipped += " (\(notImages) not \(notImages == 1 ? "an image" : "images"), \(summary.existing) output already there)"
            }
            var lines = ["obscura: \(summary.written) written, \(summary.failed) failed, \(skipped); found \(state.tally.description)"]
            if !state.flagged.isEmpty {
                lines.append("obscura: \(state.flagged.count) written but flagged by --verify=warn; check \(state.flagged.count == 1 ? "it" : "these"):")
                lines += state.flagged.sorted { $0.input < $1.input }.prefix(listed).map { "  \($0.input): \($0.found)" }
            }
            let missing = state.nothingFound.sorted()
            if !missing.isEmpty {
                let what = facesAsked ? "0 faces" : "nothing found"
                let photos = missing.count == 1 ? "1 photo" : "\(missing.count) photos"
                lines.append("obscura: \(what) in \(photos); check \(missing.count == 1 ? "it" : "these") (a missed face is not painted):")
                lines += missing.prefix(listed).map { "  \($0)" }
                if missing.count > listed { lines.append("  … and \(missing.count - listed) more (--json lists them all)") }
            }
            return lines
        }
    }
}

/// The `--json` summary of `anonymize`.
struct JSONSummary: Encodable {
    /// A failed input: `{"input", "code", "message", "cause"?}`, the report's failure with the
    /// input beside it (for `verify.failed` the cause holds the faces' boxes and scores).
    struct InputFailure: Encodable {
        var input: String
        var failure: Failure

        enum CodingKeys: String, CodingKey { case input }

        func encode(to encoder: any Encoder) throws {
            try failure.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(input, forKey: .input)
        }
    }
    var written: Int, failed: Int, skipped: Int
    /// Of `skipped`: inputs whose output existed (`--skip-existing`).
    var skippedExisting: Int
    /// Regions painted, by group: faces, plates, text, pii.
    var regions: [String: Int]
    /// Written photos with no face found (no region at all when faces were not asked for).
    var nothingFound: [String]
    /// Outputs written although `--verify=warn`'s check failed, with what it found.
    struct Flagged: Encodable, Sendable { var input: String, found: String }
    var flagged: [Flagged]
    var failures: [InputFailure]
}
