import Foundation
import KuzetCore
import KuzetTestKit
import Testing

/// Issue 21, must-show 6, against the real `kuzet-agent` process: a camera stream carrying ONVIF
/// Media Signing SEI units (user data unregistered, UUID 005bc93f-2d71-5e95-ada4-796f90877a6f),
/// one per picture and each numbered, served by a real gst-rtsp-server camera. Every unit is
/// found byte-identical and in order, none missing, in the recorded segments and in what a relay
/// client receives.
@Suite(.serialized) struct AgentSignedVideoTests {
    func write(_ text: String, to path: String) throws -> String {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A 10 s, 25 fps, 640×360 clip, one slice per picture, a keyframe every second (Annex B).
    static func plainClip(codec: CameraMount.Codec, at path: String) throws -> [UInt8] {
        let source = [
            "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25", "-frames:v", "250", "-pix_fmt", "yuv420p",
        ]
        let encoder =
            codec == .h264
            ? [
                "-c:v", "libx264", "-preset", "veryfast", "-bf", "0", "-g", "25", "-keyint_min", "25", "-sc_threshold",
                "0", "-x264-params", "repeat-headers=1", "-f", "h264",
            ]
            : [
                "-c:v", "libx265", "-preset", "ultrafast", "-x265-params",
                "keyint=25:min-keyint=25:scenecut=0:bframes=0:repeat-headers=1:log-level=error", "-f", "hevc",
            ]
        let (status, output) = try run(
            "/usr/bin/ffmpeg", ["-v", "error", "-y"] + source + encoder + [path], timeout: 120)
        guard status == 0 else { throw TestKitError("ffmpeg could not make the clip: \(output)") }
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// The video of a recorded segment (or any file ffmpeg reads) as an Annex B stream.
    static func annexB(of path: String, codec: CameraMount.Codec, into output: String) throws -> [UInt8] {
        let filter = codec == .h264 ? "h264_mp4toannexb" : "hevc_mp4toannexb"
        let (status, text) = try run(
            "/usr/bin/ffmpeg",
            [
                "-v", "error", "-y", "-i", path, "-map", "0:v:0", "-c", "copy", "-bsf:v", filter, "-f",
                codec == .h264 ? "h264" : "hevc", output,
            ], timeout: 60)
        guard status == 0 else { throw TestKitError("ffmpeg could not read \(path): \(text)") }
        return Array(try Data(contentsOf: URL(fileURLWithPath: output)))
    }

    /// What is wrong with `found` against the units the camera sent (empty when nothing is):
    /// each must be byte-identical to the unit of its number, and each the next one after the
    /// last (the clip loops, so numbers wrap).
    static func problems(_ found: [[UInt8]], sent: [[UInt8]], codec: CameraMount.Codec) -> [String] {
        var problems: [String] = []
        var previous: Int?
        for (index, unit) in found.enumerated() {
            guard let number = MediaSigningSEI.number(of: unit, codec: codec), sent.indices.contains(number) else {
                problems.append("unit \(index): not one the camera sent")
                continue
            }
            if unit != sent[number] { problems.append("unit \(index) (#\(number)): bytes differ") }
            if let previous, number != (previous + 1) % sent.count {
                problems.append("unit \(index): #\(number) follows #\(previous)")
            }
            previous = number
        }
        return Array(problems.prefix(20))
    }

    @Test(.timeLimit(.minutes(4)), arguments: [CameraMount.Codec.h264, .h265])
    func cameraSignedSEIUnitsReachTheSegmentsAndTheRelayUnchangedAndInOrder(codec: CameraMount.Codec) async throws {
        let directory = try TemporaryDirectory()
        let signed = try MediaSigningSEI.signing(
            clip: try Self.plainClip(codec: codec, at: directory.file("plain.\(codec.rawValue)")), codec: codec)
        #expect(signed.units.count == 250)
        let clip = directory.file("signed.\(codec.rawValue)")
        try Data(signed.clip).write(to: URL(fileURLWithPath: clip))
        // The test's own parser finds what it inserted (so finding nothing later means something dropped them).
        #expect(MediaSigningSEI.units(inAnnexB: signed.clip, codec: codec) == signed.units)

        let cameras = try RTSPCameraServer(mounts: [CameraMount(path: "/cam1", codec: codec, clipFile: clip)])
        let root = directory.file("rec")
        let relayPort = freeLoopbackPort()
        let config = try write(
            """
            school: { id: KZ-TEST-SEI }
            storage: { root: \(root), segment_seconds: 2 }
            relay: { listen: 127.0.0.1:\(relayPort) }
            cameras:
              - id: cam1
                url: \(cameras.url(for: "/cam1"))
            """, to: directory.file("agent.yaml"))
        let agent = try ExternalProcess(
            BuiltExecutable.agent, ["run", "--config", config], name: "agent", logDirectory: directory.path)
        defer { agent.stop() }
        #expect(
            await waitUntil(timeout: 40) { RecordingChecks.fileNames(root: root, camera: "cam1").count >= 2 },
            "recording started: \(agent.output.suffix(2000))")

        // A relay client takes 5 s of the same stream, as it arrives (no re-encoding: -c copy).
        let relayed = directory.file("relayed.\(codec.rawValue)")
        let (relayStatus, relayOutput) = try await offPool {
            try run(
                "/usr/bin/ffmpeg",
                [
                    "-v", "error", "-y", "-rtsp_transport", "tcp", "-i", "rtsp://127.0.0.1:\(relayPort)/cam1", "-t",
                    "5",
                    "-map", "0:v:0", "-c", "copy", "-f", codec == .h264 ? "h264" : "hevc", relayed,
                ], timeout: 60)
        }
        #expect(relayStatus == 0, "relay client: \(relayOutput)")
        try await Task.sleep(for: .seconds(2))
        agent.stop() // SIGTERM: the open segment is finished

        var recorded: [[UInt8]] = []
        let segments = try RecordingChecks.segments(root: root, camera: "cam1")
        for (index, segment) in segments.enumerated() {
            let stream = try Self.annexB(of: segment.path, codec: codec, into: directory.file("segment\(index).es"))
            recorded += MediaSigningSEI.units(inAnnexB: stream, codec: codec)
        }
        let recordedSeconds = segments.reduce(0) { $0 + $1.duration }
        print(
            "signed SEI (\(codec.rawValue)): \(recorded.count) units in \(segments.count) segments (\(String(format: "%.1f", recordedSeconds)) s)"
        )
        // One unit per picture at 25 fps, over everything recorded (each segment starts at a keyframe).
        #expect(segments.count >= 3)
        #expect(Double(recorded.count) >= recordedSeconds * 25 - 2 * Double(segments.count), "\(recorded.count) units")
        #expect(Self.problems(recorded, sent: signed.units, codec: codec) == [])
        // The check itself catches a unit missing, one byte changed, and two units swapped.
        if recorded.count > 10 {
            var missing = recorded
            missing.remove(at: recorded.count / 2)
            var changed = recorded
            changed[3][changed[3].count - 2] ^= 0x01
            var swapped = recorded
            swapped.swapAt(5, 6)
            for broken in [missing, changed, swapped] {
                #expect(!Self.problems(broken, sent: signed.units, codec: codec).isEmpty)
            }
        }

        let relayedUnits = MediaSigningSEI.units(
            inAnnexB: Array(try Data(contentsOf: URL(fileURLWithPath: relayed))), codec: codec)
        print("signed SEI (\(codec.rawValue)): \(relayedUnits.count) units through the relay")
        #expect(relayedUnits.count >= 100, "\(relayedUnits.count) units through the relay")
        #expect(Self.problems(relayedUnits, sent: signed.units, codec: codec) == [])
    }
}
