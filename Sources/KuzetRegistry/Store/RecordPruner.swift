import Foundation
import Logging
import ServiceLifecycle

/// Prunes what ``RecordKeeping`` keeps for a while (day roots, challenges, commands, the audit
/// log) every `interval` inside `serve`, the one place that does. Each delete is a batch of at most
/// `batch` rows in a transaction of its own, so a big first pruning never holds the database long
/// and a pruning killed half-way leaves whole batches done and the rest for the next one. Several
/// instances may prune at once: on PostgreSQL each skips the rows another is deleting (`SKIP
/// LOCKED`), and a row deleted twice is deleted once; SQLite runs one writer at a time.
/// After the records, the evidence folder: files of commands pruned or gone or older than the
/// audit period, and partial uploads nothing takes any more (``EvidenceStore/prune(store:keptSince:now:batch:)``);
/// each instance prunes its own folder, and a folder shared by several instances is pruned by
/// each (a file another deleted first is no error).
public struct RecordPruner: Service {
    public var store: any RegistryStore
    public var keeping: RecordKeeping
    /// The evidence folder (`serve --evidence-dir`), if this registry keeps one.
    public var evidence: EvidenceStore?
    /// Between two prunings (the first is `min(interval, 60 s)` after start).
    public var interval: Duration
    public var batch: Int
    var now: @Sendable () -> Date
    var logger: Logger

    public init(
        store: any RegistryStore, keeping: RecordKeeping, evidence: EvidenceStore? = nil,
        interval: Duration = .seconds(3600), batch: Int = 5000, now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "kuzet.registry.pruning")
    ) {
        self.store = store
        self.keeping = keeping
        self.evidence = evidence
        self.interval = interval
        self.batch = batch
        self.now = now
        self.logger = logger
    }

    public func run() async throws {
        await BatchedPruning.repeatedly(
            delay: min(interval, .seconds(60)), interval: interval, logger: logger,
            failure: "pruning: failed — it is tried again at the next interval"
        ) { _ = try await prune() }
    }

    /// Deletes every record older than its keep period, then the evidence files no row keeps;
    /// returns how many records of each kind went.
    @discardableResult
    public func prune() async throws -> [PrunedRecords: Int] {
        var deleted: [PrunedRecords: Int] = [:]
        let now = now()
        for (records, cutoff) in keeping.cutoffs(at: now) {
            let total = try await BatchedPruning.deleteAll(batch: batch) {
                try await store.prune(records, before: cutoff, limit: batch)
            }
            deleted[records] = total
            if total > 0 {
                logger.info(
                    "pruning: deleted records older than their keep period",
                    metadata: [
                        "registry.pruned.records": "\(records.rawValue)", "registry.pruned.count": "\(total)",
                        "registry.pruned.before": "\(cutoff)",
                    ])
            }
        }
        if evidence != nil, !Task.isCancelled { try await pruneEvidence(at: now) }
        return deleted
    }

    /// Deletes the evidence files no command row keeps and partial uploads nothing takes any more;
    /// logs what went.
    @discardableResult
    public func pruneEvidence(at now: Date) async throws -> EvidencePruning {
        guard let evidence else { return EvidencePruning() }
        let cutoff = keeping.evidenceCutoff(at: now)
        let pruned = try await evidence.prune(store: store, keptSince: cutoff, now: now, batch: batch)
        if pruned.evidenceFiles + pruned.partialFiles + pruned.folders > 0 {
            logger.info(
                "pruning: deleted evidence files no command keeps",
                metadata: [
                    "registry.pruned.evidence_files": "\(pruned.evidenceFiles)",
                    "registry.pruned.partial_uploads": "\(pruned.partialFiles)",
                    "registry.pruned.bytes": "\(pruned.bytes)", "registry.pruned.folders": "\(pruned.folders)",
                    "registry.pruned.before": "\(cutoff)",
                ])
        }
        if pruned.failures > 0 {
            logger.warning(
                "pruning: evidence files could not be deleted — check --evidence-dir is writable by the registry",
                metadata: [
                    "registry.pruned.failures": "\(pruned.failures)", "error": "\(pruned.firstFailure ?? "")",
                ])
        }
        return pruned
    }
}
