import KuzetWire
import Testing

@Suite struct WireLimitsTests {
    @Test func clampsEveryLimitToZeroThroughTheCeiling() {
        let limits = WireLimits(
            headerBytes: .max, headerCount: -1, lineLength: .min, bodyBytes: .max, chunkSize: .max, descriptionLines: -5
        )
        #expect(limits.headerBytes == WireLimits.ceiling)
        #expect(limits.headerCount == 0)
        #expect(limits.lineLength == 0)
        #expect(limits.bodyBytes == WireLimits.ceiling)
        #expect(limits.descriptionLines == 0)
    }

    @Test func framesWithoutTrappingUnderTheLargestLimits() throws {
        let limits = WireLimits(
            headerBytes: .max, headerCount: .max, lineLength: .max, bodyBytes: .max, chunkSize: .max)
        let text = Array("ANNOUNCE rtsp://b/x RTSP/1.0\r\nContent-Length: \(Int.max)\r\n\r\n".utf8)
        #expect(throws: WireError.bodyTooLarge(limit: WireLimits.ceiling)) {
            try WireFraming.request(in: text, limits: limits)
        }
        let chunked = Array("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\n".utf8)
        #expect(throws: WireError.chunkTooLarge(limit: WireLimits.ceiling)) {
            try WireFraming.response(in: chunked, limits: limits)
        }
    }

    @Test func readsContentLengthDigitByDigitAgainstTheLimit() throws {
        #expect(try WireFraming.contentLength("0", limit: 0) == 0)
        #expect(try WireFraming.contentLength("1024", limit: 1024) == 1024)
        #expect(throws: WireError.bodyTooLarge(limit: 1023)) { try WireFraming.contentLength("1024", limit: 1023) }
        #expect(throws: WireError.bodyTooLarge(limit: 10)) {
            try WireFraming.contentLength("9223372036854775808", limit: 10)
        }
        #expect(throws: WireError.badContentLength("-0")) { try WireFraming.contentLength("-0", limit: 10) }
    }
}
