import Foundation
import KuzetCore

/// A page of the school list: filters, order by id.
public struct SchoolQuery: Sendable, Equatable {
    public var region: String?
    public var flag: SchoolFlag?
    public var limit: Int
    public var offset: Int

    public static let maximumLimit = 500

    public init(region: String? = nil, flag: SchoolFlag? = nil, limit: Int = 100, offset: Int = 0) {
        self.region = region
        self.flag = flag
        self.limit = limit
        self.offset = offset
    }
}

public struct SchoolPage: Sendable, Equatable {
    public var total: Int
    public var schools: [SchoolListing]
    public init(total: Int, schools: [SchoolListing]) {
        self.total = total
        self.schools = schools
    }
}

/// One stored heartbeat as the school page lists it.
public struct HistoryEntry: Sendable, Equatable {
    public var sequence: UInt64
    public var sentAt: Date
    public var receivedAt: Date
    /// The heartbeat as received (wire JSON).
    public var payload: Data
    public init(sequence: UInt64, sentAt: Date, receivedAt: Date, payload: Data) {
        self.sequence = sequence
        self.sentAt = sentAt
        self.receivedAt = receivedAt
        self.payload = payload
    }
}

/// What one `POST /api/v1/heartbeats` did.
public struct IngestResult: Sendable, Equatable {
    public var accepted: Int
    public var duplicates: Int
    public var highestSequence: UInt64
    public init(accepted: Int, duplicates: Int, highestSequence: UInt64) {
        self.accepted = accepted
        self.duplicates = duplicates
        self.highestSequence = highestSequence
    }
}

/// A school as an admin registers it.
public typealias SchoolRegistration = SchoolIdentity

/// What went with a removed school (`RegistryStore.removeSchool`).
public struct SchoolRemoval: Sendable, Equatable {
    public var tokens: Int
    public var heartbeats: Int
    public init(tokens: Int, heartbeats: Int) {
        self.tokens = tokens
        self.heartbeats = heartbeats
    }
}
