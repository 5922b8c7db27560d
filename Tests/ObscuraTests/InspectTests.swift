import Foundation
import Testing
@testable import Obscura

// Tests of `MetadataInspector` and `obscura inspect`. The independent witness is exiftool: our
// parsers never grade themselves. Planted files are made by exiftool from the astronaut fixture.

// MARK: - exiftool → kinds

/// How exiftool's view of a file (`-j -a -G0:1 -u -s`, keys `Family0:Family1:Tag`, or
/// `Group:Tag` where both families are the same) maps onto our kinds. Each rule names what the
/// tag carries, not where our parser happens to look, so that a parser bug shows up as a
/// difference.
///
/// - EXIF group: GPS IFD → gps; date tags (ModifyDate, DateTimeOriginal, CreateDate, SubSec*,
///   OffsetTime*) → timestamps; serial tags → serial-numbers; Artist/Copyright/OwnerName/XPAuthor
///   → authorship; Thumbnail* → thumbnail; PreviewImage/JpgFromRaw/OtherImage → extra-images;
///   MakerNote* (unknown maker notes) → maker-notes. Tags that describe stored pixels
///   (ImageWidth, StripOffsets, Compression…) are intrinsic in IFD0 of a TIFF-family file and
///   extra images in its other IFDs; in an EXIF block embedded in another format they count as
///   exif in IFD0/ExifIFD/InteropIFD, thumbnail in IFD1 and extra images elsewhere. Anything
///   else → exif.
/// - MakerNotes group → maker-notes, plus serial-numbers for serial tags. Preview images and
///   dates that exiftool finds inside a maker note count as maker-notes: the inspector reports a
///   maker note as one block and names only the serial numbers inside it. exiftool's warning
///   "Unrecognized MakerNotes" → maker-notes (the note is there, exiftool just cannot read it).
/// - XMP group → xmp; XML group (JPEG 2000 `xml ` box) → nothing by itself. In both, property
///   names map further: GPS* → gps; names ending in Date or When (HistoryWhen) and the EXIF/XMP
///   date names → timestamps; serial names → serial-numbers; names holding Creator (not
///   CreatorTool) or Rights, and Artist, Copyright, Owner, OwnerName, AuthorsPosition,
///   CaptionWriter, Credit → authorship.
/// - IPTC → iptc; By-line, By-lineTitle, Credit, CopyrightNotice, Contact, Writer-Editor also
///   authorship; the date and time datasets also timestamps.
/// - Photoshop → photoshop, PhotoshopThumbnail → thumbnail. ICC_Profile → icc-profile.
/// - MPF: MPImage2 and later → extra-images. FlashPix ScreenNail/PreviewImage → extra-images.
/// - File:Comment (JPEG COM), GIF:Comment, PNG:Comment, Ducky:Comment → comment; Ducky:Copyright,
///   PNG Author/Copyright → authorship; PNG CreationTime/ModifyDate → timestamps.
/// - GIF FrameCount > 1 → extra-images. FotoStation, PhotoMechanic → trailing-data.
///   SVG-c2pa, JUMBF → c2pa. GeoTiff → exif.
/// - HEIF/AVIF: exiftool lists no item types in its tags, so its verbose dump (`-v2`) is read:
///   an item reference `thmb` → thumbnail, `auxl` → extra-images.
/// - Every other group (APPn, APP14 Adobe, PrintIM, QuickTime, RIFF, JFIF, Jpeg2000…) maps to
///   container or structure kinds, which are not compared; serial tags in them → serial-numbers.
enum ExiftoolKinds {
    /// The kinds compared between exiftool and the inspector.
    static let core: Set<MetadataKind> = [.exif, .gps, .timestamps, .makerNotes, .serialNumbers, .authorship, .xmp, .iptc,
                                          .iccProfile, .thumbnail, .extraImages, .comment, .trailingData, .c2pa]

    static let exifDates: Set<String> = ["ModifyDate", "DateTimeOriginal", "CreateDate", "OffsetTime", "OffsetTimeOriginal",
                                         "OffsetTimeDigitized", "SubSecTime", "SubSecTimeOriginal", "SubSecTimeDigitized", "PreviewDateTime"]
    static let serials: Set<String> = ["SerialNumber", "LensSerialNumber", "BodySerialNumber", "CameraSerialNumber", "InternalSerialNumber",
                                       "ExtenderSerialNumber", "FlashSerialNumber", "IRSensorSerialNumber", "VisibleSensorSerialNumber"]
    static let exifAuthorship: Set<String> = ["Artist", "Copyright", "OwnerName", "CameraOwnerName", "XPAuthor"]
    static let pixelStructure: Set<String> = [
        "SubfileType", "OldSubfileType", "ImageWidth", "ImageHeight", "BitsPerSample", "Compression", "PhotometricInterpretation",
        "FillOrder", "StripOffsets", "SamplesPerPixel", "RowsPerStrip", "StripByteCounts", "XResolution", "YResolution",
        "PlanarConfiguration", "T4Options", "T6Options", "ResolutionUnit", "PageNumber", "Predictor", "ColorMap", "TileWidth",
        "TileLength", "TileOffsets", "TileByteCounts", "ExtraSamples", "SampleFormat", "JPEGTables", "YCbCrCoefficients",
        "YCbCrSubSampling", "YCbCrPositioning", "ReferenceBlackWhite",
    ]
    static let previews: Set<String> = ["PreviewImage", "PreviewImageStart", "PreviewImageLength", "JpgFromRaw", "JpgFromRawStart",
                                        "JpgFromRawLength", "OtherImage", "OtherImageStart", "OtherImageLength"]
    static let xmpDates: Set<String> = ["CreateDate", "ModifyDate", "MetadataDate", "DateTimeOriginal", "DateTimeDigitized",
                                        "DateCreated", "DateTime", "Date", "HistoryWhen", "DateTimeCreated", "DigitalCreationDate"]
    static let xmpAuthorship: Set<String> = ["Creator", "Rights", "Artist", "Copyright", "OwnerName", "CameraOwnerName", "Owner",
                                             "AuthorsPosition", "CaptionWriter", "Credit"]
    static let iptcAuthorship: Set<String> = ["By-line", "By-lineTitle", "Credit", "CopyrightNotice", "Contact", "Writer-Editor"]
    static let iptcDates: Set<String> = ["DateSent", "TimeSent", "ReleaseDate", "ReleaseTime", "ExpirationDate", "ExpirationTime",
                                         "DateCreated", "TimeCreated", "DigitalCreationDate", "DigitalCreationTime"]
    static let tiffFamily: Set<String> = ["TIFF", "BTF", "CR2", "NEF", "DNG", "ARW", "ORF", "RW2", "PEF"]
    static let pngStructure: Set<String> = [
        "ImageWidth", "ImageHeight", "BitDepth", "ColorType", "Compression", "Filter", "Interlace", "Palette", "Gamma",
        "WhitePointX", "WhitePointY", "RedX", "RedY", "GreenX", "GreenY", "BlueX", "BlueY", "SignificantBits",
        "PixelsPerUnitX", "PixelsPerUnitY", "PixelUnits", "SRGBRendering", "Transparency",
    ]

