import Foundation

/// Whose words a message about a setting uses: the command line's flags (`--min-face`) or the
/// API's and report's keys (`minimumFace`).
package enum OptionNaming: Sendable {
    case commandLine
    case api
}

/// One setting of `AnonymizeOptions`, declared once: its key (API, report), its flag (CLI), its
/// help and the values it takes. Validation, the CLI's help, the API's schema and the page's
/// controls all read it; the default is the value `AnonymizeOptions()` holds.
package struct OptionSpec: Sendable {
    package enum Values: Sendable {
        case integer(ClosedRange<Int>)
        case number(ClosedRange<Double>)
        /// One of these words.
        case choice([String])
        /// A list of these words.
        case choices([String])
        /// `RRGGBB`.
        case colour
        case boolean
        /// A list of free texts.
        case texts
        /// A file on the machine that runs Obscura.
        case path
    }

    package let key: String
    package let flag: String
    package let help: String
    package let values: Values
    /// What a number counts ("pixels"), for messages and help.
    package let unit: String?
    /// The placeholder in the CLI's help (`PX`, `RRGGBB`).
    package let valueName: String?

    init(_ key: String, flag: String, _ help: String, _ values: Values, unit: String? = nil, valueName: String? = nil) {
        self.key = key
        self.flag = flag
        self.help = help
        self.values = values
        self.unit = unit
        self.valueName = valueName
    }

    /// The setting as the caller knows it.
    package func name(_ naming: OptionNaming) -> String { naming == .commandLine ? "--\(flag)" : key }

    /// "between 0 and 200 pixels", for help and messages; nil for settings without a range.
    package var rangeText: String? {
        let suffix = unit.map { " \($0)" } ?? ""
        switch values {
        case .integer(let range): return "between \(range.lowerBound) and \(range.upperBound)\(suffix)"
        case .number(let range): return "between \(Self.text(range.lowerBound)) and \(Self.text(range.upperBound))\(suffix)"
        default: return nil
        }
    }

    /// Throws `settings.invalid` naming the setting in the caller's words when `value` is out of range.
    package func check(_ value: Int, _ naming: OptionNaming) throws {
        if case .integer(let range) = values, !range.contains(value) { throw outOfRange(naming) }
    }

    package func check(_ value: Double, _ naming: OptionNaming) throws {
        if case .number(let range) = values, !range.contains(value) { throw outOfRange(naming) }
    }

    private func outOfRange(_ naming: OptionNaming) -> ObscuraError {
        ObscuraError(.invalidSettings, "\(name(naming)) must be \(rangeText ?? "valid")")
    }

    private static func text(_ number: Double) -> String {
        number == number.rounded() ? String(Int(number)) : String(number)
    }
}

