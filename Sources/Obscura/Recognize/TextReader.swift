import Foundation

/// Text detection and recognition together: what `--detect text,pii` needs from an image.
/// Both models load once, here; `read(_:)` may be called from several workers at once.
///
/// ```swift
/// let reader = try TextReader()       // loads PP-OCRv4's detector, Tesseract and PP-OCRv4's recogniser
/// let matcher = try PIIMatcher()
/// let page = try reader.read(image)
/// let regions = page.lines + matcher.detections(in: page.text)   // "text" and "pii.*" kinds
/// ```
final class TextReader: Sendable {
    let detector: TextDetector
    let recognizer: TextRecognizer
    let network: NetworkLineReader

    init(modelDirectory: URL = ModelStore.defaultDirectory,
                detection: TextDetector.Settings = .init(), recognition: TextRecognizer.Settings = .init()) throws {
        detector = try TextDetector(modelDirectory: modelDirectory, settings: detection)
        recognizer = try TextRecognizer(settings: recognition)
        network = try NetworkLineReader(modelDirectory: modelDirectory)
    }

    /// What was read from one image.
    struct Page: Sendable {
        /// Every detected line, kind `text`.
        var lines: [Detection]
        /// The recognised text of each line, in the same order: Tesseract's reading, and the
        /// recognition network's (`PIIMatcher.matches(in:alsoIn:)` takes both).
        var text: [TextLine]
        var networkText: [TextLine]
        /// Seconds spent detecting and recognising.
        var detectSeconds: Double
        var recognizeSeconds: Double
    }

    func read(_ image: PixelBuffer) throws -> Page {
        let clock = ContinuousClock()
        let start = clock.now
        let lines = try detector.lines(in: image)
        let detected = clock.now
        let grey = TextRecognizer.grey(image)
        let (text, networkText) = try recognizer.bothReadings(grey: grey, lines: lines, reader: network)
        let done = clock.now
        func seconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
        return Page(lines: lines.map(\.detection), text: text, networkText: networkText, detectSeconds: seconds(detected - start), recognizeSeconds: seconds(done - detected))
    }
}
