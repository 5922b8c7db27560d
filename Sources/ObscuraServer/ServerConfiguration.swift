import Foundation
import Obscura

/// Every setting of `obscura serve`, declared once with its default; the command fills it and
/// the tests build servers from it (port 0 picks a free port).
package struct ServerConfiguration: Sendable {
    /// Address to bind. Default `127.0.0.1`. Any address that is not loopback needs `token`.
    package var host = "127.0.0.1"
    /// TCP port; 0 lets the system pick one. Default 8080.
    package var port = 8080
    /// Folder for the job database and the files of unfinished and finished jobs. Created if
    /// absent. Default `~/.cache/obscura/serve`.
    package var dataDirectory = ServerConfiguration.defaultDataDirectory
    /// Bearer token every API request must carry (`Authorization: Bearer T`). Optional on
    /// loopback, required elsewhere. Compared in constant time; never logged.
    package var token: String?
    /// Where the models are (as `obscura anonymize --models`).
    package var modelDirectory = ModelStore.defaultDirectory

    /// Largest request body accepted, in bytes (all files of one job together). Default 256 MiB.
    package var maximumUploadBytes = 256 << 20
    /// Bytes of upload bodies in flight across all requests at once (each upload counts its
    /// Content-Length, or its bytes so far when sent chunked, until its job is stored). An
    /// upload past it gets 503 with `Retry-After`. Bodies go to disk as they arrive; this
    /// bounds the buffers and checks that go with them. Default 512 MiB.
    package var maximumInflightBytes = 512 << 20
    /// Most open client connections. When all are taken, a new connection replaces the oldest
    /// one that has not yet sent a complete request head, so slow or idle connections cannot
    /// lock others out; if every connection is busy with a request, the new one is closed.
    /// Lowered at start to fit the process's file limit. Default 512.
    package var maximumConnections = 512
    /// Time a connection has to send a complete request head, from when it opens or its last
    /// response ends, in seconds. Default 10.
    package var headerTimeout: TimeInterval = 10
    /// Time a connection may stay without reading anything (between requests, or in a stalled
    /// upload), in seconds, before it is closed. Default 60.
    package var idleTimeout: TimeInterval = 60
    /// Most images in one job. Default 100.
    package var maximumImagesPerJob = 100
    /// Most pixels in one image (width × height), checked at upload by the decoding library's
    /// own header parser, and again by the decoder before it allocates pixels. Default 50
    /// million (a 8660 × 5773 photo).
    package var maximumPixels = 50_000_000
    /// Most jobs that may be unfinished (queued, running or waiting for review) at once; more
    /// get 429. Default 64.
    package var maximumActiveJobs = 64
    /// How long a job's results are kept after it is created, in seconds. Default 24 h.
    package var resultLifetime: TimeInterval = 24 * 3600
    /// PostgreSQL URL (`postgresql://USER@HOST:PORT/DB`) to keep jobs in, shared with other
    /// `serve` and `worker` processes; nil keeps them in SQLite under `dataDirectory`.
    package var databaseURL: String?
    /// How long start-up waits for the database to answer and its schema to be brought up to
    /// date, in seconds, before giving up with `settings.invalid`. Default 30.
    package var databaseConnectTimeout: TimeInterval = 30
    /// How long a worker's claim on an image lasts without renewal (PostgreSQL), in seconds: a
    /// worker renews it every third of it, so an image whose worker stopped goes back in line
    /// after at most this long. Default 60.
    package var leaseDuration: TimeInterval = 60
    /// Images processed in parallel. Default: the number of cores. 0 (with `databaseURL`) makes
    /// a node that serves the API and the page and leaves the images to `obscura worker`s.
    package var workers = ProcessInfo.processInfo.activeProcessorCount
    /// How often a worker with nothing to do looks for queued images, in seconds. Default 0.1.
    package var pollInterval: TimeInterval = 0.1
    /// How often expired jobs are deleted, in seconds. Default 60.
    package var sweepInterval: TimeInterval = 60
    /// How many times an image may be started before a restart marks it failed instead of
    /// trying again (an image that stopped the server twice is not tried a third time). Default 2.
    package var maximumAttempts = 2

    /// Secret for the `X-Obscura-Signature` header of webhook calls (HMAC-SHA256 of the body).
    /// Jobs may name a webhook only when it is set. Never logged.
    package var webhookSecret: String?
    /// Hosts a webhook may call besides loopback (`127.0.0.0/8`, `::1`, `localhost`). Empty by
    /// default: webhooks stay on this machine.
    package var webhookAllowedHosts: [String] = []
    /// Calls made for one event before it is given up (`failed`). Default 5.
    package var webhookMaximumAttempts = 5
    /// Wait before the first retry, in seconds; doubled after each failure. Default 2.
    package var webhookRetryDelay: TimeInterval = 2
    /// Time allowed for one webhook call, in seconds. Default 10.
    package var webhookTimeout: TimeInterval = 10

    package init() {}

    package static var defaultDataDirectory: URL {
        FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/obscura/serve", isDirectory: true)
    }

    /// True for `localhost`, `::1` (bracketed or not) and a dotted quad in 127.0.0.0/8. A
    /// name that merely starts with "127." (`127.evil.example`) is not loopback.
    package static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased()
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        // A browser writes 127.0.0.1 for `127.1` or `0x7f.0.0.1`; other spellings are refused.
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127"
            && octets.allSatisfy { $0.count <= 3 && !$0.isEmpty && $0.allSatisfy { ("0"..."9").contains($0) } && Int($0)! <= 255 }
    }

    /// True when a job may name `url` as its webhook by its form alone: http or https without
    /// user info, to an allowed host or to any other host, which must then resolve to loopback
    /// only (`WebhookTarget.resolve`, checked at job creation and again at each call).
    package func allowsWebhookForm(_ url: URL) -> Bool {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty, url.user == nil, url.password == nil else { return false }
        return true
    }

    /// True when `host` is one `--webhook-allow` names: called as it resolves, without the
    /// loopback check.
    package func isAllowedWebhookHost(_ host: String) -> Bool {
        webhookAllowedHosts.map { $0.lowercased() }.contains(host.lowercased())
    }

    /// Refuses settings that cannot work: a public address without a token, limits below 1.
    package func validate() throws {
        if !Self.isLoopback(host), (token ?? "").isEmpty {
            throw ObscuraError(.invalidSettings, "--host \(host) is not a loopback address: set --token or OBSCURA_TOKEN")
        }
        if let token, !token.isEmpty, token.count < 16 {
            throw ObscuraError(.invalidSettings, "the token must be at least 16 characters")
        }
        guard (0...65535).contains(port) else { throw ObscuraError(.invalidSettings, "--port must be between 0 and 65535") }
        if let secret = webhookSecret, secret.count < 16 {
            throw ObscuraError(.invalidSettings, "the webhook secret must be at least 16 characters")
        }
        guard webhookMaximumAttempts >= 1, webhookRetryDelay >= 0, webhookTimeout > 0 else {
            throw ObscuraError(.invalidSettings, "webhook settings must be positive")
        }
        guard maximumInflightBytes >= 1, maximumConnections >= 1, headerTimeout > 0, idleTimeout > 0 else {
            throw ObscuraError(.invalidSettings, "connection and upload limits must be positive")
        }
        // Otherwise an upload within --max-upload could be told to retry for ever.
        guard maximumInflightBytes >= maximumUploadBytes else {
            throw ObscuraError(.invalidSettings, "--max-inflight must be at least --max-upload")
        }
        if workers == 0, databaseURL == nil {
            throw ObscuraError(.invalidSettings, "--jobs 0 needs --database: without workers elsewhere, nothing would process the images")
        }
        guard leaseDuration > 0 else {
            throw ObscuraError(.invalidSettings, "the lease must be positive")
        }
        guard workers >= 0, maximumUploadBytes >= 1, maximumImagesPerJob >= 1, maximumPixels >= 1,
              maximumActiveJobs >= 1, resultLifetime > 0, maximumAttempts >= 1 else {
            throw ObscuraError(.invalidSettings, "server limits must be positive")
        }
    }
}
