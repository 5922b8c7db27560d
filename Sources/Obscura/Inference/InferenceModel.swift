import Foundation
private import COpenVINO

/// One network model compiled once by OpenVINO for the CPU, in f32, with free height and width:
/// any input shape runs on the same compiled model.
///
/// It has one inference request, and workers take turns with it: the model is compiled for one
/// stream on all cores, whose intermediate buffers every request of that stream shares, so a
/// second request could only wait or compete for the same cores (measured: `--jobs 2` no faster
/// than 1). Other workers decode, redact and encode while one runs the network.
final class InferenceModel: @unchecked Sendable {
    let descriptor: ModelDescriptor
    /// Names of the model's outputs, in index order.
    let outputNames: [String]
    private let handle: OpaquePointer
    private let request: InferenceRequest
    /// Held for a whole run: the request, its input and its outputs serve one caller at a time.
    private let turn = NSLock()

    /// Whether this model was compiled here or imported from `CompiledModelCache`.
    enum Origin: Sendable { case compiled, imported }
    let origin: Origin

    /// Reads `descriptor`'s file from `modelDirectory`, checks its SHA-256 (`model.missing` /
    /// `model.corrupt`) and compiles it (or imports it from `cache`): what every detector does
    /// before it sees an image, so a model or runtime that cannot load is reported before any
    /// image is touched.
    convenience init(_ descriptor: ModelDescriptor, from modelDirectory: URL, dynamicFrom: Int = 2,
                     runtimeDirectory: URL, cache: CompiledModelCache? = .default) throws {
        try self.init(descriptor, bytes: ModelStore.load(descriptor, from: modelDirectory), checkedSHA256: descriptor.sha256,
                      dynamicFrom: dynamicFrom, runtimeDirectory: runtimeDirectory, cache: cache)
    }

    /// Compiles `bytes` (already read and hash-checked by `ModelStore`), or imports the export of
    /// an earlier compile of the same bytes from `cache`, and stores a new compile there. Throws
    /// `runtime.missing` when OpenVINO cannot be loaded and `model.corrupt` when the model does
    /// not compile.
    /// - Parameters:
    ///   - checkedSHA256: the SHA-256 of `bytes` when the caller has computed it.
    ///   - dynamicFrom: the first input dimension left free (2 for N × C × H × W).
    init(_ descriptor: ModelDescriptor, bytes: [UInt8], checkedSHA256: String? = nil, dynamicFrom: Int = 2,
         runtimeDirectory: URL = InferenceRuntime.defaultDirectory, cache: CompiledModelCache? = .default) throws {
        try InferenceRuntime.load(from: runtimeDirectory)
        self.descriptor = descriptor
        var message = [CChar](repeating: 0, count: 512)
        let threads = Int32(InferenceRuntime.threads)
        let key = cache.map { _ in
            CompiledModelCache.key(modelSHA256: checkedSHA256 ?? Digest.sha256(bytes), dynamicFrom: dynamicFrom,
                                   threads: Int(threads), streams: 1)
        }
        var created: OpaquePointer?
        if let cache, let key, let export = cache.read(key) {
            created = export.withUnsafeBufferPointer { buffer in
                obscura_ov_model_import(buffer.baseAddress, buffer.count, threads, 1, &message, message.count)
            }
            // An export this runtime cannot read is dropped, and the model compiled instead.
            if created == nil { cache.remove(key) }
        }
        origin = created == nil ? .compiled : .imported
        if created == nil {
            created = try Self.compile(descriptor, bytes: bytes, dynamicFrom: dynamicFrom, threads: threads, message: &message)
            if let cache, let key, let compiled = created {
                cache.write(key) { path in obscura_ov_model_export(compiled, path, nil, 0) == OBSCURA_OV_OK.rawValue }
            }
        }
        guard let created else {
            throw ObscuraError(.modelCorrupt, "OpenVINO could not load the \(descriptor.id) model",
                               cause: messageText(message))
        }
        handle = created
        outputNames = (0..<Int(obscura_ov_model_output_count(created))).map { index in
            var name = [CChar](repeating: 0, count: 256)
            _ = obscura_ov_model_output_name(created, Int32(index), &name, name.count)
            return messageText(name)
        }
        // The request now, so a model that compiles but cannot run fails at set-up.
        do {
            request = try InferenceRequest(model: created)
        } catch {
            obscura_ov_model_free(created)
            throw error
        }
    }

