import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A PostgreSQL 15 server of a test's own: a fresh cluster in a temporary folder, listening on
/// a Unix socket there only (no TCP port), stopped and deleted when the test ends. Running as
/// root, the server runs as the `postgres` user (PostgreSQL refuses root). Tests skip when the
/// server binaries are absent (scripts/setup.sh installs Debian's postgresql-15).
struct PostgresTestServer {
    static let binaries = URL(fileURLWithPath: "/usr/lib/postgresql/15/bin")
    static var installed: Bool {
        FileManager.default.isExecutableFile(atPath: binaries.appendingPathComponent("postgres").path)
    }
    static let missing: Comment = "PostgreSQL 15 server not installed: run scripts/setup.sh (skipped)"

    let folder: URL
    let user: String

    /// A database URL of this server, for a new database `name`.
    func url(_ name: String) -> String { "postgresql://\(user)@/\(name)?host=\(folder.path)" }

    /// Runs `body` with a running server; the server is stopped whether `body` throws or not.
    static func with<T>(_ body: (PostgresTestServer) async throws -> T) async throws -> T {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("obscura-pg-\(UUID().uuidString.prefix(8))")
        let cluster = folder.appendingPathComponent("cluster")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let asRoot = getuid() == 0
        let user = asRoot ? "postgres" : ProcessInfo.processInfo.environment["USER"] ?? "postgres"
        if asRoot { try FileManager.default.setAttributes([.ownerAccountName: "postgres"], ofItemAtPath: folder.path) }
        try await run(binaries.appendingPathComponent("initdb"), ["-D", cluster.path, "-U", user, "--auth=trust", "-E", "UTF8", "--no-sync"],
                      asRoot: asRoot)
        let server = Process()
        let arguments = ["-D", cluster.path, "-k", folder.path, "-c", "listen_addresses=", "-c", "fsync=off"]
        if asRoot {
            server.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            server.arguments = ["--reuid=postgres", "--regid=postgres", "--init-groups", binaries.appendingPathComponent("postgres").path] + arguments
        } else {
            server.executableURL = binaries.appendingPathComponent("postgres")
            server.arguments = arguments
        }
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer {
            // SIGINT: PostgreSQL's fast shutdown.
            kill(server.processIdentifier, SIGINT)
            server.waitUntilExit()
        }
        let socket = folder.appendingPathComponent(".s.PGSQL.5432").path
        let deadline = Date().addingTimeInterval(60)
        let instance = PostgresTestServer(folder: folder, user: user)
        while true {
            if FileManager.default.fileExists(atPath: socket),
               (try? await run(binaries.appendingPathComponent("pg_isready"), ["-h", folder.path, "-U", user], asRoot: false)) != nil { break }
            guard Date() < deadline, server.isRunning else { throw StartFailure() }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await body(instance)
    }

    /// Creates database `name` and returns its URL.
    func database(_ name: String = "obscura_\(UUID().uuidString.prefix(8).lowercased())") async throws -> String {
        try await Self.run(Self.binaries.appendingPathComponent("createdb"), ["-h", folder.path, "-U", user, name], asRoot: false)
        return url(name)
    }

    /// Runs a SQL statement with psql and returns what it printed (unaligned, tuples only).
    func sql(_ database: String, _ statement: String) async throws -> String {
        try await Self.run(URL(fileURLWithPath: "/usr/bin/psql"), ["-h", folder.path, "-U", user, "-d", database, "-At", "-c", statement],
                           asRoot: false)
    }

    struct StartFailure: Error {}
    struct CommandFailure: Error { var output: String }

    @discardableResult
    static func run(_ executable: URL, _ arguments: [String], asRoot: Bool) async throws -> String {
        let result = asRoot
            ? try await Submit.run(URL(fileURLWithPath: "/usr/bin/setpriv"),
                                   ["--reuid=postgres", "--regid=postgres", "--init-groups", executable.path] + arguments)
            : try await Submit.run(executable, arguments)
        guard result.status == 0 else { throw CommandFailure(output: result.standardError) }
        return result.standardOutput
    }
}
