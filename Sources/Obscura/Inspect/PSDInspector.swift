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