    /// The kinds one exiftool key stands for, in a file of exiftool FileType `fileType`.
    static func kinds(key: String, value: Any, fileType: String) -> Set<MetadataKind> {
        let parts = key.split(separator: ":").map(String.init)
        let (g0, g1, tag): (String, String, String)
        switch parts.count {
        case 2: (g0, g1, tag) = (parts[0], parts[0], parts[1])
        case 3: (g0, g1, tag) = (parts[0], parts[1], parts[2])
        default: return []
        }
        switch g0 {
        case "ExifTool":
            return tag == "Warning" && "\(value)".contains("Unrecognized MakerNotes") ? [.makerNotes] : []
        case "System", "Composite", "SourceFile": return []
        case "File": return tag == "Comment" ? [.comment] : []
        case "EXIF":
            if g1 == "GPS" { return [.gps] }
            if tag.hasPrefix("MakerNote") { return [.makerNotes] }
            if exifDates.contains(tag) { return [.timestamps] }
            if serials.contains(tag) { return [.serialNumbers] }
            if exifAuthorship.contains(tag) { return [.authorship] }
            if tag.hasPrefix("Thumbnail") { return [.thumbnail] }
            if previews.contains(tag) { return [.extraImages] }
            if pixelStructure.contains(tag) {
                if tiffFamily.contains(fileType) { return g1 == "IFD0" ? [] : [.extraImages] }
                if g1 == "IFD1" { return [.thumbnail] }
                return ["IFD0", "ExifIFD", "InteropIFD"].contains(g1) ? [.exif] : [.extraImages]
            }
            return [.exif]
        case "MakerNotes":
            return serials.contains(tag) ? [.makerNotes, .serialNumbers] : [.makerNotes]
        case "XMP", "XML":
            var kinds: Set<MetadataKind> = g0 == "XMP" ? [.xmp] : []
            let lower = tag.lowercased()
            if tag.hasPrefix("GPS") || tag.contains("GPSLatitude") || tag.contains("GPSLongitude") { kinds.insert(.gps) }
            if xmpDates.contains(tag) || lower.hasSuffix("date") || lower.hasSuffix("when") { kinds.insert(.timestamps) }
            if serials.contains(tag) { kinds.insert(.serialNumbers) }
            if xmpAuthorship.contains(tag) || (tag.contains("Creator") && !tag.contains("CreatorTool")) || tag.contains("Rights") {
                kinds.insert(.authorship)
            }
            return kinds
        case "IPTC":
            var kinds: Set<MetadataKind> = [.iptc]
            if iptcAuthorship.contains(tag) { kinds.insert(.authorship) }
            if iptcDates.contains(tag) { kinds.insert(.timestamps) }
            return kinds
        case "Photoshop": return tag == "PhotoshopThumbnail" ? [.thumbnail] : [.photoshop]
        case "ICC_Profile": return [.iccProfile]
        case "MPF": return g1.hasPrefix("MPImage") && g1 != "MPImage1" ? [.extraImages] : [.containerChunk]
        case "JFIF": return tag.hasPrefix("Thumbnail") ? [.thumbnail] : []
        case "Ducky": return tag == "Comment" ? [.comment] : tag == "Copyright" ? [.authorship] : [.containerChunk]
        case "FlashPix": return tag == "ScreenNail" || tag == "PreviewImage" ? [.extraImages] : [.containerChunk]
        case "PNG":
            if tag == "Comment" { return [.comment] }
            if ["Author", "Copyright", "Artist", "Disclaimer"].contains(tag) { return [.authorship] }
            if ["CreationTime", "ModifyDate", "Datecreate", "Datemodify"].contains(tag) { return [.timestamps] }
            return pngStructure.contains(tag) ? [] : [.text]
        case "GIF":
            if tag == "Comment" { return [.comment] }
            if tag == "FrameCount", let frames = Int("\(value)"), frames > 1 { return [.extraImages] }
            return []
        case "QuickTime":
            return ["CreateDate", "ModifyDate", "ContentCreateDate", "CreationDate"].contains(tag) ? [.timestamps] : []
        case "SVG": return g1 == "SVG-c2pa" ? [.c2pa] : g1 == "SVG" ? [] : [.text]
        case "FotoStation", "PhotoMechanic": return [.trailingData]
        case "Jpeg2000", "RIFF": return []
        case "GeoTiff": return [.exif]
        case "JUMBF", "C2PA": return [.c2pa]
        default:
            return serials.contains(tag) ? [.containerChunk, .serialNumbers] : [.containerChunk]
        }
    }

