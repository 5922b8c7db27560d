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
    private let cascade = Mutex<PlateCascade?>(nil)

    /// How many models this set has loaded so far: each at most once.
    public var loadedCount: Int { loads.withLock { $0 } }

    public init(modelDirectory: URL = ModelStore.defaultDirectory,
                runtimeDirectory: URL = InferenceRuntime.defaultDirectory) {
        self.modelDirectory = modelDirectory
        self.runtimeDirectory = runtimeDirectory
    }

    /// CenterFace, compiled on first use. Loading happens under the lock, so concurrent callers
    /// never compile a model twice; set-up errors are thrown to every caller until one succeeds.
    public func faceDetector() throws -> CenterFaceDetector {
        try faces.withLock { loaded in
            if let loaded { return loaded }
            let detector = try CenterFaceDetector(modelDirectory: modelDirectory, runtimeDirectory: runtimeDirectory)
            loads.withLock { $0 += 1 }
            loaded = detector
            return detector
        }
    }

    /// PP-OCRv4 text detection, compiled on first use.
    public func textDetector() throws -> TextDetector {
        try text.withLock { loaded in
            if let loaded { return loaded }
            let detector = try TextDetector(modelDirectory: modelDirectory, runtimeDirectory: runtimeDirectory)
            loads.withLock { $0 += 1 }
            loaded = detector
            return detector
        }
    }

    /// Tesseract with Debian's English data, started on first use.
    public func textRecognizer() throws -> TextRecognizer {
        try recognizer.withLock { loaded in
            if let loaded { return loaded }
            let started = try TextRecognizer()
            loads.withLock { $0 += 1 }
            loaded = started
            return started
        }
    }

    /// The plate cascade, loaded on first use.
    public func plateCascade() throws -> PlateCascade {
        try cascade.withLock { loaded in
            if let loaded { return loaded }
            let found = try PlateCascade(.plateCascade, modelDirectory: modelDirectory)
            loads.withLock { $0 += 1 }
            loaded = found
            return found
        }
    }
}
