import Foundation
import Hummingbird
import HummingbirdTesting
import Obscura
import Testing
@testable import ObscuraServer

/// The REST API of `obscura serve`, in process (`.router`) and on a loopback socket (`.live`).
@Suite("ServeTests")
struct ServeTests {
    // MARK: Description and health

    @Test func servedOpenAPIDocumentIsTheCommittedOne() async throws {
        let committed = try String(contentsOf: Serve.repositoryRoot.appendingPathComponent("Sources/ObscuraServer/API/openapi.json"), encoding: .utf8)
        // The committed file is what the generator writes now (it exits 1 when they differ).
        let generator = try await Submit.run(URL(fileURLWithPath: "/usr/bin/python3"),
                                             [Serve.repositoryRoot.appendingPathComponent("scripts/openapi.py").path, "--check"])
        #expect(generator.status == 0, "run scripts/openapi.py: \(generator.standardError)")
        try await Serve.app(Serve.configuration()).test(.router) { client in
            let response = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            let served = String(buffer: response.body)
            var document = try #require(try JSONSerialization.jsonObject(with: Data(served.utf8)) as? [String: Any])
            var written = try #require(try JSONSerialization.jsonObject(with: Data(committed.utf8)) as? [String: Any])
            #expect(document["openapi"] as? String == "3.0.3")
            // The Options schema is made from OptionTable: every key the API takes, with its range
            // and default; the rest of the document is the committed file.
            func options(_ document: inout [String: Any]) -> [String: Any]? {
                var components = document["components"] as? [String: Any]
                var schemas = components?["schemas"] as? [String: Any]
                let options = schemas?.removeValue(forKey: "Options") as? [String: Any]
                components?["schemas"] = schemas
                document["components"] = components
                return options
            }
            let servedOptions = try #require(options(&document)?["properties"] as? [String: [String: Any]])
            _ = options(&written)
            #expect(NSDictionary(dictionary: document).isEqual(to: written), "the served document differs from the committed one")
            #expect(Set(servedOptions.keys) == Set(OptionTable.all.map(\.key)).subtracting(["piiWordsFile"]))
            #expect(servedOptions["feather"]?["minimum"] as? Int == 0 && servedOptions["feather"]?["maximum"] as? Int == 200)
            #expect(servedOptions["threshold"]?["default"] as? Double == 0.2)
            #expect(servedOptions["detect"]?["default"] as? [String] == ["faces"])
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
        }
    }

    @Test func theWebPageIsServedWholeWithNothingFromElsewhere() async throws {
        try await Serve.app(Serve.configuration { $0.token = "0123456789abcdef-secret" }).test(.router) { client in
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
            let html = String(buffer: page.body)
            #expect(html.contains("<canvas") || html.contains("createElement(\"canvas\")"))
            #expect(!html.contains("http://") && !html.contains("https://") && !html.contains("//cdn"))
            // Plain words, settings folded, dark mode; the browser behaviour is scripts/serve/page-check.py's.
            #expect(html.contains("Find faces…") && !html.contains("Find regions") && !html.contains(">Render<"))
            #expect(html.contains("<details id=\"advanced\">") && html.contains("prefers-color-scheme: dark"))
            #expect(html.contains("<fieldset id=\"tokenBox\" hidden>"))
        }
    }

    // MARK: Auth

