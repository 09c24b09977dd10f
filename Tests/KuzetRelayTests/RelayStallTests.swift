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

@Suite(.serialized, .timeLimit(.minutes(4)))
struct RelayStallTests {
    /// What the recorder and another client get over one window of `seconds` of video.
    struct Window {
        var recorderFPS: Double
        var recorderDrops: Int
        var clientFrames: Int
    }

    func measure(_ relay: RelayHarness, _ recorder: FrameCounter, seconds: Int, name: String) async throws -> Window {
        let framesBefore = recorder.count
        let dropsBefore = recorder.queue.dropped
        let output = relay.directory.file("\(name).ts")
        let ffmpeg = try RelayClients.ffmpeg(
            url: relay.url(credentials: nil), transport: "tcp", seconds: seconds, output: output)
        defer { ffmpeg.stop(signal: SIGKILL) }
        let started = Date()
        #expect(try await offPool { ffmpeg.waitForExit(timeout: 40) } == 0, "ffmpeg: \(ffmpeg.output)")
        let elapsed = Date().timeIntervalSince(started)
        return Window(
            recorderFPS: Double(recorder.count - framesBefore) / elapsed,
            recorderDrops: recorder.queue.dropped - dropsBefore,
            clientFrames: try await offPool { try RelayClients.decodedFrames(output) })
    }

    /// Measured twice on the same (busy, shared) machine: once with no stalled client, once with
    /// one that has stopped reading; the second must match the first.
    @Test func aClientThatStopsReadingSlowsNeitherTheRecorderNorOtherClients() async throws {
        // This test is about who waits for a stalled client, so the relay keeps it (no slow-client close).
        let relay = try await RelayHarness(username: nil, password: nil, bitrate: "6M") { $0.slowClientTimeout = 600 }
        defer { relay.stop() }
        let recorder = FrameCounter(fanout: relay.fanout)
        defer { recorder.stop() }
        let seconds = 8
        #expect(await waitUntil(timeout: 10) { recorder.count > 0 })
        let baseline = try await measure(relay, recorder, seconds: seconds, name: "baseline")

        // PLAY over interleaved TCP with a tiny receive window, then never read again.
        let stalled = try RawRTSPClient(port: relay.port, receiveBuffer: 4096)
        let url = relay.url(credentials: nil)
        #expect(try await offPool { try stalled.request("DESCRIBE", url) }.status == 200)
        let setup = try await offPool {
            try stalled.request(
                "SETUP", url + "/streamid=0", headers: ["Transport": "RTP/AVP/TCP;unicast;interleaved=0-1"])
        }
        let session = try #require(setup.headers["session"]?.split(separator: ";").first.map(String.init))
        #expect(
            try await offPool { try stalled.request("PLAY", url + "/", headers: ["Session": session]) }.status == 200)
        // Joining mid-GOP skips < 25 frames; only a full connection buffer drops more.
        #expect(
            await waitUntil(timeout: 90) { relay.server.statistics.camera("entrance").droppedPackets > 60 },
            "the stalled client fills its own buffer")
        let dropsAtStart = relay.server.statistics.camera("entrance").droppedPackets

        let stall = try await measure(relay, recorder, seconds: seconds, name: "during-stall")
        let dropsDuring = relay.server.statistics.camera("entrance").droppedPackets - dropsAtStart
        print(
            String(
                format:
                    "stall: baseline recorder %.1f fps, other client %d frames / %d s; during stall recorder %.1f fps, other client %d frames / %d s; stalled client dropped %d packets meanwhile",
                baseline.recorderFPS, baseline.clientFrames, seconds, stall.recorderFPS, stall.clientFrames, seconds,
                dropsDuring))

        #expect(stall.recorderDrops == 0, "the recorder lost nothing while the client stalled")
        #expect(baseline.recorderDrops == 0)
        #expect(
            stall.recorderFPS >= baseline.recorderFPS * 0.85,
            "recorder rate held: \(stall.recorderFPS) vs \(baseline.recorderFPS)")
        #expect(
            Double(stall.clientFrames) >= Double(baseline.clientFrames) * 0.9,
            "the other client's frames held: \(stall.clientFrames) vs \(baseline.clientFrames)")
        #expect(dropsDuring > 0, "the stalled client kept dropping (it was really stalled)")
    }
}
