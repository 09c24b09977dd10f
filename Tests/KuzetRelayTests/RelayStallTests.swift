import Foundation
import KuzetMedia
import KuzetRelay
import KuzetTestKit
import Testing

/// A consumer of the camera's fan-out that does what the recorder does to it: reads every
/// packet as fast as it comes, and counts video frames.
final class FrameCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var frames = 0
    private var running = true
    let queue: PacketQueue
    private let fanout: PacketFanout

    init(fanout: PacketFanout) {
        self.fanout = fanout
        queue = fanout.subscribe(name: "recorder stand-in", capacity: 512)
        Thread { [self] in
            var video: Int?
            while lock.withLock({ running }) {
                switch queue.pop(timeout: 0.2) {
                case .stream(let info): video = info.videoTrackIndex
                case .packet(let packet) where packet.trackIndex == video: lock.withLock { frames += 1 }
                default: break
                }
            }
        }.start()
    }

    var count: Int { lock.withLock { frames } }

    func stop() {
        lock.withLock { running = false }
        fanout.unsubscribe(queue)
    }
}

@Suite(.serialized, .timeLimit(.minutes(3)))
struct RelayStallTests {
    @Test func aClientThatStopsReadingSlowsNeitherTheRecorderNorOtherClients() async throws {
        let relay = try await RelayHarness(username: nil, password: nil, bitrate: "6M")
        defer { relay.stop() }
        let recorder = FrameCounter(fanout: relay.fanout)
        defer { recorder.stop() }

        // PLAY over interleaved TCP with a tiny receive window, then never read again.
        let stalled = try RawRTSPClient(port: relay.port, receiveBuffer: 4096)
        let url = relay.url(credentials: nil)
        #expect(try stalled.request("DESCRIBE", url).status == 200)
        let setup = try stalled.request("SETUP", url + "/streamid=0", headers: ["Transport": "RTP/AVP/TCP;unicast;interleaved=0-1"])
        let session = try #require(setup.headers["session"]?.split(separator: ";").first.map(String.init))
        #expect(try stalled.request("PLAY", url + "/", headers: ["Session": session]).status == 200)
        #expect(eventually(timeout: 60) { relay.server.statistics.camera("entrance").droppedPackets > 0 }, "the stalled client overflows its own queue")

        // While it stalls: another client and the recorder over 8 s.
        let seconds = 8
        let framesBefore = recorder.count
        let output = relay.directory.file("during-stall.ts")
        let ffmpeg = try RelayClients.ffmpeg(url: url, transport: "tcp", seconds: seconds, output: output)
        defer { ffmpeg.stop(signal: SIGKILL) }
        let started = Date()
        #expect(ffmpeg.waitForExit(timeout: 30) == 0, "ffmpeg: \(ffmpeg.output)")
        let elapsed = Date().timeIntervalSince(started)
        let recorderFPS = Double(recorder.count - framesBefore) / elapsed
        let clientFrames = try RelayClients.decodedFrames(output)
        let dropsAfter = relay.server.statistics.camera("entrance").droppedPackets
        print("stall: recorder \(String(format: "%.1f", recorderFPS)) fps over \(String(format: "%.1f", elapsed)) s, other client \(clientFrames) frames in \(seconds) s (\(String(format: "%.1f", Double(clientFrames) / Double(seconds))) fps), stalled client dropped \(dropsAfter) packets")

        #expect(recorderFPS >= 23, "recorder kept 25 fps: \(recorderFPS)")
        #expect(recorder.queue.dropped == 0, "the recorder lost nothing")
        #expect(clientFrames >= 180, "the other client kept ~25 fps: \(clientFrames) frames in \(seconds) s")
        #expect(dropsAfter > 0)
    }
}
