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
    /// The server's port: its socket's name, and with `tcp` its port on 127.0.0.1.
    let port: Int

    /// A database URL of this server's socket, for a new database `name`.
    func url(_ name: String) -> String { "postgresql://\(user)@:\(port)/\(name)?host=\(folder.path)" }
    /// With `tcp`: the certificate the server presents (CN and name `localhost`, self-signed).
    var certificate: URL { folder.appendingPathComponent("server.crt") }

    /// Runs `body` with a running server; the server is stopped whether `body` throws or not.
    /// With `tcp`, it also listens on 127.0.0.1 at a free port, with TLS on.
    static func with<T>(tcp: Bool = false, _ body: (PostgresTestServer) async throws -> T) async throws -> T {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("obscura-pg-\(UUID().uuidString.prefix(8))")
        let cluster = folder.appendingPathComponent("cluster")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let asRoot = getuid() == 0
        let user = asRoot ? "postgres" : ProcessInfo.processInfo.environment["USER"] ?? "postgres"
        if asRoot { try FileManager.default.setAttributes([.ownerAccountName: "postgres"], ofItemAtPath: folder.path) }
        try await run(binaries.appendingPathComponent("initdb"), ["-D", cluster.path, "-U", user, "--auth=trust", "-E", "UTF8", "--no-sync"],
                      asRoot: asRoot)
        let port = tcp ? try freePort() : 5432
        var arguments = ["-D", cluster.path, "-k", folder.path, "-p", "\(port)", "-c", "fsync=off"]
        if tcp {
            let key = folder.appendingPathComponent("server.key"), certificate = folder.appendingPathComponent("server.crt")
            let made = try await Submit.run(URL(fileURLWithPath: "/usr/bin/openssl"),
                                            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                                             "-addext", "subjectAltName=DNS:localhost", "-keyout", key.path, "-out", certificate.path])
            guard made.status == 0 else { throw CommandFailure(output: made.standardError) }
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key.path)
            if asRoot {
                for file in [key, certificate] { try FileManager.default.setAttributes([.ownerAccountName: "postgres"], ofItemAtPath: file.path) }
            }
            arguments += ["-c", "listen_addresses=127.0.0.1", "-c", "ssl=on", "-c", "ssl_cert_file=\(certificate.path)",
                          "-c", "ssl_key_file=\(key.path)"]
        } else {
            arguments += ["-c", "listen_addresses="]
        }
        let server = Process()
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
        // SIGINT afterwards: PostgreSQL's fast shutdown, waited for without holding a thread (ChildProcess.swift).
        return try await finally({
            let socket = folder.appendingPathComponent(".s.PGSQL.\(port)").path
            let deadline = Date().addingTimeInterval(60)
            while true {
                if FileManager.default.fileExists(atPath: socket),
                   (try? await run(binaries.appendingPathComponent("pg_isready"), ["-h", folder.path, "-p", "\(port)", "-U", user], asRoot: false)) != nil { break }
                guard Date() < deadline, server.isRunning else { throw StartFailure() }
                try await Task.sleep(for: .milliseconds(100))
            }
            return try await body(PostgresTestServer(folder: folder, user: user, port: port))
        }, then: { await server.end(with: SIGINT, within: 60) })
    }

    /// Creates database `name` and returns its URL.
    func database(_ name: String = "obscura_\(UUID().uuidString.prefix(8).lowercased())") async throws -> String {
        try await Self.run(Self.binaries.appendingPathComponent("createdb"), ["-h", folder.path, "-p", "\(port)", "-U", user, name], asRoot: false)
        return url(name)
    }

    /// Runs a SQL statement with psql and returns what it printed (unaligned, tuples only).
    func sql(_ database: String, _ statement: String) async throws -> String {
        try await Self.run(URL(fileURLWithPath: "/usr/bin/psql"), ["-h", folder.path, "-p", "\(port)", "-U", user, "-d", database, "-At", "-c", statement],
                           asRoot: false)
    }

    /// A TCP port free on 127.0.0.1 just now (the system's choice for port 0).
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw StartFailure() }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard bound else { throw StartFailure() }
        return Int(UInt16(bigEndian: address.sin_port))
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
