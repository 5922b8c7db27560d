import Foundation
import Hummingbird
import Logging
import Obscura
import ServiceLifecycle

/// `obscura worker`: workers without an HTTP server, on any machine that reaches the
/// PostgreSQL database of one or more `obscura serve --database` nodes. They take images from
/// the database under a lease, run the library with one model set for the process, and write
/// results back; webhooks are left to the serving nodes, which hold the secret.
package enum ObscuraWorker {
    /// Migrates the database if needed, then runs `configuration.workers` workers until the
    /// process gets SIGTERM or SIGINT (an image being worked on then goes back in line when
    /// its lease ends). With `metricsPort`, this process's `/metrics` is served on loopback.
    package static func run(_ configuration: ServerConfiguration, logger: Logger, models: ModelSet? = nil,
                           metricsPort: Int? = nil, onMetricsRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        guard let url = configuration.databaseURL else {
            throw ObscuraError(.invalidSettings, "a worker needs --database (or OBSCURA_DATABASE)")
        }
        let client = try await PostgresJobBackend.migratedClient(url, logger: logger, connectTimeout: configuration.databaseConnectTimeout)
        let backend = PostgresJobBackend(client: client, logger: logger)
        let metrics = ServerMetrics()
        let runner = JobRunner(backend: backend, configuration: configuration, logger: logger,
                               models: models ?? ModelSet(modelDirectory: configuration.modelDirectory), sendsWebhooks: false, metrics: metrics)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: client), .init(service: runner)]
        if let metricsPort {
            // Loopback only: a scraper on this machine (or a tunnel) reads it; there is no token here.
            let router = Router()
            router.get("/metrics") { _, _ in try await metrics.response(backend) }
            let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: metricsPort), serverName: "obscura-worker"),
                                  onServerRunning: { channel in await onMetricsRunning(channel.localAddress?.port ?? metricsPort) },
                                  logger: logger)
            services.append(.init(service: app))
        }
        let group = ServiceGroup(configuration: .init(services: services,
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logger.notice("worker started", metadata: ["workers": "\(configuration.workers)"])
        try await group.run()
    }
}
