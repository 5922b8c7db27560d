import Foundation
import Testing
@testable import Obscura

/// The digests come from swift-crypto; these check how we call it (hex form, which bytes go in)
/// against independent witnesses: coreutils and published vectors.
@Suite struct DigestTests {
    @Test("SHA-256 of the fixture photo agrees with sha256sum")
    func sha256AgreesWithCoreutils() throws {
        let path = TestSupport.fixtures.appendingPathComponent("astronaut.jpg")
        let result = try TestSupport.run(URL(fileURLWithPath: "/usr/bin/sha256sum"), [path.path])
        let expected = String(decoding: result.standardOutput, as: UTF8.self).split(separator: " ").first.map(String.init)
        #expect(Digest.sha256(try TestSupport.fixture("astronaut.jpg")) == expected)
        #expect(Digest.sha256([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test("MD5 (ICC Profile IDs) matches RFC 1321's vectors")
    func md5MatchesPublishedVectors() {
        #expect(Digest.md5(Array("".utf8)) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(Digest.md5(Array("abc".utf8)) == "900150983cd24fb0d6963f7d28e17f72")
        #expect(Digest.md5(Array(String(repeating: "1234567890", count: 8).utf8)) == "57edf4a22be3c955ac49da2e2107b67a")
    }
}
