import Foundation
import KuzetTestKit
import Testing

/// The picture-health test cameras (`scripts/testing/scene_camera.py`) show what they claim,
/// read back by the real ffmpeg over RTSP: each scene's picture, and a switch inside one session.
@Suite("Scene camera", .serialized, .timeLimit(.minutes(4)))
struct SceneCameraTests {
    static func keyframes(_ cameras: SceneCamera, _ path: String, seconds: Double = 3) throws -> [GrayFrame] {
        let frames = try GrayFrame.keyframes(of: cameras.url(for: path), seconds: seconds)
        try #require(
            frames.count >= 2, "\(path): \(frames.count) keyframes in \(seconds) s: \(cameras.output.suffix(500))")
        return frames
    }

    @Test("each scene's keyframes look as described: dark, flat, identical, soft, different or normal")
    func eachSceneLooksAsDescribed() throws {
        let scenes: [SceneCamera.Scene] = [.normal, .black, .grey, .frozen, .blurred, .moved, .night, .person]
        let cameras = try SceneCamera(mounts: scenes.map { .init(path: "/\($0.rawValue)", scene: $0, audio: .none) })
        var frames: [SceneCamera.Scene: [GrayFrame]] = [:]
        for scene in scenes { frames[scene] = try Self.keyframes(cameras, "/\(scene.rawValue)") }
        let normal = try #require(frames[.normal])
        let changes = { (list: [GrayFrame]) in zip(list, list.dropFirst()).map { $0.difference($1) }.min() ?? 0 }
        for scene in scenes {
            let list = try #require(frames[scene])
            let first = list[0]
            print(
                "scene \(scene.rawValue): mean \(first.mean) spread \(first.spread) sharpness \(first.sharpness) "
                    + "change \(changes(list)) from-normal \(first.difference(normal[0]))")
        }
        #expect(normal.allSatisfy { $0.mean > 60 && $0.spread > 30 }, "normal: bright and varied")
        #expect(changes(normal) > 1, "normal: keyframes one second apart differ")
        #expect(frames[.black]!.allSatisfy { $0.mean < 20 && $0.spread < 3 }, "black")
        #expect(frames[.grey]!.allSatisfy { abs($0.mean - 128) < 12 && $0.spread < 3 }, "grey: flat")
        #expect(changes(frames[.frozen]!) < 0.3, "frozen: the same picture every keyframe")
        #expect(frames[.frozen]!.allSatisfy { $0.spread > 30 }, "frozen: a real picture, not a flat one")
        #expect(frames[.blurred]![0].sharpness < normal[0].sharpness * 0.6, "blurred: well below the normal sharpness")
        #expect(frames[.moved]![0].difference(normal[0]) > 25, "moved: another picture")
        #expect(changes(frames[.moved]!) > 1, "moved: still moving")
        #expect(frames[.night]!.allSatisfy { $0.mean > 20 && $0.mean < 50 && $0.spread > 5 }, "night: dark, textured")
        #expect(changes(frames[.night]!) > 1, "night: moving and noisy")
        #expect(frames[.person]!.allSatisfy { abs($0.mean - normal[0].mean) < 15 }, "person: the normal scene")
    }

    @Test("a schedule switches one session from normal to black to frozen and back, without a reconnect")
    func scheduleSwitchesInsideOneSession() throws {
        let cameras = try SceneCamera(mounts: [
            .init(path: "/cam", schedule: [(.normal, 3), (.black, 3), (.frozen, 3), (.normal, nil)])
        ])
        let frames = try Self.keyframes(cameras, "/cam", seconds: 13)
        // One label per keyframe, repeated labels merged: the order the one session saw.
        var seen: [String] = []
        for (index, frame) in frames.enumerated() {
            let label: String
            if frame.mean < 20 {
                label = "black"
            } else if index > 0 && frames[index - 1].mean > 20 && frame.difference(frames[index - 1]) < 0.3 {
                label = "frozen"
            } else {
                label = "moving"
            }
            if seen.last != label { seen.append(label) }
        }
        // The first frozen keyframe looks "moving" against the black one before it.
        #expect(seen == ["moving", "black", "moving", "frozen", "moving"], "\(seen) \(cameras.output.suffix(600))")
        #expect(try cameras.scene(on: "/cam") == .normal)
    }

    @Test("audio_only stops the video packets while the audio goes on, then the video comes back")
    func audioOnlyKeepsAudio() throws {
        let cameras = try SceneCamera(mounts: [
            .init(path: "/cam", schedule: [(.normal, 3), (.audioOnly, 4), (.normal, nil)])
        ])
        let packets = try ReceivedPacket.list(of: cameras.url(for: "/cam"), seconds: 11)
        let video = packets.filter { $0.stream == 0 }.map(\.seconds).sorted()
        let audio = packets.filter { $0.stream == 1 }.map(\.seconds).sorted()
        let gaps = zip(video, video.dropFirst()).map { ($0, $1 - $0) }
        let gap = try #require(gaps.max { $0.1 < $1.1 }, "no video packets")
        #expect(gap.1 > 3 && gap.1 < 6, "the video stops for the audio_only scene (gap \(gap.1) s)")
        #expect(audio.filter { $0 > gap.0 + 0.5 && $0 < gap.0 + gap.1 - 0.5 }.count > 20, "audio inside the gap")
        #expect(video.last! > gap.0 + gap.1, "video after the gap")
    }

    @Test("the control file switches a running camera to the scene asked for, inside the session")
    func controlFileSwitches() throws {
        let cameras = try SceneCamera(mounts: [.init(path: "/cam", audio: .none)])
        try cameras.show(.grey, on: "/cam")
        DispatchQueue.global().asyncAfter(deadline: .now() + 3) { try? cameras.show(.normal, on: "/cam") }
        let frames = try Self.keyframes(cameras, "/cam", seconds: 6)
        let flat = frames.map { abs($0.mean - 128) < 12 && $0.spread < 3 }
        // A mount starts on its default scene for its first client and switches at the next
        // keyframe: grey from the second keyframe at the latest, normal again at the end.
        let firstGrey = try #require(flat.firstIndex(of: true), "never grey: \(frames.map(\.mean))")
        #expect(firstGrey <= 1 && flat.last == false, "grey, then normal: \(frames.map(\.mean))")
        #expect(try cameras.scene(on: "/cam") == .normal)
    }
}
