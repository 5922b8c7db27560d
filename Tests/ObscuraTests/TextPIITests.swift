import Foundation
import Testing
@testable import Obscura

/// Text detection, recognition and PII matching on document images the tests render
/// (`DocumentRenderer`): every valid item must be found where it was printed, and every
/// checksum-invalid look-alike left alone.
@Suite(.serialized) struct TextPIITests {
    static var textModelInstalled: Bool {
        [ModelDescriptor.textDetection, .textRecognition].allSatisfy {
            FileManager.default.fileExists(atPath: ModelStore.defaultDirectory.appendingPathComponent($0.fileName).path)
        }
    }

    static let skipMessage: Comment = "PP-OCRv4 text models not installed: run scripts/setup.sh (skipped)"

    /// One reader for the suite: the models load once, as in the CLI.
    static let sharedReader: Result<TextReader, any Error> = Result { try TextReader() }

    /// The reader, or nil when the model or ImageMagick is absent and models are not required.
    static func reader() throws -> TextReader? {
        if (!textModelInstalled || DocumentRenderer.convert == nil) && !TestSupport.modelsRequired { return nil }
        return try sharedReader.get()
    }

    struct Outcome {
        var expected: PIIKind?
        var found: Bool
        /// For a look-alike: the kinds matched on it.
        var kinds: [String] = []
        /// For a look-alike: whether any match touches a tenth of it, even one that lies more on
        /// another item (on turned pages upright boxes of neighbouring lines overlap).
        var touched = false
    }

    /// Renders, reads and matches one document; for each item whether a match lies on it (for a
    /// valid item: a match of its kind covering at least half its box; for a look-alike: any
    /// match touching a tenth of it), and the matches that lie on no item.
    static func evaluate(_ spec: DocumentRenderer.Spec, reader: TextReader, folder: URL, name: String)
        throws -> (outcomes: [Outcome], stray: Int, seconds: Double) {
        let rendered = try DocumentRenderer.render(spec, in: folder, name: name)
        let page = try reader.read(rendered.image)
        // OBSCURA_TEXT_NETWORK=0 measures Tesseract's reading alone (before the second reading).
        let matches = ProcessInfo.processInfo.environment["OBSCURA_TEXT_NETWORK"] == "0"
            ? try PIIMatcher().matches(in: page.text) : try PIIMatcher().matches(in: page.text, alsoIn: page.networkText)
        var outcomes: [Outcome] = []
        for (item, box) in zip(spec.items, rendered.boxes) {
            guard let box else { outcomes.append(Outcome(expected: item.expected, found: false)); continue }
            if let kind = item.expected {
                let found = matches.contains { $0.kind == kind && $0.box.intersectionArea(with: box) >= 0.5 * box.area }
                outcomes.append(Outcome(expected: item.expected, found: found))
                // OBSCURA_TEXT_SHOW_MISSES=1 prints what was read on a missed item (generated
                // text, no one's data), for tuning on the tuning seeds only.
                if !found, ProcessInfo.processInfo.environment["OBSCURA_TEXT_SHOW_MISSES"] == "1" {
                    let read = page.text.filter { $0.box.intersectionArea(with: box) >= 0.3 * box.area }.map(\.text)
                    print("miss \(name) \(kind.rawValue) \(spec.font) \(spec.pointSize) angle \(spec.angle) bg \(spec.background) blur \(spec.blur) persp \(spec.perspective): \(item.value) ← \(read)")
                }
            } else {
                let touching = matches.filter { $0.box.intersectionArea(with: box) >= 0.1 * box.area }
                // A match is on this look-alike when it overlaps it more than any other item.
                let on = touching.filter { match in
                    let here = match.box.intersectionArea(with: box)
                    return !rendered.boxes.contains { other in other.map { $0 != box && match.box.intersectionArea(with: $0) > here } ?? false }
                }
                if !on.isEmpty, ProcessInfo.processInfo.environment["OBSCURA_TEXT_SHOW_MISSES"] == "1" {
                    let read = page.text.filter { $0.box.intersectionArea(with: box) >= 0.3 * box.area }.map(\.text)
                    print("alarm \(name) \(on.map(\.kind.rawValue)) on \(item.label): \(item.value) ← \(read); match boxes \(on.map(\.box)), item box \(box)")
                }
                outcomes.append(Outcome(expected: nil, found: !on.isEmpty, kinds: on.map { "\(item.label.isEmpty ? "MRZ" : item.label)←\($0.kind)" },
                                        touched: !touching.isEmpty))
            }
        }
        let stray = matches.filter { match in
            !rendered.boxes.contains { box in box.map { match.box.intersectionArea(with: $0) > 0 } ?? false }
        }.count
        return (outcomes, stray, page.detectSeconds + page.recognizeSeconds)
    }

