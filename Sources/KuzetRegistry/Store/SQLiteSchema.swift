/// The SQLite schema. Dates are seconds since 1970 (REAL), state is wire-style JSON.
enum SQLiteSchema {
    static let statements = [
        """
        CREATE TABLE IF NOT EXISTS schools (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT,
            region TEXT,
            registered_at REAL NOT NULL,
            last_contact_at REAL,
            last_sequence INTEGER,
            interval_seconds INTEGER,
            cameras INTEGER,
            cameras_recording INTEGER,
            minimum_retention_days REAL
        )
        """,
        // The state blob (~10 KB with 30 cameras) lives apart, so the report's scan of `schools`
        // reads small rows only.
        """
        CREATE TABLE IF NOT EXISTS school_states (
            school_id TEXT PRIMARY KEY NOT NULL,
            state_json BLOB NOT NULL
        )
        """,
        "CREATE INDEX IF NOT EXISTS schools_region ON schools (region)",
        // A school's condition flags, a row per flag set (`SchoolFlagRows`): a new flag is a new value,
        // not a new column. Databases made before December 2026 also have a `*_since` column per flag
        // in `schools` (`SchoolFlagRows.legacyColumns`): copied here once, then no longer written or read.
        """
        CREATE TABLE IF NOT EXISTS school_flags (
            school_id TEXT NOT NULL,
            flag TEXT NOT NULL,
            since REAL NOT NULL,
            PRIMARY KEY (school_id, flag)
        ) WITHOUT ROWID
        """,
        // The list's filter by flag.
        "CREATE INDEX IF NOT EXISTS school_flags_flag ON school_flags (flag, school_id)",
        // History in arrival order (rowid): a commit appends its heartbeats to the same pages, and
        // the (school, sequence) index (`historyKey`) is all that lands on a page of its own per
        // school. Keyed by (school, sequence) with the payloads in the key's pages, as databases
        // made before December 2026 keep it (WITHOUT ROWID), every heartbeat split a page of its
        // own and spilled its payload to an overflow page: a third more written per commit.
        """
        CREATE TABLE IF NOT EXISTS heartbeats (
            school_id TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            sent_at REAL NOT NULL,
            received_at REAL NOT NULL,
            payload BLOB NOT NULL
        )
        """,
        // History is pruned by arrival (`serve --history-days`).
        "CREATE INDEX IF NOT EXISTS heartbeats_received_at ON heartbeats (received_at)",
        """
        CREATE TABLE IF NOT EXISTS tokens (
            hash TEXT PRIMARY KEY NOT NULL,
            role TEXT NOT NULL,
            school_id TEXT,
            region TEXT,
            created_at REAL NOT NULL
        )
        """,
        // Schools removed with `school remove`, until registered again (`token create`): a heartbeat
        // still in flight, or sent with a token a running instance still holds, does not bring one back.
        "CREATE TABLE IF NOT EXISTS removed_schools (id TEXT PRIMARY KEY NOT NULL, removed_at REAL NOT NULL)",
        // Counters that running instances watch: `tokens` goes up whenever tokens are revoked, and
        // an instance that sees it move forgets the tokens it had recognised (`TokenCache`).
        "CREATE TABLE IF NOT EXISTS registry_generations (name TEXT PRIMARY KEY NOT NULL, generation INTEGER NOT NULL)",
        // Issue 22: police commands (`PoliceCommand`) and the audit log of every attempt.
        """
        CREATE TABLE IF NOT EXISTS commands (
            id TEXT PRIMARY KEY NOT NULL,
            school_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            camera TEXT NOT NULL,
            stream TEXT,
            duration_seconds INTEGER,
            from_at REAL,
            to_at REAL,
            issued_at REAL NOT NULL,
            expires_at REAL NOT NULL,
            issued_by TEXT NOT NULL,
            state TEXT NOT NULL,
            message TEXT,
            bytes INTEGER,
            updated_at REAL NOT NULL,
            evidence_sha256 TEXT,
            evidence_bytes INTEGER,
            evidence_at REAL
        )
        """,
        "CREATE INDEX IF NOT EXISTS commands_school ON commands (school_id, issued_at)",
        "CREATE INDEX IF NOT EXISTS commands_pending ON commands (state, expires_at)",
        """
        CREATE TABLE IF NOT EXISTS audit_log (
            at REAL NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            school_id TEXT,
            command_id TEXT,
            detail TEXT NOT NULL,
            outcome TEXT NOT NULL
        )
        """,
        "CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at)",
        // Issue 21 (provable retention; `CommitmentStore`, `docs/provable-retention.md`). The pinned device
        // key and DEVICE_KEY_MISMATCH, one row per school.
        """
        CREATE TABLE IF NOT EXISTS device_keys (
            school_id TEXT PRIMARY KEY NOT NULL,
            public_key BLOB NOT NULL,
            pinned_at REAL NOT NULL,
            rekey_requested_at REAL,
            mismatch_since REAL,
            mismatch_reason TEXT
        )
        """,
        // Signed day roots: a row per school, camera and UTC day (days since 1970), about 110 bytes.
        """
        CREATE TABLE IF NOT EXISTS day_roots (
            school_id TEXT NOT NULL,
            camera TEXT NOT NULL,
            day INTEGER NOT NULL,
            segments INTEGER NOT NULL,
            root BLOB NOT NULL,
            signature BLOB NOT NULL,
            PRIMARY KEY (school_id, camera, day)
        ) WITHOUT ROWID
        """,
        """
        CREATE TABLE IF NOT EXISTS retention_challenges (
            id TEXT PRIMARY KEY NOT NULL,
            school_id TEXT NOT NULL,
            camera TEXT NOT NULL,
            day INTEGER NOT NULL,
            segment_index INTEGER NOT NULL,
            chunk_nonce INTEGER NOT NULL,
            issued_at REAL NOT NULL,
            expires_at REAL NOT NULL,
            resolved_at REAL,
            outcome TEXT,
            reason TEXT
        )
        """,
        "CREATE INDEX IF NOT EXISTS retention_challenges_school ON retention_challenges (school_id, resolved_at)",
        // Per school: retention last proven (and how far back), RETENTION_UNPROVEN, the next challenge.
        """
        CREATE TABLE IF NOT EXISTS retention_proofs (
            school_id TEXT PRIMARY KEY NOT NULL,
            proven_at REAL,
            proven_back_to INTEGER,
            unproven_since REAL,
            unproven_reason TEXT,
            next_challenge_at REAL
        )
        """,
        // RETENTION_UNPROVEN and DEVICE_KEY_MISMATCH as flag rows: lists read `school_flags` and this.
        """
        CREATE VIEW IF NOT EXISTS school_proof_flags AS
        SELECT school_id, 'RETENTION_UNPROVEN' AS flag, unproven_since AS since FROM retention_proofs
            WHERE unproven_since IS NOT NULL
        UNION ALL SELECT school_id, 'DEVICE_KEY_MISMATCH', mismatch_since FROM device_keys WHERE mismatch_since IS NOT NULL
        """,
        // Issue 23: each camera's latest thumbnail (≤ 20 KB JPEG), apart from the state JSON and history.
        """
        CREATE TABLE IF NOT EXISTS camera_thumbnails (
            school_id TEXT NOT NULL,
            camera_id TEXT NOT NULL,
            taken_at REAL NOT NULL,
            received_at REAL NOT NULL,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            jpeg BLOB NOT NULL,
            PRIMARY KEY (school_id, camera_id)
        )
        """,
        // Session 16, task P: indexes for pruning by age (`RecordPruner`, `serve --keep-…-days`).
        "CREATE INDEX IF NOT EXISTS day_roots_day ON day_roots (day)",
        "CREATE INDEX IF NOT EXISTS retention_challenges_issued ON retention_challenges (issued_at)",
        "CREATE INDEX IF NOT EXISTS commands_updated ON commands (updated_at)",
    ]

    /// The key of history in arrival order. A database made before keeps its keyed table: moving
    /// 30 days of a region's history (tens of millions of rows) would hold the start for hours.
    static let historyKey =
        "CREATE UNIQUE INDEX IF NOT EXISTS heartbeats_school_sequence ON heartbeats (school_id, sequence)"

    /// Columns added to `schools` after its first release (ADD COLUMN when an older file lacks them).
    /// NULL in rows written before: lists then read those schools' state JSON.
    /// `reported_region`/`region_mismatch_since`: what a school's heartbeats name when it is not its
    /// registered region, and since when (REGION_MISMATCH); NULL in older rows until the next heartbeat.
    static let addedSchoolColumns = [
        ("cameras", "INTEGER"), ("cameras_recording", "INTEGER"), ("minimum_retention_days", "REAL"),
        ("reported_region", "TEXT"), ("region_mismatch_since", "REAL"),
    ]
}
