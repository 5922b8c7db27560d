import Foundation
private import COpenVINO

/// OpenVINO's runtime (`libopenvino_c` and the CPU plugin from the pinned PyPI wheel
/// `openvino==2026.4.1`), loaded once per process from the folder `scripts/setup.sh` unpacks it
/// to. Every network model runs through it: one compiled model per model file, shared by every
/// worker, every job and `verify`.
public enum InferenceRuntime {
    /// The wheel the runtime comes from, for reports and messages.
    public static let version = "openvino==2026.4.1"

    /// `$OBSCURA_OPENVINO` when set, otherwise `$XDG_CACHE_HOME/obscura/openvino` or
    /// `~/.cache/obscura/openvino`: the folder holding `libopenvino_c.so.2641` and its plugins.
    public static var defaultDirectory: URL {
        let environment = ProcessInfo.processInfo.environment
        if let override = environment["OBSCURA_OPENVINO"], !override.isEmpty {
            return URL(fileURLWithPath: override, isDirectory: true)
        }
        return ModelStore.cacheDirectory.appendingPathComponent("obscura/openvino", isDirectory: true)
    }

    /// Inference threads per request: all cores. Requests share one stream, so concurrent
    /// workers take turns at the network while their decoding and encoding overlap; the same
    /// thread layout whatever `--jobs` is keeps outputs identical across `--jobs`.
    static var threads: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Loads the runtime (once; later calls repeat the first answer). A missing or broken
    /// runtime is a set-up error (`runtime.missing`, exit 3): nothing is read or written.
    static func load(from directory: URL = defaultDirectory) throws {
        var message = [CChar](repeating: 0, count: 512)
        let status = directory.path.withCString { obscura_ov_load($0, &message, message.count) }
        try check(status: status, message: message, .runtimeMissing,
                  "the OpenVINO runtime is not installed or does not load; run scripts/setup.sh (or set OBSCURA_OPENVINO to its folder)")
    }
}
