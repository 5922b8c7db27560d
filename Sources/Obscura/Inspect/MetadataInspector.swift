/// Lists every piece of metadata in an image file, sorted by kind, without decoding pixels.
///
/// Pure Swift and bounded: each parser checks every offset against the data, keeps a visited
/// set for linked structures, caps nesting depth and shares one work budget, so damaged or
/// hostile files end with `problems` listed rather than a crash or a hang.
///
/// ```swift
/// let inventory = try MetadataInspector.inspect(bytes)
/// if inventory.kinds.contains(.gps) { … }
/// ```
public enum MetadataInspector {
    /// Inspects one file. Values are read and returned only when `includeValues` is true;
    /// otherwise findings carry tag names and sizes only.
    /// - Throws: `ObscuraError` with code `input.not-image` when the bytes are no known image.
    public static func inspect(_ bytes: [UInt8], includeValues: Bool = false) throws(ObscuraError) -> MetadataInventory {
        let context = InspectionContext(includeValues: includeValues)
        let format: String
        if let sniffed = ImageFormat.sniff(bytes) {
            switch sniffed {
            case .jpeg, .png, .webp, .gif, .photoshop, .netpbm:
                let (name, inspect) = wholeFileInspector(sniffed)
                format = name
                inspect(bytes, context)
            case .tiff, .cameraRaw:
                format = tiffFlavour(bytes)
                TIFFInspector.inspect(bytes, prefix: format, isFile: true, context: context)
            case .heif, .avif:
                format = sniffed == .avif ? "AVIF" : "HEIF"
                var inspector = BMFFInspector(bytes: bytes, format: format, context: context)
                inspector.run()
            case .jpeg2000, .jpegXL:
                format = sniffed == .jpegXL ? "JPEG XL" : "JPEG 2000"
                if bytes.starts(with: [0xFF, 0x0A]) || bytes.starts(with: [0xFF, 0x4F]) {
                    context.add(.imageStructure, "\(format) codestream", tags: ["codestream"], bytes: bytes.count, intrinsic: true)
                } else {
                    var inspector = BMFFInspector(bytes: bytes, format: format, context: context)
                    inspector.run()
                }
            case .bmp:
                format = "BMP"
                context.add(.imageStructure, "BMP file", tags: ["header", "pixels"], bytes: bytes.count, intrinsic: true)
                context.problem("BMP: only the file as a whole is reported")
            }
        } else if isSVG(bytes) {
            format = "SVG"
            SVGInspector.inspect(bytes, context: context)
        } else {
            throw ObscuraError(.notAnImage, "not an image in a format the inspector knows")
        }
        if format != "JPEG", let name = vendorTrailer(bytes), !context.findings.contains(where: { $0.kind == .trailingData }) {
            context.add(.trailingData, "\(format) \(name)", tags: [name], bytes: 0)
        }
        return MetadataInventory(format: format, findings: context.findings, problems: context.problems)
    }

    /// The name and inspector of a format whose inspector reads the whole file and nothing else.
    private static func wholeFileInspector(_ format: ImageFormat) -> (String, ([UInt8], InspectionContext) -> Void) {
        switch format {
        case .jpeg: ("JPEG", { JPEGInspector.inspect($0, context: $1) })
        case .png: ("PNG", PNGInspector.inspect)
        case .webp: ("WebP", WebPInspector.inspect)
        case .gif: ("GIF", GIFInspector.inspect)
        case .photoshop: ("PSD", PSDInspector.inspect)
        case .netpbm: ("Netpbm", NetpbmInspector.inspect)
        default: preconditionFailure("\(format) is not inspected as a whole file")
        }
    }

    /// Camera raw files are TIFF inside; name the common ones.
    static func tiffFlavour(_ bytes: [UInt8]) -> String {
        if bytes.count > 10, bytes[8] == UInt8(ascii: "C"), bytes[9] == UInt8(ascii: "R") { return "CR2" }
        if bytes.count > 3, bytes[2] == 0x2B || bytes[3] == 0x2B { return "BigTIFF" }
        return "TIFF"
    }

    /// PhotoMechanic and FotoStation append their own records to files of any format.
    static func vendorTrailer(_ bytes: [UInt8]) -> String? {
        if bytes.count > 16, bytes.suffix(8).elementsEqual("cbipcbbl".utf8) { return "PhotoMechanic trailer" }
        if bytes.count > 16, bytes.suffix(4).elementsEqual([0xA1, 0xB2, 0xC3, 0xD4]) { return "FotoStation trailer" }
        return nil
    }

    static func isSVG(_ bytes: [UInt8]) -> Bool {
        let head = Array(bytes.prefix(4096))
        guard let first = head.first(where: { $0 > 0x20 }), first == UInt8(ascii: "<") else { return false }
        return JPEGInspector.contains(head, "<svg")
    }
}
