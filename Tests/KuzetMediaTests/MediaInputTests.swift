import Foundation
import KuzetMedia
import KuzetTestKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct MediaInputTests {
    @Test func readsEveryPacketOfAnH264FileMadeByFFmpeg() throws {
        let directory = try TemporaryDirectory()
        let path = try MediaFixtures.clip(in: directory, name: "clip.mp4", seconds: 2)
        let input = try MediaInput(opening: path, interrupt: MediaInterrupt())
        #expect(input.stream.video?.codecName == "h264")
        #expect(input.stream.video?.width == 320)
        var packets = 0
        var keyframes = 0
        while let packet = try input.read() {
            packets += 1
            if packet.isKeyframe { keyframes += 1 }
        }
        #expect(packets == 50)
        #expect(keyframes == 2)
    }

    @Test func aServerThatNeverAnswersTimesOutWithinTheOpenTimeout() throws {
        let listener = try SilentTCPListener()
        let started = Date()
        #expect {
            _ = try MediaInput(
                opening: "rtsp://admin:secret@127.0.0.1:\(listener.port)/stream", options: .init(openTimeout: 1),
                interrupt: MediaInterrupt())
        } throws: { error in
            let error = error as? MediaError
            return error?.kind == .timedOut && error?.description.contains("secret") == false
        }
        #expect(Date().timeIntervalSince(started) < 4)
        withExtendedLifetime(listener) {}
    }

    @Test func abortFromAnotherThreadEndsABlockingOpen() throws {
        let listener = try SilentTCPListener()
        let interrupt = MediaInterrupt()
        let started = Date()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { interrupt.abort() }
        #expect {
            _ = try MediaInput(
                opening: "rtsp://127.0.0.1:\(listener.port)/stream", options: .init(openTimeout: 30),
                interrupt: interrupt)
        } throws: { error in
            (error as? MediaError)?.kind == .interrupted
        }
        #expect(Date().timeIntervalSince(started) < 5)
        withExtendedLifetime(listener) {}
    }

    @Test func aClosedPortIsReportedAsRefused() throws {
        let port = freeLoopbackPort()
        #expect {
            _ = try MediaInput(
                opening: "rtsp://127.0.0.1:\(port)/stream", options: .init(openTimeout: 3), interrupt: MediaInterrupt())
        } throws: { error in
            (error as? MediaError)?.kind == .refused
        }
    }
}
