/// The container recordings are written in (`storage.format`).
public enum SegmentFormat: String, Sendable, Equatable, CaseIterable {
    case fmp4, mpegts
    /// The file extension segments of this format carry.
    public var fileExtension: String { self == .fmp4 ? "mp4" : "ts" }
}
