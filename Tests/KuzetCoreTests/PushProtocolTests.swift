import KuzetCore
import Testing

@Suite struct PushProtocolTests {
    @Test func aURLsSchemeNamesItsProtocolInAnyCase() {
        #expect(PushProtocol.of(url: "RTMPS://cou.example/live/x")?.scheme == "rtmps")
        #expect(PushProtocol.of(url: "srt://cou.example:9000?streamid=x")?.carriage == .mpegtsOverSRT)
        #expect(PushProtocol.of(url: "http://cou.example/live") == nil)
        #expect(PushProtocol.of(url: "rtmp") == nil)
    }

    @Test func eachSchemeIsListedOnce() {
        let schemes = PushProtocol.all.map(\.scheme)
        #expect(Set(schemes).count == schemes.count)
        #expect(schemes.allSatisfy { $0 == $0.lowercased() && !$0.contains(":") })
    }

    @Test func theErrorTextNamesEveryListedScheme() {
        #expect(PushProtocol.schemes() == "rtmp://, rtmps://, rtsp://, rtsps:// or srt://")
        #expect(PushProtocol.schemes(where: \.verifiesCertificate) == "rtmps://")
    }

    @Test func aVerifiedProtocolIsNeverAlsoMarkedUnverified() {
        #expect(PushProtocol.all.allSatisfy { !($0.verifiesCertificate && $0.encryptedUnverified) })
    }
}
