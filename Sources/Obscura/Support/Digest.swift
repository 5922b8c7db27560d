import Crypto
import Foundation

/// Hex digests from swift-crypto: SHA-256 for report hashes and model checks, HMAC-SHA256 for
/// webhook signatures, and MD5 only to check the Profile ID that ICC v4 profiles carry.
package enum Digest {
    package static func sha256(_ bytes: some DataProtocol) -> String { hex(SHA256.hash(data: bytes)) }

    package static func hmacSHA256(_ message: some DataProtocol, key: some ContiguousBytes) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    static func md5(_ bytes: some DataProtocol) -> String { hex(Insecure.MD5.hash(data: bytes)) }

    package static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for byte in bytes { text += [digits[Int(byte >> 4)], digits[Int(byte & 15)]] }
        return String(decoding: text, as: UTF8.self)
    }
}