    /// The core kinds exiftool sees in each file, keyed by path.
    static func kinds(of files: [URL]) throws -> [String: Set<MetadataKind>] {
        let exiftool = URL(fileURLWithPath: try #require(TestSupport.exiftoolPath))
        let result = try TestSupport.run(exiftool, ["-j", "-a", "-G0:1", "-u", "-s"] + files.map(\.path))
        guard let array = try JSONSerialization.jsonObject(with: result.standardOutput) as? [[String: Any]] else {
            throw TestFailure("exiftool gave no JSON")
        }
        var kinds: [String: Set<MetadataKind>] = [:]
        for tags in array {
            guard let path = tags["SourceFile"] as? String else { continue }
            let fileType = tags["File:FileType"] as? String ?? ""
            var found: Set<MetadataKind> = []
            for (key, value) in tags { found.formUnion(Self.kinds(key: key, value: value, fileType: fileType)) }
            if ["HEIC", "HEIF", "AVIF"].contains(fileType) {
                let verbose = String(decoding: try TestSupport.run(exiftool, ["-v2", path]).standardOutput, as: UTF8.self)
                if verbose.contains("Tag 'thmb'") { found.insert(.thumbnail) }
                if verbose.contains("Tag 'auxl'") { found.insert(.extraImages) }
            }
            kinds[path] = found.intersection(core)
        }
        return kinds
    }
}

// MARK: - Agreement with exiftool on the metadata corpus

@Suite(.enabled(if: TestSupport.hasMetadataCorpus, "../shared/eval/metadata is absent (skipped)"),
       .enabled(if: TestSupport.exiftoolPath != nil, "exiftool not installed (skipped)"))
struct InspectCorpusTests {
    /// Files where exiftool and the inspector legitimately disagree, with the reason. Empty: on
    /// the 100 files of the corpus every core kind agrees.
    static let knownDifferences: [String: String] = [:]

    @Test("for every corpus file the core kinds agree with exiftool's")
    func agreesWithExiftool() throws {
        struct Entry: Decodable { var file: String }
        let manifest = try JSONDecoder().decode([Entry].self, from: Data(contentsOf: TestSupport.metadataCorpus.appendingPathComponent("manifest.json")))
        let files = manifest.map { TestSupport.metadataCorpus.appendingPathComponent($0.file) }
        #expect(files.count == 100)
        let witness = try ExiftoolKinds.kinds(of: files)
        var agreeing = 0
        for (entry, url) in zip(manifest, files) {
            let expected = try #require(witness[url.path], "exiftool did not report \(entry.file)")
            let inventory = try MetadataInspector.inspect([UInt8](Data(contentsOf: url)))
            let found = inventory.kinds.intersection(ExiftoolKinds.core)
            if found == expected {
                agreeing += 1
            } else if Self.knownDifferences[entry.file] == nil {
                Issue.record("""
                    \(entry.file): exiftool \(expected.sorted().map(\.rawValue)), inspector \(found.sorted().map(\.rawValue)); \
                    missing \(expected.subtracting(found).sorted().map(\.rawValue)), extra \(found.subtracting(expected).sorted().map(\.rawValue))
                    """)
            }
        }
        #expect(agreeing + Self.knownDifferences.count == files.count, "\(agreeing) of \(files.count) files agree")
    }

    @Test("every corpus file is inspected in well under a second, values included")
    func corpusIsFast() throws {
        let folder = TestSupport.metadataCorpus.appendingPathComponent("files")
        let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { !$0.hasDirectoryPath } ?? []
        for url in files {
            let bytes = [UInt8](try Data(contentsOf: url))
            let start = ContinuousClock.now
            let inventory = try MetadataInspector.inspect(bytes, includeValues: true)
            #expect(ContinuousClock.now - start < .seconds(1), "\(url.lastPathComponent)")
            #expect(!inventory.findings.isEmpty)
        }
    }
}

// MARK: - Planted metadata

/// Values planted by the tests; none may appear in output unless values were asked for.
enum Planted {
    static let artist = "Ada Plantedottir"
    static let serial = "SN-PLANTED-4711"
    static let comment = "meet at the old bridge"
    static let latitude = "48.858370", longitude = "2.294481"
    static let iptcByline = "Byline Plantedsson"
    static let xmpCreator = "Xavier Plantedez"

    static var secrets: [String] { [artist, serial, comment, "48.8583", "2.2944", iptcByline, xmpCreator] }

    /// A copy of the astronaut fixture with GPS, serial number, artist, dates, XMP, IPTC, a
    /// comment and a thumbnail planted by exiftool.
    static func jpeg(in folder: URL) throws -> URL {
        let exiftool = URL(fileURLWithPath: try #require(TestSupport.exiftoolPath))
        let url = folder.appendingPathComponent("planted.jpg")
        try Data(try TestSupport.fixture("astronaut.jpg")).write(to: url)
        let thumbnail = folder.appendingPathComponent("thumb.jpg")
        try Data(try TestSupport.fixture("astronaut.jpg")).write(to: thumbnail)
        let result = try TestSupport.run(exiftool, [
            "-overwrite_original", "-GPSLatitude=\(latitude)", "-GPSLatitudeRef=N", "-GPSLongitude=\(longitude)",
            "-GPSLongitudeRef=E", "-SerialNumber=\(serial)", "-Artist=\(artist)", "-Make=Planted", "-Model=Camera 1",
            "-DateTimeOriginal=2021:05:04 10:11:12", "-XMP-dc:Creator=\(xmpCreator)", "-IPTC:By-line=\(iptcByline)",
            "-Comment=\(comment)", "-ThumbnailImage<=\(thumbnail.path)", url.path,
        ])
        try #require(result.status == 0, "exiftool: \(result.standardError)")
        return url
    }

    static func exiftool(_ arguments: [String]) throws { try TestSupport.exiftoolWrite(arguments) }

    /// A small PNG or WebP of the astronaut, written by Obscura's own encoder.
    static func encoded(_ format: ImageFormat, in folder: URL) throws -> URL {
        let pixels = try ImageDecoder.decode(try TestSupport.fixture("astronaut.jpg")).pixels
        let url = folder.appendingPathComponent("planted.\(format.fileExtension)")
        try Data(try ImageEncoder.encode(pixels, as: format, quality: 80)).write(to: url)
        return url
    }
}

@Suite(.enabled(if: TestSupport.exiftoolPath != nil, "exiftool not installed (skipped)"))
struct InspectPlantedTests {
    @Test("the clean fixture has only intrinsic findings")
    func cleanFixture() throws {
        let inventory = try MetadataInspector.inspect(try TestSupport.fixture("astronaut.jpg"))
        #expect(inventory.format == "JPEG")
        #expect(inventory.leaks.isEmpty, "\(inventory.leaks)")
        #expect(inventory.problems.isEmpty)
    }

