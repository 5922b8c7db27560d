import Foundation
import Testing
@testable import Obscura

/// Plates that are plates: a plate-shaped text line whose reading is clearly something else (a
/// name, a label, a time, a date, an amount) is not reported as a plate.
struct PlateReadingTests {
    @Test("plate texts may be plates, at any confidence", arguments: [
        "AYO-9034", "GWT 2180", "M5XSX", "6XTU6K1", "AB 123 CD", "B-MW 1234", "1049338", "[OLB-4809]", "|CGT-2069 |",
        // Dashed groups of digits that make no date stay plates.
        "12-AB-34", "AB-12-34", "99-99-XX", "1-23-456", "12-34-56", "2014-13-02", "45-05-2014",
    ])
    func plates(text: String) {
        for confidence in [0.0, 60, 95] {
            #expect(PlateReading.notAPlate(text, confidence: confidence) == nil, "\(text) at \(confidence)")
        }
    }

    @Test("clear readings of other text are not plates", arguments: [
        ("Maria Gonzalez", PlateReading.NotAPlate.words), ("Recipient", .words), ("Kontoinhaber", .words), ("Uncle Tom", .words),
        ("Family 2019", .words), ("08:03", .time), ("Time 21:40", .time), ("08.01.2024", .date), ("1/2/24", .date),
        ("2014-05-02", .date), ("2014-05-02 06:40:17", .time), ("02-05-2014", .date), ("CAM1 2014-5-2", .date),
        ("€173.71", .symbol), ("EUR 8368,65", .symbol), ("#807243", .symbol), ("MOM & DAD", .symbol), ("© CORBIS", .symbol),
        ("BOUTIQUE", .noDigit), ("PAYDAY LOANS", .length), ("LOANS", .noDigit), ("OK", .length), ("BIC", .length), ("COBADEFFXXX", .length),
    ])
    func notPlates(text: String, reason: PlateReading.NotAPlate) {
        #expect(PlateReading.notAPlate(text, confidence: 95) == reason, "\(text)")
    }

    @Test("a reading the recogniser is unsure of proves nothing: the line stays a plate candidate")
    func unsureReadings() {
        // Noise on real plates photographed small (measured on ../shared/eval/plates).
        #expect(PlateReading.notAPlate("Agua", confidence: 3) == nil)
        #expect(PlateReading.notAPlate("Maria Gonzalez", confidence: PlateReading.clearReading - 1) == nil)
        #expect(PlateReading.notAPlate("Maria Gonzalez", confidence: PlateReading.clearReading) == .words)
        // Wrong length or no digit needs a surer reading: "FABINZS" read at 77 was a real plate.
        #expect(PlateReading.notAPlate("FABINZS", confidence: 77) == nil)
        #expect(PlateReading.notAPlate("FABINZS", confidence: PlateReading.certainReading) == .noDigit)
        #expect(PlateReading.notAPlate("ul 0", confidence: 62) == nil)
        #expect(PlateReading.notAPlate("", confidence: 0) == nil)
    }

    @Test("the network's second reading: sure words, times or dates rule a candidate out; a sure plate-like reading overrules Tesseract")
    func networkReading() {
        func line(_ text: String, _ confidence: Double) -> TextLine {
            TextLine(text: text, box: Box(x: 0, y: 0, width: 80, height: 30), confidence: confidence)
        }
        // Readings of real plates in ../shared/eval/plates (even entries).
        #expect(PlateDetector.mayBePlate(line("Gag)", 58.6), network: line("SB3X6N", 90.6)))
        #expect(!PlateDetector.mayBePlate(line("Gag)", 58.6), network: line("SB3X6N", PlateReading.certainReading - 1)))
        // The network reads a plate's digits as letters: no digit, or a wrong length, rules nothing out.
        #expect(PlateDetector.mayBePlate(line("TkoealP", 0), network: line("CKO-AIP", 93.1)))
        #expect(PlateDetector.mayBePlate(line("B69", 0), network: line("HB-XJ", 81.1)))
        // Text Tesseract was unsure of, read surely by the network.
        #expect(!PlateDetector.mayBePlate(line("Mar1a 6onz", 20), network: line("Maria Gonzalez", 95)))
        #expect(!PlateDetector.mayBePlate(line("(e", 20), network: line("12:45", 90)))
        #expect(PlateDetector.mayBePlate(line("(e", 20), network: line("Maria Gonzalez", PlateReading.clearReading - 1)))
        // What Tesseract rules out surely stays out when the network is unsure.
        #expect(!PlateDetector.mayBePlate(line("Maria Gonzalez", 90), network: line("", 0)))
    }

