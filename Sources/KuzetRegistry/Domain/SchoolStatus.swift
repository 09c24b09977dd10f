import Foundation
import KuzetProtocol

/// The figures of a school's current state that lists show — kept in columns of the schools table,
/// so a page of schools is read without decoding each school's state JSON.
public struct SchoolStatus: Sendable, Equatable {
    public var lastSequence: UInt64
    public var intervalSeconds: Int
    /// School-level condition flags (never OFFLINE), in `SchoolFlag` order.
    public var flags: [FlagMark]
    public var cameras: Int
    public var camerasRecording: Int
    /// The lowest achieved retention among recording cameras, if any camera reports one.
    public var minimumRetentionDays: Double?

    public init(
        lastSequence: UInt64, intervalSeconds: Int, flags: [FlagMark], cameras: Int, camerasRecording: Int,
        minimumRetentionDays: Double?
    ) {
        self.lastSequence = lastSequence
        self.intervalSeconds = intervalSeconds
        self.flags = flags
        self.cameras = cameras
        self.camerasRecording = camerasRecording
        self.minimumRetentionDays = minimumRetentionDays
    }

    public init(_ state: SchoolState) {
        self.init(
            lastSequence: state.lastSequence, intervalSeconds: state.intervalSeconds, flags: state.flags,
            cameras: state.cameras.count,
            camerasRecording: state.cameras.filter { $0.report.recording == .recording }.count,
            minimumRetentionDays: state.minimumRetentionDays)
    }
}
