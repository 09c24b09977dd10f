import Foundation
import KuzetCore
import KuzetProtocol
import Logging

/// Where the registry keeps schools, tokens, current state and heartbeat history.
/// Two implementations with the same behaviour (one test suite runs against both):
/// `SQLiteRegistryStore` (embedded, WAL; the default) and `PostgresRegistryStore` (several registry
/// instances sharing one database).
public protocol RegistryStore: Sendable {
    /// Creates or upgrades the schema. Safe to call on every start, also from several instances.
    func migrate() async throws
    /// Registers a school, or updates the name/region given (nil leaves the stored value). A region
    /// that is the one the school's heartbeats name ends its REGION_MISMATCH.
    func register(_ school: SchoolRegistration, at date: Date) async throws
    func insert(_ token: StoredToken) async throws
    func token(hash: String) async throws -> StoredToken?
    /// Every stored token (hashes only).
    func tokens() async throws -> [StoredToken]
    /// Deletes the token with this hash; false if there was none.
    func deleteToken(hash: String) async throws -> Bool
    /// A number that changes whenever tokens are revoked (`deleteToken`, `removeSchool`), so that
    /// running instances know to forget the tokens they recognised. 0 before the first revocation.
    func tokenGeneration() async throws -> Int64
    /// Deletes a school with its current state, its history, its tokens, its provable-retention
    /// records (device key, day roots, challenges, proof) and its unfinished commands, in one
    /// transaction; nil if there was none. Its finished commands and the audit log stay. Its
    /// heartbeats are refused (`SchoolRemovedError`) until it is registered again.
    func removeSchool(id: String) async throws -> SchoolRemoval?
    /// Stores heartbeats of one school, each (school, sequence) once, and moves the current state
    /// forward with those newer than it. Atomic: all or nothing. `payloads`: each heartbeat's JSON as
    /// history keeps it (the bytes the agent sent). Fails with `SchoolRemovedError` for a removed
    /// school. `completion` is called once, on the store's writer: the HTTP fast path calls this from
    /// an event loop, with no task to resume (`await` the other `ingest` from a task).
    func ingest(
        schoolID: String, heartbeats: [Heartbeat], payloads: [Data], receivedAt: Date, policy: FlagPolicy,
        completion: @escaping @Sendable (Result<IngestResult, any Error>) -> Void)
    func schools(_ query: SchoolQuery, at now: Date, policy: FlagPolicy) async throws -> SchoolPage
    func school(id: String) async throws -> SchoolRecord?
    /// The newest `limit` heartbeats of a school by sequence, newest first.
    func history(schoolID: String, limit: Int) async throws -> [HistoryEntry]
    /// Schools that reported, grouped by region, agent version and configuration fingerprint (only
    /// `region` when given), at most `FleetGroup.limit` groups.
    func fleet(region: String?) async throws -> [FleetGroup]
    /// Counts per region (only `region` when given).
    func report(region: String?, at now: Date, policy: FlagPolicy) async throws -> RegistryReport
    /// Deletes up to `limit` history heartbeats received before `date` (the oldest-received first is not
    /// promised); returns how many went. Current states are not touched.
    func pruneHistory(receivedBefore date: Date, limit: Int) async throws -> Int
    /// Deletes up to `limit` of `records` older than `date` (``PrunedRecords`` says which), in one
    /// transaction; returns how many went.
    func prune(_ records: PrunedRecords, before date: Date, limit: Int) async throws -> Int
    /// Throws unless the database answers a trivial query.
    func ping() async throws
    /// At start-up: fails with the reason and what to fix when the database cannot be used, after
    /// `patience` (nil: never) when it does not answer. Nothing to check for an embedded file.
    func checkReachable(patience: Duration?, logger: Logger) async throws(CommandFailure)
    /// How grouped ingest has gone in this store instance (for `/metrics`).
    var ingestStatistics: IngestGroupStatistics { get }

