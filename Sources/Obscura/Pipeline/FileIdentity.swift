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

/// Files no output may replace, looked up by resolved path or by device and inode in constant
/// time, so that checking each output of a large batch costs one `stat`, not one per input.
struct FileIdentitySet: Sendable {
    private var paths: Set<String> = []
    private var nodes: Set<[UInt64]> = []

    init(_ files: [String]) {
        for file in files {
            let identity = FileIdentity(file)
            paths.insert(identity.path)
            if let device = identity.device, let inode = identity.inode { nodes.insert([device, inode]) }
        }
    }

    func contains(_ path: String) -> Bool {
        let candidate = FileIdentity(path)
        if paths.contains(candidate.path) { return true }
        guard let device = candidate.device, let inode = candidate.inode else { return false }
        return nodes.contains([device, inode])
    }
}
