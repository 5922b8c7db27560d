import Foundation
import Obscura
import Testing
@testable import ObscuraServer

/// The job status a client reads (`GET /v1/jobs/{job}`, webhooks): the stored job's fields and
/// the summary of its images, as one flat object.
@Suite("JobStatusTests")
struct JobStatusTests {
    static func status() throws -> [String: Any] {
        let created = Date(timeIntervalSince1970: 1_780_000_000)
        let job = JobRecord(id: "job-1", createdAt: created, expiresAt: created.addingTimeInterval(3600),
                            options: AnonymizeOptions(), review: true, webhook: WebhookStatus(url: "http://127.0.0.1:9/hook"))
        var done = ImageRecord(jobID: job.id, index: 0, name: "holiday.jpg", state: .done, attempts: 1, width: 640, height: 480,
                               regions: [Detection(kind: .face, box: Box(x: 10, y: 20, width: 30, height: 40), score: 0.9)])
        done.outputFormat = "png"
        let images = [done,
                      ImageRecord(jobID: job.id, index: 1, name: "b.jpg", state: .review, attempts: 1),
                      ImageRecord(jobID: job.id, index: 2, name: "c.txt", state: .failed, attempts: 1,
                                  error: Failure(code: "input.unsupported", message: "not an image")),
                      ImageRecord(jobID: job.id, index: 3, name: "d.jpg", state: .queued, attempts: 0)]
        let data = try JSONCoding.encoder.encode(JobStatus(job: job, images: images))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// The documented properties of `schema` in the committed OpenAPI document (which
    /// `ServeTests` checks against scripts/openapi.py).
    static func documented(_ schema: String) throws -> Set<String> {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(PackageResources.openapi_json)) as? [String: Any])
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let properties = try #require((schemas[schema] as? [String: Any])?["properties"] as? [String: Any])
        return Set(properties.keys)
    }

    /// Every field of `JobRecord` reaches the client, so a field added there shows up here: a
    /// client sees exactly the documented properties (less those absent here: the job is not
    /// finished, and the done image has no error), and a new key needs documenting first.
    @Test func theKeysAClientSees() throws {
        let status = try Self.status()
        #expect(Set(status.keys) == (try Self.documented("Job")).subtracting(["finishedAt"]))
        #expect(Set(status.keys) == ["id", "createdAt", "expiresAt", "options", "review", "webhook", "state",
                                     "originalsKept", "progress", "images", "results"])
        #expect(status["finishedAt"] == nil)
        let image = try #require((status["images"] as? [[String: Any]])?.first)
        #expect(Set(image.keys) == (try Self.documented("ImageStatus")).subtracting(["error"]))
        #expect(Set(image.keys) == ["index", "name", "state", "width", "height", "regions", "resultName", "result"])
    }

    @Test func theJobAndItsImagesAsStoredAndCounted() throws {
        let status = try Self.status()
        #expect(status["id"] as? String == "job-1")
        #expect(status["createdAt"] as? String == "2026-05-28T20:26:40Z")
        #expect(status["review"] as? Bool == true)
        #expect(status["originalsKept"] as? Bool == true)
        #expect(status["state"] as? String == "running")
        #expect((status["webhook"] as? [String: Any])?["url"] as? String == "http://127.0.0.1:9/hook")
        #expect((status["options"] as? [String: Any])?["style"] as? String == AnonymizeOptions().style.rawValue)
        #expect(status["results"] as? String == "/v1/jobs/job-1/results.zip")
        let progress = try #require(status["progress"] as? [String: Int])
        #expect(progress == ["total": 4, "pending": 1, "review": 1, "done": 1, "failed": 1])
        let images = try #require(status["images"] as? [[String: Any]])
        #expect(images.map { $0["state"] as? String } == ["done", "review", "failed", "queued"])
        #expect(images[0]["resultName"] as? String == "holiday.png")
        #expect(images[0]["result"] as? String == "/v1/jobs/job-1/images/0/result")
        #expect(images[0]["regions"] as? Int == 1)
        #expect(images[1]["result"] == nil)
        #expect((images[2]["error"] as? [String: Any])?["code"] as? String == "input.unsupported")
    }
}