    @Test("a JPEG with planted GPS, serial, artist, dates, XMP, IPTC, comment and thumbnail reports each kind")
    func plantedJPEG() throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try Planted.jpeg(in: folder)
        let inventory = try MetadataInspector.inspect([UInt8](try Data(contentsOf: url)))
        let expected: Set<MetadataKind> = [.exif, .gps, .serialNumbers, .authorship, .timestamps, .xmp, .iptc, .comment, .thumbnail]
        #expect(expected.isSubset(of: inventory.kinds), "missing \(expected.subtracting(inventory.kinds))")
        #expect(inventory.problems.isEmpty, "\(inventory.problems)")
        let serial = try #require(inventory.findings.first { $0.kind == .serialNumbers })
        #expect(serial.tags == ["SerialNumber"])
        #expect(serial.values == nil)

        // With values: GPS in decimal degrees, text as written.
        let withValues = try MetadataInspector.inspect([UInt8](try Data(contentsOf: url)), includeValues: true)
        let gps = try #require(withValues.findings.first { $0.kind == .gps })
        #expect(gps.values?["GPSLatitude"] == Planted.latitude)
        #expect(gps.values?["GPSLongitude"] == Planted.longitude)
        #expect(withValues.findings.first { $0.kind == .comment }?.values?["Comment"] == Planted.comment)
        #expect(withValues.findings.first { $0.kind == .serialNumbers }?.values?["SerialNumber"] == Planted.serial)
    }

    @Test("a second JPEG appended after EOI (as MPF and previews do) is an extra image; other bytes are trailing data")
    func appendedImage() throws {
        let base = try TestSupport.fixture("astronaut.jpg")
        let appended = try MetadataInspector.inspect(base + base)
        #expect(appended.kinds.contains(.extraImages))
        #expect(!appended.kinds.contains(.trailingData))
        let junk = try MetadataInspector.inspect(base + Array("vendor trailer".utf8))
        #expect(junk.kinds.contains(.trailingData))
        #expect(!junk.kinds.contains(.extraImages))
    }

    @Test("an MPF index naming a second image reports it as an extra image")
    func mpfIndex() throws {
        let base = try TestSupport.fixture("astronaut.jpg")
        // APP2 "MPF\0" + big-endian TIFF header + IFD with NumberOfImages (B001) and MPEntry (B002).
        var tiff: [UInt8] = [0x4D, 0x4D, 0, 0x2A, 0, 0, 0, 8, 0, 2]
        tiff += [0xB0, 0x01, 0, 4, 0, 0, 0, 1, 0, 0, 0, 2]
        tiff += [0xB0, 0x02, 0, 7, 0, 0, 0, 32, 0, 0, 0, 38, 0, 0, 0, 0]
        tiff += [0, 0x03, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0]       // first image
        tiff += [0, 0x01, 0, 0, 0, 0, 0x10, 0, 0, 0, 0x20, 0, 0, 0, 0, 0]    // second image
        let payload = Array("MPF\0".utf8) + tiff
        let segment: [UInt8] = [0xFF, 0xE2, UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
        let file = Array(base.prefix(2)) + segment + Array(base.dropFirst(2))
        let inventory = try MetadataInspector.inspect(file)
        #expect(inventory.findings.contains { $0.kind == .extraImages && $0.tags == ["MPImage2"] })
    }

    @Test("PNG tEXt comment and author, iTXt XMP and eXIf are each reported")
    func plantedPNG() throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try Planted.encoded(.png, in: folder)
        try Planted.exiftool(["-PNG:Comment=\(Planted.comment)", "-PNG:Author=\(Planted.artist)", "-PNG:Title=Planted title",
                              "-XMP-dc:Creator=\(Planted.xmpCreator)", "-EXIF:Make=Planted", "-EXIF:SerialNumber=\(Planted.serial)",
                              url.path])
        let inventory = try MetadataInspector.inspect([UInt8](try Data(contentsOf: url)))
        let expected: Set<MetadataKind> = [.comment, .authorship, .text, .xmp, .exif, .serialNumbers]
        #expect(expected.isSubset(of: inventory.kinds), "missing \(expected.subtracting(inventory.kinds))")
        #expect(inventory.findings.contains { $0.location.hasPrefix("PNG iTXt") && $0.kind == .xmp })
        #expect(inventory.findings.contains { $0.location.hasPrefix("PNG eXIf") })
        #expect(inventory.findings.contains { $0.location == "PNG image data" && $0.isIntrinsic })
    }

    @Test("WebP EXIF and XMP chunks are each reported")
    func plantedWebP() throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try Planted.encoded(.webp, in: folder)
        try Planted.exiftool(["-EXIF:Artist=\(Planted.artist)", "-EXIF:Make=Planted", "-GPSLatitude=1.5", "-GPSLatitudeRef=S",
                              "-XMP-dc:Creator=\(Planted.xmpCreator)", url.path])
        let inventory = try MetadataInspector.inspect([UInt8](try Data(contentsOf: url)), includeValues: true)
        let expected: Set<MetadataKind> = [.exif, .authorship, .gps, .xmp]
        #expect(expected.isSubset(of: inventory.kinds), "missing \(expected.subtracting(inventory.kinds))")
        #expect(inventory.findings.contains { $0.location.hasPrefix("WebP EXIF") })
        #expect(inventory.findings.contains { $0.location.hasPrefix("WebP XMP") })
        #expect(inventory.findings.first { $0.kind == .gps }?.values?["GPSLatitude"] == "-1.500000")
    }

