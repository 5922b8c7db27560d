import Foundation

/// Writes files so that a reader never sees a partial output: bytes go to a temporary file in
/// the destination folder, which is then linked into place (refusing to replace an existing
/// file) or renamed over it when overwriting is allowed.
package enum AtomicFile {
    /// A fresh temporary name in `folder`: short and of fixed length, so that it fits the file
    /// system's 255-byte name limit whatever the length of the final name.
    package static func temporaryPath(in folder: URL) -> String {
        folder.appendingPathComponent(".obscura-\(UUID().uuidString.prefix(18)).tmp").path
    }

    package static func write(_ bytes: [UInt8], to path: String, overwrite: Bool) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw ObscuraError(.fileSystem, "cannot create the output folder for '\(path)'")
        }
        let temporary = temporaryPath(in: folder)
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else {
            throw ObscuraError(.fileSystem, "cannot write into the output folder of '\(path)'")
        }
        defer { unlink(temporary) }
        if overwrite {
            guard rename(temporary, path) == 0 else {
                throw ObscuraError(.fileSystem, "cannot move the output into place at '\(path)'", cause: String(cString: strerror(errno)))
            }
        } else {
            // link(2) fails with EEXIST instead of replacing: no race between check and write.
            guard link(temporary, path) == 0 else {
                if errno == EEXIST {
                    throw ObscuraError(.outputExists, "'\(path)' already exists; pass --overwrite to replace it")
                }
                throw ObscuraError(.fileSystem, "cannot move the output into place at '\(path)'", cause: String(cString: strerror(errno)))
            }
        }
    }
}