    @Test("the network's reading of one or two characters, from 40, rules a candidate out; nothing read, or letters alone, do not")
    func shortNetworkReading() {
        func line(_ text: String, _ confidence: Double) -> TextLine {
            TextLine(text: text, box: Box(x: 0, y: 0, width: 80, height: 30), confidence: confidence)
        }
        // Readings of a shirt print and a sign, which Tesseract could not read.
        #expect(!PlateDetector.mayBePlate(line("~", 0), network: line("YA", 75)))
        #expect(!PlateDetector.mayBePlate(line("", 0), network: line("1 0", PlateReading.shortNetworkReading)))
        #expect(PlateDetector.mayBePlate(line("", 0), network: line("RX", PlateReading.shortNetworkReading - 1)))
        #expect(PlateReading.networkNotAPlate("-R-", confidence: 41))
        // Three characters, nothing at all, or a plate whose digits were read as letters stay candidates.
        #expect(!PlateReading.networkNotAPlate("7XK", confidence: 99))
        #expect(!PlateReading.networkNotAPlate(" ", confidence: 99))
        #expect(!PlateReading.networkNotAPlate("", confidence: 0))
        #expect(PlateDetector.mayBePlate(line("", 0), network: line("CHOAPBY", 91)))
    }

    @Test("the plates' text search holds 1280 × 720 pixels, whatever the photo's shape, and never fewer than the text search")
    func plateSearchSide() {
        let settings = TextDetector.Settings()
        #expect(TextDetector.plateSide(width: 1920, height: 1080, settings: settings) == 1280)
        #expect(TextDetector.plateSide(width: 3000, height: 4000, settings: settings) == 1108)
        #expect(TextDetector.plateSide(width: 600, height: 600, settings: settings) == 960)
        let layout = TextDetector.layout(width: 4000, height: 3000, maximumSide: 1108, settings: settings)
        #expect(layout.scaledWidth * layout.scaledHeight <= settings.plateMaximumPixels)
        #expect((layout.scaledWidth, layout.canvasWidth, layout.canvasHeight) == (1108, 1120, 832))
    }

    @Test("letters that look alike in both cases do not make a plate read in small letters a word")
    func caseAlikeLetters() {
        #expect(PlateReading.notAPlate("cxz 2345", confidence: 90) == nil)
        #expect(PlateReading.notAPlate("Account", confidence: 90) == .words)
    }
}

/// The same through the real text detector and recogniser, on rendered pictures.
@Suite(.enabled(if: (TextPIITests.textModelInstalled && DocumentRenderer.convert != nil) || TestSupport.modelsRequired,
                "text model or ImageMagick not installed (skipped)"))
struct PlateEvidenceTests {
    /// Plate regions found with text evidence only (the cascade is tested apart).
    static func plates(in image: URL) throws -> [Detection] {
        var options = AnonymizeOptions()
        options.detect = [.plates]
        options.plateEvidence = [.text]
        let anonymizer = try Anonymizer(options: options)
        return try anonymizer.detect([UInt8](try Data(contentsOf: image))).detections.filter { $0.kind == .plate }
    }

