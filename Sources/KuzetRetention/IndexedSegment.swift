import Foundation
import KuzetCore

/// One closed segment as the index keeps it: 24 bytes, so 30 days × 32 cameras × 1-minute
/// segments (1.4 M files) fit in about 33 MB.
struct IndexedSegment: Sendable, Equatable {
    /// The UTC start from the file name, in milliseconds since 1970.
    var start: Int64
    /// The file's size in bytes.
    var bytes: Int64
    /// How long the segment covers, in milliseconds (see ``StorageScan`` for how it is learnt).
    var duration: Int32
    var isMPEGTS: Bool

    init(start: Int64, bytes: Int64, duration: Int32, format: AgentConfiguration.Storage.Format) {
        self.start = start
        self.bytes = bytes
        self.duration = duration
        self.isMPEGTS = format == .mpegts
    }

    init(name: SegmentName, bytes: Int64, durationSeconds: Double) {
        self.init(
            start: Int64((name.start.timeIntervalSince1970 * 1000).rounded()), bytes: bytes,
            duration: Int32(clamping: Int64((max(0, durationSeconds) * 1000).rounded())), format: name.format)
    }

    var end: Int64 { start + Int64(duration) }
    var format: AgentConfiguration.Storage.Format { isMPEGTS ? .mpegts : .fmp4 }
    var name: SegmentName { SegmentName(start: .init(millisecondsSince1970: start), format: format) }
}
