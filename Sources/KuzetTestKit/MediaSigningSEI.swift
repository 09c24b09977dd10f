import Foundation

/// Camera-signed video for tests (issue 21): SEI "user data unregistered" NAL units carrying the
/// ONVIF Media Signing UUID, put into a raw H.264/H.265 (Annex B) clip one per picture, each with
/// its own number, and found again in what came out (recorded segments, the relay's stream).
///
/// ```swift
/// let signed = try MediaSigningSEI.signing(clip: plain, codec: .h264)   // plain: an Annex B file's bytes
/// try Data(signed.clip).write(to: …)                                    // serve it: CameraMount(clipFile:)
/// let found = MediaSigningSEI.units(inAnnexB: recorded, codec: .h264)   // in order, byte for byte
/// ```
public enum MediaSigningSEI {
    /// ONVIF Media Signing's SEI UUID, 005bc93f-2d71-5e95-ada4-796f90877a6f.
    public static let uuid: [UInt8] = [
        0x00, 0x5b, 0xc9, 0x3f, 0x2d, 0x71, 0x5e, 0x95, 0xad, 0xa4, 0x79, 0x6f, 0x90, 0x87, 0x7a, 0x6f,
    ]

    /// A clip with one signing SEI before each picture, and those SEI NAL units (without start
    /// code) in stream order: `units[n]` precedes picture `n` of the clip.
    public struct Signed: Sendable {
        public var clip: [UInt8]
        public var units: [[UInt8]]
    }

    /// Inserts a signing SEI NAL unit before every picture's first slice of `clip`, which must be
    /// one slice per picture (as ffmpeg's libx264 and libx265 write by default). Its payload is the
    /// UUID, `KUZET-SIG-<n>` and 48 bytes that differ per picture (standing in for a signature);
    /// no byte of it is zero, so no emulation-prevention bytes are needed.
    public static func signing(clip: [UInt8], codec: CameraMount.Codec) throws -> Signed {
        var output: [UInt8] = []
        output.reserveCapacity(clip.count + clip.count / 10)
        var units: [[UInt8]] = []
        for range in nalUnits(clip) {
            let nal = clip[range]
            if isSlice(nal, codec: codec) {
                let unit = seiUnit(number: units.count, codec: codec)
                output += [0, 0, 0, 1] + unit
                units.append(unit)
            }
            output += [0, 0, 0, 1] + nal
        }
        guard !units.isEmpty else { throw TestKitError("the clip has no \(codec.rawValue) picture to sign") }
        return Signed(clip: output, units: units)
    }

    /// Every signing SEI NAL unit (without start code, bytes as found) in an Annex B stream, in order.
    public static func units(inAnnexB data: [UInt8], codec: CameraMount.Codec) -> [[UInt8]] {
        nalUnits(data).map { Array(data[$0]) }.filter { isSigningSEI($0, codec: codec) }
    }

    /// The number a unit made by ``signing(clip:codec:)`` carries, or nil.
    public static func number(of unit: [UInt8], codec: CameraMount.Codec) -> Int? {
        let header = codec == .h264 ? 1 : 2
        let start = header + 2 + uuid.count + "KUZET-SIG-".utf8.count
        guard unit.count >= start + 6 else { return nil }
        return Int(String(decoding: unit[start..<start + 6], as: UTF8.self))
    }

    /// The NAL units of an Annex B stream (3- or 4-byte start codes), without their start codes.
    public static func nalUnits(_ data: [UInt8]) -> [Range<Int>] {
        var starts: [(code: Int, payload: Int)] = []
        var index = 0
        while index + 2 < data.count {
            if data[index] == 0, data[index + 1] == 0, data[index + 2] == 1 {
                let code = index > 0 && data[index - 1] == 0 ? index - 1 : index
                starts.append((code, index + 3))
                index += 3
            } else {
                index += 1
            }
        }
        return starts.enumerated().map { position, start in
            var end = position + 1 < starts.count ? starts[position + 1].code : data.count
            while end > start.payload && data[end - 1] == 0 { end -= 1 } // trailing zero bytes
            return start.payload..<end
        }.filter { !$0.isEmpty }
    }

    static func nalType(_ nal: ArraySlice<UInt8>, codec: CameraMount.Codec) -> Int? {
        guard let first = nal.first else { return nil }
        return codec == .h264 ? Int(first & 0x1f) : Int((first >> 1) & 0x3f)
    }

    static func isSlice(_ nal: ArraySlice<UInt8>, codec: CameraMount.Codec) -> Bool {
        guard let type = nalType(nal, codec: codec) else { return false }
        return codec == .h264 ? (type == 1 || type == 5) : type <= 31
    }

    static func isSigningSEI(_ nal: [UInt8], codec: CameraMount.Codec) -> Bool {
        let header = codec == .h264 ? 1 : 2
        let seiType = codec == .h264 ? 6 : 39
        guard nalType(nal[...], codec: codec) == seiType, nal.count > header + 2 + uuid.count,
            nal[header] == 5 // payloadType 5: user data unregistered (one byte; our units' size is < 255)
        else { return false }
        return Array(nal[(header + 2)..<(header + 2 + uuid.count)]) == uuid
    }

    static func seiUnit(number: Int, codec: CameraMount.Codec) -> [UInt8] {
        var payload = uuid + Array("KUZET-SIG-\(String(format: "%06d", number))".utf8)
        payload += (0..<48).map { UInt8(1 + (number * 31 + $0 * 7) % 254) }
        let header: [UInt8] = codec == .h264 ? [0x06] : [39 << 1, 0x01]
        // payloadType 5, payloadSize, payload, then rbsp_trailing_bits.
        return header + [5, UInt8(payload.count)] + payload + [0x80]
    }
}
