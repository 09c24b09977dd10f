import KuzetWire
import Testing

@Suite struct WireFramingRequestTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func framesARequestWithItsHeadersAndSaysWhatItConsumed() throws {
        let text = "DESCRIBE rtsp://box:8554/entrance RTSP/1.0\r\nCSeq: 2\r\nAccept: application/sdp\r\n\r\nOPTIONS"
        let framed = try #require(try WireFraming.request(in: Self.bytes(text)))
        #expect(framed.message.method == "DESCRIBE")
        #expect(framed.message.uri == "rtsp://box:8554/entrance")
        #expect(framed.message.headers["cseq"] == "2")
        #expect(framed.message.headers["Accept"] == "application/sdp")
        #expect(framed.consumed == text.utf8.count - "OPTIONS".count)
    }

    @Test func needsMoreBytesForEveryPrefixOfAMessage() throws {
        let text = Self.bytes("SET_PARAMETER rtsp://b/x RTSP/1.0\r\nCSeq: 9\r\nContent-Length: 5\r\n\r\nhello")
        for end in 0..<text.count {
            #expect(try WireFraming.request(in: text[..<end]) == nil, "prefix of \(end) bytes")
        }
        #expect(try WireFraming.request(in: text)?.message.body == Self.bytes("hello"))
    }

    @Test func acceptsBareLineFeedLineEndings() throws {
        let framed = try #require(try WireFraming.request(in: Self.bytes("OPTIONS * RTSP/1.0\nCSeq: 3\n\n")))
        #expect(framed.message.headers["CSeq"] == "3")
        #expect(framed.consumed == 28)
    }

    @Test func refusesACarriageReturnInsideALine() {
        #expect(throws: WireError.badLineEnding) {
            try WireFraming.request(in: Self.bytes("OPTIONS * RTSP/1.0\r\nCSeq: 3\rX: 1\r\n\r\n"))
        }
    }

    @Test func refusesContentLengthOfIntMaxAsTooLargeBeforeAnyArithmetic() {
        let text = "ANNOUNCE rtsp://b/x RTSP/1.0\r\nContent-Length: \(Int.max)\r\n\r\n"
        #expect(throws: WireError.bodyTooLarge(limit: WireLimits().bodyBytes)) {
            try WireFraming.request(in: Self.bytes(text))
        }
    }

    @Test func refusesAContentLengthThatOverflowsSixtyFourBits() {
        let text = "ANNOUNCE rtsp://b/x RTSP/1.0\r\nContent-Length: 99999999999999999999999999\r\n\r\n"
        #expect(throws: WireError.bodyTooLarge(limit: WireLimits().bodyBytes)) {
            try WireFraming.request(in: Self.bytes(text))
        }
    }

    @Test func refusesANegativeContentLengthAsMalformed() {
        let text = "ANNOUNCE rtsp://b/x RTSP/1.0\r\nContent-Length: -1\r\n\r\n"
        #expect(throws: WireError.badContentLength("-1")) { try WireFraming.request(in: Self.bytes(text)) }
        #expect(WireError.badContentLength("-1").status == 400)
    }

    @Test func refusesASignedOrEmptyContentLength() {
        for value in ["+5", "", "5 5", "0x10"] {
            let text = "ANNOUNCE rtsp://b/x RTSP/1.0\r\nContent-Length: \(value)\r\n\r\n"
            #expect(throws: WireError.self, "Content-Length: \(value)") {
                try WireFraming.request(in: Self.bytes(text))
            }
        }
    }

    @Test func refusesTwoDifferentContentLengths() {
        let text = "ANNOUNCE rtsp://b/x RTSP/1.0\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"
        #expect(throws: WireError.badContentLength("two different values")) {
            try WireFraming.request(in: Self.bytes(text))
        }
    }

    @Test func refusesABodyOverTheCallersLimitAs413() throws {
        let limits = WireLimits(bodyBytes: 4)
        let text = "ANNOUNCE rtsp://b/x RTSP/1.0\r\nContent-Length: 5\r\n\r\n"
        #expect(throws: WireError.bodyTooLarge(limit: 4)) {
            try WireFraming.request(in: Self.bytes(text), limits: limits)
        }
        #expect(WireError.bodyTooLarge(limit: 4).status == 413)
        #expect(
            try WireFraming.request(
                in: Self.bytes("ANNOUNCE rtsp://b/x RTSP/1.0\r\nContent-Length: 4\r\n\r\nabcd"), limits: limits) != nil)
    }

    @Test func refusesAHeadOverTheHeaderBytesAsSoonAsItIsPassed() throws {
        let limits = WireLimits(headerBytes: 100, lineLength: 1000)
        var text = "OPTIONS * RTSP/1.0\r\n"
        while text.utf8.count <= 100 { text += "X: 1\r\n" }
        #expect(throws: WireError.headerTooLarge(limit: 100)) {
            try WireFraming.request(in: Self.bytes(text), limits: limits)
        }
        let exact = "OPTIONS * RTSP/1.0\r\n" + String(repeating: "X", count: 100 - 26) + ": \r\n\r\n"
        #expect(exact.utf8.count == 100)
        #expect(try WireFraming.request(in: Self.bytes(exact), limits: limits) != nil)
    }

    @Test func refusesAMegabyteHeaderLineOnceTheLineLimitIsPassed() {
        let line = "OPTIONS * RTSP/1.0\r\nX: " + String(repeating: "a", count: 1 << 20)
        #expect(throws: WireError.lineTooLong(limit: WireLimits().lineLength)) {
            try WireFraming.request(in: Self.bytes(line))
        }
        // Only the line limit's worth has to arrive for the refusal.
        let early = "OPTIONS * RTSP/1.0\r\nX: " + String(repeating: "a", count: WireLimits().lineLength)
        #expect(throws: WireError.lineTooLong(limit: WireLimits().lineLength)) {
            try WireFraming.request(in: Self.bytes(early))
        }
    }

    @Test func refusesTenThousandHeaders() throws {
        let text = "OPTIONS * RTSP/1.0\r\n" + String(repeating: "A: b\r\n", count: 10_000) + "\r\n"
        #expect(throws: WireError.tooManyHeaders(limit: 100)) { try WireFraming.request(in: Self.bytes(text)) }
        let hundred = "OPTIONS * RTSP/1.0\r\n" + String(repeating: "A: b\r\n", count: 100) + "\r\n"
        #expect(try WireFraming.request(in: Self.bytes(hundred))?.message.headers.count == 100)
    }

    @Test func refusesEndlessEmptyLinesBeforeTheStartLine() {
        let text = String(repeating: "\r\n", count: 40_000)
        #expect(throws: WireError.headerTooLarge(limit: WireLimits().headerBytes)) {
            try WireFraming.request(in: Self.bytes(text))
        }
    }

    @Test func refusesAHeaderWithoutAColonOrAFoldedLine() {
        #expect(throws: WireError.self) {
            try WireFraming.request(in: Self.bytes("OPTIONS * RTSP/1.0\r\nno colon\r\n\r\n"))
        }
        #expect(throws: WireError.self) {
            try WireFraming.request(in: Self.bytes("OPTIONS * RTSP/1.0\r\nA: 1\r\n folded\r\n\r\n"))
        }
    }

    @Test func refusesAStartLineThatIsNotARequest() {
        #expect(throws: WireError.self) { try WireFraming.request(in: Self.bytes("hello there\r\n\r\n")) }
        #expect(throws: WireError.self) { try WireFraming.request(in: Self.bytes("RTSP/1.0 200 OK\r\n\r\n")) }
    }

    @Test func readsAChunkedRequestBody() throws {
        let text =
            "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nTrailer: x\r\n\r\nNEXT"
        let framed = try #require(try WireFraming.request(in: Self.bytes(text)))
        #expect(framed.message.body == Self.bytes("abcde"))
        #expect(framed.consumed == text.utf8.count - 4)
    }
}
