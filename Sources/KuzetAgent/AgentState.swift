import Foundation
import KuzetCore
import KuzetRecorder

/// A snapshot of what the agent's media side is doing, per camera: for the status API,
/// the heartbeat and the integrator's page. Credentials are never in it.
public struct AgentState: Sendable, Codable, Equatable {
    public struct Camera: Sendable, Codable, Equatable {
        public var id: String
        /// The camera's upstreams that are open ("main", "sub"), each opened once.
        public var streams: [String: StreamState]
        public var recording: SegmentRecorder.State?
        public var push: PushOutput.State?
    }

    public var cameras: [Camera]
    public var takenAt: Date
}
