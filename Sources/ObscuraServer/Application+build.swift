import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import Obscura
import ServiceLifecycle

/// Builds the `obscura serve` application: the job store in `<data>/obscura.sqlite`, the
/// workers, and the routes. The command and the tests both call this (tests with port 0).
package enum ObscuraServerApp {
    package typealias App = Application<RouterResponder<BasicRequestContext>>

    /// Checks the configuration, opens the store (SQLite under the data folder, or PostgreSQL
    /// with `databaseURL`, migrated first), recovers interrupted images and returns the
    /// application, ready to `runService()`. `onServerRunning` receives the bound port. Every job
    /// runs with `models` (by default a set for `configuration.modelDirectory`), whatever its
    /// options: each model is loaded once per process.
    package static func build(_ configuration: ServerConfiguration, logger: Logger, models: ModelSet? = nil,
                             onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws -> App {
        try configuration.validate()
        try FileManager.default.createDirectory(at: configuration.dataDirectory, withIntermediateDirectories: true)
        let backend: any JobBackend
        let uploads: JobFiles
        var services: [any Service] = []
        if let url = configuration.databaseURL {
            let client = try await PostgresJobBackend.migratedClient(url, logger: logger, connectTimeout: configuration.databaseConnectTimeout)
            backend = PostgresJobBackend(client: client, logger: logger)
            services.append(client)
            uploads = try JobFiles(dataDirectory: configuration.dataDirectory.appendingPathComponent("uploads", isDirectory: true))
        } else {
            let local = try LocalJobBackend(dataDirectory: configuration.dataDirectory)
            backend = local
            uploads = local.files
        }
        let metrics = ServerMetrics()
        let runner = JobRunner(backend: backend, configuration: configuration, logger: logger,
                               models: models ?? ModelSet(modelDirectory: configuration.modelDirectory), metrics: metrics)
        if configuration.databaseURL == nil { try await runner.recover() }
        services.append(runner)

        let connections = ConnectionLimiter(limit: ConnectionLimiter.effectiveLimit(configured: configuration.maximumConnections),
                                            headerTimeout: .milliseconds(Int64(configuration.headerTimeout * 1000)))
        // At most half the connections may be reading a request body; the rest stay free for
        // everything else (and can always be reclaimed from idle clients).
        let uploadBudget = UploadBudget(capacity: configuration.maximumInflightBytes, maximumUploads: max(1, connections.limit / 2))
        let router = Router(context: BasicRequestContext.self)
        // Before the token check: a request steered here by another site is refused either way.
        router.add(middleware: HostCheckMiddleware(configuration: configuration))
        if let token = configuration.token, !token.isEmpty {
            router.add(middleware: TokenMiddleware(token: Array(token.utf8), open: ["/", "/healthz", "/openapi.json", "/v1/info"]))
        }
        // Behind the token like the API: queue depth, outcomes, failures by code, stage times, leases.
        router.get("/metrics") { _, _ in try await metrics.response(backend) }
        router.get("/healthz") { _, _ in try Response.json(["status": "ok", "version": Obscura.version]) }
        let document = Array(ObscuraServerApp.openAPIDocument.utf8)
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: document)))
        }
        // The review page (Web/index.html): one self-contained file (no CDN, no fonts, works
        // offline, allowed by this Content-Security-Policy) that drives the REST API for a person.
        router.get("/") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                                            .contentSecurityPolicy: "default-src 'self'; img-src 'self' blob:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'"],
                     body: .init(byteBuffer: ByteBuffer(bytes: PackageResources.index_html)))
        }
        JobAPI(backend: backend, uploads: uploads, configuration: configuration,
               uploadBudget: uploadBudget).register(on: router)

        logger.info("connection limits", metadata: ["connections": "\(connections.limit)", "headerTimeout": "\(configuration.headerTimeout)",
                                                     "idleTimeout": "\(configuration.idleTimeout)"])
        return Application(
            router: router,
            // Hummingbird's idle timeout closes a connection that reads nothing for that long
            // while a request body is expected or between requests; the guard adds the head
            // timeout and the connection cap.
            server: .http1(configuration: .init(additionalChannelHandlers: [connections.handler()],
                                                idleTimeout: .milliseconds(Int64(configuration.idleTimeout * 1000)))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "obscura"),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger
        )
    }
}

extension ObscuraServerApp {
    /// The OpenAPI 3 document served at `/openapi.json`: Sources/ObscuraServer/API/openapi.json
    /// (written by scripts/openapi.py) with its `Options` schema made from `OptionTable`, so
    /// the API's options are described where they are declared.
    package static let openAPIDocument: String = {
        guard var document = try? JSONSerialization.jsonObject(with: Data(PackageResources.openapi_json)) as? [String: Any],
              var components = document["components"] as? [String: Any],
              var schemas = components["schemas"] as? [String: Any] else {
            return String(decoding: PackageResources.openapi_json, as: UTF8.self)
        }
        schemas["Options"] = OptionTable.jsonSchema()
        components["schemas"] = schemas
        document["components"] = components
        let data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }()
}
