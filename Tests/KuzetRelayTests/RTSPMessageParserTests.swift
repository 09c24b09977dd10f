import KuzetRelay
import KuzetWire
import NIOCore
import Testing

@Suite struct RTSPMessageParserTests {
    @Test func parsesARequestWithItsHeaders() throws {
        var buffer = ByteBuffer(
            string: "DESCRIBE rtsp://box:8554/entrance RTSP/1.0\r\nCSeq: 2\r\nAccept: application/sdp\r\n\r\n")
        let message = try RTSPMessageParser.next(from: &buffer)
        guard case .request(let request) = message else {
            Issue.record("expected a request, got \(String(describing: message))")
            return
        }
        #expect(request.method == "DESCRIBE")
        #expect(request.uri == "rtsp://box:8554/entrance")
        #expect(request.cseq == "2")
        #expect(request[header: "accept"] == "application/sdp")
        #expect(buffer.readableBytes == 0)
    }

    @Test func waitsForTheRestOfAPartialRequest() throws {
        let partial = "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n"
        var buffer = ByteBuffer(string: partial)
        #expect(try RTSPMessageParser.next(from: &buffer) == nil)
        #expect(buffer.readableBytes == partial.utf8.count, "nothing consumed")
    }

    @Test func readsTheBodyByContentLength() throws {
        var buffer = ByteBuffer(
            string: "SET_PARAMETER rtsp://b/x RTSP/1.0\r\nCSeq: 9\r\nContent-Length: 5\r\n\r\nhelloOPTIONS")
        guard case .request(let request) = try RTSPMessageParser.next(from: &buffer) else {
            Issue.record("expected a request")
            return
        }
        #expect(request.body == Array("hello".utf8))
        #expect(buffer.readableBytes == "OPTIONS".count)
    }

    @Test func skipsTheClientsInterleavedRTCPBetweenRequests() throws {
        var buffer = ByteBuffer(bytes: [UInt8(ascii: "$"), 1, 0, 3, 0x80, 0xC9, 0x00])
        buffer.writeString("GET_PARAMETER rtsp://b/x RTSP/1.0\r\nCSeq: 4\r\n\r\n")
        #expect(try RTSPMessageParser.next(from: &buffer) == .interleaved(channel: 1, length: 3))
        guard case .request(let request) = try RTSPMessageParser.next(from: &buffer) else {
            Issue.record("expected the request after the interleaved block")
            return
        }
        #expect(request.method == "GET_PARAMETER")
    }

    @Test func refusesAHeaderThatNeverEnds() {
        var buffer = ByteBuffer(string: "OPTIONS * RTSP/1.0\r\nX: " + String(repeating: "a", count: 20_000))
        #expect(throws: WireError.lineTooLong(limit: RTSPMessageParser.limits.lineLength)) {
            try RTSPMessageParser.next(from: &buffer)
        }
    }

    @Test func refusesAHugeContentLengthBeforeLoginAs413() {
        var buffer = ByteBuffer(
            string: "DESCRIBE rtsp://box/entrance RTSP/1.0\r\nCSeq: 1\r\nContent-Length: 9223372036854775807\r\n\r\n")
        #expect(throws: WireError.bodyTooLarge(limit: RTSPMessageParser.limits.bodyBytes)) {
            try RTSPMessageParser.next(from: &buffer)
        }
    }

    @Test func waitsForAnInterleavedFrameHeaderStillArriving() throws {
        var buffer = ByteBuffer(bytes: [UInt8(ascii: "$"), 1])
        #expect(try RTSPMessageParser.next(from: &buffer) == nil)
        #expect(buffer.readableBytes == 2)
    }

    @Test func refusesSomethingThatIsNotRTSP() {
        var buffer = ByteBuffer(string: "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(throws: WireError.self) { try RTSPMessageParser.next(from: &buffer) }
    }
}
