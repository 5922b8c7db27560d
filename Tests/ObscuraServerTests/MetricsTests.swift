import Foundation
import HummingbirdTesting
import Obscura
import Testing
@testable import ObscuraServer

/// `/metrics`: Prometheus's text format, behind the token like the API.
@Suite("MetricsTests")
struct MetricsTests {
    @Test(.enabled(if: Serve.modelInstalled, "CenterFace model not installed: run scripts/setup.sh (skipped)"))
    func metricsCountTheQueueOutcomesFailuresByCodeAndStageTimes() async throws {
        let token = "metrics-test-token-0123456789"
        let photo = try Serve.astronaut()
        // A JPEG cut short: its header is read at upload, its pixels fail on the worker.
        let damaged = Array(photo.prefix(photo.count / 2))
        try await Serve.app(Serve.configuration { $0.token = token }).test(.router) { client in
            #expect(try await client.execute(uri: "/metrics", method: .get).status == .unauthorized)
            let id = try await Serve.createJob(client, [Serve.file("a.jpg", photo), Serve.file("b.jpg", damaged)], token: token)
            let status = try await Serve.waitForJob(client, id, token: token)
            let images = Serve.images(status)
            #expect(images.map { $0["state"] as? String } == ["done", "failed"])
            let code = try #require((images.last?["error"] as? [String: Any])?["code"] as? String)

            let response = try await client.execute(uri: "/metrics", method: .get, headers: Serve.headers(token: token))
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
            let lines = Set(String(buffer: response.body).split(separator: "\n").map(String.init))
            for expected in [#"obscura_images{state="done"} 1.0"#, #"obscura_images{state="failed"} 1.0"#, #"obscura_images{state="queued"} 0.0"#,
                             #"obscura_images_processed_total{outcome="done"} 1"#, #"obscura_images_processed_total{outcome="failed"} 1"#,
                             #"obscura_image_failures_total{code="\#(code)"} 1"#, #"obscura_stage_seconds_count{stage="detect"} 1"#,
                             "obscura_worker_leases 0.0"] {
                #expect(lines.contains(expected), "missing: \(expected)")
            }
            // Names of files never appear.
            #expect(!lines.contains { $0.contains("a.jpg") || $0.contains(id) })
        }
    }
}
