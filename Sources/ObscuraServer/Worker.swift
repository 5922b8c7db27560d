import Foundation
import Logging
import Obscura
import ServiceLifecycle

/// `obscura worker`: workers without an HTTP server, on any machine that reaches the
/// PostgreSQL database of one or more `obscura serve --database` nodes. They take images from
/// the database under a lease, run the library with one model set for the process, and write
/// results back; webhooks are left to the serving nodes, which hold the secret.
public enum ObscuraWorker {
    /// Migrates the database if needed, then runs `configuration.workers` workers until the
    /// process gets SIGTERM or SIGINT (an image being worked on then goes back in line when
    /// its lease ends).
    public static func run(_ configuration: ServerConfiguration, logger: Logger, models: ModelSet? = nil) async throws {
        guard let url = configuration.databaseURL else {
            throw ObscuraError(.invalidSettings, "a worker needs --database (or OBSCURA_DATABASE)")
        }
        let client = try await PostgresJobBackend.migratedClient(url, logger: logger)
        let runner = JobRunner(backend: PostgresJobBackend(client: client, logger: logger), configuration: configuration, logger: logger,
                               models: models ?? ModelSet(modelDirectory: configuration.modelDirectory), sendsWebhooks: false)
        let group = ServiceGroup(configuration: .init(services: [.init(service: client), .init(service: runner)],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logger.notice("worker started", metadata: ["workers": "\(configuration.workers)"])
        try await group.run()
    }
}
