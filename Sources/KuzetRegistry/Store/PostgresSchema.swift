/// The PostgreSQL schema: the same tables as SQLite; dates are seconds since 1970 (double precision).
enum PostgresSchema {
    static let statements = [
        """
        CREATE TABLE IF NOT EXISTS schools (
            id TEXT PRIMARY KEY,
            name TEXT,
            region TEXT,
            registered_at DOUBLE PRECISION NOT NULL,
            last_contact_at DOUBLE PRECISION,
            last_sequence BIGINT,
            interval_seconds INTEGER,
            state_json TEXT
        )
        """,
        // Added after the first release (NULL in older rows: lists then read their state JSON).
        "ALTER TABLE schools ADD COLUMN IF NOT EXISTS cameras INTEGER",
        "ALTER TABLE schools ADD COLUMN IF NOT EXISTS cameras_recording INTEGER",
        "ALTER TABLE schools ADD COLUMN IF NOT EXISTS minimum_retention_days DOUBLE PRECISION",
        // What a school's heartbeats name when it is not its registered region (REGION_MISMATCH).
        "ALTER TABLE schools ADD COLUMN IF NOT EXISTS reported_region TEXT",
        "ALTER TABLE schools ADD COLUMN IF NOT EXISTS region_mismatch_since DOUBLE PRECISION",
        "CREATE INDEX IF NOT EXISTS schools_region ON schools (region)",
        // A school's condition flags, a row per flag set (see SQLiteSchema). Databases made before
        // December 2026 also have the `*_since` columns in `schools`: copied here once, then no longer
        // written or read.
        """
        CREATE TABLE IF NOT EXISTS school_flags (
            school_id TEXT NOT NULL,
            flag TEXT NOT NULL,
            since DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (school_id, flag)
        )
        """,
        "CREATE INDEX IF NOT EXISTS school_flags_flag ON school_flags (flag, school_id)",
        // Replaces a school's flag rows: `p_reset` are the schools whose flags moved, the other three
        // their rows now. Called by ingest only when some school's flags moved.
        """
        CREATE OR REPLACE FUNCTION kuzet_write_flags(p_reset text[], p_schools text[], p_flags text[], p_since double precision[])
        RETURNS void LANGUAGE sql SET plan_cache_mode = force_generic_plan AS $fn$
            DELETE FROM school_flags WHERE school_id = ANY(p_reset);
            INSERT INTO school_flags (school_id, flag, since) SELECT * FROM unnest(p_schools, p_flags, p_since);
        $fn$
        """,
        // The ingest function of registries before `school_flags` (it wrote the flag columns).
        """
        DROP FUNCTION IF EXISTS kuzet_ingest_known(text[], text[], text[], bigint[], text[], bigint[], double precision[],
            double precision[], text[], bigint, double precision[], bigint[], bigint[], text[], double precision[], double precision[],
            double precision[], double precision[], double precision[], bigint[], bigint[], double precision[])
        """,
        """
        CREATE TABLE IF NOT EXISTS heartbeats (
            school_id TEXT NOT NULL,
            sequence BIGINT NOT NULL,
            sent_at DOUBLE PRECISION NOT NULL,
            received_at DOUBLE PRECISION NOT NULL,
            payload TEXT NOT NULL,
            PRIMARY KEY (school_id, sequence)
        )
        """,
        // History is pruned by arrival (`serve --history-days`).
        "CREATE INDEX IF NOT EXISTS heartbeats_received_at ON heartbeats (received_at)",
        // The JSON columns are over PostgreSQL's 2 kB TOAST threshold: lz4 compresses them at a fraction
        // of the CPU of the default pglz (pglz was 6 % of all CPU at 5,000 heartbeats/s, perf). A server
        // without lz4 (built without it, or before PostgreSQL 14) keeps pglz.
        """
        DO $$ BEGIN
            ALTER TABLE heartbeats ALTER COLUMN payload SET COMPRESSION lz4;
            ALTER TABLE schools ALTER COLUMN state_json SET COMPRESSION lz4;
        EXCEPTION WHEN feature_not_supported OR syntax_error THEN
            RAISE NOTICE 'kuzet: lz4 compression not available, JSON columns stay with pglz';
        END $$
        """,
        // Ingest of a group whose schools' states this instance holds (`PostgresIngestStatements.WriteKnown`):
        // one statement, so one round trip with its commit. Locks the schools in id order (as the
        // general path does), and writes nothing when a school's stored sequence is not the expected
        // one (another instance moved it on): then the rows give the stored sequences. KZ001: a heartbeat
        // newer than its school's state was already stored, so the state computed beforehand may be
        // wrong — rolled back, and the caller takes the general path.
        // The lock is FOR NO KEY UPDATE: the other writes of a school (`kuzet_school_writable`, FOR KEY
        // SHARE) do not wait for it, `school remove` (which deletes the row) does. A school removed
        // meanwhile has no row, so its sequence is not the expected one: the general path refuses it.
        // Its statements keep one generic plan: left to choose (plan_cache_mode = auto), PL/pgSQL
        // planned them again on every call with these array arguments, 12 % of the backend's CPU.
        """
        CREATE OR REPLACE FUNCTION kuzet_ingest_known(
            p_ids text[], p_names text[], p_regions text[], p_expected bigint[],
            p_hb_schools text[], p_hb_sequences bigint[], p_hb_sent double precision[], p_hb_received double precision[],
            p_hb_payloads text[], p_fresh bigint,
            p_contacts double precision[], p_sequences bigint[], p_intervals bigint[], p_jsons text[],
            p_cameras bigint[], p_recording bigint[], p_mrd double precision[],
            p_flag_reset text[], p_flag_schools text[], p_flags text[], p_flag_since double precision[])
        RETURNS TABLE (o_is_school boolean, o_id text, o_sequence bigint)
        LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $fn$
        DECLARE
            inserted_ids text[];
            inserted_sequences bigint[];
        BEGIN
            PERFORM 1 FROM schools AS s WHERE s.id = ANY(p_ids) ORDER BY s.id FOR NO KEY UPDATE;
            IF EXISTS (SELECT 1 FROM unnest(p_ids, p_expected) AS u(i, e) LEFT JOIN schools AS s ON s.id = u.i
                       WHERE s.last_sequence IS DISTINCT FROM u.e) THEN
                RETURN QUERY SELECT true, u.i, s.last_sequence FROM unnest(p_ids) AS u(i) LEFT JOIN schools AS s ON s.id = u.i;
                RETURN;
            END IF;
            WITH inserted AS (
                INSERT INTO heartbeats (school_id, sequence, sent_at, received_at, payload)
                SELECT * FROM unnest(p_hb_schools, p_hb_sequences, p_hb_sent, p_hb_received, p_hb_payloads)
                ON CONFLICT DO NOTHING RETURNING heartbeats.school_id, heartbeats.sequence)
            SELECT coalesce(array_agg(inserted.school_id), '{}'), coalesce(array_agg(inserted.sequence), '{}')
                INTO inserted_ids, inserted_sequences FROM inserted;
            IF (SELECT count(*) FROM unnest(inserted_ids, inserted_sequences) AS h(i, q)
                    JOIN unnest(p_ids, p_expected) AS u(i, e) ON h.i = u.i WHERE h.q > u.e) <> p_fresh THEN
                RAISE EXCEPTION 'kuzet: a heartbeat newer than its school''s state was already stored' USING ERRCODE = 'KZ001';
            END IF;
            UPDATE schools AS s SET last_contact_at = u.contact,
                name = COALESCE(s.name, NULLIF(u.n, '')),
                reported_region = CASE WHEN NULLIF(u.r, '') IS DISTINCT FROM s.region THEN NULLIF(u.r, '') END,
                region_mismatch_since = CASE WHEN NULLIF(u.r, '') IS NOT NULL AND NULLIF(u.r, '') IS DISTINCT FROM s.region
                    THEN COALESCE(s.region_mismatch_since, u.contact) END,
            \(PostgresIngestStatements.stateAssignments)
            FROM unnest(p_ids, p_names, p_regions, p_contacts, p_sequences, p_intervals, p_jsons, p_cameras, p_recording, p_mrd)
                AS u(id, n, r, contact, seq, iv, json, cam, rec, mrd)
            WHERE s.id = u.id;
            IF cardinality(p_flag_reset) > 0 THEN
                PERFORM kuzet_write_flags(p_flag_reset, p_flag_schools, p_flags, p_flag_since);
            END IF;
            RETURN QUERY SELECT true, u.i, u.e FROM unnest(p_ids, p_expected) AS u(i, e)
                UNION ALL SELECT false, h.i, h.q FROM unnest(inserted_ids, inserted_sequences) AS h(i, q);
        END $fn$
        """,
        """
        CREATE TABLE IF NOT EXISTS tokens (
            hash TEXT PRIMARY KEY,
            role TEXT NOT NULL,
            school_id TEXT,
            region TEXT,
            created_at DOUBLE PRECISION NOT NULL
        )
        """,
        // Schools removed with `school remove`, until registered again (see SQLiteSchema).
        "CREATE TABLE IF NOT EXISTS removed_schools (id TEXT PRIMARY KEY, removed_at DOUBLE PRECISION NOT NULL)",
        // Whether a write of the school may go on (ingest, the commitment writes): false when it is removed.
        // First it locks the school's row (FOR KEY SHARE, to the caller's commit): a removal under way
        // (`removeSchool` deletes the row first) is waited for, and one that comes later waits for the
        // caller, then removes what it wrote. Then it looks at `removed_schools` in a snapshot of its own,
        // taken after that wait (the caller's statement began before it).
        """
        CREATE OR REPLACE FUNCTION kuzet_school_writable(p_id text) RETURNS boolean LANGUAGE plpgsql AS $fn$
        BEGIN
            PERFORM 1 FROM schools WHERE id = p_id FOR KEY SHARE;
            RETURN NOT EXISTS (SELECT 1 FROM removed_schools WHERE id = p_id);
        END $fn$
        """,
        // Counters that running instances watch (see SQLiteSchema).
        "CREATE TABLE IF NOT EXISTS registry_generations (name TEXT PRIMARY KEY, generation BIGINT NOT NULL)",
        // Issue 22: police commands (`PoliceCommand`) and the audit log of every attempt.
        """
        CREATE TABLE IF NOT EXISTS commands (
            id TEXT PRIMARY KEY,
            school_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            camera TEXT NOT NULL,
            stream TEXT,
            duration_seconds INTEGER,
            from_at DOUBLE PRECISION,
            to_at DOUBLE PRECISION,
            issued_at DOUBLE PRECISION NOT NULL,
            expires_at DOUBLE PRECISION NOT NULL,
            issued_by TEXT NOT NULL,
            state TEXT NOT NULL,
            message TEXT,
            bytes BIGINT,
            updated_at DOUBLE PRECISION NOT NULL,
            evidence_sha256 TEXT,
            evidence_bytes BIGINT,
            evidence_at DOUBLE PRECISION
        )
        """,
        "CREATE INDEX IF NOT EXISTS commands_school ON commands (school_id, issued_at)",
        "CREATE INDEX IF NOT EXISTS commands_pending ON commands (state, expires_at)",
        """
        CREATE TABLE IF NOT EXISTS audit_log (
            id BIGSERIAL PRIMARY KEY,
            at DOUBLE PRECISION NOT NULL,
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
            school_id TEXT PRIMARY KEY,
            public_key BYTEA NOT NULL,
            pinned_at DOUBLE PRECISION NOT NULL,
            rekey_requested_at DOUBLE PRECISION,
            mismatch_since DOUBLE PRECISION,
            mismatch_reason TEXT
        )
        """,
        // Signed day roots: a row per school, camera and UTC day (days since 1970), see SQLiteSchema.
        """
        CREATE TABLE IF NOT EXISTS day_roots (
            school_id TEXT NOT NULL,
            camera TEXT NOT NULL,
            day INTEGER NOT NULL,
            segments INTEGER NOT NULL,
            root BYTEA NOT NULL,
            signature BYTEA NOT NULL,
            PRIMARY KEY (school_id, camera, day)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS retention_challenges (
            id TEXT PRIMARY KEY,
            school_id TEXT NOT NULL,
            camera TEXT NOT NULL,
            day INTEGER NOT NULL,
            segment_index INTEGER NOT NULL,
            chunk_nonce BIGINT NOT NULL,
            issued_at DOUBLE PRECISION NOT NULL,
            expires_at DOUBLE PRECISION NOT NULL,
            resolved_at DOUBLE PRECISION,
            outcome TEXT,
            reason TEXT
        )
        """,
        "CREATE INDEX IF NOT EXISTS retention_challenges_school ON retention_challenges (school_id, resolved_at)",
        // Per school: retention last proven (and how far back), RETENTION_UNPROVEN, the next challenge.
        """
        CREATE TABLE IF NOT EXISTS retention_proofs (
            school_id TEXT PRIMARY KEY,
            proven_at DOUBLE PRECISION,
            proven_back_to INTEGER,
            unproven_since DOUBLE PRECISION,
            unproven_reason TEXT,
            next_challenge_at DOUBLE PRECISION
        )
        """,
        // RETENTION_UNPROVEN and DEVICE_KEY_MISMATCH as flag rows: lists read `school_flags` and this.
        """
        CREATE OR REPLACE VIEW school_proof_flags AS
        SELECT school_id, 'RETENTION_UNPROVEN' AS flag, unproven_since AS since FROM retention_proofs
            WHERE unproven_since IS NOT NULL
        UNION ALL SELECT school_id, 'DEVICE_KEY_MISMATCH', mismatch_since FROM device_keys WHERE mismatch_since IS NOT NULL
        """,
        // Issue 23: each camera's latest thumbnail (see SQLiteSchema).
        """
        CREATE TABLE IF NOT EXISTS camera_thumbnails (
            school_id TEXT NOT NULL,
            camera_id TEXT NOT NULL,
            taken_at DOUBLE PRECISION NOT NULL,
            received_at DOUBLE PRECISION NOT NULL,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            jpeg BYTEA NOT NULL,
            PRIMARY KEY (school_id, camera_id)
        )
        """,
        // Session 16, task P: indexes for pruning by age (`RecordPruner`, `serve --keep-…-days`).
        "CREATE INDEX IF NOT EXISTS day_roots_day ON day_roots (day)",
        "CREATE INDEX IF NOT EXISTS retention_challenges_issued ON retention_challenges (issued_at)",
        "CREATE INDEX IF NOT EXISTS commands_updated ON commands (updated_at)",
    ]
}
