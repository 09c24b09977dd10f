/// What the recorder tells the rest of the agent (the retention cleaner, the status page)
/// about segment files. Called on the recorder's thread: return quickly.
public protocol SegmentEvents: Sendable {
    /// A new segment file was created and is being written (the cleaner must not delete it).
    func segmentOpened(camera: String, path: String)
    /// A segment file is complete: trailer written, flushed to disk.
    func segmentClosed(camera: String, path: String, bytes: Int, duration: Double)
}