    @Test func aTokenIsRequiredOffLoopbackAndOnEveryRequestWhenSet() async throws {
        var open = ServerConfiguration()
        open.host = "0.0.0.0"
        #expect(throws: ObscuraError.self) { try open.validate() }
        open.token = "short"
        #expect(throws: ObscuraError.self) { try open.validate() }
        open.token = "a-token-of-sufficient-length"
        try open.validate()

        let token = "0123456789abcdef-secret"
        try await Serve.app(Serve.configuration { $0.token = token }).test(.router) { client in
            let none = try await client.execute(uri: "/v1/jobs", method: .get)
            #expect(none.status == .unauthorized)
            #expect(try Serve.errorCode(none) == "auth.required")
            #expect(none.headers[.wwwAuthenticate] == "Bearer")
            let wrong = try await client.execute(uri: "/v1/jobs", method: .get, headers: Serve.headers(token: token + "x"))
            #expect(wrong.status == .unauthorized)
            let upload = try await client.execute(uri: "/v1/jobs", method: .post, headers: Serve.headers(multipart: true),
                                                  body: Serve.multipart([Serve.file("a.jpg", [1, 2, 3])]))
            #expect(upload.status == .unauthorized)
            let right = try await client.execute(uri: "/v1/jobs", method: .get, headers: Serve.headers(token: token))
            #expect(right.status == .ok)
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/openapi.json", method: .get).status == .ok)
        }
    }

    // MARK: Jobs end to end

