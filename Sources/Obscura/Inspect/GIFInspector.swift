/// GIF blocks: frames after the first are extra images; comment, plain-text and application
/// extensions (XMP, ICC) are reported by kind.
enum GIFInspector {
    static func inspect(_ bytes: [UInt8], context: InspectionContext) {
        guard bytes.count >= 13 else { context.problem("GIF: header cut short"); return }
        var offset = 13
        let flags = bytes[10]
        if flags & 0x80 != 0 { offset += 3 << (Int(flags & 7) + 1) }
        var frames = 0
        var structureBytes = offset
        var ended = false
        /// Sub-blocks from `at`; returns their data joined and the offset after the terminator.
        func subBlocks(_ at: Int, raw: Bool = false) -> (data: [UInt8], end: Int)? {
            var position = at
            var data: [UInt8] = []
            while position < bytes.count {
                guard context.spend() else { return nil }
                let size = Int(bytes[position])
                if size == 0 { return (data, position + 1) }
                guard position + 1 + size <= bytes.count else { return nil }
                if data.count < InspectionContext.maximumScan {
                    data += raw ? bytes[position..<position + 1 + size] : bytes[position + 1..<position + 1 + size]
                }
                position += 1 + size
            }
            return nil
        }
        loop: while offset < bytes.count {
            guard context.spend() else { break }
            switch bytes[offset] {
            case 0x3B:
                offset += 1
                ended = true
                break loop
            case 0x2C:
                guard offset + 10 <= bytes.count else { context.problem("GIF: image descriptor cut short"); break loop }
                let localFlags = bytes[offset + 9]
                var at = offset + 10
                if localFlags & 0x80 != 0 { at += 3 << (Int(localFlags & 7) + 1) }
                at += 1  // LZW minimum code size
                guard let (_, end) = subBlocks(at) else { context.problem("GIF: image data cut short"); offset = bytes.count; break loop }
                frames += 1
                if frames == 1 { structureBytes += end - offset }
                else { context.add(.extraImages, "GIF frame \(frames)", tags: ["frame"], bytes: end - offset) }
                offset = end
            case 0x21:
                guard offset + 2 < bytes.count else { context.problem("GIF: extension cut short"); break loop }
                let label = bytes[offset + 1]
                if label == 0xFF, offset + 3 < bytes.count {
                    let size = Int(bytes[offset + 2])
                    let idEnd = min(bytes.count, offset + 3 + size)
                    let identifier = String(decoding: bytes[offset + 3..<idEnd], as: UTF8.self)
                    // XMP's data bytes double as sub-block sizes: read it raw.
                    guard let (data, end) = subBlocks(idEnd, raw: identifier.hasPrefix("XMP Data")) else {
                        context.problem("GIF: application extension cut short"); offset = bytes.count; break loop
                    }
                    let location = "GIF application \(Printable.text(identifier))"
                    if identifier.hasPrefix("XMP Data") {
                        XMPInspector.inspect(data, location: location, context: context)
                    } else if identifier.hasPrefix("ICCRGBG1") {
                        ICCProfileInspector.inspect(data, location: location, context: context)
                    } else if identifier.hasPrefix("NETSCAPE2.0") || identifier.hasPrefix("ANIMEXTS1.0") {
                        structureBytes += end - offset
                    } else {
                        context.add(.containerChunk, location, tags: [Printable.text(identifier)], bytes: end - offset)
                    }
                    offset = end
                } else {
                    guard let (data, end) = subBlocks(offset + 2) else {
                        context.problem("GIF: extension cut short"); offset = bytes.count; break loop
                    }
                    switch label {
                    case 0xFE:
                        context.add(.comment, "GIF comment", tags: ["Comment"], bytes: end - offset, values: ["Comment": Printable.text(data)])
                    case 0x01:
                        context.add(.text, "GIF plain text", tags: ["PlainText"], bytes: end - offset, values: ["PlainText": Printable.text(data.dropFirst(12))])
                    case 0xF9:
                        structureBytes += end - offset
                    default:
                        context.add(.containerChunk, "GIF extension 0x\(String(label, radix: 16))", tags: ["extension"], bytes: end - offset)
                    }
                    offset = end
                }
            default:
                context.problem("GIF: unexpected block at offset \(offset)")
                offset = bytes.count
                break loop
            }
        }
        context.add(.imageStructure, "GIF image data", tags: ["header", "frame 1"], bytes: structureBytes, intrinsic: true)
        if !ended { context.problem("GIF: no trailer") }
        if ended, offset < bytes.count {
            context.add(.trailingData, "GIF after trailer", tags: ["trailing bytes"], bytes: bytes.count - offset)
        }
    }
}
