import Foundation

/// A strict `multipart/form-data` reader (RFC 7578) for job uploads. It reads a body that is
/// already in memory (bounded by the upload limit) and refuses anything malformed.
struct Multipart {
    struct Part {
        /// The form field name.
        var name: String
        /// The file name the client gave, if the part is a file.
        var fileName: String?
        var contentType: String?
        var body: ArraySlice<UInt8>
    }

    struct Malformed: Error {
        var reason: String
    }

    /// The boundary of a `multipart/form-data; boundary=…` content type, or nil.
    static func boundary(contentType: String) -> String? {
        let pieces = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard pieces.first?.lowercased() == "multipart/form-data" else { return nil }
        for piece in pieces.dropFirst() where piece.lowercased().hasPrefix("boundary=") {
            var value = String(piece.dropFirst("boundary=".count))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return (1...70).contains(value.utf8.count) ? value : nil
        }
        return nil
    }

    static func parse(_ body: [UInt8], boundary: String) throws -> [Part] {
        let delimiter = Array("--\(boundary)".utf8)
        let separator = Array("\r\n--\(boundary)".utf8)
        guard body.count >= delimiter.count, Array(body[0..<delimiter.count]) == delimiter else {
            throw Malformed(reason: "the body does not start with the boundary")
        }
        var parts: [Part] = []
        var cursor = delimiter.count
        while true {
            // After a delimiter: "--" ends the body, CRLF starts a part.
            guard cursor + 2 <= body.count else { throw Malformed(reason: "the body ends inside a delimiter") }
            if body[cursor] == UInt8(ascii: "-"), body[cursor + 1] == UInt8(ascii: "-") { return parts }
            guard body[cursor] == 13, body[cursor + 1] == 10 else { throw Malformed(reason: "a delimiter is not followed by a line break") }
            cursor += 2
            guard let headerEnd = find([13, 10, 13, 10], in: body, from: cursor) else {
                throw Malformed(reason: "a part has no end of headers")
            }
            let headers = try parseHeaders(body[cursor..<headerEnd])
            let start = headerEnd + 4
            guard let end = find(separator, in: body, from: start) else {
                throw Malformed(reason: "a part is not closed by the boundary (truncated upload?)")
            }
            guard let disposition = headers["content-disposition"], let name = parameter("name", in: disposition) else {
                throw Malformed(reason: "a part has no Content-Disposition name")
            }
            parts.append(Part(name: name, fileName: parameter("filename", in: disposition),
                              contentType: headers["content-type"], body: body[start..<end]))
            cursor = end + separator.count
        }
    }

    private static func parseHeaders(_ bytes: ArraySlice<UInt8>) throws -> [String: String] {
        var headers: [String: String] = [:]
        let text = String(decoding: bytes, as: UTF8.self)
        for line in text.components(separatedBy: "\r\n") where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw Malformed(reason: "a part header has no colon") }
            headers[line[..<colon].lowercased().trimmingCharacters(in: .whitespaces)] =
                line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return headers
    }

    /// A `name="value"` parameter of a header value (quoted or not).
    static func parameter(_ key: String, in header: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let trimmed = piece.trimmingCharacters(in: .whitespaces)
            guard let equals = trimmed.firstIndex(of: "="), trimmed[..<equals].lowercased() == key else { continue }
            var value = String(trimmed[trimmed.index(after: equals)...])
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 {
                value = String(value.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\"")
            }
            return value
        }
        return nil
    }

    /// First index of `needle` in `haystack` at or after `from`.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard !needle.isEmpty, haystack.count - from >= needle.count else { return nil }
        return haystack.withUnsafeBufferPointer { hay in
            needle.withUnsafeBufferPointer { pin -> Int? in
                var index = from
                let last = hay.count - pin.count
                while index <= last {
                    guard let hit = memchr(hay.baseAddress! + index, Int32(pin[0]), last - index + 1) else { return nil }
                    let position = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - hay.baseAddress!
                    if memcmp(hay.baseAddress! + position, pin.baseAddress!, pin.count) == 0 { return position }
                    index = position + 1
                }
                return nil
            }
        }
    }
}
