import Foundation
import KuzetAgent
import KuzetConfiguration
import KuzetMedia
import KuzetProtocol
import KuzetTestKit
import Testing

/// Picture health's checks (issue 23) on real pictures: scenes made by the real ffmpeg (lavfi),
/// encoded with libx264, their keyframes decoded small by `SnapshotEncoder.sample` exactly as the
/// agent does, judged by `PictureHealthJudge` with the default thresholds.
@Suite(.serialized) struct PictureHealthTests {
    /// The scenes, as lavfi graphs at 640×360, 25 fps, a keyframe a second.
    enum Scene: String, CaseIterable {
        case normal, black, grey, frozen, blurred, turned, night, walking

        var graph: String {
            let size = "size=640x360:rate=25"
            switch self {
            case .normal: return "testsrc2=\(size)"
            // A covered lens: near black with a little sensor noise.
            case .black: return "color=c=0x0c0c0c:\(size),noise=alls=6:allf=t"
            case .grey: return "color=c=0x808080:\(size),noise=alls=4:allf=t"
            // The first picture again and again while the timestamps advance (a hung encoder).
            case .frozen: return "testsrc2=\(size),loop=loop=-1:size=1:start=0,setpts=N/25/TB"
            case .blurred: return "testsrc2=\(size),gblur=sigma=6"
            // Another scene: the camera turned to face something else.
            case .turned: return "mandelbrot=\(size)"
            // Dark, textured and noisy.
            case .night: return "testsrc2=\(size),eq=brightness=-0.3:contrast=0.45,noise=alls=18:allf=t"
            // A still, noisy scene with one person-sized shape walking across it.
            case .walking:
                return
                    "testsrc2=\(size),loop=loop=-1:size=1:start=0,setpts=N/25/TB,noise=alls=6:allf=t[bg];color=c=0xd0b090:size=50x150:rate=25[p];[bg][p]overlay=x='mod(t*90\\,640)':y=160:shortest=1"
            }
        }
    }

    static let samplesCache = SampleCache()

    /// Decoded keyframes of `scene` (one a second, `seconds` of them), made once per run.
    static func samples(_ scene: Scene, seconds: Int = 8) throws -> [PictureSample] {
        if let cached = samplesCache.get(scene.rawValue) { return cached }
        let directory = try TemporaryDirectory()
        let path = directory.file("\(scene.rawValue).mp4")
        let (status, output) = try run(
            "ffmpeg",
            [
                "-v", "error", "-y", "-f", "lavfi", "-i", scene.graph, "-t", "\(seconds)", "-c:v", "libx264",
                "-pix_fmt", "yuv420p", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0", "-bf", "0", path,
            ], timeout: 120)
        guard status == 0 else { throw TestKitError("ffmpeg could not make the \(scene) scene: \(output)") }
        let input = try MediaInput(opening: path, interrupt: MediaInterrupt())
        var samples: [PictureSample] = []
        while let packet = try input.read() {
            guard packet.isKeyframe, packet.trackIndex == input.stream.videoTrackIndex else { continue }
            samples.append(try SnapshotEncoder.sample(from: packet, of: input.stream))
        }
        samplesCache.set(scene.rawValue, samples)
        return samples
    }

    /// Feeds `scenes` in turn through one judge, one sample per step, the reference taken as the
    /// agent takes it (the first usable sample); the timestamps always advance.
    struct Run {
        var judge = PictureHealthJudge(settings: AgentConfiguration.Health(), startedAt: Date(timeIntervalSince1970: 0))
        var step = 0
        var history: [(scene: Scene, reasons: [PictureCheck])] = []

        mutating func feed(_ scene: Scene, count: Int) throws {
            let samples = try PictureHealthTests.samples(scene)
            for index in 0..<count {
                let sample = samples[index % samples.count]
                if judge.reference == nil, judge.isUsableReference(PictureMeasures(sample.grey)) {
                    judge.reference = PictureMeasures(sample.grey).layout
                }
                step += 1
                judge.judge(
                    .picture(sample.grey, presentationSeconds: Double(step) * 60),
                    at: Date(timeIntervalSince1970: Double(step) * 60))
                history.append((scene, judge.report.reasons))
            }
        }

        mutating func feedNoVideo(count: Int) {
            for _ in 0..<count {
                step += 1
                judge.judge(.noVideo, at: Date(timeIntervalSince1970: Double(step) * 60))
                history.append((.normal, judge.report.reasons))
            }
        }