/// Every setting of an anonymization run, in the order the CLI's help lists them.
package enum OptionTable {
    package static let detect = OptionSpec("detect", flag: "detect", "Comma-separated kinds to find.",
                                          .choices(DetectionKind.allCases.map(\.rawValue)), valueName: "KINDS")
    package static let style = OptionSpec("style", flag: "style", "Redaction style.", .choice(RedactionStyle.allCases.map(\.rawValue)))
    package static let fill = OptionSpec("fill", flag: "fill", "Colour for --style solid, as RRGGBB.", .colour, valueName: "RRGGBB")
    package static let shape = OptionSpec("shape", flag: "shape", "Shape painted for faces and bodies (ellipse is a person's outline for bodies).",
                                         .choice(RegionShape.allCases.map(\.rawValue)))
    package static let margin = OptionSpec("margin", flag: "margin", "Growth of each region beyond the detected box on every side.",
                                          .number(0...2), unit: "times the box's size")
    package static let threshold = OptionSpec("threshold", flag: "threshold", "Minimum detector score. Lower finds more faces and more false alarms.",
                                             .number(0.01...1))
    package static let minimumFace = OptionSpec("minimumFace", flag: "min-face",
                                               "Smallest face to search for. 10 searches at native resolution; larger is faster and misses smaller faces.",
                                               .integer(5...400), unit: "pixels", valueName: "PX")
    package static let cellsAcross = OptionSpec("cellsAcross", flag: "cells", "Pixelate/blur cells across a region's shorter side; above 6 is weak.",
                                               .integer(1...64))
    package static let feather = OptionSpec("feather", flag: "feather",
                                           "Soft edge around every painted region. The blend is only outside the region; inside stays fully destroyed.",
                                           .integer(0...200), unit: "pixels", valueName: "PX")
    package static let format = OptionSpec("format", flag: "format", "Output format (keep writes HEIF/HEIC, AVIF and TIFF as JPEG, GIF as PNG).",
                                          .choice(OutputFormat.allCases.map(\.rawValue)))
    package static let quality = OptionSpec("quality", flag: "quality", "JPEG/WebP quality. (default: the input JPEG's own quality, else 90)",
                                           .integer(1...100))
    package static let overwrite = OptionSpec("overwrite", flag: "overwrite", "Replace outputs that already exist.", .boolean)
    package static let verify = OptionSpec("verify", flag: "verify", "Re-check each output as 'obscura verify' does before writing it.", .boolean)
    package static let textStyle = OptionSpec("textStyle", flag: "text-style",
                                             "Style for text, PII and hand-drawn regions. Anything but solid is weak: pixelated text can often be read back.",
                                             .choice(RedactionStyle.allCases.map(\.rawValue)))
    package static let piiPatterns = OptionSpec("piiPatterns", flag: "pii-pattern",
                                               "With --detect pii: also paint text matching this regular expression (ICU syntax; repeatable; written to the report as given).",
                                               .texts, valueName: "REGEX")
    package static let piiWordsFile = OptionSpec("piiWordsFile", flag: "pii-words",
                                                "With --detect pii: also paint these words or phrases, one per line, matched case-insensitively as whole words (the file's contents are never written to the report).",
                                                .path, valueName: "FILE")
    package static let plateEvidence = OptionSpec("plateEvidence", flag: "plate-evidence", "With --detect plates: comma-separated evidence to combine: text (plate-shaped text lines that do not read as words, times, dates or amounts), cascade (OpenCV's plate cascade).",
                                                 .choices(PlateEvidence.allCases.map(\.rawValue)), valueName: "SOURCES")

    package static let all: [OptionSpec] = [detect, style, fill, shape, margin, threshold, minimumFace, cellsAcross, feather, format,
                                           quality, overwrite, verify, textStyle, piiPatterns, piiWordsFile, plateEvidence]

    /// The JSON Schema of the API's `options` object (OpenAPI `components.schemas.Options`): every
    /// key, its type, range or words, and the default `AnonymizeOptions()` holds. `piiWordsFile`
    /// is left out: the API refuses paths on the server's disk.
    package static func jsonSchema() -> [String: Any] {
        let defaults = (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(AnonymizeOptions()))) as? [String: Any] ?? [:]
        var properties: [String: Any] = [:]
        for spec in all where spec.key != piiWordsFile.key {
            var property: [String: Any] = ["description": spec.help]
            switch spec.values {
            case .integer(let range): property.merge(["type": "integer", "minimum": range.lowerBound, "maximum": range.upperBound]) { $1 }
            case .number(let range): property.merge(["type": "number", "minimum": range.lowerBound, "maximum": range.upperBound]) { $1 }
            case .choice(let words): property.merge(["type": "string", "enum": words]) { $1 }
            case .choices(let words): property.merge(["type": "array", "items": ["type": "string", "enum": words]]) { $1 }
            case .colour: property.merge(["type": "string", "pattern": "^[0-9a-fA-F]{6}$"]) { $1 }
            case .boolean: property["type"] = "boolean"
            case .texts: property.merge(["type": "array", "items": ["type": "string"]]) { $1 }
            case .path: property["type"] = "string"
            }
            if let value = defaults[spec.key] { property["default"] = value }
            properties[spec.key] = property
        }
        return ["type": "object", "additionalProperties": false, "properties": properties,
                "description": "AnonymizeOptions, as `obscura anonymize` takes them and the report records them (generated from OptionTable)."]
    }
}
