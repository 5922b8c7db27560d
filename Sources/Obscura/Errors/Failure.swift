import Foundation

/// An `ObscuraError` as every output writes it: `{"code", "message", "cause"?}` in the report,
/// `verify --json`, `anonymize --json`, `inspect --json`, and the API (an image's `error` and
/// the error envelope). One shape, so a client that reads one of them reads all of them.
/// `LocalizedError`, so a command line that throws it prints the same line as `ObscuraError`.
public struct Failure: Error, LocalizedError, CustomStringConvertible, Sendable, Codable, Equatable {
    /// `ObscuraError.Code`'s raw value, or a code of the caller's own (`server.failed`, `auth.required`).
    public var code: String
    public var message: String
    /// What the underlying library said (a decoder's or OpenCV's message; never pixel data).
    public var cause: String?

    public init(code: String, message: String, cause: String? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// `keepingCause: false` for outputs that never show a library's words: the API (they may
    /// name paths on the server) and `inspect --json`, which has never written them.
    public init(_ error: ObscuraError, keepingCause: Bool = true) {
        self.init(code: error.code.rawValue, message: error.message, cause: keepingCause ? error.cause : nil)
    }

    /// `message (cause) [code]`: how the command line names a failure, and how `ObscuraError`
    /// describes itself.
    public var description: String {
        if let cause { return "\(message) (\(cause)) [\(code)]" }
        return "\(message) [\(code)]"
    }

    public var errorDescription: String? { description }
}
