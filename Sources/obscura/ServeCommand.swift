import ArgumentParser
import Foundation
import Logging
import Obscura
import ObscuraServer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the review page and the REST API on this machine (loopback by default).",
        discussion: """
        The review page is at the server's root, http://127.0.0.1:8080/ by default: open it in a \
        browser to choose photos, check and change the regions found, render them and download \
        the results. The REST API is under /v1.

        Jobs are kept in DIR/obscura.sqlite, so a restart keeps them: images that were being \
        processed are queued again (or failed after 2 tries). Originals are deleted once an \
        image is rendered, except in review jobs (the page's), which keep them so the regions \
        can be changed and rendered again until the job is finished (POST /v1/jobs/ID/finish); \
        jobs and results are deleted after --keep hours. The API is described at \
        /openapi.json. Binding to an address other than loopback needs a token (--token or \
        OBSCURA_TOKEN, at least 16 characters); every request must then send \
        'Authorization: Bearer TOKEN'. A job may name a webhook: a URL whose host resolves to \
        loopback addresses only, or a host given with --webhook-allow. It is called with a \
        signed JSON POST when the job finishes or waits for review, retried with back-off, and \
        its redirects are not followed.

        Bound to loopback, the server answers only requests whose Host is a loopback name \
        (localhost, 127.x.x.x, [::1]) or --host (others get 421), and refuses POST, PUT and \
        DELETE whose Origin is another site (403), so web pages cannot steer it. Uploads go \
        to disk as they arrive; --max-inflight caps the upload bytes in flight (503 with \
        Retry-After past it). Slow clients are closed after --header-timeout, stalled ones \
        after --idle-timeout, and at most --max-connections are open.

        With --database postgresql://USER@HOST:PORT/DB (or OBSCURA_DATABASE) the jobs, their \
        originals and results are kept in PostgreSQL instead, migrated on start. Any number of \
        serve nodes and 'obscura worker' processes, on any machines, can share that database: \
        each image is taken by one worker at a time under a lease (--lease), and goes back in \
        line when its worker stops. --jobs 0 makes a node that serves the API and the page and \
        leaves the images to the workers.
        """
    )

    @Option(help: "Address to listen on.")
    var host = ServerConfiguration().host

    @Option(help: "Port to listen on (0 picks a free one).")
    var port = ServerConfiguration().port

    @Option(help: ArgumentHelp("Folder for the job database and files. (default: ~/.cache/obscura/serve)", valueName: "DIR"))
    var data: String?

    @Option(help: ArgumentHelp("API token. (default: $OBSCURA_TOKEN)", valueName: "T"))
    var token: String?

    @Option(help: ArgumentHelp("Folder holding the models. (default: $OBSCURA_MODELS or ~/.cache/obscura/models)", valueName: "DIR"))
    var models: String?

    @Option(help: ArgumentHelp("Hours results are kept.", valueName: "H"))
    var keep: Double = ServerConfiguration().resultLifetime / 3600

    @Option(help: ArgumentHelp("Largest upload (all files of one job), in MiB.", valueName: "MIB"))
    var maxUpload: Int = ServerConfiguration().maximumUploadBytes >> 20

    @Option(help: ArgumentHelp("Upload bytes in flight across all requests, in MiB; uploads past it get 503 with Retry-After.", valueName: "MIB"))
    var maxInflight: Int = ServerConfiguration().maximumInflightBytes >> 20

    @Option(help: ArgumentHelp("Most open connections (lowered to fit the file limit); a new one displaces the oldest still waiting for its request head.", valueName: "N"))
    var maxConnections: Int = ServerConfiguration().maximumConnections

    @Option(help: ArgumentHelp("Seconds a connection has to send a complete request head (from opening, and after each response).", valueName: "S"))
    var headerTimeout: Double = ServerConfiguration().headerTimeout

    @Option(help: ArgumentHelp("Seconds a connection may read nothing during a request body before it is closed.", valueName: "S"))
    var idleTimeout: Double = ServerConfiguration().idleTimeout

    @Option(help: ArgumentHelp("Most pixels in one image, in millions.", valueName: "MP"))
    var maxPixels: Double = Double(ServerConfiguration().maximumPixels) / 1e6

    @Option(help: "Most unfinished jobs at once; more get 429.")
    var maxJobs: Int = ServerConfiguration().maximumActiveJobs

    @Option(help: "Images processed in parallel; 0 (with --database) leaves them to workers. (default: the number of cores)")
    var jobs: Int?

    @Option(help: ArgumentHelp("Keep jobs in this PostgreSQL database, shared with other nodes and workers. (default: $OBSCURA_DATABASE; without it, SQLite under --data)", valueName: "URL"))
    var database: String?

    @Option(help: ArgumentHelp("Seconds a worker's claim on an image lasts without renewal (with --database).", valueName: "S"))
    var lease: Double = ServerConfiguration().leaseDuration

    @Option(help: ArgumentHelp("Secret for webhook signatures (HMAC-SHA256), at least 16 characters. (default: $OBSCURA_WEBHOOK_SECRET)", valueName: "S"))
    var webhookSecret: String?

    @Option(help: ArgumentHelp("A host webhooks may call besides loopback. Repeatable.", valueName: "HOST"))
    var webhookAllow: [String] = []

    @Flag(help: "Print the OpenAPI document and exit.")
    var printOpenapi = false

    func makeConfiguration() -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.host = host
        configuration.port = port
        if let data { configuration.dataDirectory = URL(fileURLWithPath: data, isDirectory: true) }
        configuration.token = token ?? ProcessInfo.processInfo.environment["OBSCURA_TOKEN"]
        if let models { configuration.modelDirectory = URL(fileURLWithPath: models, isDirectory: true) }
        configuration.resultLifetime = keep * 3600
        configuration.maximumUploadBytes = maxUpload << 20
        configuration.maximumInflightBytes = maxInflight << 20
        configuration.maximumConnections = maxConnections
        configuration.headerTimeout = headerTimeout
        configuration.idleTimeout = idleTimeout
        configuration.maximumPixels = Int(maxPixels * 1e6)
        configuration.maximumActiveJobs = maxJobs
        if let jobs { configuration.workers = jobs }
        configuration.databaseURL = database ?? ProcessInfo.processInfo.environment["OBSCURA_DATABASE"].flatMap { $0.isEmpty ? nil : $0 }
        configuration.leaseDuration = lease
        configuration.webhookSecret = webhookSecret ?? ProcessInfo.processInfo.environment["OBSCURA_WEBHOOK_SECRET"]
        configuration.webhookAllowedHosts = webhookAllow
        return configuration
    }

    func validate() throws {
        do { try makeConfiguration().validate() } catch let error as ObscuraError {
            throw ValidationError(error.message)
        }
    }

    func run() async throws {
        if printOpenapi {
            print(ObscuraServerApp.openAPIDocument, terminator: "")
            return
        }
        let configuration = makeConfiguration()
        var logger = Logger(label: "obscura.serve")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        let app = try await ObscuraServerApp.build(configuration, logger: logger) { port in
            let line = "Obscura is serving on http://\(host):\(port)/ (the review page; API description: http://\(host):\(port)/openapi.json)\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
        try await app.runService()
    }
}