    @Test("hand-written document: valid cards, IBANs, e-mails, phones and an MRZ found; look-alikes left alone")
    func handWrittenDocument() throws {
        guard let reader = try Self.reader() else { print(Self.skipMessage); return }
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let items: [DocumentRenderer.Item] = [
            .init(label: "Card", value: "4111 1111 1111 1111", expected: .card),
            .init(label: "Card", value: "4111 1111 1111 1112", expected: nil),
            .init(label: "Amex", value: "3782 822463 10005", expected: .card),
            .init(label: "IBAN", value: "GB82 WEST 1234 5698 7654 32", expected: .iban),
            .init(label: "IBAN", value: "DE89 3704 0044 0532 0130 01", expected: nil),
            .init(label: "IBAN", value: "FR14 2004 1010 0505 0001 3M02 606", expected: .iban),
            .init(label: "E-mail", value: "anna.eriksson@example.com", expected: .email),
            .init(label: "Phone", value: "+44 20 7946 0958", expected: .phone),
            .init(label: "Phone", value: "(415) 555-2671", expected: .phone),
            .init(label: "Order", value: "1234 5678 9012", expected: nil),
            .init(label: "", value: "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", expected: .mrz, monospace: true),
            .init(label: "", value: "L898902C36UTO7408122F1204159ZE184226B<<<<<10", expected: .mrz, monospace: true),
            .init(label: "", value: "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", expected: nil, monospace: true),
            .init(label: "", value: "L898902C36UTO7408122F1204169ZE184226B<<<<<10", expected: nil, monospace: true),
        ]
        try Self.expectEachItem(items, in: [("DejaVu-Sans", 28.0, 0.0), ("DejaVu-Serif", 32.0, 1.0), ("DejaVu-Sans-Mono", 26.0, -1.2)],
                                width: 1500, quality: 75, firstSeed: 1, reader: reader, folder: folder, name: "doc")
    }

    /// Renders `items` once per (font, size, angle) and expects every valid item found, no
    /// look-alike touched and no match away from the items.
    static func expectEachItem(_ items: [DocumentRenderer.Item], in renderings: [(String, Double, Double)], width: Int, quality: Int,
                               firstSeed: Int, reader: TextReader, folder: URL, name: String) throws {
        for (index, (font, size, angle)) in renderings.enumerated() {
            let spec = DocumentRenderer.Spec(width: width, font: font, pointSize: size, angle: angle, noise: 0.4, quality: quality,
                                             seed: firstSeed + index, items: items)
            let result = try evaluate(spec, reader: reader, folder: folder, name: "\(name)\(index)")
            for (item, outcome) in zip(items, result.outcomes) {
                let where_ = "\(font) \(size) pt, \(angle)°, \(item.expected?.rawValue ?? "look-alike") item \(item.label)"
                if item.expected == nil {
                    #expect(!outcome.found, "look-alike matched: \(where_) \(outcome.kinds)")
                } else {
                    #expect(outcome.found, "missed: \(where_)")
                }
            }
            #expect(result.stray == 0, "matches away from every item in \(font)")
        }
    }

