import Foundation

/// One queued heartbeat: its sequence, whether it carries events, and its wire JSON (one line).
public struct OutboxEntry: Sendable, Equatable {
    public var sequence: UInt64
    /// A heartbeat with events is never coalesced away.
    public var hasEvents: Bool
    public var json: Data

    public init(sequence: UInt64, hasEvents: Bool, json: Data) {
        self.sequence = sequence
        self.hasEvents = hasEvents
        self.json = json
    }
}
