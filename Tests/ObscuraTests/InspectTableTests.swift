import Foundation
import Testing
@testable import Obscura

/// `obscura inspect` on folders, and a table that leads with what matters.
@Suite(.enabled(if: TestSupport.exiftoolPath != nil, "exiftool not installed (skipped)"))
struct InspectTableTests {
    @Test("inspect walks folders: every image under them is listed, files that are not images are skipped and counted")
    func folders() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let planted = try Planted.jpeg(in: folder)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("thumb.jpg"))
        let nested = folder.appendingPathComponent("trip/day1")
        try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
        try Data(try TestSupport.fixture("astronaut.jpg")).write(to: nested.appendingPathComponent("portrait.jpg"))
        try Data("shopping list".utf8).write(to: nested.appendingPathComponent("notes.txt"))

        let table = try await TestSupport.obscura(["inspect", folder.path])
        #expect(table.status == 0, "\(table.standardError)")
        let text = String(decoding: table.standardOutput, as: UTF8.self)
        #expect(text.contains("\(planted.path): JPEG"), "\(text)")
        #expect(text.contains("\(folder.path)/trip/day1/portrait.jpg: JPEG"), "\(text)")
        #expect(!text.contains("notes.txt"))
        #expect(table.standardError.contains("1 file skipped (not images)"), "\(table.standardError)")

        let json = try await TestSupport.obscura(["inspect", "--json", folder.path])
        #expect(json.status == 0)
        let paths = try String(decoding: json.standardOutput, as: UTF8.self).split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])["path"] as? String
        }
        #expect(paths == [planted.path, "\(folder.path)/trip/day1/portrait.jpg"])
    }

    @Test("the table puts location and identity first and intrinsic items behind --all")
    func orderAndIntrinsic() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let planted = try Planted.jpeg(in: folder)

        let rows = try await Self.rows(["inspect", planted.path])
        let kinds = rows.map { $0.split(separator: " ").first.map(String.init) ?? "" }
        let gps = try #require(kinds.firstIndex(of: "gps")), exif = try #require(kinds.firstIndex(of: "exif"))
        let serial = try #require(kinds.firstIndex(of: "serial-numbers")), xmp = try #require(kinds.firstIndex(of: "xmp"))
        #expect(gps < serial && serial < exif && gps < xmp, "\(kinds)")
        #expect(!rows.contains { $0.contains("(intrinsic)") })
        #expect(rows.last?.hasPrefix("and 2 intrinsic items") == true, "\(rows)")

        let all = try await Self.rows(["inspect", "--all", planted.path])
        // Both intrinsic rows, after every other row.
        #expect(all.indices.filter { all[$0].contains("(intrinsic)") } == [all.count - 2, all.count - 1], "\(all)")
    }

    @Test("a HEIC's intrinsic boxes (ispe, hvcC) are listed only with --all",
          .enabled(if: FileManager.default.isExecutableFile(atPath: FormatTools.heifEncoder.path), "heif-enc not installed (skipped)"))
    func heicBoxes() async throws {
        let folder = try TestSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let heic = folder.appendingPathComponent("photo.heic")
        let made = try TestSupport.run(FormatTools.heifEncoder, ["-q", "80", TestSupport.fixtures.appendingPathComponent("astronaut.jpg").path, "-o", heic.path])
        try #require(made.status == 0, "heif-enc: \(made.standardError)")

        let plain = try await Self.rows(["inspect", heic.path])
        #expect(!plain.contains { $0.contains("ispe") || $0.contains("hvcC") }, "\(plain)")
        #expect(plain.last?.contains("intrinsic items") == true && plain.last?.contains("--all") == true, "\(plain)")
        let all = try await Self.rows(["inspect", "--all", heic.path])
        #expect(all.contains { $0.contains("HEIF ispe (intrinsic)") }, "\(all)")
        #expect(all.contains { $0.contains("HEIF hvcC (intrinsic)") }, "\(all)")
    }

    /// The table's rows for one file, indentation removed, without the title and the header row.
    static func rows(_ arguments: [String]) async throws -> [String] {
        let result = try await TestSupport.obscura(arguments)
        try #require(result.status == 0, "\(result.standardError)")
        return String(decoding: result.standardOutput, as: UTF8.self).split(separator: "\n").dropFirst()
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.hasPrefix("KIND ") }
    }
}
