import Foundation
import KuzetCore
import KuzetMedia
import KuzetRecorder
import KuzetTestKit
import Testing

/// An `rtmps://` push verifies the centre's certificate: a real nginx-rtmp ingest behind a real
/// TLS front (stunnel) with a certificate from the test's own authority (a self-signed root), a
/// real camera and the real push.
@Suite(.serialized) struct PushTLSTests {
    /// A camera, an RTMP ingest, and a TLS front for it with a certificate for `hosts`.
    struct World {
        let folder: TemporaryDirectory
        let authority: TestCertificateAuthority
        let cameras: RTSPCameraServer
        let ingest: RTMPIngest
        let tunnel: TLSTunnel
        let supervisor: StreamSupervisor

        init(hosts: [String] = ["127.0.0.1"]) throws {
            folder = try TemporaryDirectory(prefix: "kuzet-push-tls")
            authority = try TestCertificateAuthority(name: "cou-ca", in: folder.path)
            cameras = try RTSPCameraServer(mounts: [CameraMount(path: "/cam1")])
            ingest = try RTMPIngest()
            tunnel = try TLSTunnel(identity: try authority.issueServer("cou", hosts: hosts), backend: ingest.port)
            supervisor = StreamSupervisor(
                configuration: .init(camera: "cam1", stream: .main, url: cameras.url(for: "/cam1")))
        }

        var url: String { "rtmps://127.0.0.1:\(tunnel.port)/live/cam1" }

        /// Runs a push with `caFile` until `done` holds (or `timeout`), then stops it.
        func push(caFile: String?, timeout: Double, until done: (PushOutput) -> Bool) -> PushOutput {
            let push = PushOutput(
                configuration: .init(camera: "cam1", url: url, caFile: caFile), fanout: supervisor.fanout)
            push.start()
            supervisor.start()
            _ = eventually(timeout: timeout) { done(push) }
            push.stop()
            supervisor.stop()
            return push
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func withTheCentresAuthorityInCAFileTheRTMPSPushIsPublished() throws {
        let world = try World()
        let push = world.push(caFile: world.authority.certificate, timeout: 30) { _ in world.ingest.isPublishing("cam1")
        }
        #expect(push.state.lastError == nil, "\(world.tunnel.log.suffix(800))")
        #expect(push.state.bytesSent > 0)
        #expect(world.ingest.log.contains("publish"), "nginx: \(world.ingest.log.suffix(800))")
    }

    @Test(.timeLimit(.minutes(2)))
    func aCentreWhoseAuthorityIsNotTrustedIsRefusedWithACertificateError() throws {
        let world = try World()
        let push = world.push(caFile: nil, timeout: 15) { $0.state.lastError != nil }
        let error = try #require(push.state.lastError, "\(world.tunnel.log.suffix(800))")
        #expect(error.contains("TLS certificate not trusted"), "\(error)")
        #expect(error.contains("centre.ca_file"), "\(error)")
        #expect(!world.ingest.isPublishing("cam1"))
        #expect(push.state.bytesSent == 0)
    }

    @Test(.timeLimit(.minutes(2)))
    func aCertificateForAnotherHostIsRefusedEvenFromTheTrustedAuthority() throws {
        let world = try World(hosts: ["cou.example"])
        let push = world.push(caFile: world.authority.certificate, timeout: 15) { $0.state.lastError != nil }
        let error = try #require(push.state.lastError, "\(world.tunnel.log.suffix(800))")
        #expect(error.contains("TLS certificate not trusted"), "\(error)")
        #expect(!world.ingest.isPublishing("cam1"))
    }
}