    @Test("GIF comments and extra frames are reported", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/convert")))
    func plantedGIF() throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("planted.gif")
        let made = try TestSupport.run(URL(fileURLWithPath: "/usr/bin/convert"),
                                       ["-comment", Planted.comment, "-size", "8x8", "xc:red", "xc:blue", url.path])
        try #require(made.status == 0, "\(made.standardError)")
        let inventory = try MetadataInspector.inspect([UInt8](try Data(contentsOf: url)))
        #expect(inventory.kinds.isSuperset(of: [.comment, .extraImages]))
    }
}

// MARK: - Chunks and segments built by hand

struct InspectContainerTests {
    /// A PNG chunk (the CRC is not checked by the inspector and left zero).
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        withUnsafeBytes(of: UInt32(data.count).bigEndian, Array.init) + Array(type.utf8) + data + [0, 0, 0, 0]
    }

    static func png(inserting chunks: [[UInt8]], trailer: [UInt8] = []) throws -> [UInt8] {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var png = [UInt8](try Data(contentsOf: try Planted.encoded(.png, in: folder)))
        png.insert(contentsOf: chunks.flatMap { $0 }, at: 33)  // right after IHDR
        return png + trailer
    }

    @Test("PNG tIME, caBX, APNG animation chunks, zTXt by keyword and bytes after IEND")
    func pngChunks() throws {
        let inventory = try MetadataInspector.inspect(try Self.png(inserting: [
            Self.chunk("tIME", [0x07, 0xE5, 5, 4, 10, 11, 12]),
            Self.chunk("caBX", Array("jumb".utf8)),
            Self.chunk("acTL", [0, 0, 0, 2, 0, 0, 0, 0]),
            Self.chunk("zTXt", Array("Copyright\0\0".utf8) + [0x78, 0x9C, 0x03, 0x00]),
        ], trailer: Array("after the end".utf8)), includeValues: true)
        #expect(inventory.kinds.isSuperset(of: [.timestamps, .c2pa, .extraImages, .authorship, .trailingData]), "\(inventory.kinds)")
        #expect(inventory.findings.first { $0.kind == .timestamps }?.values?["ModifyDate"] == "2021-05-04 10:11:12")
    }

    @Test("JPEG APP11 JUMBF is c2pa; APP12 Ducky comment and copyright; unknown APPn is a container chunk")
    func jpegSegments() throws {
        let base = try TestSupport.fixture("astronaut.jpg")
        func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] {
            [0xFF, marker, UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
        }
        func utf16(_ text: String) -> [UInt8] {
            [0, 0, 0, UInt8(text.utf16.count)] + text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        }
        let comment = utf16("hello"), copyright = utf16("Ada")
        let ducky = Array("Ducky".utf8) + [0, 2, 0, UInt8(comment.count)] + comment + [0, 3, 0, UInt8(copyright.count)] + copyright + [0, 0]
        let file = Array(base.prefix(2)) + segment(0xEB, Array("JP".utf8) + [0, 0, 0, 0, 0, 1] + Array("jumbc2pa".utf8))
            + segment(0xEC, ducky) + segment(0xE7, Array("Vendor\0private".utf8)) + Array(base.dropFirst(2))
        let inventory = try MetadataInspector.inspect(file, includeValues: true)
        #expect(inventory.kinds.isSuperset(of: [.c2pa, .comment, .authorship, .containerChunk]), "\(inventory.kinds)")
        #expect(inventory.findings.first { $0.kind == .comment }?.values?["Comment"] == "hello")
        #expect(inventory.findings.contains { $0.location == "JPEG APP7" && $0.tags == ["Vendor"] })
        #expect(inventory.problems.isEmpty, "\(inventory.problems)")
    }
}

// MARK: - Compressed PNG text and profiles

struct InspectCompressedTests {
    /// `data` as a zlib stream of one stored (uncompressed) block.
    static func storedZlib(_ data: [UInt8]) -> [UInt8] {
        let length = UInt16(data.count)
        return [0x78, 0x01, 0x01, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)] + data + [0, 0, 0, 0]
    }

    @Test("inflate decodes stored and fixed-Huffman streams and reports damaged or oversized ones")
    func inflate() {
        let hello: [UInt8] = [0x78, 0xDA, 0xCB, 0x48, 0xCD, 0xC9, 0xC9, 0x57, 0xC8, 0x40, 0x27, 0x01, 0x68, 0x03, 0x08, 0xB1]
        let decoded = Inflate.zlib(hello[...], limit: 1000)
        #expect(decoded?.bytes == Array("hello hello hello hello".utf8))
        #expect(decoded?.complete == true)
        #expect(Inflate.zlib(Self.storedZlib(Array("plain".utf8))[...], limit: 100)?.bytes == Array("plain".utf8))
        #expect(Inflate.zlib(hello.prefix(9), limit: 1000)?.complete == false)       // cut short
        #expect(Inflate.zlib(hello[...], limit: 10)?.complete == false)              // longer than the limit
        #expect(Inflate.zlib([0x12, 0x34, 0x56][...], limit: 10) == nil)             // not zlib
    }

    @Test("a PNG iCCP profile is decompressed and judged like any other profile")
    func iccpChunk() throws {
        let srgb = InspectColourProfileTests.profile("sRGB IEC61966-2.1")
        let device = InspectColourProfileTests.profile("Jane's calibrated monitor")
        for (profile, intrinsic) in [(srgb, true), (device, false)] {
            let png = try InspectContainerTests.png(inserting: [InspectContainerTests.chunk("iCCP", Array("icc\0\0".utf8) + Self.storedZlib(profile))])
            let icc = try #require(try MetadataInspector.inspect(png).findings.first { $0.kind == .iccProfile })
            #expect(icc.isIntrinsic == intrinsic)
        }
    }

    @Test("ImageMagick's PNG text (exif:* chunks, zTXt raw XMP profile) is sorted by what it holds",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/convert") && TestSupport.exiftoolPath != nil))
    func imageMagickText() throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let jpeg = try Planted.jpeg(in: folder)
        let png = folder.appendingPathComponent("magick.png")
        let made = try TestSupport.run(URL(fileURLWithPath: "/usr/bin/convert"), [jpeg.path, "-resize", "32x32", png.path])
        try #require(made.status == 0, "\(made.standardError)")
        let inventory = try MetadataInspector.inspect([UInt8](try Data(contentsOf: png)), includeValues: true)
        #expect(inventory.kinds.isSuperset(of: [.gps, .serialNumbers, .authorship, .xmp, .timestamps]), "\(inventory.kinds)")
        // The XMP inside the compressed zTXt chunk was read: its creator is there, by name and value.
        let creator = inventory.findings.first { $0.kind == .authorship && $0.tags.contains("dc:creator") }
        #expect(creator?.values?["dc:creator"] == Planted.xmpCreator)
        #expect(!inventory.problems.contains { $0.contains("compressed") }, "\(inventory.problems)")
    }
}

