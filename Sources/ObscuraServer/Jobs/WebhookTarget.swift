import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where one webhook call may go, decided before any connection is made.
///
/// A host named by `--webhook-allow` is called as it resolves. Any other host is resolved here
/// (getaddrinfo, so every spelling the resolver accepts, such as `127.1`, `0x7f.1` or
/// `2130706433`, is judged by the address it means, not by its text) and is refused unless
/// every address it resolves to is loopback: 127.0.0.0/8, ::1, or ::ffff:127.x.x.x. The call
/// then connects to the address checked here, so a name cannot resolve to loopback for the
/// check and elsewhere for the connection.
struct WebhookTarget: Sendable, Equatable {
    /// The host as the URL names it, without IPv6 brackets (it stays the Host header).
    var host: String
    /// The checked loopback address to connect to, or nil for an allow-listed host.
    var address: String?

    struct Refused: Error, Equatable {
        var reason: String
    }

    /// Resolves and checks `url`'s host. Blocks while the resolver runs: call it off the
    /// event loops.
    static func resolve(_ url: URL, configuration: ServerConfiguration) throws -> WebhookTarget {
        guard configuration.allowsWebhookForm(url), var host = url.host else {
            throw Refused(reason: "not an http(s) URL without user info")
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if configuration.isAllowedWebhookHost(host) { return WebhookTarget(host: host, address: nil) }
        let addresses = try Self.addresses(of: host)
        guard let first = addresses.first else { throw Refused(reason: "the host does not resolve") }
        guard addresses.allSatisfy(Self.isLoopback) else {
            throw Refused(reason: "the host resolves to an address that is not loopback")
        }
        return WebhookTarget(host: host, address: Self.connectable(first))
    }

    /// Every address getaddrinfo gives for `host`, as bytes: 4 for IPv4, 16 for IPv6.
    static func addresses(of host: String) throws -> [[UInt8]] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let list else {
            throw Refused(reason: "the host does not resolve")
        }
        defer { freeaddrinfo(list) }
        var result: [[UInt8]] = []
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let current = entry?.pointee {
            if current.ai_family == AF_INET, let address = current.ai_addr {
                address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    var raw = $0.pointee.sin_addr
                    result.append(withUnsafeBytes(of: &raw) { Array($0) })
                }
            } else if current.ai_family == AF_INET6, let address = current.ai_addr {
                address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    var raw = $0.pointee.sin6_addr
                    result.append(withUnsafeBytes(of: &raw) { Array($0) })
                }
            } else {
                // Another family cannot be checked, so the host is refused.
                result.append([])
            }
            entry = current.ai_next
        }
        return result
    }

    /// 127.0.0.0/8, ::1, or an IPv4-mapped IPv6 address in 127.0.0.0/8.
    static func isLoopback(_ address: [UInt8]) -> Bool {
        switch address.count {
        case 4: return address[0] == 127
        case 16:
            if address[0..<15].allSatisfy({ $0 == 0 }) && address[15] == 1 { return true }
            return address[0..<10].allSatisfy { $0 == 0 } && address[10] == 0xff && address[11] == 0xff && address[12] == 127
        default: return false
        }
    }

    /// The numeric form to connect to; an IPv4-mapped address is written as plain IPv4.
    static func connectable(_ address: [UInt8]) -> String {
        if address.count == 16, address[0..<10].allSatisfy({ $0 == 0 }), address[10] == 0xff, address[11] == 0xff {
            return address[12...].map(String.init).joined(separator: ".")
        }
        if address.count == 4 { return address.map(String.init).joined(separator: ".") }
        var raw = in6_addr()
        withUnsafeMutableBytes(of: &raw) { $0.copyBytes(from: address) }
        var text = [UInt8](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        _ = text.withUnsafeMutableBufferPointer { inet_ntop(AF_INET6, &raw, $0.baseAddress, socklen_t($0.count)) }
        return String(decoding: text.prefix { $0 != 0 }, as: UTF8.self)
    }
}
