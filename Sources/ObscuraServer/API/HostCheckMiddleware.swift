import Hummingbird

/// Refuses requests a browser may have been steered into sending.
///
/// - Host: on a server bound to loopback, only loopback names (`localhost`, `127.x.x.x`,
///   `[::1]`) and the configured host are answered, with any port; anything else gets 421
///   `request.host-not-allowed`. A page on `evil.example` whose name was re-pointed at
///   127.0.0.1 (DNS rebinding) sends `Host: evil.example` and so reads nothing. A request
///   without a Host header cannot come from a browser and passes.
/// - Origin: a POST, PUT, PATCH or DELETE whose `Origin` header is not this server's own
///   (`http://` + the request's Host) gets 403 `request.origin-not-allowed`, whatever the
///   binding. Clients that send no Origin (curl, scripts) pass; browsers send one on every
///   such request, so another site's page cannot create, change or delete jobs.
struct HostCheckMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Host names (lowercased, without port) answered besides loopback ones; nil answers any.
    let allowedHosts: Set<String>?

    init(configuration: ServerConfiguration) {
        if ServerConfiguration.isLoopback(configuration.host) {
            let host = configuration.host.lowercased()
            allowedHosts = [host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host]
        } else {
            allowedHosts = nil
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let authority = request.head.authority
        if let authority, !allows(authority) {
            throw APIError(.misdirectedRequest, "request.host-not-allowed",
                           "this server answers only requests addressed to a loopback name (localhost, 127.0.0.1, [::1]) or its configured host")
        }
        if Self.stateChanging.contains(request.method), let origin = request.headers[.origin],
           origin.lowercased() != authority.map({ "http://" + $0.lowercased() }) {
            throw APIError(.forbidden, "request.origin-not-allowed",
                           "requests that change state are accepted only from this server's own page (the Origin header names another site)")
        }
        return try await next(request, context)
    }

    static var stateChanging: Set<HTTPRequest.Method> { [.post, .put, .patch, .delete] }

    /// True when `authority` (`host`, `host:port`, `[v6]` or `[v6]:port`) names this server.
    func allows(_ authority: String) -> Bool {
        guard let allowedHosts else { return true }
        let host = Self.hostPart(of: authority.lowercased())
        return ServerConfiguration.isLoopback(host) || allowedHosts.contains(host)
    }

    /// The host of an authority, brackets kept for IPv6.
    static func hostPart(of authority: String) -> String {
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return authority }
            return String(authority[...close])
        }
        return authority.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? authority
    }
}
