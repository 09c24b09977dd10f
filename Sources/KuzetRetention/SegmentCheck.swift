import KuzetMedia

/// What reading a segment file end to end showed (used on each camera's last segment at startup).
public struct SegmentCheck: Sendable, Equatable {
    /// Packets read before the file ended (or broke off, for a torn file).
    public var packets: Int
    /// From the first to the last packet, seconds.
    public var durationSeconds: Double?

    public init(packets: Int, durationSeconds: Double?) {
        self.packets = packets
        self.durationSeconds = durationSeconds
    }

    /// Reads the file with libavformat; a file that does not open counts as holding no packet.
    @Sendable public static func inspect(_ path: String) -> SegmentCheck {
        guard let reading = try? ClipExport.inspect(path: path) else {
            return SegmentCheck(packets: 0, durationSeconds: nil)
        }
        return SegmentCheck(packets: reading.videoPackets, durationSeconds: reading.durationSeconds)
    }
}
