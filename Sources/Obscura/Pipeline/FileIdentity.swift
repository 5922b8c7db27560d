import Foundation

/// A file named by its resolved path and, when it exists, by device and inode, so that another
/// spelling of the path, a symbolic link or a hard link all count as the same file.
public struct FileIdentity: Sendable, Hashable {
    public var path: String
    public var device: UInt64?
    public var inode: UInt64?

    public init(_ path: String) {
        self.path = Self.resolvedPath(path)
        var info = stat()
        if stat(path, &info) == 0 {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
        }
    }

    static func set(of paths: [String]) -> [FileIdentity] { Array(Set(paths.map(FileIdentity.init))) }

    public static func resolvedPath(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// True when `other` names this file.
    public func matches(_ other: String) -> Bool {
        let candidate = FileIdentity(other)
        if candidate.path == path { return true }
        guard let inode, let device else { return false }
        return candidate.inode == inode && candidate.device == device
    }
}
