/// What a segment writer (the recorder) announces about segment files to the rest of the agent
/// (the retention cleaner). Called on the writer's thread: return quickly.
public protocol SegmentEvents: Sendable {
    /// A new segment file was created and is being written (the cleaner must not delete it).
    func segmentOpened(_ segment: SegmentFile)
    /// A segment file is complete: trailer written, flushed to disk. `duration` is the footage's
    /// length in seconds.
    func segmentClosed(_ segment: SegmentFile, bytes: Int64, duration: Double)
}
