import KuzetWire
import Testing

@Suite struct SessionDescriptionTests {
    static let camera = """
        v=0\r
        o=- 1 1 IN IP4 10.0.0.5\r
        s=Session\r
        a=control:*\r
        m=video 0 RTP/AVP 96\r
        a=rtpmap:96 H264/90000\r
        a=control:trackID=1\r
        m=audio 0 RTP/AVP 8\r
        a=recvonly\r
        a=control:trackID=2\r

        """

    @Test func splitsSessionAndMediaSectionsKeepingLines() throws {
        let description = try SessionDescription(parsing: Self.camera)
        #expect(description.sessionLines.count == 4)
        #expect(description.attribute("control") == "*")
        #expect(description.media.map(\.kind) == ["video", "audio"])
        #expect(description.media[0].formats == ["96"])
        #expect(description.media[0].attribute("rtpmap") == "96 H264/90000")
        #expect(description.media[1].attribute("recvonly") == "")
        #expect(description.media[1].lines.first == "m=audio 0 RTP/AVP 8")
    }

    @Test func acceptsBareLineFeedsAndSkipsLinesThatAreNotFields() throws {
        let description = try SessionDescription(parsing: "v=0\ngarbage\n\nm=video 0 RTP/AVP 26\n")
        #expect(description.sessionLines == ["v=0"])
        #expect(description.media.first?.formats == ["26"])
    }

    @Test func refusesMoreLinesThanTheLimit() {
        let text = String(repeating: "a=x\n", count: 11)
        #expect(throws: WireError.descriptionTooLarge(limit: 10)) {
            try SessionDescription(parsing: text, limits: WireLimits(descriptionLines: 10))
        }
    }

    @Test func refusesALineOverTheLineLimit() {
        let text = "v=0\na=" + String(repeating: "x", count: 200) + "\n"
        #expect(throws: WireError.lineTooLong(limit: 100)) {
            try SessionDescription(parsing: text, limits: WireLimits(lineLength: 100))
        }
    }
}
