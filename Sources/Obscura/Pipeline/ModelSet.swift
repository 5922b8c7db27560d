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
