import KuzetWire
import Testing

@Suite struct WireFramingResponseTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func framesAnRTSPAnswerWithItsBody() throws {
        let text = "RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Length: 4\r\n\r\nv=0\n"
        let framed = try #require(try WireFraming.response(in: Self.bytes(text)))
        #expect(framed.message.status == 200)
        #expect(framed.message.reason == "OK")
        #expect(framed.message.bodyText == "v=0\n")
        #expect(framed.consumed == text.utf8.count)
    }

    @Test func skipsHTTPContinueHeads() throws {
        let text = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        let framed = try #require(try WireFraming.response(in: Self.bytes(text)))
        #expect(framed.message.status == 200)
        #expect(framed.consumed == text.utf8.count)
    }

    @Test func readsABodyToTheCloseOnlyWhenAllowedAndBounded() throws {
        let text = Self.bytes("HTTP/1.0 200 OK\r\n\r\nhello")
        #expect(try WireFraming.response(in: text, closed: false, bodyRequiresLength: false) == nil)
        #expect(
            try WireFraming.response(in: text, closed: true, bodyRequiresLength: false)?.message.bodyText == "hello")
        #expect(try WireFraming.response(in: text, closed: false, bodyRequiresLength: true)?.message.body == [])
        #expect(throws: WireError.bodyTooLarge(limit: 4)) {
            try WireFraming.response(
                in: text, limits: WireLimits(bodyBytes: 4), closed: false, bodyRequiresLength: false)
        }
    }

    @Test func refusesAStatusLineWithoutAThreeDigitStatus() {
        for line in ["HTTP/1.1 abc OK", "RTSP/1.0 2000 OK", "RTSP/1.0", "RTSP/1.0 -20 x"] {
            #expect(throws: WireError.self, "\(line)") { try WireFraming.response(in: Self.bytes(line + "\r\n\r\n")) }
        }
    }

    @Test func refusesNegativeAndHugeContentLengthsFromADevice() {
        #expect(throws: WireError.badContentLength("-1")) {
            try WireFraming.response(in: Self.bytes("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"))
        }
        #expect(throws: WireError.bodyTooLarge(limit: WireLimits().bodyBytes)) {
            try WireFraming.response(in: Self.bytes("HTTP/1.1 200 OK\r\nContent-Length: 4294967296\r\n\r\n"))
        }
    }

    @Test func waitsForEveryPrefixOfAChunkedBody() throws {
        let text = Self.bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
        for end in 0..<text.count {
            #expect(try WireFraming.response(in: text[..<end]) == nil, "prefix of \(end) bytes")
        }
        #expect(try WireFraming.response(in: text)?.message.bodyText == "hello")
    }

    @Test func chunkedWinsOverContentLength() throws {
        let text = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n"
        #expect(try WireFraming.response(in: Self.bytes(text))?.message.bodyText == "ab")
    }

    @Test func refusesAChunkSizeOverTheLimitBeforeItOverflows() {
        for size in ["FFFFFFFFFFFFFFFFFFFF", "7fffffffffffffff", "100001"] {
            let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\(size)\r\n"
            #expect(throws: WireError.chunkTooLarge(limit: 1 << 20), "chunk size \(size)") {
                try WireFraming.response(in: Self.bytes(text))
            }
        }
    }

    @Test func refusesANegativeOrNonHexChunkSize() {
        for size in ["-1", "zz", "", " "] {
            let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\(size)\r\n"
            #expect(throws: WireError.badChunk, "chunk size '\(size)'") {
                try WireFraming.response(in: Self.bytes(text))
            }
        }
    }

    @Test func refusesChunksThatTogetherPassTheBodyLimit() {
        let chunk = "10\r\n" + String(repeating: "a", count: 16) + "\r\n"
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + String(repeating: chunk, count: 5)
        #expect(throws: WireError.bodyTooLarge(limit: 64)) {
            try WireFraming.response(in: Self.bytes(text), limits: WireLimits(bodyBytes: 64))
        }
    }

    @Test func refusesChunkDataNotFollowedByALineEnding() {
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n"
        #expect(throws: WireError.badChunk) { try WireFraming.response(in: Self.bytes(text)) }
    }

    @Test func refusesATransferCodingOtherThanChunked() {
        #expect(throws: WireError.self) {
            try WireFraming.response(in: Self.bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"))
        }
    }

    @Test func tellsARequestFromAResponseOnAnRTSPConnection() throws {
        let request = try #require(
            try WireFraming.message(in: Self.bytes("GET_PARAMETER rtsp://cam RTSP/1.0\r\nCSeq: 1\r\n\r\n")))
        guard case .request(let asked) = request.message else {
            Issue.record("expected a request")
            return
        }
        #expect(asked.method == "GET_PARAMETER")
        let response = try #require(try WireFraming.message(in: Self.bytes("RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n")))
        #expect(
            response.message
                == .response(
                    WireResponse(version: "RTSP/1.0", status: 200, reason: "OK", headers: WireHeaders([("CSeq", "1")])))
        )
    }
}
