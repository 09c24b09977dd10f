import Foundation
import KuzetMedia
import KuzetTestKit
import Testing

@Suite struct MediaOutputTests {
    /// Copies every packet of `source` into `target` through MediaInput → MediaOutput.
    func remux(_ source: String, to target: String, format: MediaOutput.Format) throws -> MediaOutput {
        let input = try MediaInput(opening: source, interrupt: MediaInterrupt())
        let output = try MediaOutput(target: target, format: format, stream: input.stream, interrupt: MediaInterrupt())
        while let packet = try input.read() {
            try output.write(packet, dts: packet.dts ?? 0, pts: packet.pts ?? packet.dts ?? 0)
        }
        try output.finish()
        return output
    }

    @Test func h265InFragmentedMP4IsTaggedHvc1() throws {
        let directory = try TemporaryDirectory()
        let source = try MediaFixtures.clip(in: directory, name: "h265.mkv", seconds: 2, video: "libx265")
        let target = directory.file("out.mp4")
        _ = try remux(source, to: target, format: .fragmentedMP4)
        #expect(try MediaFixtures.videoTag(of: target) == "hvc1")
        #expect(try FFprobe.probe(target).video?.codecName == "hevc")
        #expect(try FFprobe.decodesCleanly(target))
    }

    @Test func g711AudioIsLeftOutOfMP4AndTheVideoIsKept() throws {
        let directory = try TemporaryDirectory()
        let source = try MediaFixtures.clip(in: directory, name: "g711.mkv", seconds: 2, audio: "pcm_mulaw")
        let target = directory.file("out.mp4")
        let output = try remux(source, to: target, format: .fragmentedMP4)
        #expect(output.droppedTracks.map(\.codecName) == ["pcm_mulaw"])
        let probe = try FFprobe.probe(target)
        #expect(probe.streams.map(\.codecType) == ["video"])
        #expect(try FFprobe.decodesCleanly(target))
    }

    @Test func aacAudioIsKeptInMPEGTS() throws {
        let directory = try TemporaryDirectory()
        let source = try MediaFixtures.clip(in: directory, name: "aac.mp4", seconds: 2, audio: "aac")
        let target = directory.file("out.ts")
        let output = try remux(source, to: target, format: .mpegts)
        #expect(output.droppedTracks.isEmpty)
        #expect(try FFprobe.probe(target).streams.map(\.codecName).sorted() == ["aac", "h264"])
    }

    @Test func aFragmentedMP4CutOffMidWriteStillPlaysItsCompleteFragments() throws {
        let directory = try TemporaryDirectory()
        let source = try MediaFixtures.clip(in: directory, name: "clip.mp4", seconds: 4)
        let target = directory.file("out.mp4")
        _ = try remux(source, to: target, format: .fragmentedMP4)
        // Simulate a power cut: chop the file in the middle of its last fragment.
        let data = try Data(contentsOf: URL(fileURLWithPath: target))
        let chopped = directory.file("chopped.mp4")
        try data.prefix(data.count - data.count / 8).write(to: URL(fileURLWithPath: chopped))
        let probe = try FFprobe.probe(chopped)
        #expect(probe.video?.codecName == "h264")
        #expect((probe.duration ?? 0) >= 2.9)
    }

    @Test func hevcCannotBePushedAsFLVAndTheErrorSaysSo() throws {
        let directory = try TemporaryDirectory()
        let source = try MediaFixtures.clip(in: directory, name: "h265.mkv", seconds: 1, video: "libx265")
        let input = try MediaInput(opening: source, interrupt: MediaInterrupt())
        #expect {
            _ = try MediaOutput(
                target: directory.file("x.flv"), format: .flv, stream: input.stream, interrupt: MediaInterrupt())
        } throws: { error in
            (error as? MediaError)?.reason.contains("hevc video cannot be carried in flv") == true
        }
    }
}