    @Test("labelled names and addresses are painted beside their labels; the same name without one is not")
    func labelledNames() throws {
        guard let reader = try Self.reader() else { print(Self.skipMessage); return }
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // As a bank app or a form lays them out: the label, a gap, the value.
        let items: [DocumentRenderer.Item] = [
            .init(label: "Recipient", value: "Maria Gonzalez", expected: .name),
            .init(label: "Amount", value: "250.00 EUR", expected: nil),
            .init(label: "Kontoinhaber", value: "Jonas Becker", expected: .name),
            .init(label: "Address", value: "12 Baker Street, London", expected: .address),
            .init(label: "Note", value: "Maria Gonzalez", expected: nil),
        ]
        try Self.expectEachItem(items, in: [("DejaVu-Sans", 28.0, 0.0), ("DejaVu-Serif", 30.0, 1.0)],
                                width: 1300, quality: 80, firstSeed: 11, reader: reader, folder: folder, name: "names")
    }

    @Test("the report of an anonymized document gives each PII region its evidence, and other regions none")
    func reportEvidence() throws {
        guard try Self.reader() != nil else { print(Self.skipMessage); return }
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // The second IBAN is printed with an S for a 5 and a Z for a 2: OCR reads the letters (an
        // O printed for a 0 is often read as a 0 already), and mod 97 passes only once they are
        // read as digits.
        let items: [DocumentRenderer.Item] = [
            .init(label: "IBAN", value: "GB82 WEST 1234 5698 7654 32", expected: .iban),
            .init(label: "IBAN", value: "DE89 3704 0044 0S3Z 0130 00", expected: .iban),
            .init(label: "E-mail", value: "anna.eriksson@example.com", expected: .email),
        ]
        let rendered = try DocumentRenderer.render(.init(width: 1300, items: items), in: folder, name: "doc")
        var options = AnonymizeOptions()
        options.detect = [.text, .pii]
        let anonymizer = try Anonymizer(options: options)
        let result = try anonymizer.anonymize([UInt8](try Data(contentsOf: folder.appendingPathComponent("doc.jpg"))))
        var record = ReportRecord(input: "doc.jpg", outcome: .written, settings: options, models: anonymizer.models)
        record.record(result)
        let json = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(record)) as? [String: Any]
        let regions = json?["regions"] as? [[String: Any]] ?? []
        func evidence(on box: Box?, kind: PIIKind) -> [String] {
            regions.filter { region in
                guard region["kind"] as? String == kind.rawValue, let b = region["box"] as? [Double], b.count == 4, let box else { return false }
                return Box(x: b[0], y: b[1], width: b[2], height: b[3]).intersectionArea(with: box) >= 0.5 * box.area
            }.compactMap { $0["evidence"] as? String }
        }
        #expect(evidence(on: rendered.boxes[0], kind: .iban) == ["checksum"])
        #expect(evidence(on: rendered.boxes[1], kind: .iban) == ["checksum-corrected"])
        #expect(evidence(on: rendered.boxes[2], kind: .email) == ["format"])
        // Text lines are no personal data: no evidence key at all.
        let text = regions.filter { $0["kind"] as? String == "text" }
        #expect(!text.isEmpty && text.allSatisfy { $0["evidence"] == nil })
        let report = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
        for secret in ["WEST", "0S3Z", "eriksson"] { #expect(!report.contains(secret), "report holds \(secret)") }
    }

    @Test("text detector: deterministic boxes around every printed line")
    func detectorBoxes() throws {
        guard let reader = try Self.reader() else { print(Self.skipMessage); return }
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let spec = DocumentGenerator.document(seed: 7)
        let rendered = try DocumentRenderer.render(spec, in: folder, name: "lines")
        let first = try reader.detector.detect(in: rendered.image)
        let second = try reader.detector.detect(in: rendered.image)
        #expect(first == second)
        #expect(first.allSatisfy { $0.kind == "text" && ($0.score ?? 0) >= 0.6 })
        for box in rendered.boxes.compactMap({ $0 }) {
            let covered = first.reduce(0.0) { $0 + $1.box.intersectionArea(with: box) }
            #expect(covered >= 0.9 * box.area, "a printed line is not inside the detected boxes")
        }
    }

