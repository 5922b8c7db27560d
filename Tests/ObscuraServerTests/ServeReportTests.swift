import Foundation
import Hummingbird
import HummingbirdTesting
import Obscura
import Testing
@testable import ObscuraServer

/// The audit records and messages of reviewed jobs, and what the README promises about the API.
@Suite struct ServeReportTests {
    /// The astronaut with an EXIF block holding a camera make, a GPS IFD and an IFD1 thumbnail,
    /// built here byte by byte (little-endian TIFF inside APP1).
    static func photoWithMetadata() throws -> [UInt8] {
        let thumbnail = try ImageEncoder.encode(PixelBuffer(width: 16, height: 16, channels: 3, filledWith: 90), as: .jpeg, quality: 80)
        func u16(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF)] }
        func u32(_ value: Int) -> [UInt8] { u16(value & 0xFFFF) + u16(value >> 16) }
        func entry(_ tag: Int, _ type: Int, _ count: Int, _ value: [UInt8]) -> [UInt8] {
            u16(tag) + u16(type) + u32(count) + value + [UInt8](repeating: 0, count: 4 - value.count)
        }
        // IFD0 at 8 (2 entries, 30 bytes), the make's text at 38, the GPS IFD at 44 (1 entry,
        // 18 bytes), IFD1 at 62 (2 entries, 30 bytes), the thumbnail at 92.
        var tiff: [UInt8] = [0x49, 0x49, 0x2A, 0] + u32(8)
        tiff += u16(2) + entry(0x010F, 2, 6, u32(38)) + entry(0x8825, 4, 1, u32(44)) + u32(62)
        tiff += Array("Phone\0".utf8)
        tiff += u16(1) + entry(0x0001, 2, 2, Array("N\0".utf8)) + u32(0)
        tiff += u16(2) + entry(0x0201, 4, 1, u32(92)) + entry(0x0202, 4, 1, u32(thumbnail.count)) + u32(0)
        tiff += thumbnail
        let payload = Array("Exif\0\0".utf8) + tiff
        let base = try Serve.astronaut(), length = payload.count + 2
        return Array(base.prefix(2)) + [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload + Array(base.dropFirst(2))
    }

    @Test(.enabled(if: Serve.modelInstalled, "CenterFace model not installed: run scripts/setup.sh (skipped)"))
    func aReviewedImageGetsTheSameReportAsADirectOneAndTheRight409() async throws {
        let photo = try Self.photoWithMetadata()
        let planted = try MetadataInspector.inspect(photo).kinds
        try #require(planted.isSuperset(of: [.exif, .gps, .thumbnail]), "the test photo carries \(planted)")
        try await Serve.app(Serve.configuration()).test(.router) { client in
            let direct = try await Serve.createJob(client, [Serve.file("photo.jpg", photo)])
            let reviewed = try await Serve.createJob(client, [Serve.file("photo.jpg", photo), Serve.field("review", "true")])
            _ = try await Serve.waitForJob(client, reviewed, until: ["review"])
            #expect(try await client.execute(uri: "/v1/jobs/\(reviewed)/render", method: .post).status == .accepted)
            for id in [direct, reviewed] { _ = try await Serve.waitForJob(client, id) }

            var reports: [[String: Any]] = []
            for id in [direct, reviewed] {
                let response = try await client.execute(uri: "/v1/jobs/\(id)/images/0/report", method: .get)
                #expect(response.status == .ok)
                reports.append(try Serve.json(response))
            }
            for report in reports {
                #expect(Set(report["metadataRemoved"] as? [String] ?? []).isSuperset(of: ["exif", "gps", "thumbnail"]), "\(report)")
                let timings = try #require(report["timingsMs"] as? [String: Double])
                #expect((timings["decode"] ?? 0) > 0 && (timings["detect"] ?? 0) > 0, "\(timings)")
            }
            // Everything but the times is the same: regions, hashes, settings, metadata removed.
            func withoutTimes(_ report: [String: Any]) throws -> Data {
                var report = report
                report["timingsMs"] = nil
                return try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
            }
            #expect(try withoutTimes(reports[0]) == withoutTimes(reports[1]))

            // Editing after rendering (the review job once finished: until then its original is
            // kept and edits are taken): only the job made without review is told to use review=true.
            #expect(try await client.execute(uri: "/v1/jobs/\(reviewed)/finish", method: .post).status == .ok)
            let regions = ByteBuffer(string: #"{"regions": [{"kind": "manual", "box": [1, 2, 3, 4]}]}"#)
            var messages: [String] = []
            for id in [direct, reviewed] {
                let put = try await client.execute(uri: "/v1/jobs/\(id)/images/0/regions", method: .put,
                                                   headers: [.contentType: "application/json"], body: regions)
                #expect(put.status == .conflict)
                #expect(try Serve.errorCode(put) == "image.not-in-review")
                messages.append(((try Serve.json(put)["error"] as? [String: Any])?["message"] as? String) ?? "")
            }
            #expect(messages[0].contains("review=true"), "\(messages[0])")
            #expect(!messages[1].contains("review=true"), "\(messages[1])")
            #expect(messages[1].contains("finished"), "\(messages[1])")
        }
    }

    @Test func theReadmeListsEveryOptionKeyTheAPITakesAndNumbersImagesFromZero() throws {
        let readme = try String(contentsOf: Serve.repositoryRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let server = try #require(readme.components(separatedBy: "## Server and API").dropFirst().first?
            .components(separatedBy: "\n## ").first)
        let encoded = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(AnonymizeOptions())) as? [String: Any]
        // quality has no default, so it is not encoded; piiWordsFile is refused by the API.
        let keys = Set((encoded ?? [:]).keys).union(["quality"])
        #expect(keys.count >= 14)
        for key in keys.sorted() {
            #expect(server.contains("`\(key)`"), "the README's server section does not name the option key `\(key)`")
        }
        #expect(server.contains("from 0"))
    }
}
