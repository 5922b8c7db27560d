private import CObscuraCV

/// One OpenCV network for one fixed input shape with one output, used by one thread at a time
/// (OpenCV 4.6 returns wrong outputs when a Net is reused after its input size changes, and a
/// Net is not safe for concurrent use).
final class ONNXNetwork: @unchecked Sendable {
    let channels: Int, height: Int, width: Int
    private let handle: OpaquePointer
    private let outputName: String

    init(onnx: [UInt8], channels: Int, height: Int, width: Int, outputName: String, modelName: String) throws {
        var message = [CChar](repeating: 0, count: 512)
        let created = onnx.withUnsafeBufferPointer { obscura_cv_net_create($0.baseAddress, $0.count, &message, message.count) }
        guard let created else {
            throw ObscuraError(.modelCorrupt, "OpenCV could not load the \(modelName) model", cause: Self.text(message))
        }
        handle = created
        self.channels = channels
        self.height = height
        self.width = width
        self.outputName = outputName
    }

    deinit { obscura_cv_net_free(handle) }

    /// Runs the network on a planar float blob of this network's shape and returns the output,
    /// which must hold exactly `outputCount` floats.
    func forward(_ blob: [Float], outputCount: Int) throws -> [Float] {
        precondition(blob.count == channels * height * width, "input does not match this network's shape")
        var output = [Float](repeating: 0, count: outputCount)
        var message = [CChar](repeating: 0, count: 512)
        var count = 0
        let status: Int32 = outputName.withCString { name in
            let names: [UnsafePointer<CChar>?] = [name]
            return output.withUnsafeMutableBufferPointer { out in
                let outputs: [UnsafeMutablePointer<Float>?] = [out.baseAddress]
                let capacity = [outputCount]
                return blob.withUnsafeBufferPointer { input in
                    obscura_cv_net_forward(handle, input.baseAddress, Int32(channels), Int32(height), Int32(width), 1,
                                           names, outputs, capacity, &count, &message, message.count)
                }
            }
        }
        guard status == 0, count == outputCount else {
            throw ObscuraError(.detectionFailed, "text detection failed", cause: status == 0 ? "unexpected output size" : Self.text(message))
        }
        return output
    }

    static func text(_ message: [CChar]) -> String {
        String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
