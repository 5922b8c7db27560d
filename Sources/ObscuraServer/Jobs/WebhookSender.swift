import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOPosix
import Obscura

/// Calls each job's webhook when the job finishes or waits for review: a JSON POST of
/// `{"event", "job"}` (the job status) with `X-Obscura-Signature: sha256=<HMAC-SHA256 of the
/// body with the server's webhook secret>`. A call that fails (no answer, or not 2xx) is
/// retried after `webhookRetryDelay`, doubled each time, until `webhookMaximumAttempts`. Each
/// call goes only where `WebhookTarget` allows, and never follows a redirect.
/// Events are kept in the store, so a restart carries on with pending ones.
struct WebhookSender: Sendable {
    let backend: any JobBackend
    let configuration: ServerConfiguration
    let logger: Logger

    func run() async {
        while !Task.isCancelled {
            // Held for longer than a call and its timeout can take, so no other node sends it meanwhile.
            let due = (try? await backend.dueWebhooks(at: Date(), hold: configuration.webhookTimeout * 3 + 30)) ?? []
            for call in due where !Task.isCancelled { await deliver(call) }
            try? await Task.sleep(for: .seconds(configuration.pollInterval))
        }
    }

    /// The body of one call, and its signature.
    func payload(for call: JobStore.WebhookDue) async throws -> (body: [UInt8], signature: String)? {
        guard let job = try await backend.job(call.jobID), let secret = configuration.webhookSecret else { return nil }
        struct Event: Encodable {
            var event: String
            var job: JobStatus
        }
        let body = Array(try JSONCoding.encoder.encode(Event(event: call.event, job: JobStatus(job: job, images: try await backend.images(of: call.jobID)))))
        return (body, "sha256=" + Digest.hmacSHA256(body, key: Array(secret.utf8)))
    }

    func deliver(_ call: JobStore.WebhookDue) async {
        guard configuration.webhookSecret != nil else {
            // Started again without a secret: nothing can be signed, so the event is given up.
            try? await backend.recordWebhookCall(jobID: call.jobID, event: call.event, delivered: false, retryAt: nil)
            logger.warning("webhook given up: the server has no webhook secret", metadata: ["job": "\(call.jobID)"])
            return
        }
        guard let payload = try? await payload(for: call) else { return }
        var delivered = false
        var status = "no answer"
        // Resolved and checked again at each call: the name may point elsewhere since the job
        // was created.
        let configuration = configuration
        let target: WebhookTarget? = try? await NIOThreadPool.singleton.runIfActive {
            guard let url = URL(string: call.url) else { throw WebhookTarget.Refused(reason: "not a URL") }
            return try WebhookTarget.resolve(url, configuration: configuration)
        }
        if let target {
            (delivered, status) = await post(payload, event: call.event, url: call.url, to: target)
        } else {
            status = "refused: not loopback and not allowed"
        }
        let attempt = call.attempts + 1
        let retryAt: Date? = delivered || attempt >= configuration.webhookMaximumAttempts
            ? nil : Date().addingTimeInterval(configuration.webhookRetryDelay * pow(2, Double(attempt - 1)))
        try? await backend.recordWebhookCall(jobID: call.jobID, event: call.event, delivered: delivered, retryAt: retryAt)
        logger.info("webhook \(delivered ? "delivered" : retryAt == nil ? "given up" : "will be retried")",
                    metadata: ["job": "\(call.jobID)", "event": "\(call.event)", "attempt": "\(attempt)", "status": "\(status)"])
    }

    /// One POST to `target`: connected to its checked address, redirects not followed (a 3xx
    /// is a failed call, so a loopback hook cannot forward the signed body elsewhere).
    private func post(_ payload: (body: [UInt8], signature: String), event: String, url: String,
                      to target: WebhookTarget) async -> (delivered: Bool, status: String) {
        var clientConfiguration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        if let address = target.address { clientConfiguration.dnsOverride = [target.host: address] }
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "X-Obscura-Event", value: event)
        request.headers.add(name: "X-Obscura-Signature", value: payload.signature)
        request.body = .bytes(ByteBuffer(bytes: payload.body))
        var result = (delivered: false, status: "no answer")
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(configuration.webhookTimeout * 1000)))
            result = ((200..<300).contains(Int(response.status.code)), "\(response.status.code)")
            _ = try? await response.body.collect(upTo: 64 << 10)
        } catch {}
        try? await client.shutdown()
        return result
    }
}