// MARK: - Colour profiles

struct InspectColourProfileTests {
    /// A minimal ICC profile of `deviceClass` whose only tag is a `desc` holding `description`.
    static func profile(_ description: String, deviceClass: String = "mntr") -> [UInt8] {
        var tag = Array("desc".utf8) + [0, 0, 0, 0] + withUnsafeBytes(of: UInt32(description.utf8.count + 1).bigEndian, Array.init)
        tag += Array(description.utf8) + [0]
        var header = [UInt8](repeating: 0, count: 128)
        header.replaceSubrange(12..<16, with: Array(deviceClass.utf8))
        header.replaceSubrange(36..<40, with: Array("acsp".utf8))
        let table: [UInt8] = [0, 0, 0, 1] + Array("desc".utf8) + withUnsafeBytes(of: UInt32(144).bigEndian, Array.init)
            + withUnsafeBytes(of: UInt32(tag.count).bigEndian, Array.init)
        return header + table + tag
    }

    /// The astronaut JPEG with `profile` in an APP2 ICC_PROFILE segment.
    static func jpeg(with profile: [UInt8]) throws -> [UInt8] {
        let base = try TestSupport.fixture("astronaut.jpg")
        let payload = Array("ICC_PROFILE\0".utf8) + [1, 1] + profile
        let length = payload.count + 2
        return Array(base.prefix(2)) + [0xFF, 0xE2, UInt8(length >> 8), UInt8(length & 0xFF)] + payload + Array(base.dropFirst(2))
    }

    @Test("standard colour spaces are intrinsic; device profiles and input-device classes are not", arguments: [
        ("sRGB IEC61966-2.1", "mntr", true), ("Display P3", "mntr", true), ("Adobe RGB (1998)", "mntr", true),
        ("Color LCD", "mntr", false), ("Nikon Adobe RGB 4.0.0.3000", "mntr", false), ("sRGB IEC61966-2.1", "scnr", false),
        ("Jane's calibrated monitor", "mntr", false),
    ])
    func classification(description: String, deviceClass: String, intrinsic: Bool) throws {
        let inventory = try MetadataInspector.inspect(try Self.jpeg(with: Self.profile(description, deviceClass: deviceClass)))
        let icc = try #require(inventory.findings.first { $0.kind == .iccProfile })
        #expect(icc.isIntrinsic == intrinsic)
        #expect(icc.tags == ["desc"])
        #expect(inventory.leaks.isEmpty == intrinsic)
    }
}

// MARK: - Malformed metadata

