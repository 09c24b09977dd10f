import Foundation
import KuzetMedia
import KuzetTestKit
import Testing

@testable import KuzetRelay

@Suite(.serialized, .timeLimit(.minutes(3)))
struct RelayCredentialTests {
    /// The upstream is a real RTSP server with its own credentials (another relay standing in for
    /// a camera); what our relay serves and logs must never contain them.
    @Test func cameraCredentialsNeverReachTheSDPOrTheLogs() async throws {
        let camera = try await RelayHarness(username: "admin", password: "camera-secret-7")
        defer { camera.stop() }
        let relay = try await RelayHarness(sourceURL: "rtsp://admin:camera-secret-7@127.0.0.1:\(camera.port)/entrance")
        defer { relay.stop() }
        let client = try RawRTSPClient(port: relay.port)
        let challenge = try await offPool { try client.request("DESCRIBE", relay.url(credentials: nil)) }
        #expect(challenge.status == 401)
        #expect(try await offPool { try run("ffprobe", ["-v", "error", relay.url()], timeout: 20) }.status == 0)
        let nonce = try #require(
            challenge.headers["www-authenticate"]?.components(separatedBy: "nonce=\"").last?.prefix { $0 != "\"" })
        let uri = relay.url(credentials: nil)
        let ha1 = RTSPDigestAuthenticator.md5("cou:kuzet:relay-pw")
        let ha2 = RTSPDigestAuthenticator.md5("DESCRIBE:\(uri)")
        let authorization =
            #"Digest username="cou", realm="kuzet", nonce="\#(nonce)", uri="\#(uri)", response="\#(RTSPDigestAuthenticator.md5("\(ha1):\(nonce):\(ha2)"))""#
        let described = try await offPool {
            try client.request("DESCRIBE", uri, headers: ["Authorization": authorization])
        }
        #expect(described.status == 200)
        let sdp = described.body
        #expect(sdp.contains("m=video"))
        for text in [sdp, relay.logs.text] {
            #expect(!text.contains("camera-secret-7"))
        }
        #expect(camera.server.statistics.camera("entrance").clients == 1, "the camera sees exactly one session")
    }
}
