/// Colour profiles a JPEG may keep as they are on the coefficient path, recognised by the hash
/// of their bytes rather than by the text they carry: a profile's description and copyright are
/// free text, so only a profile whose bytes are known to be the published one is copied.
enum StandardColourProfile {
    /// Content hashes of published profiles: the MD5 of the profile with its flags, rendering
    /// intent and Profile ID zeroed, which is what an ICC v4 Profile ID holds. A v2 profile
    /// carries no ID (zeros), so its hash is computed the same way.
    /// - Apple's Display P3 (548 bytes, "Copyright Apple Inc., 2017"), the profile iPhones and
    ///   Macs embed; its ID says the same.
    /// - Adobe RGB (1998) (560 bytes, "Copyright 1999 Adobe Systems Incorporated", v2.1), the
    ///   profile Photoshop and cameras set to Adobe RGB embed. The same 560 bytes were found in
    ///   a Canon EOS 7D photo and in a photo of the plate set.
    /// sRGB profiles never need keeping: untagged output is read as sRGB.
    static let known: [String: String] = [
        "ca1a9582257f104d389913d5d1ea1582": "Display P3",
        "33bc7f1c156fa0d72f8f717ae5886bd4": "Adobe RGB (1998)",
    ]

    /// The name of a known standard profile, or nil. The hash of the bytes must be on the list,
    /// and a Profile ID in the header, when there is one, must be that hash.
    static func name(of profile: [UInt8], known: [String: String] = known) -> String? {
        guard profile.count >= 128, profile.count <= 1 << 16 else { return nil }
        let hash = profileID(of: profile)
        let declared = profile[84..<100]
        guard declared.allSatisfy({ $0 == 0 }) || Digest.hex(declared) == hash else { return nil }
        return known[hash]
    }

    /// The Profile ID of a profile: the MD5 of its bytes with the flags, rendering intent and
    /// ID fields zeroed.
    static func profileID(of profile: [UInt8]) -> String {
        var zeroed = profile
        for index in Array(44..<48) + Array(64..<68) + Array(84..<100) { zeroed[index] = 0 }
        return Digest.md5(zeroed)
    }
}
