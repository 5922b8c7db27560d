import Foundation
import Hummingbird
import HummingbirdTesting
import Obscura
import Testing
@testable import ObscuraServer

/// Regression tests built from the reproductions of issue 17 (hostile clients of the server).
@Suite struct ServeHardeningTests {
    // MARK: Item 5: render amplification

    @Test func aPutOfMoreRegionsThanTheLimitIsRefusedBeforeAnythingIsStored() async throws {
        try await Serve.app(Serve.configuration()).test(.router) { client in
            // The image is refused at upload; the region count is checked before the state.
            let id = try await Serve.createJob(client, [Serve.file("x.txt", [1])])
            func put(_ count: Int) async throws -> TestResponse {
                let regions = (0..<count).map { _ in #"{"kind":"manual","box":[0,0,512,512]}"# }.joined(separator: ",")
                return try await client.execute(uri: "/v1/jobs/\(id)/images/0/regions", method: .put,
                                                body: ByteBuffer(string: #"{"regions":["# + regions + "]}"))
            }
            let tooMany = try await put(10_000)
            #expect(tooMany.status == .badRequest)
            #expect(try Serve.errorCode(tooMany) == "regions.too-many")
            #expect(try Serve.errorCode(try await put(Anonymizer.maximumRegions + 1)) == "regions.too-many")
            // At the limit the count is accepted and the image's state decides (it failed).
            #expect(try Serve.errorCode(try await put(Anonymizer.maximumRegions)) == "image.not-in-review")
        }
    }

    // MARK: Item 9: the zip hides a result

    @Test func zipEntryNamesAreUnique() {
        #expect(JobAPI.uniqueEntryNames(["a.jpg", "3-a.jpg", "a.jpg"]) == ["a.jpg", "3-a.jpg", "a (2).jpg"])
        #expect(JobAPI.uniqueEntryNames(["a.jpg", "a (2).jpg", "a.jpg", "a.jpg"]) == ["a.jpg", "a (2).jpg", "a (3).jpg", "a (4).jpg"])
        #expect(JobAPI.uniqueEntryNames(["x", "x", ".png", ".png"]) == ["x", "x (2)", ".png", ".png (2)"])
    }

    @Test(.enabled(if: Serve.modelInstalled, "CenterFace model not installed: run scripts/setup.sh (skipped)"))
    func theZipHoldsEveryResultUnderItsOwnName() async throws {
        let photo = try Serve.astronaut()
        try await Serve.app(Serve.configuration()).test(.router) { client in
            let id = try await Serve.createJob(client, [Serve.file("a.jpg", photo), Serve.file("3-a.jpg", photo), Serve.file("a.jpg", photo)])
            _ = try await Serve.waitForJob(client, id)
            let zip = try await client.execute(uri: "/v1/jobs/\(id)/results.zip", method: .get)
            let entries = try ZipContents.read(Array(buffer: zip.body))
            #expect(entries.map(\.name) == ["a.jpg", "3-a.jpg", "a (2).jpg"])
        }
    }

    // MARK: Item 10: webhooks reach hosts that are not loopback

    @Test func webhookTargetsAreJudgedByTheAddressesTheyResolveTo() throws {
        var configuration = ServerConfiguration()
        func target(_ url: String) -> WebhookTarget? { try? WebhookTarget.resolve(URL(string: url)!, configuration: configuration) }
        #expect(target("http://127.0.0.1:9/hook")?.address == "127.0.0.1")
        #expect(target("http://localhost/hook") != nil)
        #expect(target("http://[::1]:8/hook")?.address == "::1")
        // Other spellings of loopback are judged by the address they mean.
        #expect(target("http://127.1/hook")?.address == "127.0.0.1")
        #expect(target("http://0x7f.1/hook")?.address == "127.0.0.1")
        #expect(target("http://2130706433/hook")?.address == "127.0.0.1")
        #expect(target("http://[::ffff:127.0.0.1]/hook")?.address == "127.0.0.1")
        // Names that only start with 127, and addresses that are not loopback.
        #expect(target("http://127.evil.example/") == nil)
        #expect(target("http://10.0.0.1/hook") == nil)
        #expect(target("http://0.0.0.0/hook") == nil)
        #expect(target("http://[::ffff:10.0.0.1]/hook") == nil)
        #expect(target("http://hooks.example.org/x") == nil)
        #expect(target("file:///etc/passwd") == nil)
        #expect(target("http://user:pw@127.0.0.1/") == nil)
        // 127.0.0.1.nip.io resolves to 127.0.0.1 where DNS is reachable, and not at all offline:
        // it is either refused or connected to loopback, never elsewhere.
        if let nip = target("http://127.0.0.1.nip.io/x") { #expect(nip.address == "127.0.0.1") }
        // An allowed host is called as it resolves.
        configuration.webhookAllowedHosts = ["hooks.example.org"]
        #expect(target("https://hooks.example.org/x") == WebhookTarget(host: "hooks.example.org", address: nil))
        #expect(!WebhookTarget.isLoopback([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1]))
        #expect(WebhookTarget.isLoopback(Array(repeating: 0, count: 15) + [1]))
    }

    @Test(arguments: ["http://127.0.0.1.nip.io/x", "http://127.evil.example/", "http://10.0.0.1/hook", "http://[::ffff:192.0.2.1]/"])
    func aJobRefusesAWebhookThatDoesNotResolveToLoopback(url: String) async throws {
        try await Serve.app(Serve.configuration { $0.webhookSecret = "webhook-secret-0123456789" }).test(.router) { client in
            let response = try await client.execute(uri: "/v1/jobs", method: .post, headers: Serve.headers(multipart: true),
                                                    body: Serve.multipart([Serve.file("x.txt", [1]), Serve.field("webhook", url)]))
            if url.contains("nip.io"), response.status == .accepted {
                // Online, the name resolves to 127.0.0.1: a loopback hook, which is allowed.
                #expect(try WebhookTarget.addresses(of: "127.0.0.1.nip.io").allSatisfy(WebhookTarget.isLoopback))
            } else {
                #expect(response.status == .badRequest)
                #expect(try Serve.errorCode(response) == "webhook.not-allowed")
            }
        }
    }

    @Test(arguments: ["http://127.evil.example/hook", "http://[::ffff:192.0.2.1]/hook"])
    func aStoredWebhookToAHostThatIsNotLoopbackIsRefusedAtSendTime(url: String) async throws {
        // As a job stored by an older server, or whose name now resolves elsewhere, would hold.
        let store = try JobStore(path: Serve.dataDirectory().appendingPathComponent("obscura.sqlite").path)
        let now = Date()
        let job = JobRecord(id: UUID().uuidString.lowercased(), createdAt: now, expiresAt: now.addingTimeInterval(3600),
                            options: AnonymizeOptions(), review: false, webhook: WebhookStatus(url: url))
        try await store.create(job, images: [ImageRecord(jobID: job.id, index: 0, name: "x", state: .failed, attempts: 0)], maximumActiveJobs: 10)
        try await store.queueWebhookIfDue(jobID: job.id, now: now)
        let logs = LogCapture()
        let backend = LocalJobBackend(store: store, files: try JobFiles(dataDirectory: Serve.dataDirectory()))
        let sender = WebhookSender(backend: backend, configuration: Serve.configuration {
            $0.webhookSecret = "webhook-secret-0123456789"
            $0.webhookMaximumAttempts = 1
        }, logger: logs.logger)
        let due = try await store.dueWebhooks(at: now.addingTimeInterval(1))
        #expect(due.count == 1)
        for call in due { await sender.deliver(call) }
        #expect(try await store.job(job.id)?.webhook?.state == "failed")
        #expect(logs.text.contains("refused"))
    }

    @Test func aWebhookRedirectIsNotFollowed() async throws {
        let first = ServeWebhookTests.Receiver(failures: 0), second = ServeWebhookTests.Receiver(failures: 0)
        let secondRouter = Router()
        secondRouter.post("/hook") { request, _ -> HTTPResponse.Status in
            _ = second.record(request.headers, [])
            return .ok
        }
        try await Application(router: secondRouter, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { target in
            let targetPort = try #require(target.port)
            let firstRouter = Router()
            firstRouter.post("/hook") { request, _ -> Response in
                _ = first.record(request.headers, [])
                return Response(status: .temporaryRedirect, headers: [.location: "http://127.0.0.1:\(targetPort)/hook"])
            }
            try await Application(router: firstRouter, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { hook in
                let port = try #require(hook.port)
                let configuration = Serve.configuration {
                    $0.webhookSecret = "webhook-secret-0123456789"
                    $0.webhookMaximumAttempts = 1
                }
                try await Serve.app(configuration).test(.router) { client in
                    let id = try await Serve.createJob(client, [Serve.file("x.txt", [1]), Serve.field("webhook", "http://127.0.0.1:\(port)/hook")])
                    let deadline = Date().addingTimeInterval(90)
                    var webhook: [String: Any] = [:]
                    repeat {
                        try await Task.sleep(for: .milliseconds(50))
                        webhook = try Serve.json(try await client.execute(uri: "/v1/jobs/\(id)", method: .get))["webhook"] as? [String: Any] ?? [:]
                    } while webhook["state"] as? String == "pending" && Date() < deadline
                    try await Task.sleep(for: .milliseconds(300))
                    #expect(webhook["state"] as? String == "failed")
                    #expect(first.calls.count == 1)
                    #expect(second.calls.isEmpty)
                }
            }
        }
    }

    // MARK: Item 12: the Host header is never checked

    @Test func onLoopbackOnlyLoopbackHostNamesAreAnswered() async throws {
        let photo = try Serve.astronaut()
        try await Serve.app(Serve.configuration()).test(.live) { client in
            let port = try #require(client.port)
            for path in ["/v1/jobs", "/", "/healthz", "/v1/jobs/00000000-0000-0000-0000-000000000000/results.zip"] {
                let status = try await RawConnection.status(port: port, "GET \(path) HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n")
                #expect(status == 421, "\(path)")
                #expect(try await RawConnection.status(port: port, "GET \(path) HTTP/1.1\r\nHost: evil.example:\(port)\r\nConnection: close\r\n\r\n") == 421)
            }
            for host in ["127.0.0.1:\(port)", "localhost:\(port)", "127.0.0.1", "[::1]:\(port)", "LocalHost", "127.3.2.1:\(port)"] {
                #expect(try await RawConnection.status(port: port, "GET /v1/jobs HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n") == 200, "\(host)")
            }
            for host in ["127.evil.example", "127.0.0.1.nip.io:\(port)", "0x7f.1", "localhost.evil.example"] {
                #expect(try await RawConnection.status(port: port, "GET /v1/jobs HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n") == 421, "\(host)")
            }
            // The page's own requests (same origin) still work.
            let upload = Serve.multipart([Serve.file("a.jpg", photo)])
            let head = "POST /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nOrigin: http://127.0.0.1:\(port)\r\nConnection: close\r\n"
                + "Content-Type: multipart/form-data; boundary=\(Serve.boundary)\r\nContent-Length: \(upload.readableBytes)\r\n\r\n"
            let connection = try RawConnection(port: port)
            connection.send(Array(head.utf8) + Array(upload.readableBytesView))
            #expect(await connection.readAll(timeout: 30).text.hasPrefix("HTTP/1.1 202"))
        }
    }

    @Test func stateChangingRequestsFromAnotherOriginAreRefused() async throws {
        try await Serve.app(Serve.configuration()).test(.router) { client in
            // The router test client sends Host: localhost.
            for origin in ["http://evil.example", "http://localhost:3000", "null", "https://localhost"] {
                var headers = Serve.headers(multipart: true)
                headers[.origin] = origin
                let response = try await client.execute(uri: "/v1/jobs", method: .post, headers: headers,
                                                        body: Serve.multipart([Serve.file("x.txt", [1])]))
                #expect(response.status == .forbidden, "\(origin)")
                #expect(try Serve.errorCode(response) == "request.origin-not-allowed")
                var delete: HTTPFields = [:]
                delete[.origin] = origin
                #expect(try await client.execute(uri: "/v1/jobs/00000000-0000-0000-0000-000000000000", method: .delete, headers: delete).status == .forbidden)
            }
            var headers = Serve.headers(multipart: true)
            headers[.origin] = "http://localhost"
            _ = try await Serve.createJob(client, [Serve.file("x.txt", [1])])
            #expect(try await client.execute(uri: "/v1/jobs", method: .post, headers: headers,
                                             body: Serve.multipart([Serve.file("x.txt", [1])])).status == .accepted)
            // Reading is not state-changing: a GET with a foreign Origin is judged by its Host only.
            var get: HTTPFields = [:]
            get[.origin] = "http://evil.example"
            #expect(try await client.execute(uri: "/v1/jobs", method: .get, headers: get).status == .ok)
        }
    }

    @Test func aServerBoundElsewhereAnswersAnyHostButChecksOrigin() {
        let middleware = HostCheckMiddleware<BasicRequestContext>(configuration: Serve.configuration {
            $0.host = "0.0.0.0"
            $0.token = "token-0123456789abcdef"
        })
        #expect(middleware.allows("photos.lan:8080"))
        let loopback = HostCheckMiddleware<BasicRequestContext>(configuration: Serve.configuration { $0.host = "localhost" })
        #expect(loopback.allows("localhost:8080") && loopback.allows("[::1]") && !loopback.allows("photos.lan"))
        #expect(HostCheckMiddleware<BasicRequestContext>.hostPart(of: "[::1]:80") == "[::1]")
        #expect(!ServerConfiguration.isLoopback("127.evil.example") && !ServerConfiguration.isLoopback("127.0.0.1.nip.io"))
    }

    // MARK: Item 11: no idle or header timeout

    @Test func slowConnectionsCannotStopHealthzFromAnswering() async throws {
        let configuration = Serve.configuration {
            $0.maximumConnections = 16
            $0.headerTimeout = 30
        }
        try await Serve.app(configuration).test(.live) { client in
            let port = try #require(client.port)
            // Three times the cap, each stuck in its request line.
            let slow = try (0..<48).map { _ in try RawConnection(port: port) }
            for connection in slow { connection.send("GET /healthz HTT") }
            // The oldest (at least 32) are closed to make room. Wait for that before asking: on a loaded
            // machine the server may still be accepting the slow ones a while after they were
            // sent, and a late one would evict a probe still waiting for its head. Up to 20 s: a
            // fresh-clone CI run saw only 29 closed within 10 s while other suites loaded both
            // cores, and anything closed before the 30 s head timeout was closed by eviction.
            let closed = await withTaskGroup(of: Bool.self) { group in
                for connection in slow { group.addTask { await connection.readAll(timeout: 20).closed } }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(closed >= slow.count - configuration.maximumConnections)
            // Answered at all, with the cap full of slow connections: without eviction these
            // requests would be closed unanswered. (How fast is measured by
            // scripts/attack/server.py, not asserted here.)
            for _ in 0..<3 {
                let status = try await RawConnection.status(port: port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                #expect(status == 200)
            }
        }
    }

    @Test func slowUploadBodiesCannotTakeEveryConnection() async throws {
        let configuration = Serve.configuration {
            $0.maximumConnections = 8
            $0.headerTimeout = 30
        }
        try await Serve.app(configuration).test(.live) { client in
            let port = try #require(client.port)
            // Complete heads, then bodies that never come: half the connections may read one.
            let slow = try (0..<24).map { _ in try RawConnection(port: port) }
            for connection in slow {
                connection.send("POST /v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                                + "Content-Length: 1000\r\n\r\n--b\r\n")
            }
            // Let every slow connection meet its fate before asking: each is refused (503) or
            // closed, or holds an upload slot. On a loaded machine the server may still be
            // accepting them a while after they were sent, and a late one may evict the probe
            // while it waits for its head, which says nothing about the cap.
            let fates = await withTaskGroup(of: (text: String, closed: Bool).self) { group in
                for connection in slow { group.addTask { await connection.readAll(timeout: 8) } }
                return await group.reduce(into: []) { $0.append($1) }
            }
            // Answered at all, with slow bodies still holding their slots: without the cap and
            // eviction these requests would wait behind the slow ones. (How fast is measured by
            // scripts/attack/server.py, not asserted here.)
            #expect(fates.contains { !$0.closed })
            for _ in 0..<3 {
                let status = try await RawConnection.status(port: port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                #expect(status == 200)
            }
            // The bodies past the upload slots were refused at once (the others may have been
            // closed to make room).
            let refused = fates.filter { $0.text.hasPrefix("HTTP/1.1 503") }.count
            #expect(refused >= 1)
        }
    }

    @Test func aConnectionThatNeverFinishesItsHeadIsClosed() async throws {
        try await Serve.app(Serve.configuration { $0.headerTimeout = 0.3 }).test(.live) { client in
            let port = try #require(client.port)
            let slow = try RawConnection(port: port)
            slow.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            // Trickling bytes does not extend the head's time: after five times the timeout of
            // trickling, the connection is already closed (were each byte to restart the clock,
            // it would still be open right after the last one).
            for _ in 0..<15 {
                try await Task.sleep(for: .milliseconds(100))
                slow.send("a")
            }
            #expect(await slow.readAll(timeout: 0.1).closed)
            // A keep-alive connection gets the same time for its next head, then is closed.
            let idle = try RawConnection(port: port)
            idle.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let answer = await idle.readAll(timeout: 30)
            #expect(answer.text.hasPrefix("HTTP/1.1 200"))
            #expect(answer.closed)
        }
    }

    @Test func theConnectionCapFitsTheFileLimit() {
        #expect(ConnectionLimiter.effectiveLimit(configured: 5) == 5)
        var limits = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limits)
        #expect(ConnectionLimiter.effectiveLimit(configured: Int.max) <= Int(limits.rlim_cur) - 64)
    }
}
