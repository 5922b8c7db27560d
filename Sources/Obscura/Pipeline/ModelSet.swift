import Foundation
import Synchronization

/// The models of one process. Each is read, hash-checked and compiled at most once, on first
/// use, and then shared by every anonymizer, batch worker, server job and `verify` in the
/// process, whatever their options: options are passed per call, never baked into a model.
public final class ModelSet: Sendable {
    public let modelDirectory: URL
    public let runtimeDirectory: URL

    private let loads = Mutex(0)
    private let faces = Mutex<CenterFaceDetector?>(nil)
    private let text = Mutex<TextDetector?>(nil)
    private let recognizer = Mutex<TextRecognizer?>(nil)
    private let lineNetwork = Mutex<NetworkLineReader?>(nil)
    private let cascade = Mutex<PlateCascade?>(nil)
    private let people = Mutex<BodyDetector?>(nil)

    /// How many models this set has loaded so far: each at most once.
    public var loadedCount: Int { loads.withLock { $0 } }

    public init(modelDirectory: URL = ModelStore.defaultDirectory,
                runtimeDirectory: URL = InferenceRuntime.defaultDirectory) {
        self.modelDirectory = modelDirectory
        self.runtimeDirectory = runtimeDirectory
    }

    /// CenterFace, compiled on first use.
    package func faceDetector() throws -> CenterFaceDetector {
        try loadOnce(faces) { try CenterFaceDetector(modelDirectory: modelDirectory, runtimeDirectory: runtimeDirectory) }
    }

    /// PP-OCRv4 text detection, compiled on first use.
    func textDetector() throws -> TextDetector {
        try loadOnce(text) { try TextDetector(modelDirectory: modelDirectory, runtimeDirectory: runtimeDirectory) }
    }

    /// Tesseract with Debian's English data, started on first use.
    func textRecognizer() throws -> TextRecognizer {
        try loadOnce(recognizer) { try TextRecognizer() }
    }

    /// PP-OCRv4 text recognition, compiled on first use.
    func networkLineReader() throws -> NetworkLineReader {
        try loadOnce(lineNetwork) { try NetworkLineReader(modelDirectory: modelDirectory, runtimeDirectory: runtimeDirectory) }
    }

    /// The SSDLite person detector, compiled on first use.
    func bodyDetector() throws -> BodyDetector {
        try loadOnce(people) { try BodyDetector(modelDirectory: modelDirectory, runtimeDirectory: runtimeDirectory) }
    }

    /// The plate cascade, loaded on first use.
    func plateCascade() throws -> PlateCascade {
        try loadOnce(cascade) { try PlateCascade(.plateCascade, modelDirectory: modelDirectory) }
    }

    /// A model of the set, named for loading several at once (`load(_:)`).
    enum Model: Sendable, Equatable {
        case faces, people, textDetection, tesseract, textRecognition, plateCascade
    }

    /// The models an anonymizer with `options` runs: `Anonymizer.init` takes its detectors by
    /// this list (Tesseract and the recognition network through `PIIReading` and `PlateDetector`).
    static func models(for options: AnonymizeOptions) -> [Model] {
        let kinds = Set(options.detect)
        var wanted: [Model] = []
        if kinds.contains(.faces) || kinds.contains(.bodies) { wanted.append(.faces) }
        if kinds.contains(.bodies) { wanted.append(.people) }
        if options.needsTextDetection { wanted.append(.textDetection) }
        if kinds.contains(.pii) || kinds.contains(.plates) { wanted.append(.tesseract) }
        if kinds.contains(.pii) || (kinds.contains(.plates) && options.plateEvidence.contains(.text)) { wanted.append(.textRecognition) }
        if kinds.contains(.plates) && options.plateEvidence.contains(.cascade) { wanted.append(.plateCascade) }
        return wanted
    }

    /// Loads `wanted` side by side, so a run that needs several models waits for the slowest
    /// rather than for all of them in turn: reading, hash-checking and compiling a network, or
    /// starting Tesseract, is mostly one thread's work. Errors are not thrown here: the getters
    /// try a failed load again and throw, in the order their callers ask, as before.
    func load(_ wanted: [Model]) {
        guard wanted.count > 1 else { return }
        DispatchQueue.concurrentPerform(iterations: wanted.count) { index in
            switch wanted[index] {
            case .faces: _ = try? faceDetector()
            case .people: _ = try? bodyDetector()
            case .textDetection: _ = try? textDetector()
            case .tesseract: _ = try? textRecognizer()
            case .textRecognition: _ = try? networkLineReader()
            case .plateCascade: _ = try? plateCascade()
            }
        }
    }

    /// The model in `slot`, loading it first if needed. Loading happens under the slot's lock,
    /// so concurrent callers never load a model twice; set-up errors are thrown to every caller
    /// until a load succeeds.
    private func loadOnce<Model: Sendable>(_ slot: borrowing Mutex<Model?>, _ load: () throws -> Model) throws -> Model {
        try slot.withLock { loaded in
            if let loaded { return loaded }
            let model = try load()
            loaded = model
            loads.withLock { $0 += 1 }
            return model
        }
    }
}
