import Foundation
import Testing
@testable import Obscura

@Suite struct SHA256Tests {
    @Test("published FIPS 180-4 vectors")
    func vectors() {
        #expect(SHA256.hex(of: Array("".utf8)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(of: Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test("incremental updates match one-shot hashing across block boundaries")
    func incremental() {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 31) }
        var hasher = SHA256()
        hasher.update(data[0..<63])
        hasher.update(data[63..<64])
        hasher.update(data[64..<700])
        hasher.update(data[700...])
        let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        #expect(digest == SHA256.hex(of: data))
    }

    @Test("agrees with sha256sum on the fixture photo")
    func agreesWithCoreutils() throws {
        let path = TestSupport.fixtures.appendingPathComponent("astronaut.jpg")
        let result = try TestSupport.run(URL(fileURLWithPath: "/usr/bin/sha256sum"), [path.path])
        let expected = String(decoding: result.standardOutput, as: UTF8.self).split(separator: " ").first.map(String.init)
        #expect(SHA256.hex(of: try TestSupport.fixture("astronaut.jpg")) == expected)
    }
}