    // Issue 22: police commands, the evidence they bring, the audit log (tables `commands`, `audit_log`).
    /// Stores a new command (its id is new: the registry made it).
    func insertCommand(_ command: PoliceCommand) async throws
    func command(id: String) async throws -> PoliceCommand?
    /// The commands of these ids that are there, in no order (the evidence pruning asks by batch).
    func commands(ids: [String]) async throws -> [PoliceCommand]
    /// A school's newest `limit` commands, newest first.
    func commands(schoolID: String, limit: Int) async throws -> [PoliceCommand]
    /// The school's commands still pending at `now` (not expired), oldest first, at most `limit`.
    func pendingCommands(schoolID: String, at now: Date, limit: Int) async throws -> [PoliceCommand]
    /// The schools with a command pending at `now` (at most `limit`).
    func schoolsWithPendingCommands(at now: Date, limit: Int) async throws -> [String]
    /// Sets a command's last state (and its evidence when given); false when it was final already
    /// with another state, or is not there.
    func updateCommand(
        id: String, state: PoliceCommand.State, message: String?, bytes: Int64?, evidence: PoliceCommand.Evidence?,
        at date: Date
    ) async throws -> Bool
    func appendAudit(_ entry: AuditEntry) async throws
    /// Audit entries at or after `since`, oldest first, at most `limit`.
    func audit(since: Date, limit: Int) async throws -> [AuditEntry]
    // Issue 23: each camera's latest thumbnail, one row per camera apart from the state.
    /// Keeps each thumbnail unless the stored one of its camera is as new or newer; ignores those of
    /// a school that is not registered (removed meanwhile).
    func saveThumbnails(_ thumbnails: [StoredThumbnail]) async throws
    /// The stored thumbnail of a camera, if any.
    func thumbnail(schoolID: String, cameraID: String) async throws -> StoredThumbnail?
    /// When each camera of a school with a stored thumbnail took it, by camera id.
    func thumbnailTimes(schoolID: String) async throws -> [String: Date]
}

extension RegistryStore {
    public func checkReachable(patience: Duration?, logger: Logger) async throws(CommandFailure) {}

    /// `ingest(…completion:)`, awaited.
    public func ingest(
        schoolID: String, heartbeats: [Heartbeat], payloads: [Data], receivedAt: Date, policy: FlagPolicy
    ) async throws -> IngestResult {
        try await withCheckedThrowingContinuation { continuation in
            ingest(
                schoolID: schoolID, heartbeats: heartbeats, payloads: payloads, receivedAt: receivedAt, policy: policy
            ) {
                continuation.resume(with: $0)
            }
        }
    }

    /// Ingest with the heartbeats' JSON encoded here.
    public func ingest(schoolID: String, heartbeats: [Heartbeat], receivedAt: Date, policy: FlagPolicy) async throws
        -> IngestResult
    {
        let payloads = try heartbeats.map { try StoredJSON.encode($0) }
        return try await ingest(
            schoolID: schoolID, heartbeats: heartbeats, payloads: payloads, receivedAt: receivedAt, policy: policy)
    }
}

/// Statements written once for both SQL dialects.
enum RegistrySQL {
    /// Moves the `tokens` generation on (a token was revoked). PostgreSQL does it inside the
    /// statement that deletes (`PostgresRegistryStore.bumpTokenGenerationIf`).
    static let bumpTokenGeneration = """
        INSERT INTO registry_generations (name, generation) VALUES ('tokens', 1)
        ON CONFLICT (name) DO UPDATE SET generation = registry_generations.generation + 1
        """
    static let tokenGeneration = "SELECT generation FROM registry_generations WHERE name = 'tokens'"
    /// The command states `school remove` deletes, as an SQL list: those not final (pending,
    /// accepted, running). The removed school's box is refused and a replaced box knows nothing of
    /// them, so they would show queued or running until pruned. Finished commands stay: the audit
    /// log (kept for its own period) names them by id, and one that brought a clip or snapshot holds
    /// its checksum, kept as long as the audit log (`RecordKeeping`); they are pruned by age as usual.
    static let unfinishedCommandStates =
        "("
        + PoliceCommand.State.allCases.filter { !$0.isFinal }.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        + ")"
}

/// The part of ingest both stores share: which heartbeats move the state, and the new state.
enum IngestFold {
    /// Applies the newly stored heartbeats newer than `previous` in sequence order. The clock skew is
    /// measured on the newest heartbeat of the request only (the fresh one; older ones may be replays).
    static func fold(previous: SchoolState?, inserted: [Heartbeat], receivedAt: Date, policy: FlagPolicy)
        -> SchoolState?
    {
        let newer = inserted.filter { $0.sequence > (previous?.lastSequence ?? 0) }.sorted { $0.sequence < $1.sequence }
        guard let newest = newer.last else { return nil }
        var state = previous
        for heartbeat in newer {
            let skew = heartbeat.sequence == newest.sequence ? heartbeat.sentAt.timeIntervalSince(receivedAt) : nil
            state = SchoolState.applying(heartbeat, to: state, skewSeconds: skew, policy: policy)
        }
        return state
    }
}
