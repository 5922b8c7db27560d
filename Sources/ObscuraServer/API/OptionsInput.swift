import Foundation
import Obscura

/// Reads the `options` field of a job: a JSON object with any subset of `AnonymizeOptions`'
/// keys, laid over the defaults. Unknown keys and out-of-range values are refused, and so is
/// `piiWordsFile` (a path on the server's disk; send the words as `piiPatterns` instead).
enum OptionsInput {
    static func parse(_ json: [UInt8]?) throws -> AnonymizeOptions {
        guard let json, !json.allSatisfy({ $0 == 32 || $0 == 10 || $0 == 13 || $0 == 9 }) else {
            return AnonymizeOptions()
        }
        guard let given = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any] else {
            throw APIError.badRequest("options.invalid", "options must be a JSON object")
        }
        let defaults = try JSONCoding.encoder.encode(AnonymizeOptions())
        var merged = (try JSONSerialization.jsonObject(with: defaults) as? [String: Any]) ?? [:]
        let known = Set(OptionTable.all.map(\.key))
        if let unknown = given.keys.sorted().first(where: { !known.contains($0) }) {
            throw APIError.badRequest("options.invalid", "unknown option \"\(unknown)\"; known: \(known.sorted().joined(separator: ", "))")
        }
        if given["piiWordsFile"] != nil {
            throw APIError.badRequest("options.invalid", "piiWordsFile names a file on the server and is not accepted; use piiPatterns")
        }
        for (key, value) in given { merged[key] = value }
        let options: AnonymizeOptions
        do {
            options = try JSONCoding.decoder.decode(AnonymizeOptions.self, from: JSONSerialization.data(withJSONObject: merged))
        } catch let error as DecodingError {
            throw APIError.badRequest("options.invalid", "an option has the wrong type or value (\(path(of: error)))")
        }
        // One code for every mistake in `options`, and the message names the key that was sent.
        do { try options.validate(naming: .api) } catch let error as ObscuraError {
            throw APIError(error, code: "options.invalid")
        }
        return options
    }

    private static func path(of error: DecodingError) -> String {
        let context: DecodingError.Context? = switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c), .dataCorrupted(let c): c
        @unknown default: nil
        }
        return context?.codingPath.map(\.stringValue).joined(separator: ".") ?? "options"
    }
}
