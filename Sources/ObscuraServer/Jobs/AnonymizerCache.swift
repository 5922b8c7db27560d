import Foundation
import Obscura

/// One `Anonymizer` per distinct set of options, so models are loaded once and shared by all
/// workers. Keeps the `capacity` most recently used; loading happens under the lock, so two
/// workers never load the same models twice.
final class AnonymizerCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(key: String, anonymizer: Anonymizer)] = []
    private let capacity: Int
    private let modelDirectory: URL

    init(modelDirectory: URL, capacity: Int = 4) {
        self.modelDirectory = modelDirectory
        self.capacity = capacity
    }

    /// The anonymizer for `options`, loading its models if needed (blocking: call it off the
    /// event loop). Throws the set-up errors of `Anonymizer.init`.
    func anonymizer(for options: AnonymizeOptions) throws -> Anonymizer {
        let key = String(decoding: try JSONCoding.encoder.encode(options), as: UTF8.self)
        lock.lock()
        defer { lock.unlock() }
        if let index = entries.firstIndex(where: { $0.key == key }) {
            let entry = entries.remove(at: index)
            entries.append(entry)
            return entry.anonymizer
        }
        let anonymizer = try Anonymizer(options: options, modelDirectory: modelDirectory)
        entries.append((key, anonymizer))
        if entries.count > capacity { entries.removeFirst() }
        return anonymizer
    }
}
