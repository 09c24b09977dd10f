import Foundation

/// What one upstream (a camera's main or sub stream) is doing, for status and heartbeats.
public struct StreamState: Sendable, Equatable, Codable {
    /// `idle`: an on-demand stream (a camera with `record: false`) that nobody needs now, so its
    /// upstream is closed on purpose — not a failure.
    public enum Phase: String, Sendable, Codable { case connecting, online, offline, idle }
    public var phase: Phase
    /// When `phase` last changed.
    public var since: Date
    public var codec: String?
    public var width: Int?
    public var height: Int?
    public var framesPerSecond: Double?
    /// Measured over the last few seconds of received data.
    public var bitrateKbps: Double
    /// Seconds since the last packet arrived; nil before the first.
    public var lastPacketAge: Double?
    public var reconnects: Int
    /// The last problem, in the contract's form (`where: what — what to do`), credentials redacted.
    public var lastError: String?

    public init(phase: Phase = .connecting, since: Date = Date()) {
        self.phase = phase
        self.since = since
        self.bitrateKbps = 0
        self.reconnects = 0
    }
}
