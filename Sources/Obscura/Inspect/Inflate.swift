/// A small, bounded zlib/DEFLATE decoder (RFC 1950/1951, after Mark Adler's `puff`), used for
/// compressed PNG text and profiles. It stops with `nil` on any malformed stream and never
/// produces more than `limit` bytes.
struct Inflate {
    private let input: [UInt8]
    private var position: Int
    private var bitBuffer = 0
    private var bitCount = 0
    private var output: [UInt8] = []
    private let limit: Int

    private struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int]

        /// Canonical code from code lengths; nil when over-subscribed.
        init?(lengths: ArraySlice<Int>) {
            symbols = [Int](repeating: 0, count: lengths.count)
            for length in lengths { counts[length] += 1 }
            var left = 1
            for length in 1..<16 {
                left <<= 1
                left -= counts[length]
                if left < 0 { return nil }
            }
            var offsets = [Int](repeating: 0, count: 16)
            for length in 1..<15 { offsets[length + 1] = offsets[length] + counts[length] }
            for (symbol, length) in lengths.enumerated() where length != 0 {
                symbols[offsets[length]] = symbol
                offsets[length] += 1
            }
        }
    }

    private init(_ input: [UInt8], start: Int, limit: Int) {
        self.input = input
        self.position = start
        self.limit = limit
    }

    /// Decompresses a zlib stream (2-byte header, DEFLATE data; the checksum is not verified).
    /// Returns what was decoded and whether the stream ended properly (false when it is damaged
    /// or longer than `limit`); nil when the header is not zlib's.
    static func zlib(_ data: ArraySlice<UInt8>, limit: Int) -> (bytes: [UInt8], complete: Bool)? {
        let data = Array(data)
        guard data.count >= 2, data[0] & 0x0F == 8, (Int(data[0]) << 8 | Int(data[1])) % 31 == 0, data[1] & 0x20 == 0 else { return nil }
        var inflater = Inflate(data, start: 2, limit: limit)
        let complete = inflater.run()
        return (inflater.output, complete)
    }

    private mutating func bits(_ need: Int) -> Int? {
        var value = bitBuffer
        while bitCount < need {
            guard position < input.count else { return nil }
            value |= Int(input[position]) << bitCount
            position += 1
            bitCount += 8
        }
        bitBuffer = value >> need
        bitCount -= need
        return value & ((1 << need) - 1)
    }

    private mutating func decode(_ table: Huffman) -> Int? {
        var code = 0, first = 0, index = 0
        for length in 1..<16 {
            guard let bit = bits(1) else { return nil }
            code |= bit
            let count = table.counts[length]
            if code - count < first { return table.symbols[index + (code - first)] }
            index += count
            first += count
            first <<= 1
            code <<= 1
        }
        return nil
    }

    private mutating func run() -> Bool {
        var last = 0
        repeat {
            guard let final = bits(1), let type = bits(2) else { return false }
            last = final
            switch type {
            case 0: guard stored() else { return false }
            case 1: guard let fixed = Self.fixedTables, codes(fixed.0, fixed.1) else { return false }
            case 2:
                guard let tables = dynamicTables(), codes(tables.0, tables.1) else { return false }
            default: return false
            }
        } while last == 0
        return true
    }

    private mutating func stored() -> Bool {
        bitBuffer = 0
        bitCount = 0
        guard position + 4 <= input.count else { return false }
        let length = Int(input[position]) | Int(input[position + 1]) << 8
        let complement = Int(input[position + 2]) | Int(input[position + 3]) << 8
        position += 4
        guard length == ~complement & 0xFFFF, length <= input.count - position, output.count + length <= limit else { return false }
        output += input[position..<position + length]
        position += length
        return true
    }

    private static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    private static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    private static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
                                       2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    private static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    private static let fixedTables: (Huffman, Huffman)? = {
        var lengths = [Int](repeating: 8, count: 288)
        for symbol in 144..<256 { lengths[symbol] = 9 }
        for symbol in 256..<280 { lengths[symbol] = 7 }
        guard let literal = Huffman(lengths: lengths[...]), let distance = Huffman(lengths: [Int](repeating: 5, count: 30)[...]) else { return nil }
        return (literal, distance)
    }()

    private mutating func codes(_ literal: Huffman, _ distance: Huffman) -> Bool {
        while true {
            guard var symbol = decode(literal) else { return false }
            if symbol < 256 {
                guard output.count < limit else { return false }
                output.append(UInt8(symbol))
            } else if symbol == 256 {
                return true
            } else {
                symbol -= 257
                guard symbol < 29, let extra = bits(Self.lengthExtra[symbol]) else { return false }
                let length = Self.lengthBase[symbol] + extra
                guard let distanceSymbol = decode(distance), distanceSymbol < 30,
                      let distanceExtra = bits(Self.distanceExtra[distanceSymbol]) else { return false }
                let back = Self.distanceBase[distanceSymbol] + distanceExtra
                guard back <= output.count, output.count + length <= limit else { return false }
                let start = output.count - back
                for index in 0..<length { output.append(output[start + index]) }
            }
        }
    }

    private mutating func dynamicTables() -> (Huffman, Huffman)? {
        guard let literalCount = bits(5).map({ $0 + 257 }), let distanceCount = bits(5).map({ $0 + 1 }),
              let codeCount = bits(4).map({ $0 + 4 }), literalCount <= 286, distanceCount <= 30 else { return nil }
        let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
        var lengths = [Int](repeating: 0, count: 320)
        for index in 0..<codeCount {
            guard let value = bits(3) else { return nil }
            lengths[order[index]] = value
        }
        guard let lengthCode = Huffman(lengths: lengths[0..<19]) else { return nil }
        var index = 0
        while index < literalCount + distanceCount {
            guard let symbol = decode(lengthCode) else { return nil }
            if symbol < 16 {
                lengths[index] = symbol
                index += 1
                continue
            }
            var repeated = 0, times = 0
            switch symbol {
            case 16:
                guard index > 0, let extra = bits(2) else { return nil }
                repeated = lengths[index - 1]
                times = 3 + extra
            case 17:
                guard let extra = bits(3) else { return nil }
                times = 3 + extra
            default:
                guard let extra = bits(7) else { return nil }
                times = 11 + extra
            }
            guard index + times <= literalCount + distanceCount else { return nil }
            for _ in 0..<times {
                lengths[index] = repeated
                index += 1
            }
        }
        guard lengths[256] != 0, let literal = Huffman(lengths: lengths[0..<literalCount]),
              let distance = Huffman(lengths: lengths[literalCount..<literalCount + distanceCount]) else { return nil }
        return (literal, distance)
    }
}
