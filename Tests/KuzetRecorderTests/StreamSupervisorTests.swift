import Foundation
import KuzetCore
import KuzetMedia
import KuzetRecorder
import KuzetTestKit
import Testing

@Suite struct StreamSupervisorTests {
    @Test(.timeLimit(.minutes(1)))
    func anUnsupportedVideoCodecIsReportedWithWhatToChange() throws {
        let directory = try TemporaryDirectory()
        // A real MPEG-4 Part 2 stream (what old cameras send): not H.264/H.265.
        let path = directory.file("mpeg4.mkv")
        let (status, output) = try run(
            "ffmpeg",
            [
                "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=2", "-c:v", "mpeg4",
                path,
            ])
        #expect(status == 0, "\(output)")
        let supervisor = StreamSupervisor(configuration: .init(camera: "old", stream: .main, url: path, backoffCap: 1))
        supervisor.start()
        defer { supervisor.stop() }
        #expect(eventually(timeout: 10) { supervisor.state.lastError != nil })
        #expect(
            supervisor.state.lastError
                == "cameras[old].url: video codec mpeg4 is not supported — set this stream to H.264 or H.265 in the camera's settings"
        )
        #expect(supervisor.state.phase == .offline)
    }

    @Test(.timeLimit(.minutes(1)))
    func stopInterruptsAConnectThatWouldHang() throws {
        // A TCP port that accepts and never answers: the open blocks inside libavformat.
        let listener = try SilentTCPListener()
        let supervisor = StreamSupervisor(
            configuration: .init(
                camera: "hang", stream: .main, url: "rtsp://127.0.0.1:\(listener.port)/x", openTimeout: 60))
        supervisor.start()
        Thread.sleep(forTimeInterval: 0.5)
        let started = Date()
        supervisor.stop()
        #expect(Date().timeIntervalSince(started) < 2)
        withExtendedLifetime(listener) {}
    }

    @Test func backoffIsJitteredAndCapped() {
        var backoff = Backoff(initial: .milliseconds(250), cap: .seconds(2))
        let delays = (0..<12).map { _ in backoff.nextSeconds() }
        #expect(delays.allSatisfy { $0 > 0 && $0 <= 2 })
        #expect(delays[0] <= 0.25)
        #expect(delays.suffix(4).allSatisfy { $0 >= 1 })
        backoff.reset()
        #expect(backoff.nextSeconds() <= 0.25)
    }
}