struct InspectMalformedTests {
    /// A JPEG holding `tiff` as its EXIF block.
    static func jpeg(exif tiff: [UInt8]) throws -> [UInt8] {
        let base = try TestSupport.fixture("astronaut.jpg")
        let payload = Array("Exif\0\0".utf8) + tiff
        let length = payload.count + 2
        return Array(base.prefix(2)) + [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload + Array(base.dropFirst(2))
    }

    /// Little-endian TIFF: header, then one IFD at 8 with the given 12-byte entries and `next`.
    static func tiff(entries: [[UInt8]], next: UInt32 = 0, tail: [UInt8] = []) -> [UInt8] {
        var bytes: [UInt8] = [0x49, 0x49, 0x2A, 0, 8, 0, 0, 0, UInt8(entries.count), 0]
        for entry in entries { bytes += entry }
        bytes += withUnsafeBytes(of: next.littleEndian, Array.init)
        return bytes + tail
    }

    static func entry(_ tag: UInt16, type: UInt16, count: UInt32, value: UInt32) -> [UInt8] {
        withUnsafeBytes(of: tag.littleEndian, Array.init) + withUnsafeBytes(of: type.littleEndian, Array.init)
            + withUnsafeBytes(of: count.littleEndian, Array.init) + withUnsafeBytes(of: value.littleEndian, Array.init)
    }

    @Test("an IFD chain that loops back is followed once and named as a problem", .timeLimit(.minutes(1)))
    func ifdLoop() throws {
        let loop = Self.tiff(entries: [Self.entry(0x010F, type: 2, count: 4, value: 0x0041_4141)], next: 8)
        let inventory = try MetadataInspector.inspect(try Self.jpeg(exif: loop))
        #expect(inventory.problems.contains { $0.contains("IFD loop at offset 8") }, "\(inventory.problems)")
        #expect(inventory.kinds.contains(.exif))
        // A sub-IFD pointing at its parent.
        let selfPointer = Self.tiff(entries: [Self.entry(0x8769, type: 4, count: 1, value: 8)])
        let second = try MetadataInspector.inspect(try Self.jpeg(exif: selfPointer))
        #expect(second.problems.contains { $0.contains("IFD loop") }, "\(second.problems)")
    }

    @Test("offsets past the end, huge counts and overflowing sizes are refused as problems", .timeLimit(.minutes(1)))
    func badOffsetsAndCounts() throws {
        let bad = Self.tiff(entries: [
            Self.entry(0x010F, type: 2, count: 100, value: 0xFFFF_FF00),        // past the end
            Self.entry(0x0110, type: 12, count: 0xFFFF_FFFF, value: 16),        // count × 8 overflows 32 bits
            Self.entry(0x8825, type: 4, count: 1, value: 0x7FFF_FFF0),          // GPS IFD past the end
            Self.entry(0x014A, type: 4, count: 0x4000_0000, value: 0x10),       // absurd SubIFD list
            Self.entry(0x927C, type: 7, count: 0x7FFF_FFFF, value: 0),          // giant maker note
        ])
        let inventory = try MetadataInspector.inspect(try Self.jpeg(exif: bad))
        #expect(inventory.problems.count >= 3, "\(inventory.problems)")
        // An IFD claiming 65535 entries in a few bytes.
        var huge: [UInt8] = [0x4D, 0x4D, 0, 0x2A, 0, 0, 0, 8, 0xFF, 0xFF]
        huge += [UInt8](repeating: 0x41, count: 64)
        let second = try MetadataInspector.inspect(try Self.jpeg(exif: huge))
        #expect(!second.problems.isEmpty)
    }

    @Test("truncated segments and chunks end with problems, never a trap", .timeLimit(.minutes(1)))
    func truncated() throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var originals = [try TestSupport.fixture("astronaut.jpg")]
        if TestSupport.exiftoolPath != nil { originals.append([UInt8](try Data(contentsOf: try Planted.jpeg(in: folder)))) }
        originals.append([UInt8](try Data(contentsOf: try Planted.encoded(.png, in: folder))))
        originals.append([UInt8](try Data(contentsOf: try Planted.encoded(.webp, in: folder))))
        for original in originals {
            for length in stride(from: 16, to: original.count, by: max(1, original.count / 97)) {
                let inventory = try MetadataInspector.inspect(Array(original.prefix(length)))
                #expect(!inventory.problems.isEmpty, "cut at \(length) of \(original.count): no problem noticed")
            }
        }
        // A JPEG segment whose length runs past the end of the file.
        let cut: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xF0] + Array("Exif\0\0".utf8) + [0x49, 0x49]
        #expect(try MetadataInspector.inspect(cut).problems.contains { $0.contains("runs past the end") })
    }

    @Test("deeply nested boxes and embedded blocks stop at a depth limit", .timeLimit(.minutes(1)))
    func deepNesting() throws {
        // 5,000 nested `moov` boxes inside a HEIF file.
        let depth = 5000
        var nested: [UInt8] = []
        for level in 0..<depth {
            let size = UInt32(8 * (depth - level))
            nested += withUnsafeBytes(of: size.bigEndian, Array.init) + Array("moov".utf8)
        }
        let ftyp: [UInt8] = [0, 0, 0, 16] + Array("ftypheic".utf8) + [0, 0, 0, 0]
        let boxes = try MetadataInspector.inspect(ftyp + nested)
        #expect(boxes.format == "HEIF")
        #expect(boxes.problems.contains { $0.contains("nested") }, "\(boxes.problems)")

        // EXIF holding Photoshop resources holding EXIF holding …, 200 levels deep.
        var block = Self.tiff(entries: [Self.entry(0x010F, type: 2, count: 4, value: 0x0041_4141)])
        for _ in 0..<200 {
            var resource = Array("8BIM".utf8) + [0x04, 0x22, 0, 0]
            resource += withUnsafeBytes(of: UInt32(block.count).bigEndian, Array.init) + block
            if block.count % 2 == 1 { resource.append(0) }
            block = Self.tiff(entries: [Self.entry(0x8649, type: 7, count: UInt32(resource.count), value: 26)], tail: resource)
        }
        let embedded = try MetadataInspector.inspect(try Self.jpeg(exif: block))
        #expect(embedded.problems.contains { $0.contains("nested more than") }, "\(embedded.problems)")
    }

    @Test("seeded random damage to real files never traps or hangs", .timeLimit(.minutes(10)))
    func randomDamage() throws {
        var originals = [try TestSupport.fixture("astronaut.jpg")]
        if TestSupport.hasMetadataCorpus {
            for name in ["exiftool/t/images/Nikon.nef", "drewnoakes/heic/IMG_1034.heic", "drewnoakes/jpg/Canon EOS 7D.jpg",
                         "exiftool/t/images/PNG.png", "drewnoakes/webp/Nikon Coolpix P7000.webp", "exiftool/t/images/GIF.gif",
                         "exiftool/t/images/Photoshop.psd", "mat2/tests/data/dirty.jxl"] {
                let url = TestSupport.metadataCorpus.appendingPathComponent("files/\(name)")
                if let data = FileManager.default.contents(atPath: url.path) { originals.append([UInt8](data)) }
            }
        }
        // OBSCURA_INSPECT_DAMAGE=N runs N damaged copies per file instead of 60 (for longer runs by hand).
        let rounds = ProcessInfo.processInfo.environment["OBSCURA_INSPECT_DAMAGE"].flatMap(Int.init) ?? 60
        var generator = SplitMix64(seed: 3)
        var inspected = 0
        let start = ContinuousClock.now
        for original in originals {
            for attempt in 0..<rounds {
                var bytes = original
                switch attempt % 3 {
                case 0:  // headers and metadata near the start
                    for _ in 0..<(1 + Int(generator.next() % 8)) {
                        bytes[Int(generator.next() % UInt64(min(4096, bytes.count)))] = UInt8(truncatingIfNeeded: generator.next())
                    }
                case 1:  // cut short and damaged
                    bytes = Array(bytes.prefix(16 + Int(generator.next() % UInt64(bytes.count - 16))))
                    bytes[Int(generator.next() % UInt64(bytes.count))] = 0xFF
                default:  // anywhere
                    for _ in 0..<(1 + Int(generator.next() % 40)) {
                        bytes[Int(generator.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: generator.next())
                    }
                }
                do {
                    _ = try MetadataInspector.inspect(bytes, includeValues: attempt % 2 == 0)
                    inspected += 1
                } catch {
                    #expect(error.code == .notAnImage)
                }
            }
        }
        #expect(inspected > originals.count * rounds * 5 / 6)
        #expect(ContinuousClock.now - start < .seconds(60) * max(1, rounds / 60))
    }

    @Test("bytes that are no image are refused with input.not-image; an unknown chunk is still listed")
    func notAnImage() throws {
        #expect(throws: ObscuraError.self) { try MetadataInspector.inspect(Array("hello, world".utf8)) }
        do {
            _ = try MetadataInspector.inspect([])
        } catch {
            #expect(error.code == .notAnImage)
        }
        // A PNG with a private chunk: listed as a container chunk.
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var png = [UInt8](try Data(contentsOf: try Planted.encoded(.png, in: folder)))
        let chunk: [UInt8] = [0, 0, 0, 4] + Array("prIv".utf8) + [1, 2, 3, 4] + [0, 0, 0, 0]
        png.insert(contentsOf: chunk, at: 33)
        let inventory = try MetadataInspector.inspect(png)
        #expect(inventory.findings.contains { $0.kind == .containerChunk && $0.tags == ["prIv"] })
    }
}

