/// The picture size (and frame rate when the VUI carries timing) from an H.264 SPS NAL unit
/// (ITU-T H.264 §7.3.2.1.1), as cameras put it in the SDP's `sprop-parameter-sets`.
struct H264SequenceParameterSet: Equatable {
    var width: Int
    var height: Int
    var frameRate: Double?

    init?(nal: [UInt8]) {
        guard nal.count > 4, nal[0] & 0x1F == 7 else { return nil }
        var reader = BitReader(bytes: Self.removingEmulationPrevention(Array(nal[1...])))
        guard let profile = reader.bits(8) else { return nil }
        _ = reader.bits(16) // constraint flags, level
        _ = reader.ue() // seq_parameter_set_id
        var chromaFormat = 1
        if [100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135].contains(profile) {
            chromaFormat = reader.ue() ?? 1
            if chromaFormat == 3 { _ = reader.bits(1) }
            _ = reader.ue()
            _ = reader.ue()
            _ = reader.bits(1)
            if reader.bits(1) == 1 {
                for list in 0..<(chromaFormat != 3 ? 8 : 12) where reader.bits(1) == 1 {
                    var last = 8
                    var next = 8
                    for _ in 0..<(list < 6 ? 16 : 64) where next != 0 {
                        next = (last + (reader.se() ?? 0) + 256) % 256
                        last = next == 0 ? last : next
                    }
                }
            }
        }
        _ = reader.ue() // log2_max_frame_num_minus4
        let pocType = reader.ue() ?? 0
        if pocType == 0 {
            _ = reader.ue()
        } else if pocType == 1 {
            _ = reader.bits(1)
            _ = reader.se()
            _ = reader.se()
            for _ in 0..<(reader.ue() ?? 0) { _ = reader.se() }
        }
        _ = reader.ue() // max_num_ref_frames
        _ = reader.bits(1)
        guard let widthInMbs = reader.ue(), let heightInMapUnits = reader.ue(), let frameMbsOnly = reader.bits(1) else {
            return nil
        }
        if frameMbsOnly == 0 { _ = reader.bits(1) }
        _ = reader.bits(1) // direct_8x8_inference
        var cropLeft = 0
        var cropRight = 0
        var cropTop = 0
        var cropBottom = 0
        if reader.bits(1) == 1 {
            cropLeft = reader.ue() ?? 0
            cropRight = reader.ue() ?? 0
            cropTop = reader.ue() ?? 0
            cropBottom = reader.ue() ?? 0
        }
        let cropUnitX = chromaFormat == 0 ? 1 : 2
        let cropUnitY = (chromaFormat == 1 ? 2 : 1) * (2 - frameMbsOnly)
        width = (widthInMbs + 1) * 16 - (cropLeft + cropRight) * cropUnitX
        height = (2 - frameMbsOnly) * (heightInMapUnits + 1) * 16 - (cropTop + cropBottom) * cropUnitY
        guard width > 0, height > 0, width <= 16384, height <= 16384 else { return nil }
        if reader.bits(1) == 1 { frameRate = Self.vuiFrameRate(&reader) }
    }

    private static func vuiFrameRate(_ reader: inout BitReader) -> Double? {
        if reader.bits(1) == 1, reader.bits(8) == 255 { _ = reader.bits(32) } // aspect ratio
        if reader.bits(1) == 1 { _ = reader.bits(1) } // overscan
        if reader.bits(1) == 1 { // video signal type
            _ = reader.bits(4)
            if reader.bits(1) == 1 { _ = reader.bits(24) }
        }
        if reader.bits(1) == 1 {
            _ = reader.ue()
            _ = reader.ue()
        }
        guard reader.bits(1) == 1, let units = reader.bits(32), let scale = reader.bits(32), units > 0 else {
            return nil
        }
        let rate = Double(scale) / Double(2 * units)
        return rate > 0 && rate <= 240 ? (rate * 100).rounded() / 100 : nil
    }

    static func removingEmulationPrevention(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var zeros = 0
        for byte in bytes {
            if zeros >= 2 && byte == 3 {
                zeros = 0
                continue
            }
            zeros = byte == 0 ? zeros + 1 : 0
            out.append(byte)
        }
        return out
    }
}

/// Reads bits and Exp-Golomb codes; nil once past the end.
struct BitReader {
    let bytes: [UInt8]
    var position = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func bits(_ count: Int) -> Int? {
        var value = 0
        for _ in 0..<count {
            guard position < bytes.count * 8 else { return nil }
            let bit = (bytes[position / 8] >> (7 - UInt8(position % 8))) & 1
            value = (value << 1) | Int(bit)
            position += 1
        }
        return value
    }

    mutating func ue() -> Int? {
        var zeros = 0
        while true {
            guard let bit = bits(1) else { return nil }
            if bit == 1 { break }
            zeros += 1
            if zeros > 31 { return nil }
        }
        guard let rest = bits(zeros) else { return nil }
        return (1 << zeros) - 1 + rest
    }

    mutating func se() -> Int? {
        guard let value = ue() else { return nil }
        return value % 2 == 0 ? -(value / 2) : (value + 1) / 2
    }
}
