import Foundation

/// Compiled models kept between runs, so a process that starts for one photo does not read,
/// reshape and compile every network again: reading and compiling took 0.4 s for CenterFace and
/// about 4 s for the person detector (a TensorFlow graph); importing an export takes about 0.2 s.
///
/// An entry is OpenVINO's export of a model Obscura compiled, named by a key of everything the
/// compiled result depends on: the exact model bytes (their SHA-256), the runtime's version, the
/// dynamic dimensions, the thread and stream counts and the CPU. It starts with the SHA-256 of
/// the export, checked before every import. A damaged, foreign or unreadable entry is deleted
/// and the model compiled as if there were none; a folder that cannot be written only means no
/// cache. Imported and compiled models give bit-identical outputs (`CompiledModelCacheTests`).
///
/// Entries are pruned so the folder does not grow with every new runtime, model or setting: an
/// import marks its entry as used (its modification time), and after each new entry the least
/// recently used beyond `maximumEntries` are deleted.
///
/// The folder is `$OBSCURA_COMPILED_MODELS` when set (`off` turns the cache off), otherwise
/// `$XDG_CACHE_HOME/obscura/compiled` or `~/.cache/obscura/compiled`.
struct CompiledModelCache: Sendable {
    let directory: URL

    /// What identifies the format of an entry; a new one makes every old entry foreign.
    static let format = "obscura-compiled-model 1"
    /// Entries kept: the four models, each under a few thread settings (a CLI run and a server,
    /// say), with room for a runtime or model update. The four take 36 MB today.
    static let maximumEntries = 16

    static var `default`: CompiledModelCache? {
        let setting = ProcessInfo.processInfo.environment["OBSCURA_COMPILED_MODELS"] ?? ""
        if setting == "off" { return nil }
        if !setting.isEmpty { return CompiledModelCache(directory: URL(fileURLWithPath: setting, isDirectory: true)) }
        return CompiledModelCache(directory: ModelStore.cacheDirectory.appendingPathComponent("obscura/compiled", isDirectory: true))
    }

    /// The processor's model name and feature flags: a compiled model is specific to the CPU
    /// plugin's choices for them, and a home folder can be shared by several machines.
    static let processor: String = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        let lines = text.split(separator: "\n")
        let wanted = ["model name", "flags"].compactMap { key in lines.first { $0.hasPrefix(key) } }
        return wanted.joined(separator: "\n")
    }()

    /// The entry name for a model of `modelSHA256` compiled with these settings.
    static func key(modelSHA256: String, dynamicFrom: Int, threads: Int, streams: Int) -> String {
        let parts = [format, InferenceRuntime.version, modelSHA256, "dynamic from \(dynamicFrom)", "threads \(threads)",
                     "streams \(streams)", processor]
        return Digest.sha256(Array(parts.joined(separator: "\n").utf8))
    }

    private func file(_ key: String) -> URL { directory.appendingPathComponent(key + ".blob") }

    /// The export stored under `key`, when there is one whose hash checks; a damaged one is deleted.
    func read(_ key: String) -> ArraySlice<UInt8>? {
        guard let data = FileManager.default.contents(atPath: file(key).path) else { return nil }
        let bytes = [UInt8](data)
        let header = Array((Self.format + "\n").utf8)
        let hashEnd = header.count + 64
        guard bytes.count > hashEnd + 1, bytes.starts(with: header), bytes[hashEnd] == UInt8(ascii: "\n") else {
            remove(key)
            return nil
        }
        let payload = bytes[(hashEnd + 1)...]
        guard String(decoding: bytes[header.count..<hashEnd], as: UTF8.self) == Digest.sha256(payload) else {
            remove(key)
            return nil
        }
        // Used now: pruning keeps the entries in use.
        try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: file(key).path)
        return payload
    }

    /// Stores an export under `key` atomically (temporary file, then rename). `export` writes the
    /// export to the path it is given. Failures are ignored: the cache only saves time.
    func write(_ key: String, export: (String) -> Bool) {
        let unique = "\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)"
        let exported = directory.appendingPathComponent(".export-\(unique)")
        let staged = directory.appendingPathComponent(".entry-\(unique)")
        defer {
            try? FileManager.default.removeItem(at: exported)
            try? FileManager.default.removeItem(at: staged)
        }
        guard (try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])) != nil,
              export(exported.path), let data = FileManager.default.contents(atPath: exported.path), !data.isEmpty else { return }
        var entry = Data((Self.format + "\n" + Digest.sha256(data) + "\n").utf8)
        entry.append(data)
        guard FileManager.default.createFile(atPath: staged.path, contents: entry, attributes: [.posixPermissions: 0o600]) else { return }
        if rename(staged.path, file(key).path) == 0 { prune(keeping: key) }
    }

    /// Deletes the least recently used entries beyond `maximumEntries`, never `key`'s.
    func prune(keeping key: String) {
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: directory.path) else { return }
        let entries: [(name: String, used: Date)] = names.filter { $0.hasSuffix(".blob") && $0 != key + ".blob" }.compactMap { name in
            let attributes = try? manager.attributesOfItem(atPath: directory.appendingPathComponent(name).path)
            return (attributes?[.modificationDate] as? Date).map { (name, $0) }
        }
        let excess = entries.count + 1 - Self.maximumEntries
        guard excess > 0 else { return }
        for entry in entries.sorted(by: { ($0.used, $0.name) < ($1.used, $1.name) }).prefix(excess) {
            try? manager.removeItem(at: directory.appendingPathComponent(entry.name))
        }
    }

    func remove(_ key: String) { try? FileManager.default.removeItem(at: file(key)) }
}
