import KuzetWire
import Testing

@Suite struct InterleavedFrameTests {
    @Test func readsTheChannelAndTheSixteenBitLength() throws {
        let frame = try #require(WireFraming.interleavedFrame(in: [0x24, 1, 0xFF, 0xFF, 0x80]))
        #expect(frame.channel == 1)
        #expect(frame.length == 65_535)
        #expect(frame.totalLength == 65_539)
        #expect(frame.header == [0x24, 1, 0xFF, 0xFF])
    }

    @Test func needsFourBytesAndADollar() {
        #expect(WireFraming.interleavedFrame(in: [0x24, 1, 0]) == nil)
        #expect(WireFraming.interleavedFrame(in: Array("RTSP".utf8)) == nil)
        #expect(WireFraming.interleavedFrame(in: [UInt8]()) == nil)
    }
}
