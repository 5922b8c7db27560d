import Foundation
import Hummingbird
import HummingbirdTesting
import Obscura
import Testing
@testable import ObscuraServer

/// What the review page relies on: a rendered review job keeps its originals until the client
/// finishes it, one image can be deleted alone, and `/v1/info` says whether a token is needed.
@Suite("ReviewLifecycleTests")
struct ReviewLifecycleTests {
    static func put(_ client: some TestClientProtocol, _ id: String, _ index: Int, _ body: String) async throws -> TestResponse {
        try await client.execute(uri: "/v1/jobs/\(id)/images/\(index)/regions", method: .put,
                                 headers: [.contentType: "application/json"], body: ByteBuffer(string: body))
    }

    @Test(.enabled(if: Serve.modelInstalled, "CenterFace model not installed: run scripts/setup.sh (skipped)"))
    func aRenderedReviewJobCanBeEditedAndRenderedAgainUntilFinished() async throws {
        let photo = try Serve.astronaut()
        let data = Serve.dataDirectory()
        try await Serve.app(Serve.configuration(data: data)).test(.router) { client in
            let id = try await Serve.createJob(client, [Serve.file("a.jpg", photo), Serve.field("review", "true"),
                                                        Serve.field("options", #"{"style": "solid", "fill": "00ff00", "format": "png"}"#)])
            _ = try await Serve.waitForJob(client, id, until: ["review"])

            // The regions come with what will be painted: the face grown by the margin, as an ellipse.
            let found = try Serve.json(try await client.execute(uri: "/v1/jobs/\(id)/images/0/regions", method: .get))
            let face = try #require((found["regions"] as? [[String: Any]])?.first)
            let box = try #require(face["box"] as? [Double])
            let planned = try #require((found["planned"] as? [[String: Any]])?.first)
            let painted = try #require(planned["painted"] as? [Int])
            #expect(planned["shape"] as? String == "ellipse")
            #expect(Double(painted[0]) < box[0] && Double(painted[2]) > box[2])

            // Finishing is refused while an image waits for review.
            let early = try await client.execute(uri: "/v1/jobs/\(id)/finish", method: .post)
            #expect(early.status == .conflict)
            #expect(try Serve.errorCode(early) == "job.not-ready")

            #expect(try await Self.put(client, id, 0, #"{"regions": [{"kind": "manual", "box": [10, 20, 30, 40]}]}"#).status == .accepted)
            var status = try await Serve.waitForJob(client, id)
            #expect(status["originalsKept"] as? Bool == true)
            #expect(Serve.files(in: data, job: id) == ["0.original", "0.result"])
            // What the detectors found stays listed, so the face left out can be put back.
            let edited = try Serve.json(try await client.execute(uri: "/v1/jobs/\(id)/images/0/regions", method: .get))
            #expect((edited["regions"] as? [[String: Any]])?.map { $0["kind"] as? String } == ["manual"])
            #expect((edited["detected"] as? [[String: Any]])?.first?["box"] as? [Double] == box)
            #expect(((edited["detectedPlanned"] as? [[String: Any]])?.first?["painted"] as? [Int]) == painted)
            // The original is still there: a preview (for before/after) and a second edit.
            #expect(try await client.execute(uri: "/v1/jobs/\(id)/images/0/preview", method: .get).status == .ok)
            let second = try await Self.put(client, id, 0, #"{"regions": [{"kind": "manual", "box": [100, 100, 20, 20]}]}"#)
            #expect(second.status == .accepted, "\(String(buffer: second.body))")
            status = try await Serve.waitForJob(client, id)
            #expect(Serve.images(status).first?["state"] as? String == "done")
            let result = try ImageDecoder.decode(Array(buffer: try await client.execute(uri: "/v1/jobs/\(id)/images/0/result", method: .get).body)).pixels
            #expect(result.pixel(x: 110, y: 110) == [0, 255, 0])
            #expect(result.pixel(x: 20, y: 30) != [0, 255, 0])
            let report = try Serve.json(try await client.execute(uri: "/v1/jobs/\(id)/images/0/report", method: .get))
            #expect((report["regions"] as? [Any])?.count == 1)

            // Finished: the originals go, and nothing can change any more.
            let finish = try await client.execute(uri: "/v1/jobs/\(id)/finish", method: .post)
            #expect(finish.status == .ok)
            let finished = try Serve.json(finish)
            #expect(finished["originalsKept"] as? Bool == false)
            #expect(finished["finishedAt"] is String)
            #expect(Serve.files(in: data, job: id) == ["0.result"])
            let late = try await Self.put(client, id, 0, #"{"regions": []}"#)
            #expect(late.status == .conflict)
            #expect(try Serve.errorCode(late) == "image.not-in-review")
            #expect(try await client.execute(uri: "/v1/jobs/\(id)/images/0/preview", method: .get).status == .conflict)
            #expect(try await client.execute(uri: "/v1/jobs/\(id)/finish", method: .post).status == .ok)
            #expect(try await client.execute(uri: "/v1/jobs/\(id)/images/0/result", method: .get).status == .ok)
        }
    }

    /// A restart does not take the kept originals of an unfinished review job.
    @Test(.enabled(if: Serve.modelInstalled, "CenterFace model not installed: run scripts/setup.sh (skipped)"))
    func aRestartKeepsTheOriginalsOfAnUnfinishedReviewJob() async throws {
        let data = Serve.dataDirectory()
        try await Serve.app(Serve.configuration(data: data)).test(.router) { client in
            let id = try await Serve.createJob(client, [Serve.file("a.jpg", try Serve.astronaut()), Serve.field("review", "true")])
            _ = try await Serve.waitForJob(client, id, until: ["review"])
            #expect(try await client.execute(uri: "/v1/jobs/\(id)/render", method: .post).status == .accepted)
            _ = try await Serve.waitForJob(client, id)
        }
        let id = try #require(try FileManager.default.contentsOfDirectory(atPath: data.appendingPathComponent("jobs").path).first)
        #expect(Serve.files(in: data, job: id) == ["0.original", "0.result"])
        try await Serve.app(Serve.configuration(data: data)).test(.router) { client in
            #expect(Serve.files(in: data, job: id) == ["0.original", "0.result"])
            #expect(try await Self.put(client, id, 0, #"{"regions": []}"#).status == .accepted)
            _ = try await Serve.waitForJob(client, id)
            #expect(try await client.execute(uri: "/v1/jobs/\(id)/finish", method: .post).status == .ok)
            #expect(Serve.files(in: data, job: id) == ["0.result"])
        }
    }

    /// A direct job (no review) deletes each original as soon as it is rendered, as before.
    @Test(.enabled(if: Serve.modelInstalled, "CenterFace model not installed: run scripts/setup.sh (skipped)"))
    func aDirectJobKeepsNoOriginal() async throws {
        let data = Serve.dataDirectory()
        try await Serve.app(Serve.configuration(data: data)).test(.router) { client in
            let id = try await Serve.createJob(client, [Serve.file("a.jpg", try Serve.astronaut())])
            let status = try await Serve.waitForJob(client, id)
            #expect(status["originalsKept"] as? Bool == false)
            #expect(Serve.files(in: data, job: id) == ["0.result"])
            #expect(try await Self.put(client, id, 0, #"{"regions": []}"#).status == .conflict)
        }
    }

    @Test func oneImageCanBeDeletedAloneAndTheLastTakesTheJob() async throws {
        let data = Serve.dataDirectory()
        try await Serve.app(Serve.configuration(data: data)).test(.router) { client in
            let other = try await Serve.createJob(client, [Serve.file("o.png", ServeTests.tinyPNG), Serve.field("review", "true")])
            let id = try await Serve.createJob(client, [Serve.file("a.png", ServeTests.tinyPNG), Serve.file("b.png", ServeTests.tinyPNG),
                                                        Serve.file("c.txt", Array("not an image".utf8)), Serve.field("review", "true")])
            _ = try await Serve.waitForJob(client, id, until: ["review", "finished"])
            #expect(Serve.files(in: data, job: id).contains("1.original"))

            #expect(try await client.execute(uri: "/v1/jobs/\(id)/images/1", method: .delete).status == .noContent)
            var status = try Serve.json(try await client.execute(uri: "/v1/jobs/\(id)", method: .get))
            #expect(Serve.images(status).map { $0["index"] as? Int } == [0, 2])
            #expect(Serve.images(status).map { $0["name"] as? String } == ["a.png", "c.txt"])
            #expect(!Serve.files(in: data, job: id).contains { $0.hasPrefix("1.") })
            #expect(Serve.files(in: data, job: id).contains("0.original") || Serve.images(status).first?["state"] as? String == "failed")
            #expect(try await client.execute(uri: "/v1/jobs/\(id)/images/1", method: .delete).status == .notFound)
            #expect(try await client.execute(uri: "/v1/jobs/\(id)/images/1/regions", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/v1/jobs/\(id)/images/x", method: .delete).status == .notFound)

            // Another site's page may not delete anything.
            let foreign: HTTPFields = [.origin: "http://evil.example"]
            #expect(try await client.execute(uri: "/v1/jobs/\(id)/images/0", method: .delete, headers: foreign).status == .forbidden)

            #expect(try await client.execute(uri: "/v1/jobs/\(id)/images/2", method: .delete).status == .noContent)
            status = try Serve.json(try await client.execute(uri: "/v1/jobs/\(id)", method: .get))
            #expect(Serve.images(status).count == 1)
            #expect(try await client.execute(uri: "/v1/jobs/\(id)/images/0", method: .delete).status == .noContent)
            #expect(try await client.execute(uri: "/v1/jobs/\(id)", method: .get).status == .notFound)
            #expect(!FileManager.default.fileExists(atPath: data.appendingPathComponent("jobs/\(id)").path))
            // The other job is untouched.
            #expect(try await client.execute(uri: "/v1/jobs/\(other)", method: .get).status == .ok)
        }
    }

    /// The evidence of a PII region is the detector's: shown and stored with the region, kept
    /// through a PUT only for a region that is one the detectors found.
    @Test func regionsKeepTheDetectorsEvidenceAndNotAClientsClaim() throws {
        let iban = Detection(kind: "pii.iban", box: Box(x: 10.04, y: 20, width: 300.26, height: 24), score: 1,
                             evidence: .checksumCorrected)
        let face = Detection(kind: .face, box: Box(x: 50, y: 60, width: 40, height: 40), score: 0.9)
        let shown = try JSONSerialization.jsonObject(with: JSONCoding.encoder.encode([iban, face].map(\.rounded))) as? [[String: Any]]
        #expect(shown?.map { $0["evidence"] as? String } == ["checksum-corrected", nil])
        #expect(shown?.last?.keys.contains("evidence") == false)
        #expect(shown?.first?["box"] as? [Double] == [10, 20, 300.3, 24])
        // The store keeps boxes exact.
        let stored = try JSONCoding.decoder.decode([Detection].self, from: JSONCoding.encoder.encode([iban, face]))
        #expect(stored == [iban, face])
        #expect(stored.map(\.evidence) == [.checksumCorrected, nil])
        // Rows stored before evidence was recorded read as none.
        let old = try JSONCoding.decoder.decode(Detection.self, from: Data(#"{"kind": "pii.iban", "box": [1, 2, 3, 4], "score": 1}"#.utf8))
        #expect(old.evidence == nil)

        // A PUT sends the boxes as shown (to 0.1 px) and may claim anything.
        let sent = try JSONCoding.decoder.decode([Detection].self, from: Data(#"""
            [{"kind": "pii.iban", "box": [10, 20, 300.3, 24], "score": 1, "evidence": "checksum"},
             {"kind": "manual", "box": [10, 20, 300.3, 24], "evidence": "checksum"},
             {"kind": "pii.card", "box": [400, 20, 200, 24], "evidence": "psychic"},
             {"kind": "face", "box": [50, 60, 40, 40], "score": 0.9}]
            """#.utf8))
        #expect(sent.map(\.evidence) == [.checksum, .checksum, nil, nil])
        let kept = Detection.keepingDetectedEvidence(sent, detected: [iban, face])
        #expect(kept.map(\.evidence) == [.checksumCorrected, nil, nil, nil])
    }

    @Test func infoSaysWhetherATokenIsNeededWithoutOne() async throws {
        try await Serve.app(Serve.configuration { $0.token = "0123456789abcdef-secret" }).test(.router) { client in
            let info = try await client.execute(uri: "/v1/info", method: .get)
            #expect(info.status == .ok)
            #expect(try Serve.json(info)["tokenRequired"] as? Bool == true)
            #expect(try await client.execute(uri: "/v1/jobs", method: .get).status == .unauthorized)
        }
        try await Serve.app(Serve.configuration()).test(.router) { client in
            let info = try Serve.json(try await client.execute(uri: "/v1/info", method: .get))
            #expect(info["tokenRequired"] as? Bool == false)
            #expect(info["version"] is String)
        }
    }
}
