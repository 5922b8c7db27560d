import Foundation
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes

/// Keeps slow and idle clients from holding the server's connections (and file descriptors).
///
/// - At most `limit` connections are open. A new connection past it closes the oldest one that
///   is still waiting for a complete request head (slow, idle or half-open), so a thousand
///   silent sockets cannot stop `/healthz` from answering; if every open connection is busy
///   with a request, the new one is closed instead.
/// - A connection has `headerTimeout` to send a complete request head, from when it opens and
///   again from the end of each response (the keep-alive wait counts too).
final class ConnectionLimiter: @unchecked Sendable {
    let limit: Int
    let headerTimeout: TimeAmount
    private let lock = NSLock()
    /// Open connections in the order they opened, with whether each waits for a head.
    private var open: [(id: ObjectIdentifier, channel: any Channel, waitingForHead: Bool)] = []

    init(limit: Int, headerTimeout: TimeAmount) {
        self.limit = limit
        self.headerTimeout = headerTimeout
    }

    /// The most connections a process with `configured` as its setting may hold: the setting,
    /// lowered to leave 64 descriptors of the file limit for the store, uploads and results.
    static func effectiveLimit(configured: Int) -> Int {
        var limits = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limits) == 0, limits.rlim_cur < 1 << 40 else { return configured }
        return max(1, min(configured, Int(limits.rlim_cur) - 64))
    }

    var count: Int { lock.withLock { open.count } }

    /// Records a new connection; closes the connection it displaces, or this one when there is
    /// no room.
    func opened(_ channel: any Channel) {
        let victim: (any Channel)? = lock.withLock {
            open.append((ObjectIdentifier(channel), channel, true))
            guard open.count > limit else { return nil }
            let index = open.firstIndex { $0.waitingForHead && $0.id != ObjectIdentifier(channel) } ?? open.count - 1
            return open.remove(at: index).channel
        }
        victim?.close(promise: nil)
    }

    func closed(_ channel: any Channel) {
        lock.withLock { open.removeAll { $0.id == ObjectIdentifier(channel) } }
    }

    func setWaitingForHead(_ channel: any Channel, _ waiting: Bool) {
        lock.withLock {
            if let index = open.firstIndex(where: { $0.id == ObjectIdentifier(channel) }) { open[index].waitingForHead = waiting }
        }
    }

    /// The handler for one connection's pipeline (after the HTTP codec).
    func handler() -> ConnectionGuardHandler { ConnectionGuardHandler(limiter: self) }
}

/// One connection's side of `ConnectionLimiter`: registers the connection, runs its header
/// timer and reports when it waits for a request head.
final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let limiter: ConnectionLimiter
    private var headerTimer: Scheduled<Void>?
    private var registered = false
    /// Requests whose head was read and whose response has not ended (pipelining may make it 2).
    private var requestsInProgress = 0

    init(limiter: ConnectionLimiter) { self.limiter = limiter }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { register(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        register(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop(context)
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { stop(context) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            requestsInProgress += 1
            headerTimer?.cancel()
            headerTimer = nil
            limiter.setWaitingForHead(context.channel, false)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            requestsInProgress = max(0, requestsInProgress - 1)
            if requestsInProgress == 0 {
                limiter.setWaitingForHead(context.channel, true)
                startHeaderTimer(context)
            }
        }
        context.write(data, promise: promise)
    }

    private func register(_ context: ChannelHandlerContext) {
        guard !registered else { return }
        registered = true
        limiter.opened(context.channel)
        startHeaderTimer(context)
    }

    private func stop(_ context: ChannelHandlerContext) {
        headerTimer?.cancel()
        headerTimer = nil
        if registered { limiter.closed(context.channel) }
        registered = false
    }

    private func startHeaderTimer(_ context: ChannelHandlerContext) {
        headerTimer?.cancel()
        let channel = context.channel
        headerTimer = context.eventLoop.scheduleTask(in: limiter.headerTimeout) { channel.close(promise: nil) }
    }
}

@available(*, unavailable)
extension ConnectionGuardHandler: Sendable {}
