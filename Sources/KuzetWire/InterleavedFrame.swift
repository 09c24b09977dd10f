/// The 4-byte header of an interleaved binary frame on an RTSP connection (RFC 2326 §10.12):
/// `$`, the channel, the payload length (16 bits, so at most 65,535 bytes follow).
public struct InterleavedFrame: Sendable, Equatable {
    public static let headerLength = 4
    /// The largest payload a frame can announce.
    public static let maximumLength = Int(UInt16.max)

    public var channel: UInt8
    /// Payload bytes after the header.
    public var length: Int

    public init(channel: UInt8, length: UInt16) {
        self.channel = channel
        self.length = Int(length)
    }

    /// Header and payload.
    public var totalLength: Int { Self.headerLength + length }

    /// The frame header at the start of `bytes`; nil when they do not start with `$` or fewer
    /// than 4 bytes are there.
    public init?(prefix bytes: some Collection<UInt8>) {
        var iterator = bytes.makeIterator()
        guard iterator.next() == UInt8(ascii: "$"), let channel = iterator.next(), let high = iterator.next(),
            let low = iterator.next()
        else {
            return nil
        }
        self.init(channel: channel, length: UInt16(high) << 8 | UInt16(low))
    }

    /// The 4 header bytes `$`, channel, length.
    public var header: [UInt8] { [UInt8(ascii: "$"), channel, UInt8(length >> 8), UInt8(length & 0xFF)] }
}
