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
