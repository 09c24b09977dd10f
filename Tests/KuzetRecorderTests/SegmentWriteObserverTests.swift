import Foundation
import KuzetCore
import KuzetMedia
import KuzetRecorder
import KuzetSegmentStore
import KuzetTestKit
import Testing

/// The recorder shows each segment's bytes to an observer as they reach the file (the commitments
/// hash them there instead of reading the file back): every byte, in order, and the file itself
/// is what it would be without the observer.
@Suite struct SegmentWriteObserverTests {
    /// A segment's bytes rebuilt from the runs the observer saw, at their offsets.
    final class WrittenImage: MediaFileObserver, @unchecked Sendable {
        private let lock = NSLock()
        private var bytes: [UInt8] = []
        private var runsNotAtTheEnd = 0

        func wrote(_ run: UnsafeRawBufferPointer, at offset: Int64) {
            lock.withLock {
                let start = Int(offset)
                if start != bytes.count { runsNotAtTheEnd += 1 }
                if bytes.count < start + run.count {
                    bytes.append(contentsOf: repeatElement(0, count: start + run.count - bytes.count))
                }
                bytes.replaceSubrange(start..<start + run.count, with: run)
            }
        }

        var image: [UInt8] { lock.withLock { bytes } }
        var outOfOrderRuns: Int { lock.withLock { runsNotAtTheEnd } }
    }

    /// Observers handed out per segment path.
    final class Observers: @unchecked Sendable {
        private let lock = NSLock()
        private var byPath: [String: WrittenImage] = [:]
        func make(_ segment: SegmentFile) -> (any MediaFileObserver)? {
            let image = WrittenImage()
            lock.withLock { byPath[segment.path] = image }
            return image
        }
        subscript(path: String) -> WrittenImage? { lock.withLock { byPath[path] } }
    }

    static func record(
        _ clip: String, root: String, format: SegmentFormat, observers: Observers?
    ) -> [String] {
        let fanout = PacketFanout()
        let recorder = SegmentRecorder(
            configuration: .init(camera: "entrance", root: root, format: format, segmentSeconds: 2), fanout: fanout,
            writeObserver: { observers?.make($0) })
        recorder.start()
        try? RecorderFixtures.publish(clip, into: fanout)
        recorder.stop()
        return RecorderFixtures.segments(root: root, camera: "entrance")
    }

    @Test(arguments: [SegmentFormat.fmp4, .mpegts])
    func everyByteOfEachSegmentReachesItsObserverInOrder(format: SegmentFormat) throws {
        let directory = try TemporaryDirectory()
        let clip = try RecorderFixtures.clip(in: directory, name: "clip.mp4", seconds: 10)
        let observers = Observers()
        let segments = Self.record(clip, root: directory.file("rec"), format: format, observers: observers)
        #expect(segments.count == 5)
        for segment in segments {
            let written = try #require(observers[segment], "no observer saw \(segment)")
            let file = try [UInt8](Data(contentsOf: URL(fileURLWithPath: segment)))
            #expect(file.count > 10_000)
            #expect(written.image == file, "\(segment): what the observer saw is not the file")
            #expect(written.outOfOrderRuns == 0, "\(segment): the muxer rewrote bytes already handed to the disk")
            #expect(try FFprobe.decodesCleanly(segment))
        }
    }

    @Test(arguments: [SegmentFormat.fmp4, .mpegts])
    func watchingTheWritesChangesNothingInTheFiles(format: SegmentFormat) throws {
        let directory = try TemporaryDirectory()
        let clip = try RecorderFixtures.clip(in: directory, name: "clip.mp4", seconds: 6)
        let plain = Self.record(clip, root: directory.file("plain"), format: format, observers: nil)
        let watched = Self.record(clip, root: directory.file("watched"), format: format, observers: Observers())
        #expect(plain.count == 3)
        #expect(watched.count == plain.count)
        for (a, b) in zip(plain, watched) {
            let plainBytes = try Data(contentsOf: URL(fileURLWithPath: a))
            #expect(try Data(contentsOf: URL(fileURLWithPath: b)) == plainBytes, "\(b) differs from \(a)")
            let modes = try [a, b].map {
                try FileManager.default.attributesOfItem(atPath: $0)[.posixPermissions] as? Int
            }
            #expect(modes[0] != nil && modes[0] == modes[1], "file modes \(modes)")
        }
    }
}
