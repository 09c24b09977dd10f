import Foundation
import KuzetConfiguration
import KuzetCore

/// One closed segment as the index keeps it, in 16 bytes, so 30 days × 32 cameras × 1-minute
/// segments (1.4 M files) take about 22 MB.
struct IndexedSegment: Sendable, Equatable {
    /// The UTC start from the file name, in milliseconds since 1970.
    var start: Int64
    /// Bits 0–39: size in bytes (up to 1 TiB); bits 40–62: duration in 10 ms units (up to 23 h);
    /// bit 63: MPEG-TS (else fMP4).
    private var packed: UInt64

    private static let bytesMask: UInt64 = (1 << 40) - 1
    private static let durationMask: UInt64 = (1 << 23) - 1

    init(start: Int64, bytes: Int64, duration: Int32, format: AgentConfiguration.Storage.Format) {
        self.start = start
        self.packed = format == .mpegts ? 1 << 63 : 0
        self.bytes = bytes
        self.duration = duration
    }

    init(name: SegmentName, bytes: Int64, durationSeconds: Double) {
        self.init(
            start: Int64((name.start.timeIntervalSince1970 * 1000).rounded()), bytes: bytes,
            duration: Int32(clamping: Int64((max(0, durationSeconds) * 1000).rounded())), format: name.format)
    }

    var bytes: Int64 {
        get { Int64(packed & Self.bytesMask) }
        set { packed = (packed & ~Self.bytesMask) | (UInt64(clamping: max(0, newValue)) & Self.bytesMask) }
    }

    /// How long the segment covers, in milliseconds (kept to 10 ms; see ``StorageScan`` for how it is learnt).
    var duration: Int32 {
        get { Int32((packed >> 40) & Self.durationMask) * 10 }
        set {
            let units = min(UInt64(max(0, newValue) + 5) / 10, Self.durationMask)
            packed = (packed & ~(Self.durationMask << 40)) | (units << 40)
        }
    }

    var isMPEGTS: Bool { packed >> 63 == 1 }
    var end: Int64 { start + Int64(duration) }
    var format: AgentConfiguration.Storage.Format { isMPEGTS ? .mpegts : .fmp4 }
    var name: SegmentName { SegmentName(start: .init(millisecondsSince1970: start), format: format) }
}
