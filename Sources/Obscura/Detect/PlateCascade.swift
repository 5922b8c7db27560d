import Foundation
import Synchronization
private import CObscuraCV

/// A Haar cascade from Debian's `opencv-data` (OpenCV objdetect), verified by SHA-256 before it
/// is loaded. Classifiers are lent to one worker at a time.
public final class PlateCascade: Sendable {
    /// Where Debian's `opencv-data` puts the cascades.
    public static let systemDirectory = URL(fileURLWithPath: "/usr/share/opencv4/haarcascades", isDirectory: true)

    public let model: ModelDescriptor
    private let path: String
    private let idle = Mutex<[Classifier]>([])

    /// Looks for the file in `modelDirectory` first, then in the system folder; throws
    /// `model.missing` (install `opencv-data`) or `model.corrupt`.
    public init(_ model: ModelDescriptor, modelDirectory: URL = ModelStore.defaultDirectory) throws {
        self.model = model
        let local = modelDirectory.appendingPathComponent(model.fileName)
        let directory = FileManager.default.fileExists(atPath: local.path) ? modelDirectory : Self.systemDirectory
        do {
            _ = try ModelStore.load(model, from: directory)
        } catch let error as ObscuraError where error.code == .modelMissing {
            throw ObscuraError(.modelMissing, "the \(model.id) cascade is not installed; run scripts/setup.sh (Debian package opencv-data)")
        }
        path = directory.appendingPathComponent(model.fileName).path
        let first = try Classifier(path: path, modelName: model.id)
        idle.withLock { $0.append(first) }
    }

    /// Hits in the pixels of `grey` (one channel): boxes and their neighbour counts.
    public func detect(in grey: PixelBuffer, scaleFactor: Double, minimumNeighbours: Int,
                       minimumWidth: Int, minimumHeight: Int) throws -> [(box: Box, neighbours: Int)] {
        precondition(grey.channels == 1)
        let classifier = try idle.withLock { $0.popLast() } ?? Classifier(path: path, modelName: model.id)
        defer { idle.withLock { $0.append(classifier) } }
        return try classifier.detect(grey, scaleFactor: scaleFactor, minimumNeighbours: minimumNeighbours,
                                     minimumWidth: minimumWidth, minimumHeight: minimumHeight)
    }

    private final class Classifier: @unchecked Sendable {
        private let handle: OpaquePointer

        init(path: String, modelName: String) throws {
            var message = [CChar](repeating: 0, count: 512)
            guard let created = obscura_cv_cascade_create(path, &message, message.count) else {
                throw ObscuraError(.modelCorrupt, "OpenCV could not load the \(modelName) cascade", cause: messageText(message))
            }
            handle = created
        }

        deinit { obscura_cv_cascade_free(handle) }

        func detect(_ grey: PixelBuffer, scaleFactor: Double, minimumNeighbours: Int,
                    minimumWidth: Int, minimumHeight: Int) throws -> [(box: Box, neighbours: Int)] {
            let capacity = 512
            var rects = [Int32](repeating: 0, count: capacity * 4), neighbours = [Int32](repeating: 0, count: capacity)
            var count = 0
            var message = [CChar](repeating: 0, count: 512)
            let status = grey.pixels.withUnsafeBufferPointer { pixels in
                obscura_cv_cascade_detect(handle, pixels.baseAddress, Int32(grey.width), Int32(grey.height), scaleFactor,
                                          Int32(minimumNeighbours), Int32(minimumWidth), Int32(minimumHeight),
                                          &rects, &neighbours, capacity, &count, &message, message.count)
            }
            guard status == 0 else {
                throw ObscuraError(.detectionFailed, "plate detection failed", cause: messageText(message))
            }
            return (0..<min(count, capacity)).map { i in
                (Box(x: Double(rects[i * 4]), y: Double(rects[i * 4 + 1]), width: Double(rects[i * 4 + 2]),
                     height: Double(rects[i * 4 + 3])), Int(neighbours[i]))
            }
        }
    }
}
