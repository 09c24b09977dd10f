import Foundation

/// How the stores keep a school's condition flags: one row per flag that is set, in
/// `school_flags (school_id, flag, since)` (both SQL schemas), so a new `SchoolFlag` needs no new
/// column. The rows are what a list filters on and what it shows; the school's state JSON holds the
/// same flags (written in the same transaction). Ingest rewrites a school's rows only when its flags
/// or their start moved, so a heartbeat that changes nothing adds no statement.
/// REGION_MISMATCH is not kept here: it comes with the reported region, in `schools`.
enum SchoolFlagRows {
    static let table = "school_flags"

    /// The columns of `schools` that held the flags before `school_flags` (databases made before
    /// December 2026 still have them). Copied into `school_flags` once, when the table is made; no
    /// longer written or read.
    static let legacyColumns: [(SchoolFlag, String)] = [
        (.notRecording, "not_recording_since"), (.notDelivering, "not_delivering_since"),
        (.retentionBelowMinimum, "retention_below_since"), (.diskPressure, "disk_pressure_since"),
        (.clockSkew, "clock_skew_since"),
    ]

    /// Statements copying the flags of `columns` (those of `legacyColumns` the database has) into
    /// `school_flags`; a flag already there is kept.
    static func copyLegacy(columns: Set<String>) -> [String] {
        legacyColumns.filter { columns.contains($0.1) }.map { flag, column in
            """
            INSERT INTO school_flags (school_id, flag, since) SELECT id, '\(flag.rawValue)', \(column) FROM schools
            WHERE \(column) IS NOT NULL ON CONFLICT (school_id, flag) DO NOTHING
            """
        }
    }

    /// The SQL condition on a `schools` row for a list filtered by `flag`; nil for OFFLINE, which
    /// depends on the reading time.
    static func condition(for flag: SchoolFlag) -> String? {
        switch flag {
        case .offline: nil
        case .regionMismatch: "region_mismatch_since IS NOT NULL"
        case .retentionUnproven, .deviceKeyMismatch:
            "id IN (SELECT school_id FROM school_proof_flags WHERE flag = '\(flag.rawValue)')"
        default: "id IN (SELECT school_id FROM school_flags WHERE flag = '\(flag.rawValue)')"
        }
    }

    /// The SQL condition on a `schools` row: `flag` (a state flag) is not set.
    static func notSet(_ flag: SchoolFlag) -> String {
        "NOT EXISTS (SELECT 1 FROM school_flags AS f WHERE f.school_id = schools.id AND f.flag = '\(flag.rawValue)')"
    }

    /// Issue 21: the flag rows lists show — `school_flags` and the proof flags kept with the
    /// device keys and retention proofs (`school_proof_flags`, a view).
    static let allFlags =
        "(SELECT school_id, flag, since FROM school_flags UNION ALL SELECT school_id, flag, since FROM school_proof_flags)"

    /// Whether ingest must rewrite the school's rows: the flags or a start differ.
    static func changed(from previous: SchoolState?, to next: SchoolState) -> Bool {
        (previous?.flags ?? []) != next.flags
    }

    /// A school's marks from its rows, in flag order. A flag this registry does not know (written
    /// by a newer one sharing the database) is left out.
    static func marks(_ rows: [(flag: String, since: Double)]) -> [FlagMark] {
        rows.compactMap { row in
            SchoolFlag(rawValue: row.flag).map { FlagMark(flag: $0, since: Date(timeIntervalSince1970: row.since)) }
        }
        .sorted { $0.flag < $1.flag }
    }
}
