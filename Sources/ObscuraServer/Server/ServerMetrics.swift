import Foundation
import Hummingbird
import Obscura
import Prometheus

/// What `/metrics` shows, in Prometheus's text format: the queue (from the store, so with
/// PostgreSQL it counts every node's images), and what this process's workers did: images by
/// outcome, failures by error code, the time of each stage, and the leases they hold.
/// Labels are states, stages and error codes only: never names, ids or anything from images.
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let leases: Gauge
    /// Stage durations in seconds: from a small photo's decode to a 100 MP encode.
    private static let buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    init() {
        leases = registry.makeGauge(descriptor: .init(metricName: "obscura_worker_leases", unitName: "",
                                                      helpText: "Images this process's workers hold (claimed and not yet stored)."))
        for state in ImageState.allCases { _ = queueGauge(state) }
        for stage in ["decode", "detect", "redact", "encode"] { _ = stageHistogram(stage) }
    }

    private func queueGauge(_ state: ImageState) -> Gauge {
        registry.makeGauge(descriptor: .init(metricName: "obscura_images", unitName: "",
                                             helpText: "Images in the job store by state, across every node sharing it."),
                           labels: [("state", state.rawValue)])
    }

    private func stageHistogram(_ stage: String) -> ValueHistogram {
        registry.makeValueHistogram(descriptor: .init(metricName: "obscura_stage", unitName: "seconds",
                                                      helpText: "Time of each stage of an image on this process's workers."),
                                    labels: [("stage", stage)], buckets: Self.buckets)
    }

    func claimed() { leases.increment() }
    func released() { leases.decrement() }

    /// One image left a worker: `done`, `review` or `failed` (with its error code).
    func finished(_ state: ImageState, failure: String? = nil, timings: StageTimings? = nil) {
        registry.makeCounter(descriptor: .init(metricName: "obscura_images_processed", unitName: "total",
                                               helpText: "Images this process's workers took to their next state, by outcome."),
                             labels: [("outcome", state.rawValue)]).increment()
        if let failure {
            registry.makeCounter(descriptor: .init(metricName: "obscura_image_failures", unitName: "total",
                                                   helpText: "Images that failed on this process's workers, by error code."),
                                 labels: [("code", failure)]).increment()
        }
        if let timings {
            for (stage, milliseconds) in [("decode", timings.decode), ("detect", timings.detect), ("redact", timings.redact),
                                          ("encode", timings.encode)] where milliseconds > 0 {
                stageHistogram(stage).record(milliseconds / 1000)
            }
        }
    }

    /// The `/metrics` answer: one scrape, the queue read from `backend` now.
    func response(_ backend: any JobBackend) async throws -> Response {
        let text = exposition(counts: try await backend.imageCounts())
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: text)))
    }

    /// The text for one scrape, with the queue read from the store now.
    func exposition(counts: [ImageState: Int]) -> [UInt8] {
        for state in ImageState.allCases { queueGauge(state).set(Double(counts[state] ?? 0)) }
        return registry.emitToBuffer()
    }
}
