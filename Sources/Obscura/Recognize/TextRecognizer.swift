import Foundation
import Synchronization
private import CObscuraOCR

/// Reads detected text lines with Tesseract (Debian's `libtesseract-dev` and
/// `tesseract-ocr-eng`) through its C API: each line box is cropped, made grey, enlarged when
/// its text is small, and recognised as a single line; every character comes back with its box.
///
/// Engines are started once and lent to one worker at a time (a Tesseract engine is not safe
/// for concurrent use). The text read is personal data: it is returned, never logged.
final class TextRecognizer: Sendable {
    struct Settings: Sendable, Equatable, Codable {
        /// Tesseract language codes joined with `+` (default `eng`; more are Debian packages,
        /// e.g. `tesseract-ocr-deu`).
        var language: String = "eng"
        /// The tessdata folder; nil uses Tesseract's own default.
        var dataPath: String?
        /// Line crops lower than this many pixels are enlarged to it (default 48, at most 4×).
        var targetLineHeight: Int = 48
        /// Extra pixels kept around each line box, as a fraction of its height (default 0.15).
        var padding: Double = 0.15
        /// A turned line is straightened before it is read when its slope moves it across at
        /// least this fraction of its own thickness from end to end (default 0.2; 0 straightens
        /// every turned line). Lines turned more than 30° or less than twice as long as thick
        /// are read upright: their angle says little.
        var straightenAbove: Double = 0.2
    }

    let settings: Settings
    /// The language data in use, for reports: its SHA-256 when it is one file found in the
    /// data folder (Debian's `tesseract-ocr-eng` by default), otherwise empty.
    let model: ModelDescriptor
    private let idleEngines = Mutex<[Engine]>([])

