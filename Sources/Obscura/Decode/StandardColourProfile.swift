/// Colour profiles a JPEG may keep as they are on the coefficient path, recognised by the hash
/// of their bytes rather than by the text they carry: a profile's description and copyright are
/// free text, so only a profile whose bytes are known to be the published one is copied.
enum StandardColourProfile {
    /// ICC v4 Profile IDs (the MD5 of the profile with its flags, rendering intent and ID
    /// zeroed) of published profiles. Apple's Display P3 (548 bytes, "Copyright Apple Inc.,
    /// 2017") is the one iPhones and Macs embed. sRGB profiles never need keeping: untagged
    /// output is read as sRGB.
    static let known: [String: String] = [
        "ca1a9582257f104d389913d5d1ea1582": "Display P3",
    ]

    /// The name of a known standard profile, or nil. The ID in the header must be on the list
    /// and must be the MD5 of the bytes.
    static func name(of profile: [UInt8], known: [String: String] = known) -> String? {
        guard profile.count >= 128, profile.count <= 1 << 16 else { return nil }
        let declared = Digest.hex(profile[84..<100])
        guard let name = known[declared] else { return nil }
        var zeroed = profile
        for index in Array(44..<48) + Array(64..<68) + Array(84..<100) { zeroed[index] = 0 }
        return Digest.md5(zeroed) == declared ? name : nil
    }

    /// The Profile ID a profile would have (for tests that build their own).
    static func profileID(of profile: [UInt8]) -> String {
        var zeroed = profile
        for index in Array(44..<48) + Array(64..<68) + Array(84..<100) { zeroed[index] = 0 }
        return Digest.md5(zeroed)
    }
}
