// obscura-fuzz: one fuzz target per container for each of the two stages that read untrusted
// bytes, the metadata inspectors (pure Swift) and the decoders (the codec libraries through the
// CObscuraCodecs shim).
//
//   obscura-fuzz TARGET FILE|FOLDER...   replays files through a target (plain build; used by the
//                                        tests and to reproduce a crash)
//   scripts/fuzz.sh [TARGET] [SECONDS]   builds it with libFuzzer and coverage, and fuzzes
//
// A target is `inspect-FORMAT` or `decode-FORMAT` for jpeg, png, webp, gif, tiff and heif.
// Input of another container is ignored, so each target stays inside its own format.
import Foundation
import Obscura

enum Stage: String, CaseIterable {
    case inspect
    case decode
}

struct FuzzTarget: CustomStringConvertible {
    static let formats: [(name: String, formats: Set<ImageFormat>)] = [
        ("jpeg", [.jpeg]), ("png", [.png]), ("webp", [.webp]), ("gif", [.gif]), ("tiff", [.tiff]), ("heif", [.heif, .avif]),
    ]
    /// Decoding is bounded as the command line is, but lower, so each run stays fast.
    static let maximumPixels = 4_000_000

    var stage: Stage
    var format: String
    var description: String { "\(stage.rawValue)-\(format)" }

    static var all: [FuzzTarget] { Stage.allCases.flatMap { stage in formats.map { FuzzTarget(stage: stage, format: $0.name) } } }

    init(stage: Stage, format: String) {
        self.stage = stage
        self.format = format
    }

    init?(_ name: String) {
        guard let match = Self.all.first(where: { $0.description == name }) else { return nil }
        self = match
    }

    /// Feeds one input to the stage. Refusals are the expected outcome for most inputs; only a
    /// crash, a hang or runaway memory is a finding.
    func run(_ bytes: [UInt8]) {
        guard let sniffed = ImageFormat.sniff(bytes),
              Self.formats.first(where: { $0.name == format })?.formats.contains(sniffed) == true else { return }
        switch stage {
        case .inspect:
            _ = try? MetadataInspector.inspect(bytes, includeValues: true)
        case .decode:
            _ = try? ImageDecoder.declaredSize(of: bytes)
            _ = try? ImageDecoder.decode(bytes, maximumPixels: Self.maximumPixels)
        }
    }
}

#if OBSCURA_FUZZING
// libFuzzer's driver (linked from libclang_rt.fuzzer_no_main by scripts/fuzz.sh).
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

nonisolated(unsafe) var selectedTarget: FuzzTarget?

@main struct ObscuraFuzz {
    static func main() {
        let name = ProcessInfo.processInfo.environment["OBSCURA_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(name) else {
            FileHandle.standardError.write(Data("obscura-fuzz: set OBSCURA_FUZZ_TARGET to one of \(FuzzTarget.all.map(\.description).joined(separator: ", "))\n".utf8))
            exit(2)
        }
        selectedTarget = target
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runFuzzerDriver(&argc, &argv) { data, size in
            selectedTarget?.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
            return 0
        })
    }
}
#else
@main struct ObscuraFuzz {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let first = arguments.first, let target = FuzzTarget(first), arguments.count > 1 else {
            print("usage: obscura-fuzz TARGET FILE|FOLDER...\ntargets: \(FuzzTarget.all.map(\.description).joined(separator: ", "))")
            exit(2)
        }
        var count = 0
        for path in arguments.dropFirst() {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                FileHandle.standardError.write(Data("obscura-fuzz: no such file or folder: \(path)\n".utf8))
                exit(2)
            }
            let files = isFolder.boolValue
                ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 }
                : [path]
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                target.run(Array(data))
                count += 1
            }
        }
        print("\(target): \(count) inputs replayed")
    }
}
#endif
