import KuzetMedia

/// Where the status service gets its facts: the running agent (or, in tests, a fixed set).
public protocol StatusSource: Sendable {
    /// The status now.
    func statusReport() async -> StatusReport
    /// The fan-out a snapshot of `camera` is taken from (its main stream, or the sub stream when
    /// only that one runs); nil when the camera is unknown or has no upstream.
    func snapshotFanout(camera: String) -> PacketFanout?
}

extension StatusSource {
    /// Picture health's latest sample (`latest`) or reference picture (`reference`) of a camera as
    /// JPEG; nil when there is none (or no picture health).
    public func healthPicture(camera: String, reference: Bool) -> [UInt8]? {
        guard let monitor = (self as? StatusRuntimeSource)?.health else { return nil }
        return reference ? monitor.referenceJPEG(camera: camera) : monitor.latestJPEG(camera: camera)
    }
}
