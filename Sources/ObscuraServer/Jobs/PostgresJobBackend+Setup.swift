import Foundation
import Logging
import NIOCore
import Obscura
import PostgresNIO

// Connecting to the database and bringing its schema up to date.
extension PostgresJobBackend {
    /// `postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=…&sslrootcert=FILE]`, or
    /// `postgresql://USER@/DATABASE?host=/run/postgresql` for a Unix socket (the folder that
    /// holds `.s.PGSQL.PORT`). The password may also come from `PGPASSWORD`.
    ///
    /// Over TCP the connection is encrypted as libpq's `sslmode` says: `prefer` (the default, as
    /// libpq's: TLS when the server offers it, unverified), `require` (TLS or no connection,
    /// unverified), `verify-ca` (the server's certificate must chain to `sslrootcert`, or the
    /// system's roots), `verify-full` (that, and its name must match the host), or `disable`.
    /// Photos cross this connection: between machines, use `verify-full`.
    static func clientConfiguration(_ url: String) throws -> PostgresClient.Configuration {
        let invalid = ObscuraError(.invalidSettings, "--database must look like postgresql://USER@HOST:PORT/DATABASE")
        guard let components = URLComponents(string: url), ["postgresql", "postgres"].contains(components.scheme?.lowercased() ?? ""),
              let user = components.user, !user.isEmpty else { throw invalid }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty else { throw invalid }
        let password = components.password ?? ProcessInfo.processInfo.environment["PGPASSWORD"]
        let query = Dictionary(components.queryItems?.map { ($0.name, $0.value ?? "") } ?? [], uniquingKeysWith: { $1 })
        var configuration: PostgresClient.Configuration
        if let socketFolder = query["host"], socketFolder.hasPrefix("/") {
            // A local socket: PostgreSQL does not use TLS there.
            let port = components.port ?? 5432
            configuration = .init(unixSocketPath: "\(socketFolder)/.s.PGSQL.\(port)", username: user, password: password, database: database)
        } else {
            guard let host = components.host, !host.isEmpty else { throw invalid }
            configuration = .init(host: host, port: components.port ?? 5432, username: user, password: password, database: database,
                                  tls: try tls(mode: query["sslmode"] ?? "prefer", rootCertificate: query["sslrootcert"]))
        }
        configuration.options.maximumConnections = 8
        return configuration
    }

    private static func tls(mode: String, rootCertificate: String?) throws -> PostgresClient.Configuration.TLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let rootCertificate, !rootCertificate.isEmpty { tls.trustRoots = .file(rootCertificate) }
        switch mode {
        case "disable":
            return .disable
        case "prefer", "require":
            tls.certificateVerification = .none
            return mode == "prefer" ? .prefer(tls) : .require(tls)
        case "verify-ca":
            tls.certificateVerification = .noHostnameVerification
            return .require(tls)
        case "verify-full":
            tls.certificateVerification = .fullVerification
            return .require(tls)
        default:
            throw ObscuraError(.invalidSettings, "sslmode must be disable, prefer, require, verify-ca or verify-full")
        }
    }

    // MARK: Schema

    /// Each entry (its statements) runs once, in order, recorded in `obscura_schema`.
    static let migrations: [[String]] = [[
        """
        CREATE TABLE job (
            id TEXT PRIMARY KEY,
            created_at DOUBLE PRECISION NOT NULL,
            expires_at DOUBLE PRECISION NOT NULL,
            options TEXT NOT NULL,
            review BOOLEAN NOT NULL,
            finished_at DOUBLE PRECISION,
            webhook TEXT,
            webhook_event TEXT,
            webhook_state TEXT,
            webhook_attempts BIGINT NOT NULL DEFAULT 0,
            webhook_next_at DOUBLE PRECISION
        )
        """, """
        CREATE TABLE image (
            job_id TEXT NOT NULL REFERENCES job(id) ON DELETE CASCADE,
            idx BIGINT NOT NULL,
            name TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts BIGINT NOT NULL DEFAULT 0,
            lease TEXT,
            lease_until DOUBLE PRECISION,
            error_code TEXT,
            error_message TEXT,
            width BIGINT,
            height BIGINT,
            regions TEXT,
            report TEXT,
            output_format TEXT,
            result_bytes BIGINT,
            timings TEXT,
            detected TEXT,
            PRIMARY KEY (job_id, idx)
        )
        """,
        "CREATE INDEX image_state ON image(state)",
        """
        CREATE TABLE image_file (
            job_id TEXT NOT NULL,
            idx BIGINT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('original', 'result')),
            bytes BYTEA NOT NULL,
            PRIMARY KEY (job_id, idx, kind),
            FOREIGN KEY (job_id, idx) REFERENCES image(job_id, idx) ON DELETE CASCADE
        )
        """,
    ]]

    /// A client for `url` (not yet running: run it as a service) on a database whose schema is
    /// up to date. Migrates with a client of its own, run just for that.
    static func migratedClient(_ url: String, logger: Logger, connectTimeout: TimeInterval = 30) async throws -> PostgresClient {
        let configuration = try clientConfiguration(url)
        let migrator = PostgresClient(configuration: configuration)
        struct TimedOut: Error {}
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await migrator.run() }
                group.addTask { try await PostgresJobBackend(client: migrator, logger: logger).migrate() }
                // The pool retries a refused connection for ever: give up after a while instead.
                group.addTask {
                    try await Task.sleep(for: .seconds(connectTimeout))
                    throw TimedOut()
                }
                defer { group.cancelAll() }
                // The first to end: the migration, or the time limit (the client runs until cancelled).
                try await group.next()
            }
        } catch is TimedOut {
            throw ObscuraError(.invalidSettings, "the database could not be reached within \(Int(connectTimeout)) s: check --database")
        } catch {
            throw ObscuraError(.invalidSettings, "the database could not be reached or prepared (\(Self.reason(error)))")
        }
        return PostgresClient(configuration: configuration)
    }

    /// A short reason that names no value from the database.
    static func reason(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] { return message }
            return "\(error.code)"
        }
        return "\(type(of: error))"
    }

    /// Brings the schema up to date. Nodes starting together wait for one another on the lock,
    /// so each migration runs once.
    func migrate() async throws {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Lock.migrate.rawValue))", logger: logger)
            do {
                try await connection.query("CREATE TABLE IF NOT EXISTS obscura_schema (version BIGINT NOT NULL)", logger: logger)
                let rows = try await connection.query("SELECT COALESCE(MAX(version), 0) FROM obscura_schema", logger: logger).collect()
                let current = try rows.first?.decode(Int.self) ?? 0
                for (offset, statements) in Self.migrations.enumerated() where offset + 1 > current {
                    try await connection.withTransaction(logger: logger) { connection in
                        for sql in statements { try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger) }
                        try await connection.query("INSERT INTO obscura_schema (version) VALUES (\(offset + 1))", logger: logger)
                    }
                    logger.notice("database migrated", metadata: ["version": "\(offset + 1)"])
                }
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Lock.migrate.rawValue))", logger: logger)
                throw error
            }
            try await connection.query("SELECT pg_advisory_unlock(\(Lock.migrate.rawValue))", logger: logger)
        }
    }
}
