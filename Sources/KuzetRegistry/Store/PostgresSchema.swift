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
            state_json TEXT,
            not_recording_since DOUBLE PRECISION,
            not_delivering_since DOUBLE PRECISION,
            retention_below_since DOUBLE PRECISION,
            disk_pressure_since DOUBLE PRECISION,
            clock_skew_since DOUBLE PRECISION
        )
        """,
        // Added after the first release (NULL in older rows: lists then read their state JSON).
        "ALTER TABLE schools ADD COLUMN IF NOT EXISTS cameras INTEGER",
        "ALTER TABLE schools ADD COLUMN IF NOT EXISTS cameras_recording INTEGER",
        "ALTER TABLE schools ADD COLUMN IF NOT EXISTS minimum_retention_days DOUBLE PRECISION",
        "CREATE INDEX IF NOT EXISTS schools_region ON schools (region)",
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
        """
        CREATE TABLE IF NOT EXISTS tokens (
            hash TEXT PRIMARY KEY,
            role TEXT NOT NULL,
            school_id TEXT,
            region TEXT,
            created_at DOUBLE PRECISION NOT NULL
        )
        """,
    ]
}
