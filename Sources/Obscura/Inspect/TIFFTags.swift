/// Names and kinds of the TIFF/EXIF tags the inspector knows. Tags not listed are named
/// `Tag0xNNNN` and count as camera/device data (`exif`).
enum TIFFTags {
    /// Tags that describe how the pixels are stored. Inside a TIFF file they are intrinsic; in an
    /// EXIF block embedded elsewhere they are leftovers and count as `exif`.
    static let structure = MetadataTags.names16("tiff", kind: "structure")
    static let timestamps = MetadataTags.names16("tiff", kind: "timestamps")
    static let serialNumbers = MetadataTags.names16("tiff", kind: "serialNumbers")
    static let authorship = MetadataTags.names16("tiff", kind: "authorship")

    /// Common camera/device tags, for readable names.
    static let names = MetadataTags.names16("tiff", unclassifiedOnly: true)

    static let gpsNames = MetadataTags.names16("gps")

    static func name(_ tag: UInt16) -> String {
        structure[tag] ?? timestamps[tag] ?? serialNumbers[tag] ?? authorship[tag] ?? names[tag] ?? hex(tag)
    }

    static func hex(_ tag: UInt16) -> String {
        let digits = String(tag, radix: 16, uppercase: true)
        return "Tag0x" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// Bytes per value of each TIFF field type (BigTIFF types included).
    static func typeSize(_ type: UInt16) -> Int? {
        switch type {
        case 1, 2, 6, 7: 1
        case 3, 8: 2
        case 4, 9, 11, 13: 4
        case 5, 10, 12, 16, 17, 18: 8
        default: nil
        }
    }
}
