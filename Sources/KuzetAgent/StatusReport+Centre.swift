import Foundation

extension StatusReport {
    /// Issue 22: what the agent sends to the centre against `centre.max_kbps`, now.
    public struct CentreUse: Codable, Sendable, Equatable {
        public var maxKbps: Int
        /// On-demand live pushes (police `live` commands), last 5 s average.
        public var liveKbps: Double
        /// Clip and snapshot uploads, last 5 s average.
        public var uploadKbps: Double
        public var liveSessions: Int
        /// How commands reach the agent: `polling`, `receipts only`, `failing: …`, `starting`.
        public var commands: String?

        public init(maxKbps: Int, liveKbps: Double, uploadKbps: Double, liveSessions: Int, commands: String?) {
            self.maxKbps = maxKbps
            self.liveKbps = liveKbps
            self.uploadKbps = uploadKbps
            self.liveSessions = liveSessions
            self.commands = commands
        }
    }
}