// MARK: - The command line

@Suite(.enabled(if: TestSupport.exiftoolPath != nil, "exiftool not installed (skipped)"))
struct InspectCommandTests {
    @Test("without --values no planted value appears in the table, the JSON or stderr; with --values they do")
    func privacy() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = try Planted.jpeg(in: folder)
        for arguments in [["inspect", url.path], ["inspect", "--json", url.path]] {
            let result = try await TestSupport.obscura(arguments)
            #expect(result.status == 0)
            let everything = String(decoding: result.standardOutput, as: UTF8.self) + result.standardError
            #expect(everything.contains("serial-numbers"))
            for secret in Planted.secrets {
                #expect(!everything.contains(secret), "\(arguments): '\(secret)' leaked")
            }
        }
        for arguments in [["inspect", "--values", url.path], ["inspect", "--json", "--values", url.path]] {
            let result = try await TestSupport.obscura(arguments)
            let output = String(decoding: result.standardOutput, as: UTF8.self)
            for secret in [Planted.serial, Planted.artist, Planted.comment, Planted.latitude, Planted.iptcByline, Planted.xmpCreator] {
                #expect(output.contains(secret), "\(arguments): '\(secret)' missing")
            }
        }
    }

    @Test("--json prints one object per file with path, format, findings and problems")
    func json() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let planted = try Planted.jpeg(in: folder)
        let clean = TestSupport.fixtures.appendingPathComponent("astronaut.jpg")
        let result = try await TestSupport.obscura(["inspect", "--json", planted.path, clean.path])
        #expect(result.status == 0)
        let lines = String(decoding: result.standardOutput, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2)
        let objects = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(objects[0]["path"] as? String == planted.path)
        #expect(objects[0]["format"] as? String == "JPEG")
        #expect((objects[0]["kinds"] as? [String])?.contains("gps") == true)
        #expect((objects[0]["findings"] as? [[String: Any]])?.isEmpty == false)
        #expect(objects[0]["problems"] is [Any])
        #expect(objects[1]["leaks"] as? Int == 0)
        // The findings decode back into the library's types.
        struct Record: Decodable { var findings: [MetadataFinding] }
        let record = try JSONDecoder().decode(Record.self, from: Data(lines[0].utf8))
        #expect(record.findings.contains { $0.kind == .thumbnail })
    }

    @Test("the table groups findings by kind; intrinsic ones are counted, and marked with --all")
    func table() async throws {
        let path = TestSupport.fixtures.appendingPathComponent("astronaut.jpg").path
        let result = try await TestSupport.obscura(["inspect", path])
        #expect(result.status == 0)
        let text = String(decoding: result.standardOutput, as: UTF8.self)
        #expect(text.contains("JPEG, 2 findings, 0 not intrinsic"))
        #expect(text.contains("nothing but the image itself (2 intrinsic items; --all lists them)"))
        let all = String(decoding: try await TestSupport.obscura(["inspect", "--all", path]).standardOutput, as: UTF8.self)
        #expect(all.contains("(intrinsic)"))
        #expect(all.contains("KIND"))
    }

    @Test("unreadable files exit with 1 and are named with their code; usage errors exit with 2")
    func exitCodes() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = folder.appendingPathComponent("notes.txt")
        try Data("not an image".utf8).write(to: text)
        let clean = TestSupport.fixtures.appendingPathComponent("astronaut.jpg").path
        let mixed = try await TestSupport.obscura(["inspect", clean, text.path, folder.appendingPathComponent("missing.jpg").path])
        #expect(mixed.status == 1)
        #expect(mixed.standardError.contains("notes.txt") && mixed.standardError.contains("[input.not-image]"), "\(mixed.standardError)")
        #expect(mixed.standardError.contains("missing.jpg") && mixed.standardError.contains("[io.failed]"), "\(mixed.standardError)")
        #expect(String(decoding: mixed.standardOutput, as: UTF8.self).contains("astronaut.jpg: JPEG"))
        #expect(try await TestSupport.obscura(["inspect"]).status == 2)
        #expect(try await TestSupport.obscura(["inspect", "--no-such-flag", clean]).status == 2)
        let help = try await TestSupport.obscura(["inspect", "--help"])
        #expect(help.status == 0)
        #expect(String(decoding: help.standardOutput, as: UTF8.self).contains("--values"))
    }
}
