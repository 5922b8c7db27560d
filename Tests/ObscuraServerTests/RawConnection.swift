import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP connection to a live test server, for requests a well-behaved client would not
/// send: another Host header, a request head that never ends. Sendable so that many can be read
/// at once: its one stored property never changes and each call is a plain system call.
final class RawConnection: @unchecked Sendable {
    let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EMFILE) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw POSIXError(.ECONNREFUSED)
        }
    }

    deinit { close(descriptor) }

    /// Ends the connection both ways (the descriptor stays until deinit).
    func hangUp() { _ = shutdown(descriptor, Int32(SHUT_RDWR)) }

    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { return }
            offset += sent
        }
    }

    /// Everything the server sends until it closes the connection or `timeout` passes. Waits
    /// on a thread of its own: blocking a thread of the cooperative pool could starve the
    /// in-process server, and Dispatch's global queue runs only as many blocks as there are
    /// cores, so a read would wait for other tests' reads.
    func readAll(timeout: TimeInterval) async -> (text: String, closed: Bool) {
        let connection = UncheckedBox(self)
        return await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: connection.value.blockingReadAll(timeout: timeout)) }.start()
        }
    }

    private func blockingReadAll(timeout: TimeInterval) -> (text: String, closed: Bool) {
        var received: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while Date() < deadline {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(max(1, deadline.timeIntervalSinceNow * 1000)))
            guard ready > 0 else { continue }
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { return (String(decoding: received, as: UTF8.self), true) }
            received += buffer[0..<count]
        }
        return (String(decoding: received, as: UTF8.self), false)
    }

    /// Sends one request that asks the server to close afterwards and returns its status code.
    /// The timeout is a bound for a loaded CI machine (many servers share the process), not a
    /// speed check.
    static func status(port: Int, _ request: String, timeout: TimeInterval = 30) async throws -> Int? {
        let connection = try RawConnection(port: port)
        connection.send(request)
        let answer = await connection.readAll(timeout: timeout).text
        return answer.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) }
    }
}

private struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
