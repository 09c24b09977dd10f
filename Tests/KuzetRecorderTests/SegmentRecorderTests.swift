import Foundation
import KuzetCore
import KuzetMedia
import KuzetRecorder
import KuzetSegmentStore
import KuzetTestKit
import Testing

@Suite struct SegmentRecorderTests {
    @Test func segmentsAreCutOnKeyframesAtTheTargetLengthAndEachPlays() throws {
        let directory = try TemporaryDirectory()
        let clip = try RecorderFixtures.clip(in: directory, name: "clip.mp4", seconds: 10)
        let root = directory.file("rec")
        let fanout = PacketFanout()
        let events = EventLog()
        let recorder = SegmentRecorder(
            configuration: .init(camera: "entrance", root: root, segmentSeconds: 2), fanout: fanout, events: events)
        recorder.start()
        try RecorderFixtures.publish(clip, into: fanout)
        recorder.stop()
        let segments = RecorderFixtures.segments(root: root, camera: "entrance")
        #expect(segments.count == 5)
        for segment in segments {
            let probe = try FFprobe.probe(segment)
            #expect(probe.video?.codecName == "h264")
            #expect(abs((probe.duration ?? 0) - 2) <= 1, "\(segment) lasts \(probe.duration ?? -1) s")
            #expect(try FFprobe.decodesCleanly(segment))
        }
        #expect(events.opened.map(\.path) == segments)
        #expect(events.opened.allSatisfy { $0.camera == "entrance" })
        #expect(events.closed.map(\.file) == events.opened)
        #expect(events.closed.allSatisfy { $0.bytes > 0 && abs($0.duration - 2) <= 1 })
        #expect(recorder.state.segmentsWritten == 5)
    }

    @Test func mpegtsIsWrittenOnRequest() throws {
        let directory = try TemporaryDirectory()
        let clip = try RecorderFixtures.clip(in: directory, name: "clip.mp4", seconds: 4)
        let root = directory.file("rec")
        let fanout = PacketFanout()
        let recorder = SegmentRecorder(
            configuration: .init(camera: "yard", root: root, format: .mpegts, segmentSeconds: 2), fanout: fanout)
        recorder.start()
        try RecorderFixtures.publish(clip, into: fanout)
        recorder.stop()
        let segments = RecorderFixtures.segments(root: root, camera: "yard")
        #expect(segments.count == 2)
        #expect(segments.allSatisfy { $0.hasSuffix(".ts") })
        for segment in segments { #expect(try FFprobe.probe(segment).formatName == "mpegts") }
    }

    @Test func stoppingFinishesTheOpenSegmentCleanly() throws {
        let directory = try TemporaryDirectory()
        let clip = try RecorderFixtures.clip(in: directory, name: "clip.mp4", seconds: 3)
        let root = directory.file("rec")
        let fanout = PacketFanout()
        let recorder = SegmentRecorder(
            configuration: .init(camera: "hall", root: root, segmentSeconds: 60), fanout: fanout)
        recorder.start()
        try RecorderFixtures.publish(clip, into: fanout, end: false)
        recorder.stop()
        let segments = RecorderFixtures.segments(root: root, camera: "hall")
        #expect(segments.count == 1)
        #expect(try FFprobe.decodesCleanly(segments[0]))
        #expect((try FFprobe.probe(segments[0]).duration ?? 0) >= 2.9)
    }

    @Test func aCameraClockJumpStartsANewSegmentInsteadOfFailing() throws {
        let directory = try TemporaryDirectory()
        // Two MPEG-TS clips back to back, the second stamped 1000 s later: one stream whose clock jumps.
        let first = try RecorderFixtures.clip(in: directory, name: "a.ts", seconds: 3)
        let second = try RecorderFixtures.clip(
            in: directory, name: "b.ts", seconds: 3, extra: ["-output_ts_offset", "1000"])
        let joined = directory.file("jump.ts")
        var data = try Data(contentsOf: URL(fileURLWithPath: first))
        data.append(try Data(contentsOf: URL(fileURLWithPath: second)))
        try data.write(to: URL(fileURLWithPath: joined))
        let root = directory.file("rec")
        let fanout = PacketFanout()
        let recorder = SegmentRecorder(
            configuration: .init(camera: "gate", root: root, segmentSeconds: 60), fanout: fanout)
        recorder.start()
        try RecorderFixtures.publish(joined, into: fanout)
        recorder.stop()
        let segments = RecorderFixtures.segments(root: root, camera: "gate")
        #expect(segments.count == 2)
        for segment in segments {
            let duration = try FFprobe.probe(segment).duration ?? 0
            #expect(duration > 1.5 && duration < 4, "\(segment) lasts \(duration) s")
            #expect(try FFprobe.decodesCleanly(segment))
        }
    }

    @Test func aFullDiskOrUnwritableRootIsReportedNotFatal() throws {
        let directory = try TemporaryDirectory()
        let clip = try RecorderFixtures.clip(in: directory, name: "clip.mp4", seconds: 2)
        let blocker = directory.file("not-a-folder")
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        let fanout = PacketFanout()
        let recorder = SegmentRecorder(
            configuration: .init(camera: "cam", root: blocker, segmentSeconds: 2), fanout: fanout)
        recorder.start()
        try RecorderFixtures.publish(clip, into: fanout)
        recorder.stop()
        #expect(recorder.state.lastError?.hasPrefix("storage.root: cannot create") == true)
    }
}
