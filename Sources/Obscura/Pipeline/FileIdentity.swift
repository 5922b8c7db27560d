import Foundation

/// A file named by its resolved path and, when it exists, by device and inode, so that another
/// spelling of the path, a symbolic link or a hard link all count as the same file.
package struct FileIdentity: Sendable, Hashable {
    package var path: String
    package var device: UInt64?
    package var inode: UInt64?

    package init(_ path: String) {
        self.path = Self.resolvedPath(path)
        var info = stat()
        if stat(path, &info) == 0 {
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
        }
    }

    /// Device and inode together: the same for every name of one file.
    struct Node: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    var node: Node? {
        guard let device, let inode else { return nil }
        return Node(device: device, inode: inode)
    }

    package static func resolvedPath(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// True when `other` names this file.
    package func matches(_ other: String) -> Bool {
        let candidate = FileIdentity(other)
        return candidate.path == path || (node != nil && candidate.node == node)
    }
}

/// Files no output may replace, looked up by resolved path or by device and inode in constant
/// time, so that checking each output of a large batch costs one `stat`, not one per input.
package struct FileIdentitySet: Sendable {
    private var paths: Set<String> = []
    private var nodes: Set<FileIdentity.Node> = []

    package init(_ files: [String]) {
        for identity in files.map(FileIdentity.init) {
            paths.insert(identity.path)
            if let node = identity.node { nodes.insert(node) }
        }
    }

    package func contains(_ path: String) -> Bool {
        let candidate = FileIdentity(path)
        return paths.contains(candidate.path) || candidate.node.map(nodes.contains) == true
    }
}