    /// Starts a first engine so missing language data is reported up front (`model.missing`).
    init(settings: Settings = Settings()) throws {
        self.settings = settings
        let folder = settings.dataPath ?? "/usr/share/tesseract-ocr/5/tessdata"
        let file = "\(settings.language).traineddata"
        let data = FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent(file))
        model = ModelDescriptor(id: "tesseract-\(settings.language)", fileName: file,
                                sha256: data.map { Digest.sha256([UInt8]($0)) } ?? "",
                                source: "Debian tesseract-ocr-\(settings.language), \(folder)")
        let first = try Engine(settings: settings)
        idleEngines.withLock { $0.append(first) }
    }

    /// The text of each box (usually `TextDetector` lines), as lines with per-character boxes in
    /// image pixels, in the order given. A box in which nothing is read gives an empty line.
    func recognize(in image: PixelBuffer, boxes: [Box]) throws -> [TextLine] {
        try recognize(grey: Self.grey(image), boxes: boxes)
    }

    /// The same, given the image's luma (`grey(_:)`), for a caller that needs it too.
    func recognize(grey: PixelBuffer, boxes: [Box]) throws -> [TextLine] {
        guard !boxes.isEmpty else { return [] }
        let engine = try borrowEngine()
        defer { idleEngines.withLock { $0.append(engine) } }
        return try boxes.map { try recognize(grey, box: $0, engine: engine) }
    }

    /// The text of each detected line; a turned line is straightened first (`straightenAbove`),
    /// and its character boxes come back as upright boxes around the turned characters.
    func recognize(in image: PixelBuffer, lines: [TextDetector.Line]) throws -> [TextLine] {
        try recognize(grey: Self.grey(image), lines: lines)
    }

    func recognize(grey: PixelBuffer, lines: [TextDetector.Line]) throws -> [TextLine] {
        guard !lines.isEmpty else { return [] }
        let engine = try borrowEngine()
        defer { idleEngines.withLock { $0.append(engine) } }
        return try lines.map { line in
            guard shouldStraighten(line.oriented) else { return try recognize(grey, box: line.detection.box, engine: engine) }
            let straight = straighten(grey, line.oriented)
            var reading = try recognize(straight.image, box: straight.lineBox, engine: engine, enlarge: false)
            reading.box = line.detection.box
            reading.characterBoxes = reading.characterBoxes?.map { $0.map(straight.imageBox) }
            return reading
        }
    }

    /// The same lines read by `reader` (PP-OCRv4's recognition network) instead of Tesseract,
    /// cropped and straightened the same way. A character's box spans the network rows that gave
    /// it, across the crop's height; spaces have none. The confidence is the mean of the
    /// characters' probabilities, 0...100.
    func networkReadings(grey: PixelBuffer, lines: [TextDetector.Line], reader: NetworkLineReader) throws -> [TextLine] {
        // Every crop first; then they are read grouped by network input width (see
        // `NetworkLineReader.widthStep`). Each line is read on its own, so the order changes nothing.
        let crops = lines.map { line in
            let straight = shouldStraighten(line.oriented) ? straighten(grey, line.oriented) : nil
            return (crop: straight.map { crop($0.image, box: $0.lineBox) } ?? crop(grey, box: line.detection.box), straight: straight)
        }
        let widths = crops.map { $0.crop.map { NetworkLineReader.inputWidth($0.image) } ?? 0 }
        let order = crops.indices.sorted { (widths[$0], $0) < (widths[$1], $1) }
        var readings = lines.map { TextLine(text: "", box: $0.detection.box, characterBoxes: []) }
        for index in order {
            guard let crop = crops[index].crop else { continue }
            var reading = try networkReading(crop, box: lines[index].detection.box, reader: reader)
            if let straight = crops[index].straight {
                reading.characterBoxes = reading.characterBoxes?.map { $0.map(straight.imageBox) }
            }
            readings[index] = reading
        }
        return readings
    }

    /// Both readings of `lines`, Tesseract's (`recognize(grey:lines:)`) and the network's
    /// (`networkReadings`), made side by side: Tesseract reads on one thread, so while it read
    /// and the network waited for it, the other core was idle. Each reading is the one made
    /// alone. When either fails, its error is rethrown (Tesseract's if both fail).
    func bothReadings(grey: PixelBuffer, lines: [TextDetector.Line], reader: NetworkLineReader) throws
        -> (tesseract: [TextLine], network: [TextLine]) {
        guard !lines.isEmpty else { return ([], []) }
        let results = Mutex<[Int: Result<[TextLine], any Error>]>([:])
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let result = Result { index == 0 ? try recognize(grey: grey, lines: lines)
                                             : try networkReadings(grey: grey, lines: lines, reader: reader) }
            results.withLock { $0[index] = result }
        }
        let both = results.withLock { $0 }
        return (try both[0]!.get(), try both[1]!.get())
    }

    /// A crop read by the network, as a line with `box`; character boxes in the crop's frame.
    private func networkReading(_ crop: (image: PixelBuffer, x0: Int, y0: Int), box: Box, reader: NetworkLineReader) throws -> TextLine {
        let (crop, x0, y0) = crop
        let read = try reader.read(crop)
        let text = read.map(\.text).joined()
        let boxes: [Box?] = read.map { character in
            character.text == " " ? nil
                : Box(x: Double(x0) + character.start, y: Double(y0), width: character.end - character.start, height: Double(crop.height))
        }
        let letters = read.filter { $0.text != " " }
        let confidence = letters.isEmpty ? 0 : 100 * letters.map { Double($0.probability) }.reduce(0, +) / Double(letters.count)
        // One box per Character; should entries ever join into fewer Characters, the line is painted whole.
        return TextLine(text: text, box: box, characterBoxes: Array(text).count == boxes.count ? boxes : nil, confidence: confidence)
    }

    func shouldStraighten(_ oriented: OrientedBox) -> Bool {
        guard abs(oriented.angle) <= Double.pi / 6, oriented.length >= 2 * oriented.thickness else { return false }
        return oriented.length * abs(sin(oriented.angle)) >= settings.straightenAbove * oriented.thickness
    }

    /// A turned line resampled upright (bilinear, edges repeated), padded as an upright crop is,
    /// and enlarged as one would be; `imageBox` takes a box in it back to the image.
    struct Straightened {
        var image: PixelBuffer
        /// The line itself inside `image`, without the padding.
        var lineBox: Box
        var oriented: OrientedBox
        var pad: Double, scale: Double

        func imageBox(_ box: Box) -> Box {
            let corners = [(box.x, box.y), (box.maxX, box.y), (box.x, box.maxY), (box.maxX, box.maxY)].map {
                oriented.point(along: $0.0 / scale - oriented.length / 2 - pad, across: $0.1 / scale - oriented.thickness / 2 - pad)
            }
            let xs = corners.map(\.x), ys = corners.map(\.y)
            return Box(x: xs.min()!, y: ys.min()!, width: xs.max()! - xs.min()!, height: ys.max()! - ys.min()!)
        }
    }

    func straighten(_ grey: PixelBuffer, _ oriented: OrientedBox) -> Straightened {
        let pad = oriented.thickness * settings.padding
        let scale = min(4, max(1, Double(settings.targetLineHeight) / (oriented.thickness + 2 * pad)))
        let width = max(1, Int(((oriented.length + 2 * pad) * scale).rounded(.up)))
        let height = max(1, Int(((oriented.thickness + 2 * pad) * scale).rounded(.up)))
        var out = [UInt8](repeating: 0, count: width * height)
        let c = cos(oriented.angle), s = sin(oriented.angle)
        grey.pixels.withUnsafeBufferPointer { source in
            for row in 0..<height {
                let across = (Double(row) + 0.5) / scale - oriented.thickness / 2 - pad
                for column in 0..<width {
                    let along = (Double(column) + 0.5) / scale - oriented.length / 2 - pad
                    // Sample at pixel centres: pixel (x, y) has its centre at (x + 0.5, y + 0.5).
                    let x = oriented.centerX + along * c - across * s - 0.5
                    let y = oriented.centerY + along * s + across * c - 0.5
                    let fx = x.rounded(.down), fy = y.rounded(.down)
                    let ax = x - fx, ay = y - fy
                    let x0 = min(max(Int(fx), 0), grey.width - 1), x1 = min(max(Int(fx) + 1, 0), grey.width - 1)
                    let y0 = min(max(Int(fy), 0), grey.height - 1), y1 = min(max(Int(fy) + 1, 0), grey.height - 1)
                    let top = Double(source[y0 * grey.width + x0]) * (1 - ax) + Double(source[y0 * grey.width + x1]) * ax
                    let bottom = Double(source[y1 * grey.width + x0]) * (1 - ax) + Double(source[y1 * grey.width + x1]) * ax
                    out[row * width + column] = UInt8(min(255, max(0, (top * (1 - ay) + bottom * ay).rounded())))
                }
            }
        }
        return Straightened(image: PixelBuffer(width: width, height: height, channels: 1, pixels: out),
                            lineBox: Box(x: pad * scale, y: pad * scale, width: oriented.length * scale, height: oriented.thickness * scale),
                            oriented: oriented, pad: pad, scale: scale)
    }

    private func borrowEngine() throws -> Engine {
        if let idle = idleEngines.withLock({ $0.popLast() }) { return idle }
        return try Engine(settings: settings)
    }

    /// `box` grown by the padding on every side and clipped to the image, with its top left
    /// corner; nil when less than 4 pixels remain either way.
    private func crop(_ grey: PixelBuffer, box: Box) -> (image: PixelBuffer, x0: Int, y0: Int)? {
        let pad = box.height * settings.padding
        let x0 = max(0, Int((box.x - pad).rounded(.down))), y0 = max(0, Int((box.y - pad).rounded(.down)))
        let x1 = min(grey.width, Int((box.maxX + pad).rounded(.up))), y1 = min(grey.height, Int((box.maxY + pad).rounded(.up)))
        guard x1 - x0 >= 4, y1 - y0 >= 4 else { return nil }
        var crop = [UInt8](repeating: 0, count: (x1 - x0) * (y1 - y0))
        for y in y0..<y1 {
            let from = y * grey.width + x0, to = (y - y0) * (x1 - x0)
            crop[to..<(to + x1 - x0)] = grey.pixels[from..<(from + x1 - x0)]
        }
        return (PixelBuffer(width: x1 - x0, height: y1 - y0, channels: 1, pixels: crop), x0, y0)
    }

    private func recognize(_ grey: PixelBuffer, box: Box, engine: Engine, enlarge: Bool = true) throws -> TextLine {
        guard let (crop, x0, y0) = crop(grey, box: box) else { return TextLine(text: "", box: box, characterBoxes: []) }
        var cropBuffer = crop
        let scale = enlarge ? min(4, max(1, Double(settings.targetLineHeight) / Double(crop.height))) : 1
        if scale > 1 {
            cropBuffer = try CenterFaceDetector.resize(cropBuffer, width: Int((Double(crop.width) * scale).rounded()),
                                                       height: Int((Double(crop.height) * scale).rounded()))
        }
        var symbols = try engine.recognize(cropBuffer)
        let confidence = Self.meanWordConfidence(symbols)
        // Machine-readable zones: the general model collapses runs of the filler "<" (or reads
        // them as c, e, k or «), so an MRZ-like line is read again cell by cell.
        // Long, thin lines are tried too: in noise the general model can read a zone as words.
        let mrzLike = Self.mightBeMRZ(symbols.map(\.text).joined())
        if mrzLike || box.width >= 8 * box.height,
           let reading = try MRZLineReader.read(grey, box: box, engine: engine) {
            return TextLine(text: String(reading.characters), box: box, characterBoxes: reading.boxes, confidence: confidence)
        }
        if mrzLike {
            // Stretched 1.5× across, the model separates runs of "<" better (measured on rendered
            // zones: runs collapsed at 1×, letters lost at 3×).
            let stretch = 1.5
            let wide = try CenterFaceDetector.resize(cropBuffer, width: Int(Double(cropBuffer.width) * stretch), height: cropBuffer.height)
            var again = try engine.recognize(wide, whitelist: Self.mrzAlphabet)
            for index in again.indices { again[index].box.x /= stretch; again[index].box.width /= stretch }
            if again.contains(where: { $0.text == "<" }) { symbols = again }
        }
        var characters: [Character] = []
        var boxes: [Box?] = []
        for symbol in symbols {
            if symbol.startsWord, !characters.isEmpty {
                characters.append(" ")
                boxes.append(nil)
            }
            let symbolBox = Box(x: Double(x0) + symbol.box.x / scale, y: Double(y0) + symbol.box.y / scale,
                                width: symbol.box.width / scale, height: symbol.box.height / scale)
            for character in symbol.text {
                characters.append(character)
                boxes.append(symbolBox)
            }
        }
        return TextLine(text: String(characters), box: box, characterBoxes: boxes, confidence: confidence)
    }

    /// The mean of the words' confidences (as Tesseract's `MeanTextConf`), 0 when nothing was read.
    static func meanWordConfidence(_ symbols: [Engine.Symbol]) -> Double {
        let words = symbols.filter(\.startsWord)
        guard !words.isEmpty else { return 0 }
        return words.map(\.wordConfidence).reduce(0, +) / Double(words.count)
    }

    static let mrzAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"

    /// A long run of capitals, digits and characters the general model makes of `<`.
    static func mightBeMRZ(_ text: String) -> Bool {
        let compact = text.filter { !$0.isWhitespace }
        guard compact.count >= 26, compact.count <= 52 else { return false }
        let likely = compact.filter { ($0.isASCII && ($0.isUppercase || $0.isNumber)) || "<«cek|".contains($0) }.count
        return likely * 100 >= compact.count * 85
    }

    /// Luma (BT.601, integer) of an RGB/RGBA buffer; grey passes through.
    static func grey(_ image: PixelBuffer) -> PixelBuffer {
        if image.channels == 1 { return image }
        var out = [UInt8](repeating: 0, count: image.width * image.height)
        image.pixels.withUnsafeBufferPointer { source in
            for index in 0..<out.count {
                let offset = index * image.channels
                let luma = 77 * Int(source[offset]) + 150 * Int(source[offset + 1]) + 29 * Int(source[offset + 2])
                out[index] = UInt8((luma + 128) >> 8)
            }
        }
        return PixelBuffer(width: image.width, height: image.height, channels: 1, pixels: out)
    }
}