    static func convert(_ arguments: [String]) throws {
        let result = try TestSupport.run(try #require(DocumentRenderer.convert), arguments)
        guard result.status == 0 else { throw TestFailure("convert failed: \(result.standardError)") }
    }

    /// A white plate with a black border and "AB 123 CD" in black, on a dark car body.
    static func car(_ file: URL, size: String, plate: String, border: Int, pointSize: Int, at origin: String,
                    blur: String? = nil) throws {
        try convert(["-seed", "5", "-size", size, "plasma:grey15-grey35", "-fill", "white", "-stroke", "black",
                     "-strokewidth", "\(border)", "-draw", "rectangle \(plate)", "-stroke", "none", "-fill", "black",
                     "-font", "DejaVu-Sans-Bold", "-pointsize", "\(pointSize)", "-annotate", origin, "AB 123 CD"]
                    + (blur.map { ["-blur", $0] } ?? []) + ["-quality", "90", file.path])
    }

    /// Whether one region covers at least 90% of the plate's characters.
    static func covered(_ characters: Box, by regions: [Detection]) -> Bool {
        regions.contains { $0.box.intersectionArea(with: characters) >= 0.9 * characters.area }
    }

    @Test("name captions under a photo and an app's field labels are not plates; a plate on a car is")
    func captionsLabelsAndAPlate() throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // A family photo's caption band: names, as in the portrait with 18 "plates".
        let captions = folder.appendingPathComponent("captions.jpg")
        try Self.convert(["-seed", "3", "-size", "1200x700", "plasma:grey40-grey70", "-gravity", "south", "-background", "white",
                          "-splice", "0x90", "-gravity", "northwest", "-font", "DejaVu-Sans", "-pointsize", "26", "-fill", "black",
                          "-annotate", "+30+735", "Maria Gonzalez", "-annotate", "+330+735", "Jonas Becker",
                          "-annotate", "+630+735", "Uncle Tom", "-annotate", "+900+735", "Anna Rossi", "-quality", "90", captions.path])
        #expect(try Self.plates(in: captions).isEmpty, "captions taken for plates")

        // A bank app: labels and values, as in the screenshot with 14 "plates".
        let screen = folder.appendingPathComponent("screen.png")
        var draw = ["-size", "780x1200", "xc:#fafafc", "-font", "DejaVu-Sans", "-fill", "#6e6e78", "-pointsize", "26"]
        let fields = [("Recipient", "Maria Gonzalez"), ("Amount", "€120.50"), ("Date", "08.01.2024"), ("Time", "14:32"),
                      ("Status", "Completed"), ("Reference", "Rent March")]
        for (index, field) in fields.enumerated() {
            let y = 80 + index * 170
            draw += ["-fill", "#6e6e78", "-pointsize", "26", "-annotate", "+32+\(y)", field.0,
                     "-fill", "#141419", "-pointsize", "36", "-annotate", "+32+\(y + 60)", field.1]
        }
        try Self.convert(draw + [screen.path])
        #expect(try Self.plates(in: screen).isEmpty, "field labels taken for plates")

        // A European plate: white, black border, on a dark car body.
        let car = folder.appendingPathComponent("car.jpg")
        try Self.car(car, size: "1000x600", plate: "350,380 650,450", border: 4, pointSize: 50, at: "+385+435")
        let plates = try Self.plates(in: car)
        // Its characters (50 pt capitals on the baseline at y = 435) must be covered. The white
        // plate around them is covered only where the cascade fires, which depends on the CPU
        // (on an AMD EPYC it does not; the text line alone is then the plate).
        let characters = Box(x: 388, y: 400, width: 195, height: 34)
        #expect(Self.covered(characters, by: plates), "\(plates.map(\.box))")
    }

    @Test("a far plate in a large photo: its thin line is searched at the plates' finer scale")
    func farPlate() throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // A 2400 px street photo with a plate of 10 pt characters (9 px high), slightly blurred:
        // at the text search's 960 px they are under 4 px high, at the plates' 1280 px about 5.
        let car = folder.appendingPathComponent("far.jpg")
        try Self.car(car, size: "2400x1350", plate: "1100,800 1160,815", border: 2, pointSize: 10, at: "+1103+812", blur: "0x0.8")
        let characters = Box(x: 1103, y: 804, width: 55, height: 9)
        let plates = try Self.plates(in: car)
        #expect(Self.covered(characters, by: plates), "\(plates.map(\.box))")
        // The same picture with `--detect text` alone (the coarser search) finds no line there:
        // this is what the finer scale adds.
        var options = AnonymizeOptions()
        options.detect = [.text]
        let lines = try Anonymizer(options: options).detect([UInt8](try Data(contentsOf: car))).detections
        #expect(!lines.contains { $0.box.intersectionArea(with: characters) > 0 }, "\(lines.map(\.box))")
    }
}
