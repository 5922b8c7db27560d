/// Photoshop PSD/PSB: the image resources section (IPTC, EXIF, XMP, ICC, thumbnails) and the
/// layer section (layer names are authored content).
enum PSDInspector {
    static func inspect(_ bytes: [UInt8], context: InspectionContext) {
        let reader = ByteReader(bytes)
        guard let modeLength = reader.uint32(at: 26).map(Int.init), modeLength <= bytes.count - 30 else {
            context.problem("PSD: header cut short")
            return
        }
        context.add(.imageStructure, "PSD header", tags: ["header", "color mode data"], bytes: 30 + modeLength, intrinsic: true)
        let resourcesAt = 30 + modeLength
        guard let resourcesLength = reader.uint32(at: resourcesAt).map(Int.init), resourcesLength <= bytes.count - resourcesAt - 4 else {
            context.problem("PSD: image resources cut short")
            return
        }
        PhotoshopResources.inspect(Array(bytes[resourcesAt + 4..<resourcesAt + 4 + resourcesLength]), location: "PSD resources", context: context)
        let layersAt = resourcesAt + 4 + resourcesLength
        if let layersLength = reader.uint32(at: layersAt).map(Int.init), layersLength > 0 {
            context.add(.photoshop, "PSD layers", tags: ["LayerInfo"], bytes: min(layersLength, max(0, bytes.count - layersAt - 4)))
            if layersLength <= bytes.count - layersAt - 4 {
                context.add(.imageStructure, "PSD image data", tags: ["image data"], bytes: bytes.count - layersAt - 4 - layersLength, intrinsic: true)
            } else {
                context.problem("PSD: layer section runs past the end")
            }
        }
    }
}

/// Netpbm (PBM/PGM/PPM/PAM): `#` comments in the header.
enum NetpbmInspector {
    static func inspect(_ bytes: [UInt8], context: InspectionContext) {
        var index = 2
        var fields = 0
        let needed = bytes.count > 1 && (bytes[1] == UInt8(ascii: "1") || bytes[1] == UInt8(ascii: "4")) ? 2 : 3
        var comments: [String] = []
        var commentBytes = 0
        let isPAM = bytes.count > 1 && bytes[1] == UInt8(ascii: "7")
        while index < bytes.count, index < 65536, (isPAM || fields < needed) {
            let byte = bytes[index]
            if byte == UInt8(ascii: "#") {
                let start = index
                while index < bytes.count, bytes[index] != 0x0A, bytes[index] != 0x0D { index += 1 }
                comments.append(Printable.text(bytes[start + 1..<index]))
                commentBytes += index - start
                continue
            }
            if isPAM, bytes[index...].starts(with: Array("ENDHDR".utf8)) { break }
            if byte > 0x20 {
                while index < bytes.count, bytes[index] > 0x20 { index += 1 }
                fields += 1
                continue
            }
            index += 1
        }
        context.add(.imageStructure, "Netpbm header and pixels", tags: ["header"], bytes: bytes.count - commentBytes, intrinsic: true)
        if !comments.isEmpty {
            context.add(.comment, "Netpbm header comment", tags: ["Comment"], bytes: commentBytes,
                        values: ["Comment": Printable.text(comments.joined(separator: " / "))])
        }
    }
}

/// SVG: `<metadata>` (usually RDF/XMP), C2PA manifests, and other text such as `<title>`.
enum SVGInspector {
    static func inspect(_ bytes: [UInt8], context: InspectionContext) {
        let text = Array(bytes.prefix(InspectionContext.maximumScan))
        context.add(.imageStructure, "SVG document", tags: ["svg"], bytes: bytes.count, intrinsic: true)
        if let start = JPEGInspector.firstIndex(of: Array("<metadata".utf8), in: text) {
            let tail = Array(text[start...])
            let end = JPEGInspector.firstIndex(of: Array("</metadata>".utf8), in: tail).map { $0 + 11 } ?? tail.count
            let block = Array(tail[..<end])
            let rdf = JPEGInspector.contains(block, "rdf:RDF") || JPEGInspector.contains(block, "x:xmpmeta")
            XMPInspector.inspect(block, location: "SVG metadata", baseKind: rdf ? .xmp : .text, context: context)
        } else if JPEGInspector.contains(text, "rdf:RDF") {
            XMPInspector.inspect(text, location: "SVG RDF", context: context)
        }
        if JPEGInspector.contains(text, "c2pa") {
            context.add(.c2pa, "SVG C2PA manifest", tags: ["c2pa"], bytes: 0)
        }
        for element in ["title", "desc"] where JPEGInspector.contains(text, "<\(element)") {
            context.add(.text, "SVG <\(element)>", tags: [element], bytes: 0)
        }
    }
}
