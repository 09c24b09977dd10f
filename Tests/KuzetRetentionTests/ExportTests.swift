import Foundation
import KuzetCore
import KuzetRetention
import KuzetTestKit
import Testing

/// Must-show 4 (and 6 for export): `kuzet-agent export` on real segments, checked with ffprobe.
@Suite struct ExportTests {
    let directory: TemporaryDirectory
    let root: String
    let config: String
    let pieces: [String]
    let morning = epoch.addingTimeInterval(9 * 3600)

    init() throws {
        directory = try TemporaryDirectory(prefix: "kuzet-retention-export")
        root = directory.file("recordings")
        config = directory.file("agent.yaml")
        pieces = try RetentionFixtures.makeConsecutiveSegments(in: directory.path, count: 4, seconds: 60)
        try writeAgentConfig(to: config, root: root, cameras: [("entrance", "rtsp://127.0.0.1:8554/main", nil, "main")])
    }

    func export(_ from: Date, _ to: Date, camera: String = "entrance", output: String) throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        try RetentionFixtures.runSeparately(
            try RetentionFixtures.agentExecutable(),
            [
                "export", "--config", config, "--camera", camera, "--from", iso(from), "--to", iso(to), "--output",
                output,
            ])
    }

    @Test func aThreeMinuteRangeOverFourSegmentsIsOnePlayableClipOfThreeMinutes() throws {
        for (index, piece) in pieces.enumerated() {
            try RetentionFixtures.place(
                piece, root: root, camera: "entrance", start: morning.addingTimeInterval(Double(index) * 60),
                seconds: 60)
        }
        let output = directory.file("clip.mp4")
        let result = try export(morning.addingTimeInterval(30), morning.addingTimeInterval(210), output: output)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("4 segment(s)"))
        let probe = try FFprobe.probe(output)
        let duration = try #require(probe.duration)
        #expect(abs(duration - 180) <= 2, "ffprobe says \(duration) s for a 180 s request")
        #expect(probe.video?.codecName == "h264")
        #expect(try FFprobe.decodesCleanly(output))
    }

    @Test func aRangeWithAHoleNamesTheHoleAndStillWritesTheRest() throws {
        // 09:00–09:02 recorded, nothing 09:02–09:03, 09:03–09:04 recorded.
        for (index, minute) in [0, 1, 3].enumerated() {
            try RetentionFixtures.place(
                pieces[index], root: root, camera: "entrance", start: morning.addingTimeInterval(Double(minute) * 60),
                seconds: 60)
        }
        let output = directory.file("holey.mp4")
        let result = try export(morning.addingTimeInterval(30), morning.addingTimeInterval(210), output: output)
        #expect(result.status == 1)
        let expected =
            "camera entrance: no footage from \(iso(morning.addingTimeInterval(120))) to \(iso(morning.addingTimeInterval(180))) (1m0s)"
        #expect(result.stderr.contains(expected), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("--allow-gaps"))
        #expect(try FFprobe.decodesCleanly(output))
    }

    @Test func aRangeWithNoFootageIsAnErrorSayingWhatTheRecordingsCover() throws {
        try RetentionFixtures.place(pieces[0], root: root, camera: "entrance", start: morning, seconds: 60)
        let output = directory.file("none.mp4")
        let result = try export(morning.addingTimeInterval(3600), morning.addingTimeInterval(3700), output: output)
        #expect(result.status == 1)
        #expect(result.stderr.contains("camera entrance: no footage from"))
        #expect(result.stderr.contains("its recordings cover"))
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func toBeforeFromIsRefusedAsBadUsage() throws {
        let result = try export(morning.addingTimeInterval(120), morning, output: directory.file("x.mp4"))
        #expect(result.status == 2)
        #expect(
            result.stderr.contains("--to: \(iso(morning)) is not after --from \(iso(morning.addingTimeInterval(120)))"))
    }

    @Test func anUnknownCameraIsRefusedNamingTheKnownOnes() throws {
        let result = try export(
            morning, morning.addingTimeInterval(60), camera: "roof", output: directory.file("x.mp4"))
        #expect(result.status == 2)
        #expect(result.stderr.contains("--camera: no camera \"roof\""))
        #expect(result.stderr.contains("entrance"))
    }
}
