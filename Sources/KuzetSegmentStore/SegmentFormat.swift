/// The container a segment file is written in; its file extension is part of the segment's name.
public enum SegmentFormat: String, Sendable, Hashable, CaseIterable {
    /// Fragmented MP4 (`.mp4`): a file cut short by a crash plays up to its last complete fragment.
    case fmp4
    /// MPEG transport stream (`.ts`).
    case mpegts

    /// The file extension segments of this format carry (without the dot).
    public var fileExtension: String {
        switch self {
        case .fmp4: "mp4"
        case .mpegts: "ts"
        }
    }
}
