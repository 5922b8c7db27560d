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
