import Foundation
import Testing
@testable import Obscura

/// Compiled models kept between runs: an import must behave exactly as a compile, and a bad
/// entry must never stop a run or change its result.
@Suite(.enabled(if: TestSupport.modelInstalled || TestSupport.modelsRequired, TestSupport.modelMissingMessage))
struct CompiledModelCacheTests {
    /// The astronaut photo at `width` × `height` as CenterFace's 1 × 3 × H × W input.
    static func input(width: Int, height: Int) throws -> [Float] {
        let photo = try ImageDecoder.decode(try TestSupport.fixture("astronaut.jpg")).pixels
        let scaled = try CenterFaceDetector.resize(photo.rgb(), width: width, height: height)
        var planes = [Float](repeating: 0, count: 3 * width * height)
        for index in 0..<(width * height) {
            for channel in 0..<3 { planes[channel * width * height + index] = Float(scaled.pixels[index * 3 + channel]) }
        }
        return planes
    }

    /// Every output of one run, as plain arrays.
    static func outputs(of model: InferenceModel, width: Int, height: Int) throws -> [[Float]] {
        let planes = try input(width: width, height: height)
        return try planes.withUnsafeBufferPointer { buffer in
            try model.run(buffer, shape: [1, 3, height, width]) { outputs in
                try model.outputNames.indices.map { Array(try outputs.output($0).values) }
            }
        }
    }

    static func load(_ cache: CompiledModelCache?) throws -> InferenceModel {
        try InferenceModel(.centerFace, from: ModelStore.defaultDirectory, runtimeDirectory: InferenceRuntime.defaultDirectory,
                           cache: cache)
    }

    static func entries(_ folder: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil).filter { $0.pathExtension == "blob" }
    }

    @Test("a model imported from the cache gives the compiled model's outputs bit for bit, at two shapes")
    func importedMatchesCompiled() throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cache = CompiledModelCache(directory: folder)
        let compiled = try Self.load(cache)
        #expect(compiled.origin == .compiled)
        #expect(try Self.entries(folder).count == 1)
        let imported = try Self.load(cache)
        #expect(imported.origin == .imported)
        #expect(imported.outputNames == compiled.outputNames)
        for (width, height) in [(320, 256), (640, 480)] {
            let expected = try Self.outputs(of: compiled, width: width, height: height)
            #expect(expected.allSatisfy { !$0.isEmpty })
            #expect(try Self.outputs(of: imported, width: width, height: height) == expected)
        }
    }

    @Test("a damaged entry, or one the runtime cannot import, is replaced by a new compile with the same outputs")
    func damagedEntries() throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cache = CompiledModelCache(directory: folder)
        let reference = try Self.outputs(of: try Self.load(nil), width: 320, height: 256)
        _ = try Self.load(cache)
        let entry = try #require(try Self.entries(folder).first)
        let good = try Data(contentsOf: entry)

        // One byte of the export changed: the hash no longer checks.
        var flipped = good
        flipped[flipped.count / 2] ^= 0x5a
        // A hash that checks over bytes that are no export (another runtime's, say).
        let garbage = Data(repeating: 0x42, count: 4096)
        var foreign = Data((CompiledModelCache.format + "\n" + Digest.sha256(garbage) + "\n").utf8)
        foreign.append(garbage)
        // Cut short, and empty.
        for bad in [flipped, foreign, good.prefix(good.count / 3), Data()] {
            try bad.write(to: entry)
            let model = try Self.load(cache)
            #expect(model.origin == .compiled)
            #expect(try Self.outputs(of: model, width: 320, height: 256) == reference)
            // Written again, whole (not byte for byte the first export: OpenVINO's exports of
            // two compiles differ), and the next start imports it.
            #expect(try Data(contentsOf: entry) != bad)
            #expect(try Self.load(cache).origin == .imported)
        }
    }

    @Test("the folder keeps the most recently used entries: an import marks its entry used, a new entry prunes the rest")
    func pruning() throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cache = CompiledModelCache(directory: folder)
        func store(_ key: String) {
            cache.write(key) { path in FileManager.default.createFile(atPath: path, contents: Data(key.utf8)) }
        }
        func age(_ key: String, days: Double) throws {
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -days * 86_400)],
                                                  ofItemAtPath: folder.appendingPathComponent(key + ".blob").path)
        }
        // As many entries as are kept, each a day older than the next.
        let keys = (0..<CompiledModelCache.maximumEntries).map { "entry\($0)" }
        for (index, key) in keys.enumerated() {
            store(key)
            try age(key, days: Double(keys.count - index))
        }
        #expect(try Self.entries(folder).count == CompiledModelCache.maximumEntries)
        // The oldest is imported again: used now, it outlives the next two oldest.
        #expect(cache.read("entry0").map { Array($0) } == Array("entry0".utf8))
        store("new1")
        store("new2")
        let kept = Set(try Self.entries(folder).map { $0.deletingPathExtension().lastPathComponent })
        #expect(kept.count == CompiledModelCache.maximumEntries)
        #expect(kept.isSuperset(of: ["entry0", "new1", "new2", "entry3"]))
        #expect(kept.isDisjoint(with: ["entry1", "entry2"]))
    }

    @Test("the entry depends on the model's bytes and on how it is compiled")
    func keys() {
        let base = CompiledModelCache.key(modelSHA256: ModelDescriptor.centerFace.sha256, dynamicFrom: 2, threads: 2, streams: 1)
        #expect(base.count == 64)
        #expect(base == CompiledModelCache.key(modelSHA256: ModelDescriptor.centerFace.sha256, dynamicFrom: 2, threads: 2, streams: 1))
        #expect(base != CompiledModelCache.key(modelSHA256: ModelDescriptor.textDetection.sha256, dynamicFrom: 2, threads: 2, streams: 1))
        #expect(base != CompiledModelCache.key(modelSHA256: ModelDescriptor.centerFace.sha256, dynamicFrom: 3, threads: 2, streams: 1))
        #expect(base != CompiledModelCache.key(modelSHA256: ModelDescriptor.centerFace.sha256, dynamicFrom: 2, threads: 4, streams: 1))
    }

    @Test("the CLI writes identical outputs from a cold cache, a warm one and none, and fills only the folder it is given")
    func commandLine() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cacheFolder = folder.appendingPathComponent("compiled")
        let photo = TestSupport.fixtures.appendingPathComponent("astronaut.jpg").path
        var outputs: [Data] = []
        for (name, setting) in [("cold", cacheFolder.path), ("warm", cacheFolder.path), ("off", "off")] {
            let output = folder.appendingPathComponent("\(name).png")
            let result = try await TestSupport.obscura(["anonymize", photo, "-o", output.path, "--detect", "faces,text"],
                                                       environment: ["OBSCURA_COMPILED_MODELS": setting])
            #expect(result.status == 0, "\(name): \(result.standardError)")
            outputs.append(try Data(contentsOf: output))
            // CenterFace and the text detector.
            #expect(try Self.entries(cacheFolder).count == 2)
        }
        #expect(outputs[1] == outputs[0])
        #expect(outputs[2] == outputs[0])
    }
}