    @Test(.enabled(if: Serve.modelInstalled, "CenterFace model not installed: run scripts/setup.sh (skipped)"))
    func aJobCleansGoodImagesAndFailsBadOnesOneByOne() async throws {
        let data = Serve.dataDirectory()
        let logs = LogCapture()
        let photo = try Serve.astronaut()
        try await Serve.app(Serve.configuration(data: data), logs: logs).test(.router) { client in
            let id = try await Serve.createJob(client, [
                Serve.file("astronaut.jpg", photo),
                Serve.file("notes.txt", Array("hello, not an image".utf8)),
                Serve.file("cut.jpg", Array(photo.prefix(photo.count / 2))),
                Serve.field("options", #"{"style": "solid", "fill": "ff00ff"}"#),
            ])
            let status = try await Serve.waitForJob(client, id)
            let images = Serve.images(status)
            #expect(images.map { $0["state"] as? String } == ["done", "failed", "failed"])
            #expect((images[1]["error"] as? [String: Any])?["code"] as? String == "input.not-image")
            #expect((images[2]["error"] as? [String: Any])?["code"] as? String == "input.undecodable")
            #expect((images[0]["regions"] as? Int ?? 0) >= 1)
            #expect(images[0]["resultName"] as? String == "astronaut.jpg")
            let progress = try #require(status["progress"] as? [String: Int])
            #expect(progress == ["total": 3, "pending": 0, "review": 0, "done": 1, "failed": 2])
            #expect((status["options"] as? [String: Any])?["style"] as? String == "solid")

            // One result: pixels only, the face painted magenta.
            let result = try await client.execute(uri: "/v1/jobs/\(id)/images/0/result", method: .get)
            #expect(result.status == .ok)
            #expect(result.headers[.contentType] == "image/jpeg")
            let bytes = Array(buffer: result.body)
            let check = Verifier(options: { var o = VerifyOptions(); o.faces = false; return o }(), faceDetector: nil).verify(bytes)
            #expect(check.metadata.isEmpty)
            #expect(check.status == .clean)

            // Regions and the report of the done image.
            let regions = try Serve.json(try await client.execute(uri: "/v1/jobs/\(id)/images/0/regions", method: .get))
            #expect((regions["regions"] as? [[String: Any]])?.first?["kind"] as? String == "face")
            #expect((regions["painted"] as? [[String: Any]])?.isEmpty == false)
            let report = try Serve.json(try await client.execute(uri: "/v1/jobs/\(id)/images/0/report", method: .get))
            #expect(report["outcome"] as? String == "written")
            #expect(report["outputSHA256"] as? String == Digest.sha256(bytes))
            #expect(report["inputSHA256"] as? String == Digest.sha256(photo))

            // A failed image has no result, and no image 7 exists.
            let failed = try await client.execute(uri: "/v1/jobs/\(id)/images/1/result", method: .get)
            #expect(failed.status == .conflict)
            #expect(try Serve.errorCode(failed) == "image.not-done")
            #expect(try await client.execute(uri: "/v1/jobs/\(id)/images/7/result", method: .get).status == .notFound)

            // The zip holds the one result, byte for byte.
            let zip = try await client.execute(uri: "/v1/jobs/\(id)/results.zip", method: .get)
            #expect(zip.status == .ok)
            #expect(zip.headers[.contentType] == "application/zip")
            let entries = try ZipContents.read(Array(buffer: zip.body))
            #expect(entries.map(\.name) == ["astronaut.jpg"])
            #expect(entries.first?.bytes == bytes)

            // Originals are gone once rendered (or refused); only the result stays.
            #expect(Serve.files(in: data, job: id) == ["0.result"])
        }
        // Logs name jobs and codes, never file names.
        #expect(logs.text.contains("input.undecodable"))
        #expect(!logs.text.contains("astronaut"))
        #expect(!logs.text.contains("notes.txt"))
    }

    @Test(.enabled(if: Serve.modelInstalled, "CenterFace model not installed: run scripts/setup.sh (skipped)"))
    func reviewedRegionsAreRenderedExactlyAndOnlyOnce() async throws {
        let photo = try Serve.astronaut()
        let options = #"{"style": "solid", "fill": "00ff00", "format": "png"}"#
        try await Serve.app(Serve.configuration()).test(.router) { client in
            let id = try await Serve.createJob(client, [Serve.file("a.jpg", photo), Serve.file("b.jpg", photo),
                                                        Serve.field("options", options), Serve.field("review", "true")])
            let status = try await Serve.waitForJob(client, id, until: ["review"])
            #expect(Serve.images(status).map { $0["state"] as? String } == ["review", "review"])
            let notYet = try await client.execute(uri: "/v1/jobs/\(id)/images/0/result", method: .get)
            #expect(notYet.status == .conflict)

            // The preview: upright pixels, no metadata, nothing painted.
            let preview = try await client.execute(uri: "/v1/jobs/\(id)/images/0/preview", method: .get)
            #expect(preview.status == .ok)
            #expect(preview.headers[.contentType] == "image/jpeg")
            let previewCheck = Verifier(options: { var o = VerifyOptions(); o.faces = false; return o }(), faceDetector: nil)
                .verify(Array(buffer: preview.body))
            #expect(previewCheck.status == .clean)

            let found = try Serve.json(try await client.execute(uri: "/v1/jobs/\(id)/images/0/regions", method: .get))
            #expect(found["state"] as? String == "review")
            #expect((found["regions"] as? [Any])?.isEmpty == false)

            // Image 0: drop the detected face, add one drawn region.
            let drawn = #"{"regions": [{"kind": "manual", "box": [10, 20, 30, 40]}]}"#
            let put = try await client.execute(uri: "/v1/jobs/\(id)/images/0/regions", method: .put,
                                               headers: [.contentType: "application/json"], body: ByteBuffer(string: drawn))
            #expect(put.status == .accepted, "\(String(buffer: put.body))")
            // Image 1: rendered as detected.
            #expect(try await client.execute(uri: "/v1/jobs/\(id)/render", method: .post).status == .accepted)
            _ = try await Serve.waitForJob(client, id)

            let result = Array(buffer: try await client.execute(uri: "/v1/jobs/\(id)/images/0/result", method: .get).body)
            // The same bytes as the library renders for those regions, without detecting.
            var libraryOptions = AnonymizeOptions()
            libraryOptions.style = .solid
            libraryOptions.fill = RGBColor(hex: "00ff00")!
            libraryOptions.format = .png
            let anonymizer = try Anonymizer(options: libraryOptions)
            let expected = try anonymizer.render(try ImageDecoder.decode(photo),
                                                 detections: [Detection(kind: "manual", box: Box(x: 10, y: 20, width: 30, height: 40), score: 1)])
            #expect(result == expected.bytes)
            let decoded = try ImageDecoder.decode(result).pixels
            #expect(decoded.pixel(x: 10, y: 20) == [0, 255, 0])
            #expect(decoded.pixel(x: 39, y: 59) == [0, 255, 0])
            #expect(decoded.pixel(x: 40, y: 60) != [0, 255, 0])
            let face = try #require((found["regions"] as? [[String: Any]])?.first?["box"] as? [Double])
            #expect(decoded.pixel(x: Int(face[0] + face[2] / 2), y: Int(face[1] + face[3] / 2)) != [0, 255, 0])

            let asDetected = Array(buffer: try await client.execute(uri: "/v1/jobs/\(id)/images/1/result", method: .get).body)
            #expect(asDetected == (try anonymizer.anonymize(photo)).bytes)

            // Once the job is finished the originals are gone: a second edit is refused
            // (ReviewLifecycleTests covers editing again before that).
            #expect(try await client.execute(uri: "/v1/jobs/\(id)/finish", method: .post).status == .ok)
            let again = try await client.execute(uri: "/v1/jobs/\(id)/images/0/regions", method: .put,
                                                 headers: [.contentType: "application/json"], body: ByteBuffer(string: drawn))
            #expect(again.status == .conflict)
            #expect(try Serve.errorCode(again) == "image.not-in-review")
            #expect(String(buffer: again.body).contains("finished"))
            #expect(try await client.execute(uri: "/v1/jobs/\(id)/images/0/preview", method: .get).status == .conflict)
        }
    }

    @Test func badRegionsAreRefused() async throws {
        try await Serve.app(Serve.configuration()).test(.router) { client in
            let missing = try await client.execute(uri: "/v1/jobs/\(UUID().uuidString.lowercased())/images/0/regions", method: .put,
                                                   body: ByteBuffer(string: #"{"regions": []}"#))
            #expect(missing.status == .notFound)
            // A job whose only image was refused at upload: nothing to review.
            let id = try await Serve.createJob(client, [Serve.file("x.txt", Array("text".utf8)), Serve.field("review", "true")])
            for body in [#"{"regions": [{"kind": "manual", "box": [0, 0, -1, 5]}]}"#, #"{"regions": 3}"#, "not json"] {
                let response = try await client.execute(uri: "/v1/jobs/\(id)/images/0/regions", method: .put, body: ByteBuffer(string: body))
                #expect(response.status == .badRequest)
                #expect(try Serve.errorCode(response) == "regions.invalid")
            }
            let notInReview = try await client.execute(uri: "/v1/jobs/\(id)/images/0/regions", method: .put,
                                                       body: ByteBuffer(string: #"{"regions": []}"#))
            #expect(notInReview.status == .conflict)
        }
    }

    // MARK: Limits and bad requests

    @Test func limitsAndBadUploadsGetClearClientErrors() async throws {
        let configuration = Serve.configuration {
            $0.maximumUploadBytes = 64 << 10
            $0.maximumImagesPerJob = 2
            $0.maximumActiveJobs = 1
            $0.maximumPixels = 1_000_000
            $0.workers = 1
        }
        try await Serve.app(configuration).test(.router) { client in
            func post(_ parts: [Serve.Upload], headers: HTTPFields = Serve.headers(multipart: true)) async throws -> TestResponse {
                try await client.execute(uri: "/v1/jobs", method: .post, headers: headers, body: Serve.multipart(parts))
            }
            let big = try await post([Serve.file("big.jpg", [UInt8](repeating: 0xFF, count: 70 << 10))])
            #expect(big.status == .contentTooLarge)
            #expect(try Serve.errorCode(big) == "upload.too-large")

            let many = try await post((1...3).map { Serve.file("\($0).jpg", [1]) })
            #expect(many.status == .contentTooLarge)
            #expect(try Serve.errorCode(many) == "upload.too-many-images")

            let plain = try await post([Serve.file("a.jpg", [1])], headers: [.contentType: "image/jpeg"])
            #expect(plain.status == .unsupportedMediaType)
            #expect(try Serve.errorCode(plain) == "upload.not-multipart")

            var cut = Serve.multipart([Serve.file("a.jpg", [1, 2, 3])])
            cut.moveWriterIndex(to: cut.writerIndex - 12)
            let malformed = try await client.execute(uri: "/v1/jobs", method: .post, headers: Serve.headers(multipart: true), body: cut)
            #expect(malformed.status == .badRequest)
            #expect(try Serve.errorCode(malformed) == "upload.malformed")

            #expect(try Serve.errorCode(try await post([Serve.field("options", "{}")])) == "upload.no-images")
            let unknown = try await post([Serve.file("a.jpg", [1]), Serve.field("options", #"{"colour": "red"}"#)])
            #expect(unknown.status == .badRequest)
            #expect(try Serve.errorCode(unknown) == "options.invalid")
            // The same code for every mistake in the options, in the API's own words.
            let range = try await post([Serve.file("a.jpg", [1]), Serve.field("options", #"{"cellsAcross": 99}"#)])
            #expect(try Serve.errorCode(range) == "options.invalid")
            let rangeMessage = (try Serve.json(range)["error"] as? [String: Any])?["message"] as? String ?? ""
            #expect(rangeMessage == "cellsAcross must be between 1 and 64", "\(rangeMessage)")
            let path = try await post([Serve.file("a.jpg", [1]), Serve.field("options", #"{"detect": ["pii"], "piiWordsFile": "/etc/passwd"}"#)])
            #expect(try Serve.errorCode(path) == "options.invalid")
            #expect(try Serve.errorCode(try await post([Serve.file("a.jpg", [1]), Serve.field("review", "maybe")])) == "upload.invalid")

            // A progressive JPEG header that declares 65500 × 65500 pixels fails that image before
            // decoding; the check is libjpeg's own header parse (issue 17, item 3).
            var bomb: [UInt8] = [0xFF, 0xD8, 0xFF, 0xDB, 0, 67, 0] + [UInt8](repeating: 1, count: 64)
            bomb += [0xFF, 0xC2, 0, 17, 8, 0xFF, 0xDC, 0xFF, 0xDC, 3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0]
            bomb += [0xFF, 0xC4, 0, 20, 0, 1] + [UInt8](repeating: 0, count: 16)
            bomb += [0xFF, 0xDA, 0, 12, 3, 1, 0, 2, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xD9]
            let id = try await Serve.createJob(client, [Serve.file("bomb.jpg", bomb), Serve.file("x.txt", [1, 2]), Serve.field("review", "true")])
            let status = try Serve.json(try await client.execute(uri: "/v1/jobs/\(id)", method: .get))
            let errors = Serve.images(status).map { ($0["error"] as? [String: Any])?["code"] as? String }
            #expect(errors == ["input.too-large", "input.not-image"])
            #expect(status["state"] as? String == "finished")
            #expect(Serve.files(in: configuration.dataDirectory, job: id).isEmpty)

            // One unfinished job is the limit here: a job waiting for review holds the slot.
            let waiting = try await Serve.createJob(client, [Serve.file("t.png", Self.tinyPNG), Serve.field("review", "true")])
            let held = try await Serve.waitForJob(client, waiting, until: ["review", "finished"])
            let third = try await post([Serve.file("t.png", Self.tinyPNG)])
            if Serve.modelInstalled {
                #expect(held["state"] as? String == "review")
                #expect(third.status == .tooManyRequests)
                #expect(try Serve.errorCode(third) == "jobs.too-many")
            }
            // Deleting it frees the slot.
            #expect(try await client.execute(uri: "/v1/jobs/\(waiting)", method: .delete).status == .noContent)
            #expect(try await post([Serve.file("t.png", Self.tinyPNG)]).status == .accepted)
        }
    }

    /// A valid 2 × 2 PNG (no face, so no model is needed to fail or pass it quickly).
    static let tinyPNG: [UInt8] = {
        var pixels = PixelBuffer(width: 2, height: 2, channels: 3, pixels: [UInt8](repeating: 128, count: 12))
        pixels.pixels[0] = 10
        return (try? ImageEncoder.encode(pixels, as: .png, quality: 101, jpegLayout: nil)) ?? []
    }()

    // MARK: Delete and expiry

    @Test func deletingAJobRemovesItsRowsAndFiles() async throws {
        let data = Serve.dataDirectory()
        try await Serve.app(Serve.configuration(data: data)).test(.router) { client in
            let id = try await Serve.createJob(client, [Serve.file("t.png", Self.tinyPNG), Serve.field("review", "true")])
            #expect(FileManager.default.fileExists(atPath: data.appendingPathComponent("jobs/\(id)").path))
            #expect(try await client.execute(uri: "/v1/jobs/\(id)", method: .delete).status == .noContent)
            #expect(try await client.execute(uri: "/v1/jobs/\(id)", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/v1/jobs/\(id)", method: .delete).status == .notFound)
            #expect(!FileManager.default.fileExists(atPath: data.appendingPathComponent("jobs/\(id)").path))
            #expect(try await client.execute(uri: "/v1/jobs/../../etc", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/v1/jobs/not-a-uuid", method: .get).status == .notFound)
            let list = try Serve.json(try await client.execute(uri: "/v1/jobs", method: .get))
            #expect((list["jobs"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func expiredJobsAreDeleted() async throws {
        let data = Serve.dataDirectory()
        let configuration = Serve.configuration(data: data) {
            $0.resultLifetime = 0.3
            $0.sweepInterval = 0.05
        }
        try await Serve.app(configuration).test(.router) { client in
            let id = try await Serve.createJob(client, [Serve.file("t.png", Self.tinyPNG), Serve.field("review", "true")])
            let deadline = Date().addingTimeInterval(60)
            while try await client.execute(uri: "/v1/jobs/\(id)", method: .get).status == .ok, Date() < deadline {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(try await client.execute(uri: "/v1/jobs/\(id)", method: .get).status == .notFound)
            #expect(!FileManager.default.fileExists(atPath: data.appendingPathComponent("jobs/\(id)").path))
        }
    }

    // MARK: Restart

    /// A worker took an image and the server stopped before it finished: the next start puts
    /// it back in line and finishes it once (one result, no duplicate image); an image that
    /// was already taken `maximumAttempts` times fails instead.
    @Test func aRestartFinishesInterruptedImagesOrFailsThemAfterTwoTries() async throws {
        let data = Serve.dataDirectory()
        let configuration = Serve.configuration(data: data)
        // First server: store two review jobs, then stop.
        let ids = try await Serve.app(configuration).test(.router) { client in
            var ids: [String] = []
            for _ in 0..<2 {
                ids.append(try await Serve.createJob(client, [Serve.file("t.png", Self.tinyPNG),
                                                              Serve.field("options", #"{"detect": ["text"]}"#),
                                                              Serve.field("review", "true")]))
            }
            return ids
        }
        // Simulate the crash: rewind both images to "taken by a worker", one of them twice.
        let store = try JobStore(path: data.appendingPathComponent("obscura.sqlite").path)
        for (n, id) in ids.enumerated() {
            var image = try #require(try await store.image(of: id, index: 0))
            let from = image.state
            image.state = .detecting
            image.attempts = n == 0 ? 1 : configuration.maximumAttempts
            image.regions = nil
            #expect(try await store.update(image, from: from))
            if from != .review {
                // The first server may have failed it (no text model): put the original back.
                try Data(Self.tinyPNG).write(to: data.appendingPathComponent("jobs/\(id)/0.original"))
            }
        }
        // Second server on the same data: recovery runs before it answers.
        try await Serve.app(configuration).test(.router) { client in
            let first = try Serve.json(try await client.execute(uri: "/v1/jobs/\(ids[0])", method: .get))
            #expect(Serve.images(first).count == 1)
            let resumed = try await Serve.waitForJob(client, ids[0], until: ["review", "finished"])
            #expect(Serve.images(resumed).count == 1)
            #expect(Serve.images(resumed).first?["state"] as? String != "detecting")

            let second = try Serve.json(try await client.execute(uri: "/v1/jobs/\(ids[1])", method: .get))
            let image = try #require(Serve.images(second).first)
            #expect(image["state"] as? String == "failed")
            #expect((image["error"] as? [String: Any])?["code"] as? String == "server.interrupted")
            #expect(!Serve.files(in: data, job: ids[1]).contains("0.original"))
        }
    }

    @Test(.enabled(if: Serve.modelInstalled, "CenterFace model not installed: run scripts/setup.sh (skipped)"))
    func aRestartFinishesAJobThatWasInFlight() async throws {
        let data = Serve.dataDirectory()
        let configuration = Serve.configuration(data: data)
        let photo = try Serve.astronaut()
        // The job as the first server left it: stored, its image taken by a worker, no result.
        let store = try JobStore(path: data.appendingPathComponent("obscura.sqlite").path)
        let files = try JobFiles(dataDirectory: data)
        let id = UUID().uuidString.lowercased()
        try files.createFolder(id)
        try files.write(photo, to: files.original(id, 0))
        try await store.create(JobRecord(id: id, createdAt: Date(), expiresAt: Date().addingTimeInterval(3600), options: AnonymizeOptions(), review: false),
                         images: [ImageRecord(jobID: id, index: 0, name: "a.jpg", state: .queued, attempts: 0)], maximumActiveJobs: 10)
        let claim = try #require(try await store.claimNext())
        #expect(claim.stage == .detecting)

        try await Serve.app(configuration).test(.live) { client in
            let status = try await Serve.waitForJob(client, id)
            #expect(Serve.images(status).map { $0["state"] as? String } == ["done"])
            let result = try await client.execute(uri: "/v1/jobs/\(id)/images/0/result", method: .get)
            #expect(Array(buffer: result.body) == (try Anonymizer(options: AnonymizeOptions()).anonymize(photo)).bytes)
        }
        #expect(Serve.files(in: data, job: id) == ["0.result"])
        #expect(try await store.image(of: id, index: 0)?.attempts == 2)
    }

    // MARK: Live socket

    @Test(.enabled(if: Serve.modelInstalled, "CenterFace model not installed: run scripts/setup.sh (skipped)"))
    func theAPIWorksOnALoopbackSocketWithAToken() async throws {
        let token = "live-socket-token-0123456789"
        let photo = try Serve.astronaut()
        try await Serve.app(Serve.configuration { $0.token = token }).test(.live) { client in
            #expect(client.port != nil)
            #expect(try await client.execute(uri: "/v1/jobs", method: .get).status == .unauthorized)
            let id = try await Serve.createJob(client, [Serve.file("a.jpg", photo)], token: token)
            let status = try await Serve.waitForJob(client, id, token: token)
            #expect(Serve.images(status).first?["state"] as? String == "done")
            let zip = try await client.execute(uri: "/v1/jobs/\(id)/results.zip", method: .get, headers: Serve.headers(token: token))
            #expect(try ZipContents.read(Array(buffer: zip.body)).count == 1)
            #expect(try await client.execute(uri: "/v1/jobs/\(id)", method: .delete, headers: Serve.headers(token: token)).status == .noContent)
        }
    }
}

extension PixelBuffer {
    /// The colour samples of one pixel (tests only).
    func pixel(x: Int, y: Int) -> [UInt8] {
        let start = (y * width + x) * channels
        return Array(pixels[start..<start + Swift.min(channels, 3)])
    }
}
