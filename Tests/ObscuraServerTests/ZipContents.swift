import Foundation
import ZIPFoundation

/// Reads the entries of a zip the server sent (tests only).
enum ZipContents {
    struct Entry {
        var name: String
        var bytes: [UInt8]
    }

    static func read(_ zip: [UInt8]) throws -> [Entry] {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("obscura-test-\(UUID().uuidString).zip")
        try Data(zip).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let archive = try Archive(url: url, accessMode: .read)
        return try archive.map { entry in
            var bytes: [UInt8] = []
            _ = try archive.extract(entry) { bytes += Array($0) }
            return Entry(name: entry.path, bytes: bytes)
        }
    }
}
