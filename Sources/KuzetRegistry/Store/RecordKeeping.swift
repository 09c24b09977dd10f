import Foundation

/// How long the registry keeps the records that grow with time (`serve --keep-…-days`): a row per
/// school, camera and day of signed day roots (7,000 schools × 32 cameras make 82 million a year),
/// challenges, police commands and the audit log. Tables with a row per school or camera
/// (`retention_proofs`, `device_keys`, `camera_thumbnails`, `school_flags`) are bounded already;
/// heartbeat history has `--history-days` (``HistoryPruner``).
public struct RecordKeeping: Sendable, Equatable {
    /// Signed day roots, by the day they cover. A challenge asks only for a day after the camera's
    /// oldest footage, so 90 keeps every day a school keeping up to 90 days can be asked for (the
    /// legal minimum is 30). A root with a challenge still open is kept whatever its age.
    public var dayRootDays: Double = 90
    /// Challenges, by when they were issued. The newest failed challenge of each school is kept
    /// (it is asked again while RETENTION_UNPROVEN is set); the report and flags read
    /// `retention_proofs`, one row per school, which is never pruned.
    public var challengeDays: Double = 90
    /// Police commands, by their last update (and expiry). Commands that brought evidence (a clip
    /// or snapshot with its checksum) are kept as long as the audit log.
    public var commandDays: Double = 90
    /// The audit log: police access to footage, kept three years by default; never 0.
    public var auditDays: Double = 1095

    public init() {}

    /// Evidence files (clips and snapshots, `serve --evidence-dir`) are kept as long as the command
    /// row that names them and its checksum, so they go before the audit period's cutoff, at the
    /// latest (`EvidenceStore.prune`). No `--keep-evidence-days` of its own (session 17, task E):
    /// kept shorter, the row and the audit would hold a checksum of a clip that is gone (the
    /// dashboard's link dead, nothing left to check it against); kept longer, a clip no row names,
    /// that no page or API can find. The folder's bound is the audit period's uploads; a registry
    /// short of disk lowers `--keep-audit-days` or `--max-clip-bytes`.
    public func evidenceCutoff(at now: Date) -> Date { now.addingTimeInterval(-auditDays * 86_400) }

    /// Each kind of record with the date before which it goes, at `now`.
    public func cutoffs(at now: Date) -> [(PrunedRecords, Date)] {
        PrunedRecords.allCases.map { records in
            let days =
                switch records {
                case .dayRoots: dayRootDays
                case .challenges: challengeDays
                case .commands: commandDays
                case .evidenceCommands, .audit: auditDays
                }
            return (records, now.addingTimeInterval(-days * 86_400))
        }
    }
}

/// A kind of record the registry prunes by age, in the order a pruning takes them.
public enum PrunedRecords: String, CaseIterable, Sendable {
    /// `day_roots` of days before the cutoff's day, unless a challenge on that day is open.
    case dayRoots = "day_roots"
    /// `retention_challenges` issued before the cutoff, except each school's newest failed one.
    case challenges = "retention_challenges"
    /// `commands` without evidence, last updated and expired before the cutoff.
    case commands
    /// `commands` with evidence, last updated before the cutoff (the audit log's period).
    case evidenceCommands = "commands_with_evidence"
    /// `audit_log` entries before the cutoff.
    case audit = "audit_log"
}
