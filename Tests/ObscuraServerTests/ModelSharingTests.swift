import Foundation
import Hummingbird
import HummingbirdTesting
import Obscura
import Testing
@testable import ObscuraServer

/// Jobs pass their options per call: a job with other options never loads a model again.
@Suite struct ModelSharingTests {
    @Test("jobs with different options share one model set: CenterFace is compiled once",
          .enabled(if: Serve.modelInstalled, "CenterFace model not installed: run scripts/setup.sh (skipped)"))
    func oneModelSetForEveryJob() async throws {
        let models = ModelSet()
        let photo = try Serve.astronaut()
        let optionSets = [#"{"style": "solid", "fill": "ff00ff"}"#, #"{"style": "solid", "fill": "00ff00"}"#,
                          #"{"style": "pixelate", "margin": 0.5}"#]
        try await Serve.app(Serve.configuration { $0.workers = 2 }, models: models).test(.router) { client in
            var results: [[UInt8]] = []
            for options in optionSets {
                let id = try await Serve.createJob(client, [Serve.file("a.jpg", photo), Serve.field("options", options)])
                let status = try await Serve.waitForJob(client, id)
                #expect(Serve.images(status).first?["state"] as? String == "done")
                let result = try await client.execute(uri: "/v1/jobs/\(id)/images/0/result", method: .get)
                #expect(result.status == .ok)
                results.append(Array(buffer: result.body))
            }
            // Each job's own options were applied…
            #expect(Set(results).count == optionSets.count)
            // …by the one compiled face model.
            #expect(models.loadedCount == 1)
        }
    }
}
