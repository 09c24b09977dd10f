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

/// What went with a removed school (`RegistryStore.removeSchool`), counted in rows.
public struct SchoolRemoval: Sendable, Equatable {
    public var tokens: Int
    public var heartbeats: Int
    /// Its pinned device key (0 or 1): a replaced box registered under the id again pins its own.
    public var deviceKeys: Int
    /// Its signed day roots, challenges (open and answered) and retention proof (0 or 1).
    public var dayRoots: Int
    public var challenges: Int
    public var retentionProofs: Int
    /// Its police commands not finished (pending, accepted, running): no box will ever run them.
    public var unfinishedCommands: Int
    /// Its finished commands, kept (not deleted) with the audit log that names them.
    public var finishedCommandsKept: Int

    public init(
        tokens: Int, heartbeats: Int, deviceKeys: Int = 0, dayRoots: Int = 0, challenges: Int = 0,
        retentionProofs: Int = 0, unfinishedCommands: Int = 0, finishedCommandsKept: Int = 0
    ) {
        self.tokens = tokens
        self.heartbeats = heartbeats
        self.deviceKeys = deviceKeys
        self.dayRoots = dayRoots
        self.challenges = challenges
        self.retentionProofs = retentionProofs
        self.unfinishedCommands = unfinishedCommands
        self.finishedCommandsKept = finishedCommandsKept
    }
}
