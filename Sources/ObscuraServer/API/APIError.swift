import Foundation
import Hummingbird
import Obscura

/// An error answered to an HTTP client: a status, a stable `code` and a human message, sent as
/// `{"error": {"code": …, "message": …}}`. Messages never carry pixel data, metadata values,
/// text read from an image, or paths on the server.
package struct APIError: HTTPResponseError, Sendable, Equatable {
    package var status: HTTPResponse.Status
    package var code: String
    package var message: String
    /// Seconds after which the client may try again (`Retry-After`), for 503 and 429.
    package var retryAfter: Int?

    package init(_ status: HTTPResponse.Status, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    package func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        if let retryAfter { headers[.retryAfter] = "\(retryAfter)" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The JSON body.
    package var body: [UInt8] {
        struct Envelope: Encodable { var error: Failure }
        return (try? Array(JSONCoding.encoder.encode(Envelope(error: Failure(code: code, message: message))))) ?? []
    }

    /// The one place an `ObscuraError` becomes an HTTP answer: the client's mistakes (settings,
    /// too many regions) are 400, anything else is the server's trouble (500). `code` replaces the
    /// error's own where the API names the mistake after what was sent (`options.invalid`).
    init(_ error: ObscuraError, code: String? = nil) {
        let status: HTTPResponse.Status = switch error.code {
        case .invalidSettings, .tooManyRegions: .badRequest
        default: .internalServerError
        }
        self.init(status, code ?? error.code.rawValue, error.message)
    }

    package static let unauthorized = APIError(.unauthorized, "auth.required", "this server needs a bearer token (Authorization: Bearer …)")
    package static func notFound(_ what: String) -> APIError { APIError(.notFound, "not-found", "\(what) not found") }
    package static func badRequest(_ code: String, _ message: String) -> APIError { APIError(.badRequest, code, message) }
}

/// One JSON style for the whole API: sorted keys, ISO 8601 dates.
enum JSONCoding {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

extension Response {
    /// A JSON response of an `Encodable` value.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try JSONCoding.encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
