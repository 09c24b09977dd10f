import KuzetMedia

/// Where the status service gets its facts: the running agent (or, in tests, a fixed set).
public protocol StatusSource: Sendable {
    /// The status now.
    func statusReport() async -> StatusReport
    /// The fan-out a snapshot of `camera` is taken from (its main stream, or the sub stream when
    /// only that one runs); nil when the camera is unknown or has no upstream.
    func snapshotFanout(camera: String) -> PacketFanout?
}
