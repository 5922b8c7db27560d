/// An error from the pipeline: a stable machine-readable `code`, a human `message` and an
/// optional underlying cause. Messages never carry pixel data, metadata values or text read
/// from an image.
public struct ObscuraError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable identifier; new codes may be added, existing ones never change meaning.
    public struct Code: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The model file is absent.
        public static let modelMissing = Code(rawValue: "model.missing")
        /// The model file does not have the expected SHA-256 or does not load.
        public static let modelCorrupt = Code(rawValue: "model.corrupt")
        /// The inference runtime (OpenVINO) is not installed or does not load.
        public static let runtimeMissing = Code(rawValue: "runtime.missing")
        /// Inference failed while processing an image.
        public static let detectionFailed = Code(rawValue: "detect.failed")
        /// The input is an image, but not one of the formats Obscura reads.
        public static let unsupportedFormat = Code(rawValue: "input.unsupported")
        /// An input path names no file or folder.
        public static let inputMissing = Code(rawValue: "input.missing")
        /// The input is not an image at all.
        public static let notAnImage = Code(rawValue: "input.not-image")
        /// The image data is cut short or damaged and cannot be decoded completely.
        public static let decodeFailed = Code(rawValue: "input.undecodable")
        /// The image has more pixels than the caller allows (`obscura serve`'s limit).
        public static let tooLarge = Code(rawValue: "input.too-large")
        /// Reading the input or writing the output failed at the file-system level.
        public static let fileSystem = Code(rawValue: "io.failed")
        /// The output exists and `overwrite` was not asked for.
        public static let outputExists = Code(rawValue: "output.exists")
        /// The output path would replace an input.
        public static let outputIsInput = Code(rawValue: "output.is-input")
        /// Encoding the cleaned pixels failed.
        public static let encodeFailed = Code(rawValue: "encode.failed")
        /// `--verify` found metadata or an unredacted face in the output; nothing was written.
        public static let verifyFailed = Code(rawValue: "verify.failed")
        /// The settings are inconsistent or out of range.
        public static let invalidSettings = Code(rawValue: "settings.invalid")
        /// More regions were given for one image than `Anonymizer.maximumRegions`.
        public static let tooManyRegions = Code(rawValue: "regions.too-many")
    }

    public var code: Code
    public var message: String
    public var cause: String?

    public init(_ code: Code, _ message: String, cause: String? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// Set-up problems stop a whole run before anything is written.
    public var isSetupProblem: Bool { code == .modelMissing || code == .modelCorrupt || code == .runtimeMissing }

    public var description: String { Failure(self).description }
}
