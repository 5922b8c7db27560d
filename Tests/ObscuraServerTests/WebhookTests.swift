import Foundation
import Hummingbird
import HummingbirdTesting
import Obscura
import Testing
@testable import ObscuraServer

/// Webhooks: signed, retried with back-off, loopback only unless allowed.
@Suite struct ServeWebhookTests {
    @Test("webhook signatures are HMAC-SHA256: RFC 4231 vectors, key and message the right way round")
    func hmacMatchesRFC4231() {
        #expect(Digest.hmacSHA256(Array("what do ya want for nothing?".utf8), key: Array("Jefe".utf8))
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        let longKey = [UInt8](repeating: 0xaa, count: 131)
        #expect(Digest.hmacSHA256(Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8), key: longKey)
            == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    @Test func webhooksStayOnLoopbackUnlessAllowed() {
        var configuration = ServerConfiguration()
        func allowed(_ url: String) -> Bool { (try? WebhookTarget.resolve(URL(string: url)!, configuration: configuration)) != nil }
        #expect(allowed("http://127.0.0.1:9/hook"))
        #expect(allowed("http://localhost/hook"))
        #expect(allowed("http://[::1]:8/hook"))
        #expect(!allowed("http://hooks.example.org/x"))
        #expect(!allowed("file:///etc/passwd"))
        #expect(!allowed("http://user:pw@127.0.0.1/"))
        configuration.webhookAllowedHosts = ["hooks.example.org"]
        #expect(allowed("https://hooks.example.org/x"))
    }

    @Test func aJobRefusesAWebhookItMayNotCall() async throws {
        let secret = "webhook-secret-0123456789"
        try await Serve.app(Serve.configuration { $0.webhookSecret = secret }).test(.router) { client in
            let response = try await client.execute(uri: "/v1/jobs", method: .post, headers: Serve.headers(multipart: true),
                                                    body: Serve.multipart([Serve.file("x.txt", [1]), Serve.field("webhook", "http://10.0.0.1/hook")]))
            #expect(response.status == .badRequest)
            #expect(try Serve.errorCode(response) == "webhook.not-allowed")
        }
        try await Serve.app(Serve.configuration()).test(.router) { client in
            let response = try await client.execute(uri: "/v1/jobs", method: .post, headers: Serve.headers(multipart: true),
                                                    body: Serve.multipart([Serve.file("x.txt", [1]), Serve.field("webhook", "http://127.0.0.1:9/hook")]))
            #expect(try Serve.errorCode(response) == "webhook.no-secret")
        }
    }

    /// Received calls, and how many to refuse with 500 before answering 200.
    final class Receiver: @unchecked Sendable {
        private let lock = NSLock()
        private var _calls: [(headers: HTTPFields, body: [UInt8], at: Date)] = []
        let failures: Int
        init(failures: Int) { self.failures = failures }
        var calls: [(headers: HTTPFields, body: [UInt8], at: Date)] { lock.withLock { _calls } }
        func record(_ headers: HTTPFields, _ body: [UInt8]) -> Int {
            lock.withLock {
                _calls.append((headers, body, Date()))
                return _calls.count
            }
        }
    }

    @Test func aFinishedJobCallsItsWebhookSignedAndRetriesWithBackOff() async throws {
        let secret = "webhook-secret-0123456789"
        let receiver = Receiver(failures: 2)
        let router = Router()
        router.post("/hook") { request, _ -> HTTPResponse.Status in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            return receiver.record(request.headers, Array(buffer: body)) <= receiver.failures ? .internalServerError : .ok
        }
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { hook in
            let port = try #require(hook.port)
            let configuration = Serve.configuration {
                $0.webhookSecret = secret
                $0.webhookRetryDelay = 0.1
            }
            try await Serve.app(configuration).test(.router) { client in
                // Its only image is refused at upload, so the job is finished at once.
                let id = try await Serve.createJob(client, [Serve.file("x.txt", [1, 2, 3]),
                                                            Serve.field("webhook", "http://127.0.0.1:\(port)/hook")])
                let deadline = Date().addingTimeInterval(90)
                while receiver.calls.count < 3, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
                try await Task.sleep(for: .milliseconds(300))
                let calls = receiver.calls
                #expect(calls.count == 3)
                for call in calls {
                    #expect(header(call.headers, "x-obscura-signature") == "sha256=" + Digest.hmacSHA256(call.body, key: Array(secret.utf8)))
                    #expect(header(call.headers, "x-obscura-event") == "job.finished")
                    let event = try #require(try JSONSerialization.jsonObject(with: Data(call.body)) as? [String: Any])
                    #expect(event["event"] as? String == "job.finished")
                    #expect((event["job"] as? [String: Any])?["id"] as? String == id)
                }
                if calls.count == 3 {
                    // Back-off: 0.1 s, then 0.2 s.
                    #expect(calls[1].at.timeIntervalSince(calls[0].at) >= 0.1)
                    #expect(calls[2].at.timeIntervalSince(calls[1].at) >= 0.2)
                }
                let status = try Serve.json(try await client.execute(uri: "/v1/jobs/\(id)", method: .get))
                let webhook = try #require(status["webhook"] as? [String: Any])
                #expect(webhook["state"] as? String == "delivered")
                #expect(webhook["attempts"] as? Int == 3)
            }
        }
    }

    private func header(_ fields: HTTPFields, _ name: String) -> String? {
        fields.first { $0.name.rawName.lowercased() == name }?.value
    }

    @Test func aWebhookIsGivenUpAfterTheLastAttempt() async throws {
        let configuration = Serve.configuration {
            $0.webhookSecret = "webhook-secret-0123456789"
            $0.webhookRetryDelay = 0.01
            $0.webhookMaximumAttempts = 2
            // AsyncHTTPClient keeps trying a refused connection until the call's deadline.
            $0.webhookTimeout = 0.5
        }
        try await Serve.app(configuration).test(.router) { client in
            // Port 9 (discard) on loopback: nothing listens, every call fails.
            let id = try await Serve.createJob(client, [Serve.file("x.txt", [1]), Serve.field("webhook", "http://127.0.0.1:9/hook")])
            let deadline = Date().addingTimeInterval(90)
            var webhook: [String: Any] = [:]
            repeat {
                try await Task.sleep(for: .milliseconds(50))
                webhook = try Serve.json(try await client.execute(uri: "/v1/jobs/\(id)", method: .get))["webhook"] as? [String: Any] ?? [:]
            } while webhook["state"] as? String == "pending" && Date() < deadline
            #expect(webhook["state"] as? String == "failed")
            #expect(webhook["attempts"] as? Int == 2)
        }
    }
}