        /// The samples (1-based) after the last `count` fed at which `reason` was first set, or first
        /// no longer set.
        func firstStep(from start: Int, where condition: ([PictureCheck]) -> Bool) -> Int? {
            history[start...].firstIndex { condition($0.reasons) }.map { $0 - start + 1 }
        }
    }

    @Test(
        "Each bad scene after a normal one is flagged with its reason within 3 samples and cleared within 3 after the normal scene returns",
        arguments: [
            (Scene.black, PictureCheck.dark), (.grey, .uniform), (.frozen, .frozen), (.blurred, .blurred),
            (.turned, .moved),
        ])
    func badSceneFlagsAndClears(scene: Scene, reason: PictureCheck) throws {
        var run = Run()
        try run.feed(.normal, count: 6)
        #expect(run.judge.report.state == .ok, "normal scene: \(run.judge.report.reasons)")
        let badStart = run.history.count
        try run.feed(scene, count: 5)
        let flaggedAt = run.firstStep(from: badStart) { $0.contains(reason) }
        #expect(flaggedAt != nil && flaggedAt! <= 3, "\(scene): \(run.history[badStart...].map(\.reasons))")
        #expect(run.judge.report.state == .flagged && run.judge.report.reasons.contains(reason))
        let goodStart = run.history.count
        try run.feed(.normal, count: 5)
        let clearedAt = run.firstStep(from: goodStart) { $0.isEmpty }
        #expect(clearedAt != nil && clearedAt! <= 3, "\(scene) → normal: \(run.history[goodStart...].map(\.reasons))")
        #expect(run.judge.report.state == .ok)
    }

    @Test("A session without video frames is flagged no_video after 2 samples and cleared after 2 pictures")
    func noVideoFlagsAndClears() throws {
        var run = Run()
        try run.feed(.normal, count: 3)
        run.feedNoVideo(count: 1)
        #expect(run.judge.report.state == .ok)
        run.feedNoVideo(count: 1)
        #expect(run.judge.report.reasons == [.noVideo])
        try run.feed(.normal, count: 2)
        #expect(run.judge.report.state == .ok)
    }

    @Test(
        "A normal moving scene, a night scene and a person walking across a still scene raise no flag",
        arguments: [Scene.normal, .night, .walking])
    func harmlessScenesRaiseNothing(scene: Scene) throws {
        var run = Run()
        try run.feed(scene, count: 30)
        let flagged = run.history.filter { !$0.reasons.isEmpty }
        #expect(
            flagged.isEmpty,
            "\(scene): \(flagged.map(\.reasons)); last figures \(String(describing: run.judge.lastMeasures.map { ($0.level, $0.deviation, $0.sharpness) }))"
        )
        #expect(run.judge.report.state == .ok)
    }

    @Test("One odd sample (a passing shadow) flags nothing")
    func oneBadSampleFlagsNothing() throws {
        var run = Run()
        try run.feed(.normal, count: 4)
        try run.feed(.black, count: 1)
        try run.feed(.normal, count: 3)
        #expect(run.history.allSatisfy { $0.reasons.isEmpty })
    }

    @Test("A reset reference is replaced by the next usable sample, and moved clears at once")
    func resetReferenceClearsMoved() throws {
        var run = Run()
        try run.feed(.normal, count: 3)
        try run.feed(.turned, count: 3)
        #expect(run.judge.report.reasons == [.moved])
        run.judge.resetReference(at: Date(timeIntervalSince1970: 10_000))
        #expect(run.judge.report.state == .ok)
        try run.feed(.turned, count: 4)
        #expect(run.history.suffix(4).allSatisfy { $0.reasons.isEmpty })
    }

    @Test("A sample's JPEG is at most 320 px wide and 20 KB, and its grey picture has the same size")
    func sampleSizes() throws {
        for scene in [Scene.normal, .night, .walking] {
            let sample = try #require(try Self.samples(scene).first)
            let jpeg = try #require(sample.jpeg)
            #expect(sample.grey.width == 320 && sample.grey.height == 180)
            #expect(jpeg.count <= CameraThumbnail.maximumBytes && jpeg.count > 1000)
            #expect(Array(jpeg.prefix(3)) == [0xFF, 0xD8, 0xFF])
        }
    }
}

/// Samples decoded once per test run (each scene's clip costs an encode).
final class SampleCache: @unchecked Sendable {
    // @unchecked Sendable: `entries` is guarded by `lock`.
    private let lock = NSLock()
    private var entries: [String: [PictureSample]] = [:]
    func get(_ key: String) -> [PictureSample]? { lock.withLock { entries[key] } }
    func set(_ key: String, _ value: [PictureSample]) { lock.withLock { entries[key] = value } }
}
