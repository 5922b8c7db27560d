import Foundation
import Testing
@testable import Obscura

/// The tag tables are data (`Sources/Obscura/Inspect/tags.tsv`), compiled into the binary:
/// every line must be read, once, with a kind the inspector knows.
struct MetadataTagsTests {
    @Test("every line of tags.tsv is read, no tag is listed twice in one table, and every kind is known")
    func everyLineRead() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/Obscura/Inspect/tags.tsv")
        let lines = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(MetadataTags.entries.count == lines.count)
        let keys = MetadataTags.entries.map { "\($0.table) \($0.tag)" }
        #expect(Set(keys).count == keys.count)
        #expect(Set(MetadataTags.entries.map(\.table)) == ["tiff", "gps", "iptc", "photoshop"])
        let kinds = Set(MetadataTags.entries.compactMap(\.kind))
        #expect(kinds.isSubset(of: ["structure", "timestamps", "serialNumbers", "authorship"]))
    }

    @Test("the tables the inspectors use name and classify tags as before")
    func tablesAsBefore() {
        #expect(TIFFTags.serialNumbers[0xA431] == "SerialNumber")
        #expect(TIFFTags.structure[0x0111] == "StripOffsets" && TIFFTags.names[0x0111] == nil)
        #expect(TIFFTags.name(0x8825) == "GPSInfo" && TIFFTags.name(0xBEEF) == "Tag0xBEEF")
        #expect(TIFFTags.gpsNames[0x0002] == "GPSLatitude")
        #expect(IPTCInspector.names[0x0250] == "By-line" && IPTCInspector.authorship.contains(0x0250))
        #expect(IPTCInspector.timestamps.contains(0x0237) && !IPTCInspector.authorship.contains(0x0237))
        #expect(PhotoshopResources.names[0x0409] == "PhotoshopThumbnail")
    }
}
