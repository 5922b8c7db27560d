import Foundation

/// Reads one text line with PP-OCRv4's recognition network (`ModelDescriptor.textRecognition`)
/// through OpenVINO. The crop is scaled to 48 px high (its width in proportion) and normalised as
/// PaddleOCR does (`v / 127.5 - 1`, the grey value in all three channels). The network gives one
/// row of character probabilities per 8 input columns; they are decoded greedily as CTC output:
/// the best character of each row, repeats merged, blanks dropped. A character's span is the
/// columns of the rows that gave it. Deterministic (f32).
///
/// Used as a second reading beside Tesseract for `pii` (see `TextRecognizer.networkReadings`):
/// on small, noisy or turned lines each finds items the other misses. The text read is personal
/// data: it is returned, never logged.
final class NetworkLineReader: NetworkBacked {
    static let inputHeight = 48
    /// Crops wider than this (in network pixels, 26 × the height) are squeezed to it: the
    /// network's working memory grows with the width (a 44-character zone line needs about 22).
    static let maximumInputWidth = 1248
    /// Inputs are padded on the right (with 0, as PaddleOCR pads) to a multiple of this width:
    /// OpenVINO prepares its kernels again whenever the input shape changes (measured: 66 ms a
    /// line at 14 different widths, 30 ms at one), so lines of one padded width are read together.
    static let widthStep = 192

    let network: InferenceModel
    /// What each output row index stands for: CTC's blank (index 0, empty), the model's
    /// characters, and a space last.
    private let alphabet: [String]

    /// Loads, verifies and compiles the model and reads its character list (`model.missing`,
    /// `model.corrupt`, `runtime.missing`).
    init(modelDirectory: URL = ModelStore.defaultDirectory, runtimeDirectory: URL = InferenceRuntime.defaultDirectory) throws {
        let bytes = try ModelStore.load(.textRecognition, from: modelDirectory)
        guard let list = ONNXMetadata.value(for: "character", in: bytes) else {
            throw ObscuraError(.modelCorrupt, "the ppocrv4-rec model carries no character list; run scripts/setup.sh again")
        }
        alphabet = [""] + list.split(separator: "\n").map(String.init) + [" "]
        network = try InferenceModel(.textRecognition, bytes: bytes, checkedSHA256: ModelDescriptor.textRecognition.sha256,
                                     runtimeDirectory: runtimeDirectory)
    }

    /// One character read, with the horizontal span (in the crop's pixels) of the rows that gave it.
    struct Character: Equatable {
        var text: String
        var start: Double, end: Double
        /// The highest probability among its rows.
        var probability: Float
    }

    /// The width `crop` is scaled to, before padding.
    static func scaledWidth(_ crop: PixelBuffer) -> Int {
        min(maximumInputWidth, max(inputHeight / 4, Int((Double(crop.width) * Double(inputHeight) / Double(crop.height)).rounded())))
    }

    /// The padded network input width for `crop`.
    static func inputWidth(_ crop: PixelBuffer) -> Int {
        (scaledWidth(crop) + widthStep - 1) / widthStep * widthStep
    }

    /// The characters of a grey line crop, left to right (spaces included, as " ").
    func read(_ crop: PixelBuffer) throws -> [Character] {
        precondition(crop.channels == 1)
        guard crop.width > 0, crop.height > 0 else { return [] }
        let height = Self.inputHeight, scaledWidth = Self.scaledWidth(crop), width = Self.inputWidth(crop)
        let scaled = try CenterFaceDetector.resize(crop, width: scaledWidth, height: height)
        let plane = width * height
        var blob = [Float](repeating: 0, count: 3 * plane)
        for y in 0..<height {
            for x in 0..<scaledWidth {
                let value = Float(scaled.pixels[y * scaledWidth + x]) / 127.5 - 1
                blob[y * width + x] = value
                blob[plane + y * width + x] = value
                blob[2 * plane + y * width + x] = value
            }
        }
        let alphabet = self.alphabet
        return try blob.withUnsafeBufferPointer { input in
            try network.run(input, shape: [1, 3, height, width]) { outputs in
                let probabilities = try outputs.output(0)
                guard probabilities.shape.count == 3, probabilities.shape[0] == 1, probabilities.shape[2] == alphabet.count,
                      probabilities.shape[1] > 0 else {
                    throw ObscuraError(.detectionFailed, "text recognition returned an output of an unexpected shape")
                }
                let rows = probabilities.shape[1], classes = alphabet.count
                // Rows cover the padded input evenly; spans go back to the crop's pixels.
                let columnsPerRow = Double(width) / Double(rows) * Double(crop.width) / Double(scaledWidth)
                var characters: [Character] = []
                var previous = 0
                for row in 0..<rows {
                    let values = UnsafeBufferPointer(rebasing: probabilities.values[(row * classes)..<((row + 1) * classes)])
                    var best = 0
                    for index in 1..<classes where values[index] > values[best] { best = index }
                    defer { previous = best }
                    guard best != 0 else { continue }
                    let start = min(Double(crop.width), Double(row) * columnsPerRow)
                    let end = min(Double(crop.width), Double(row + 1) * columnsPerRow)
                    if best == previous, var last = characters.popLast() {
                        last.end = end
                        last.probability = max(last.probability, values[best])
                        characters.append(last)
                    } else {
                        characters.append(Character(text: alphabet[best], start: start, end: end, probability: values[best]))
                    }
                }
                return characters
            }
        }
    }
}

/// Reads one entry of an ONNX model's `metadata_props` (ModelProto field 14, each a
/// StringStringEntryProto with key 1 and value 2) by walking the protobuf's top-level fields.
enum ONNXMetadata {
    static func value(for key: String, in bytes: [UInt8]) -> String? {
        var fields = ProtobufFields(bytes[...])
        while let field = fields.next() {
            guard field.number == 14, case .bytes(let entry) = field.value else { continue }
            var entryKey: String?, value: String?
            var inner = ProtobufFields(entry)
            while let part = inner.next() {
                guard case .bytes(let text) = part.value else { continue }
                if part.number == 1 { entryKey = String(decoding: text, as: UTF8.self) }
                if part.number == 2 { value = String(decoding: text, as: UTF8.self) }
            }
            if entryKey == key { return value }
        }
        return nil
    }

    /// The fields of one protobuf message; stops at the first malformed one.
    struct ProtobufFields {
        enum Value { case number(UInt64), bytes(ArraySlice<UInt8>), fixed }
        private var data: ArraySlice<UInt8>

        init(_ data: ArraySlice<UInt8>) { self.data = data }

        private mutating func varint() -> UInt64? {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while let byte = data.first, shift < 64 {
                data = data.dropFirst()
                result |= UInt64(byte & 0x7f) << shift
                if byte < 0x80 { return result }
                shift += 7
            }
            return nil
        }

        mutating func next() -> (number: UInt64, value: Value)? {
            guard !data.isEmpty, let key = varint() else { return nil }
            switch key & 7 {
            case 0:
                guard let number = varint() else { return nil }
                return (key >> 3, .number(number))
            case 1, 5:
                let size = key & 7 == 1 ? 8 : 4
                guard data.count >= size else { return nil }
                data = data.dropFirst(size)
                return (key >> 3, .fixed)
            case 2:
                guard let length = varint(), length <= UInt64(data.count) else { return nil }
                let value = data.prefix(Int(length))
                data = data.dropFirst(Int(length))
                return (key >> 3, .bytes(value))
            default:
                return nil
            }
        }
    }
}