/// One Tesseract engine, used by one thread at a time.
final class Engine: @unchecked Sendable {
    struct Symbol {
        var text: String
        var box: Box
        var confidence: Double
        /// The confidence of the word this symbol belongs to.
        var wordConfidence: Double
        var startsWord: Bool
    }

    private let handle: OpaquePointer

    init(settings: TextRecognizer.Settings) throws {
        var message = [CChar](repeating: 0, count: 512)
        let created: OpaquePointer? = settings.language.withCString { language in
            if let path = settings.dataPath {
                return path.withCString { obscura_ocr_create($0, language, &message, message.count) }
            }
            return obscura_ocr_create(nil, language, &message, message.count)
        }
        guard let created else {
            throw ObscuraError(.modelMissing, "Tesseract could not start; run scripts/setup.sh (tesseract-ocr-eng)",
                               cause: messageText(message))
        }
        handle = created
    }

    deinit { obscura_ocr_free(handle) }

    private static func withOptionalCString<R>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
        guard let text else { return body(nil) }
        return text.withCString { body($0) }
    }

    func recognize(_ grey: PixelBuffer, whitelist: String? = nil, pageMode: Int32 = 7) throws -> [Symbol] {
        precondition(grey.channels == 1)
        var capacity = 256
        while true {
            var symbols = [obscura_ocr_symbol](repeating: obscura_ocr_symbol(), count: capacity)
            var count = 0
            var message = [CChar](repeating: 0, count: 256)
            let status = grey.pixels.withUnsafeBufferPointer { pixels in
                Self.withOptionalCString(whitelist) { list in
                    obscura_ocr_recognize(handle, pixels.baseAddress, Int32(grey.width), Int32(grey.height), pageMode, list,
                                          &symbols, capacity, &count, &message, message.count)
                }
            }
            guard status == 0 else {
                throw ObscuraError(.detectionFailed, "text recognition failed", cause: messageText(message))
            }
            if count > capacity { capacity = count; continue }
            return symbols.prefix(count).map { symbol in
                var copy = symbol
                let text = withUnsafeBytes(of: &copy.text) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                return Symbol(text: text,
                              box: Box(x: Double(symbol.left), y: Double(symbol.top),
                                       width: Double(symbol.right - symbol.left), height: Double(symbol.bottom - symbol.top)),
                              confidence: Double(symbol.confidence), wordConfidence: Double(symbol.word_confidence),
                              startsWord: symbol.starts_word != 0)
            }
        }
    }
}
