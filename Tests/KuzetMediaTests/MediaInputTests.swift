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
        let listener = try SilentListener()
        let started = Date()
        #expect {
            _ = try MediaInput(
                opening: "rtsp://admin:secret@127.0.0.1:\(listener.port)/stream", options: .init(openTimeout: 1), interrupt: MediaInterrupt())
        } throws: { error in
            let error = error as? MediaError
            return error?.kind == .timedOut && error?.description.contains("secret") == false
        }
        #expect(Date().timeIntervalSince(started) < 4)
        withExtendedLifetime(listener) {}
    }

    @Test func abortFromAnotherThreadEndsABlockingOpen() throws {
        let listener = try SilentListener()
        let interrupt = MediaInterrupt()
        let started = Date()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { interrupt.abort() }
        #expect {
            _ = try MediaInput(opening: "rtsp://127.0.0.1:\(listener.port)/stream", options: .init(openTimeout: 30), interrupt: interrupt)
        } throws: { error in
            (error as? MediaError)?.kind == .interrupted
        }
        #expect(Date().timeIntervalSince(started) < 5)
        withExtendedLifetime(listener) {}
    }

    @Test func aClosedPortIsReportedAsRefused() throws {
        let port = freeLoopbackPort()
        #expect {
            _ = try MediaInput(opening: "rtsp://127.0.0.1:\(port)/stream", options: .init(openTimeout: 3), interrupt: MediaInterrupt())
        } throws: { error in
            (error as? MediaError)?.kind == .refused
        }
    }
}

/// A TCP listener on loopback that accepts connections (in the kernel's backlog) and never
/// answers: a camera that hangs mid-handshake.
final class SilentListener {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else {
            close(fd)
            throw TestKitError("cannot listen on loopback")
        }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(fd) }
}