    /// Reads, reshapes and compiles `bytes`; nil (with `message`) when OpenVINO cannot.
    private static func compile(_ descriptor: ModelDescriptor, bytes: [UInt8], dynamicFrom: Int, threads: Int32,
                                message: inout [CChar]) throws -> OpaquePointer? {
        guard descriptor.fileName.hasSuffix(".pb") else {
            return bytes.withUnsafeBufferPointer { buffer in
                obscura_ov_model_create(buffer.baseAddress, buffer.count, nil, Int32(dynamicFrom), threads, 1, &message, message.count)
            }
        }
        // OpenVINO reads TensorFlow graphs from files only: the checked bytes go to a file of our
        // own, so what compiles is what was hashed.
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("obscura-model-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent(descriptor.fileName)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false,
                                                    attributes: [.posixPermissions: 0o700])
            try Data(bytes).write(to: file)
        } catch {
            throw ObscuraError(.modelMissing, "the \(descriptor.id) model could not be handed to OpenVINO: the temporary folder is not writable (set TMPDIR)")
        }
        return obscura_ov_model_create(nil, 0, file.path, Int32(dynamicFrom), threads, 1, &message, message.count)
    }

    deinit {
        // The request before the compiled model it belongs to.
        request.free()
        obscura_ov_model_free(handle)
    }

    /// Frees the network's intermediate buffers. They stay at the size the largest input so far
    /// needed (CenterFace: about 230 bytes a pixel of input, 134 MiB after one 768 × 768 tile)
    /// and are allocated again by the next run. Waits for a run in progress. A runtime that
    /// cannot do it keeps its buffers: memory only, never a different result.
    func releaseWorkingMemory() {
        turn.lock()
        defer { turn.unlock() }
        _ = obscura_ov_model_release_memory(handle)
    }

    /// The index of the output called `name`; a model without it is `model.corrupt`.
    func outputIndex(_ name: String) throws -> Int {
        guard let index = outputNames.firstIndex(of: name) else {
            throw ObscuraError(.modelCorrupt, "the \(descriptor.id) model has no output '\(name)'")
        }
        return index
    }

    /// Runs the model on one f32 input of `shape` and hands `body` the outputs, which are valid
    /// only inside `body` (they live in the request's memory; no copy is made).
    func run<Result>(_ input: UnsafeBufferPointer<Float>, shape: [Int],
                     _ body: (InferenceOutputs) throws -> Result) throws -> Result {
        precondition(input.count == shape.reduce(1, *), "input does not match its shape")
        turn.lock()
        defer { turn.unlock() }
        var message = [CChar](repeating: 0, count: 512)
        let dimensions = shape.map(Int64.init)
        let status = obscura_ov_request_run(request.handle, input.baseAddress, dimensions, Int32(dimensions.count),
                                            &message, message.count)
        try check(status: status, message: message, .detectionFailed, "\(descriptor.id) inference failed")
        return try body(InferenceOutputs(request: request, modelID: descriptor.id))
    }

}

/// The outputs of one run, read in place.
struct InferenceOutputs {
    fileprivate let request: InferenceRequest
    fileprivate let modelID: String

    /// Output `index`: its shape and its f32 values, valid until the run's body returns.
    func output(_ index: Int) throws -> (shape: [Int], values: UnsafeBufferPointer<Float>) {
        var data: UnsafePointer<Float>?
        var dimensions = [Int64](repeating: 0, count: 8)
        var rank: Int32 = 0
        var message = [CChar](repeating: 0, count: 512)
        let status = obscura_ov_request_output(request.handle, Int32(index), &data, &dimensions, 8, &rank,
                                               &message, message.count)
        guard status == OBSCURA_OV_OK.rawValue, let data, rank > 0, rank <= 8 else {
            throw ObscuraError(.detectionFailed, "\(modelID) inference returned no usable output",
                               cause: messageText(message))
        }
        let shape = dimensions.prefix(Int(rank)).map(Int.init)
        return (shape, UnsafeBufferPointer(start: data, count: shape.reduce(1, *)))
    }
}

/// One OpenVINO inference request, used by one thread at a time; its model frees it.
final class InferenceRequest: @unchecked Sendable {
    fileprivate private(set) var handle: OpaquePointer?

    fileprivate init(model: OpaquePointer) throws {
        var message = [CChar](repeating: 0, count: 512)
        guard let created = obscura_ov_request_create(model, &message, message.count) else {
            throw ObscuraError(.detectionFailed, "OpenVINO could not create an inference request",
                               cause: messageText(message))
        }
        handle = created
    }

    fileprivate func free() {
        if let handle { obscura_ov_request_free(handle) }
        handle = nil
    }
}
