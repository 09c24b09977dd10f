import Foundation
import KuzetMedia
import KuzetTestKit
import Testing

/// The test kit's stand-in for a camera's ingest: a file published into a fan-out in real time,
/// played again from its start at its end with its timestamps carried on.
@Suite(.timeLimit(.minutes(1))) struct RTPPacedSourceTests {
    @Test func aOneSecondFileLoopsWithTimestampsThatKeepRisingAtItsOwnPace() throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-paced")
        let clip = try MediaFixtures.clip(in: directory, name: "one.mp4", seconds: 1)
        let fanout = PacketFanout()
        let queue = fanout.subscribe(name: "test", capacity: 10_000)
        let source = RTPPacedSource(url: clip, fanout: fanout)
        try source.start()
        defer { source.stop() }
        var video: [Int64] = []
        var videoTrack: Int?
        let deadline = Date().addingTimeInterval(2.5)
        while Date() < deadline, let item = queue.pop(timeout: 1) {
            switch item {
            case .stream(let info): videoTrack = info.videoTrackIndex
            case .packet(let packet) where packet.trackIndex == videoTrack:
                video.append(try #require(packet.dts ?? packet.pts))
            default: break
            }
        }
        // 25 frames a second: about 62 in 2.5 s, so the file was played at least twice, not all at once.
        #expect(video.count > 40, "\(video.count) video packets")
        #expect(video.count < 90, "\(video.count) video packets")
        #expect(zip(video, video.dropFirst()).allSatisfy { $0 < $1 }, "\(video)")
    }
}
