/// What kind of information a piece of metadata carries. The inspector sorts every segment,
/// chunk, box and tag it finds into one of these.
public enum MetadataKind: String, Codable, Sendable, CaseIterable, Comparable {
    /// EXIF/TIFF camera and device tags (Make, Model, Software, lens, exposure…), not GPS or time.
    case exif = "exif"
    case gps = "gps"
    /// DateTimeOriginal/CreateDate/ModifyDate, PNG tIME, XMP and IPTC dates.
    case timestamps = "timestamps"
    case makerNotes = "maker-notes"
    /// Body, lens and camera serial numbers anywhere (EXIF, maker notes, XMP).
    case serialNumbers = "serial-numbers"
    /// Artist, Copyright, Creator, OwnerName, By-line…
    case authorship = "authorship"
    case xmp = "xmp"
    case iptc = "iptc"
    /// APP13 Photoshop image resources (other than IPTC), PSD resources.
    case photoshop = "photoshop"
    case iccProfile = "icc-profile"
    /// EXIF IFD1 thumbnails, Photoshop thumbnails, HEIF `thmb` items.
    case thumbnail = "thumbnail"
    /// MPF second images, previews, appended JPEGs, HEIF auxiliary images, extra TIFF pages, more
    /// GIF or APNG frames.
    case extraImages = "extra-images"
    /// JPEG COM, GIF comment extension, PNG `Comment` text.
    case comment = "comment"
    /// Other free text: PNG tEXt/zTXt/iTXt and the like.
    case text = "text"
    /// Bytes after the image's end (vendor trailers, junk).
    case trailingData = "trailing-data"
    /// JUMBF / C2PA manifests.
    case c2pa = "c2pa"
    /// Any other non-pixel segment, chunk or box.
    case containerChunk = "container-chunk"
    /// Intrinsic: dimensions, bit depth, colour type, density, pixel chunks.
    case imageStructure = "image-structure"

    public static func < (lhs: MetadataKind, rhs: MetadataKind) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }
}

/// One place in a file that holds information of one kind.
public struct MetadataFinding: Codable, Sendable, Equatable {
    public var kind: MetadataKind
    /// Where it is, for example "JPEG APP1 Exif IFD0", "PNG tEXt", "HEIF item Exif".
    public var location: String
    /// Tag or field names found there; never values.
    public var tags: [String]
    /// Bytes the structure occupies in the file (for tags: their value bytes).
    public var byteCount: Int
    /// Tag → printable value, only when the inspection was asked for values.
    public var values: [String: String]?
    /// True only for what an image needs: pixel and container structure and a standard colour
    /// profile (sRGB, Display P3, Adobe RGB…) that names no device or person.
    public var isIntrinsic: Bool

    public init(kind: MetadataKind, location: String, tags: [String] = [], byteCount: Int,
                values: [String: String]? = nil, isIntrinsic: Bool = false) {
        self.kind = kind
        self.location = location
        self.tags = tags
        self.byteCount = byteCount
        self.values = values
        self.isIntrinsic = isIntrinsic
    }
}

/// Everything the inspector found in one file.
public struct MetadataInventory: Codable, Sendable {
    /// The container, e.g. "JPEG", "PNG", "WebP", "HEIF", "AVIF", "TIFF", "GIF".
    public var format: String
    public var findings: [MetadataFinding]
    /// Malformed structures noticed on the way (e.g. "IFD loop at offset 8"); never values.
    public var problems: [String]

    public init(format: String, findings: [MetadataFinding] = [], problems: [String] = []) {
        self.format = format
        self.findings = findings
        self.problems = problems
    }

    /// Every kind present.
    public var kinds: Set<MetadataKind> { Set(findings.map(\.kind)) }

    /// The findings an anonymized copy must not carry.
    public var leaks: [MetadataFinding] { findings.filter { !$0.isIntrinsic } }
}