    /// Prints hit and false-alarm rates over `OBSCURA_TEXT_MEASURE` generated documents (default
    /// 0: skipped), e.g. `OBSCURA_TEXT_MEASURE=100 swift test -c release --filter TextPIITests/measure`.
    @Test("measure hit and false-alarm rates on generated documents")
    func measure() throws {
        let count = Int(ProcessInfo.processInfo.environment["OBSCURA_TEXT_MEASURE"] ?? "0") ?? 0
        guard count > 0 else { print("set OBSCURA_TEXT_MEASURE=N to measure on N generated documents (skipped)"); return }
        guard let reader = try Self.reader() else { print(Self.skipMessage); return }
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var hits: [String: (found: Int, total: Int)] = [:]
        var falseAlarms = (found: 0, total: 0), touched = 0, stray = 0, seconds = 0.0, pixels = 0.0
        var alarmKinds: [String: Int] = [:]
        // OBSCURA_TEXT_FORMS=1 measures the forms of names and addresses instead; OBSCURA_TEXT_FIRST_SEED
        // moves the seed range (tune on one range, report on another).
        let forms = ProcessInfo.processInfo.environment["OBSCURA_TEXT_FORMS"] == "1"
        // OBSCURA_TEXT_BROAD=1: the broadened generator (DocumentGenerator.broadDocument).
        let broad = ProcessInfo.processInfo.environment["OBSCURA_TEXT_BROAD"] == "1"
        let first = Int(ProcessInfo.processInfo.environment["OBSCURA_TEXT_FIRST_SEED"] ?? "1") ?? 1
        for seed in first..<(first + count) {
            let spec = forms ? DocumentGenerator.form(seed: UInt64(seed))
                : broad ? DocumentGenerator.broadDocument(seed: UInt64(seed)) : DocumentGenerator.document(seed: UInt64(seed))
            let result = try Self.evaluate(spec, reader: reader, folder: folder, name: "m\(seed)")
            for outcome in result.outcomes {
                if let kind = outcome.expected {
                    hits[kind.rawValue, default: (0, 0)].total += 1
                    if outcome.found { hits[kind.rawValue, default: (0, 0)].found += 1 }
                } else {
                    falseAlarms.total += 1
                    if outcome.found { falseAlarms.found += 1 }
                    if outcome.touched { touched += 1 }
                    for kind in outcome.kinds { alarmKinds[kind, default: 0] += 1 }
                }
            }
            stray += result.stray
            seconds += result.seconds
            pixels += Double(spec.width) * spec.pointSize * 2 * Double(spec.items.count + 2)
        }
        func percent(_ a: Int, _ b: Int) -> String { b == 0 ? "-" : String(format: "%.1f%%", 100 * Double(a) / Double(b)) }
        print("documents: \(count), mean size \(Int(pixels / Double(count) / 1e3)) kpx")
        for kind in hits.keys.sorted() { print("hit rate \(kind): \(hits[kind]!.found)/\(hits[kind]!.total) = \(percent(hits[kind]!.found, hits[kind]!.total))") }
        let valid = hits.values.reduce((0, 0)) { ($0.0 + $1.found, $0.1 + $1.total) }
        print("hit rate all: \(valid.0)/\(valid.1) = \(percent(valid.0, valid.1))")
        print("false alarms on look-alikes: \(falseAlarms.found)/\(falseAlarms.total) = \(percent(falseAlarms.found, falseAlarms.total))")
        print("look-alikes touched by a match lying more on another item: \(touched - falseAlarms.found) more, \(touched)/\(falseAlarms.total) = \(percent(touched, falseAlarms.total)) in all")
        print("look-alike ← kind matched on it: \(alarmKinds.sorted { $0.key < $1.key })")
        print("matches on no item: \(stray)")
        print(String(format: "seconds per image (detect + recognise): %.3f", seconds / Double(count)))
    }
}
