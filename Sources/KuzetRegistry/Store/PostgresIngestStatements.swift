import PostgresNIO

/// The ingest's two statements, prepared once per connection: PostgreSQL then parses and plans them
/// once instead of in every group (parsing and planning these long `unnest` statements was about 5 %
/// of all CPU at one heartbeat per request, perf).
enum PostgresIngestStatements {
    /// Locks the group's schools (upserting their rows in id order, reading `last_sequence`), then
    /// inserts the heartbeats. The insert's one-time filter reads all of `locked` first, so every
    /// school row is locked before any heartbeat row is written — the order in which two groups of
    /// different instances meet. Rows: (true, school, last_sequence) per school, then
    /// (false, school, sequence) per heartbeat that was new. A removed school (`removed_schools`)
    /// gets no row: the caller rolls the group back. `kuzet_school_writable` locks each school's row
    /// first and then looks for its removal, so a removal committed while this waited is seen (the
    /// statement's own snapshot is older: its upsert would bring the school back).
    struct LockAndInsert: PostgresPreparedStatement {
        static let name = "kuzet_ingest_lock_and_insert"
        static let sql = """
            WITH locked AS (
                INSERT INTO schools (id, name, registered_at, reported_region, region_mismatch_since)
                SELECT i, NULLIF(n, ''), t, NULLIF(r, ''), CASE WHEN r <> '' THEN t END
                FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[]) AS u(i, n, r, t)
                WHERE kuzet_school_writable(u.i)
                ORDER BY i
                ON CONFLICT (id) DO UPDATE SET name = COALESCE(schools.name, excluded.name),
                    reported_region = CASE WHEN excluded.reported_region IS DISTINCT FROM schools.region THEN excluded.reported_region END,
                    region_mismatch_since = CASE WHEN excluded.reported_region IS NOT NULL AND excluded.reported_region IS DISTINCT FROM schools.region
                        THEN COALESCE(schools.region_mismatch_since, excluded.registered_at) END
                RETURNING id, last_sequence),
            inserted AS (
                INSERT INTO heartbeats (school_id, sequence, sent_at, received_at, payload)
                SELECT * FROM unnest($5::text[], $6::bigint[], $7::float8[], $8::float8[], $9::text[])
                WHERE (SELECT count(*) FROM locked) > 0
                ON CONFLICT DO NOTHING RETURNING school_id, sequence)
            SELECT true, id, last_sequence FROM locked
            UNION ALL SELECT false, school_id, sequence FROM inserted
            """
        typealias Row = (Bool, String, Int64?)

        /// The group's schools (id order) and heartbeats.
        var group: IngestGroupRows

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 9)
            group.appendSchoolColumns(to: &bindings)
            bindings.append(group.registeredAt)
            group.appendHeartbeatColumns(to: &bindings)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// Writes each school's contact time and, where its state moved (`json` not empty), its state and
    /// status columns. NaN stands for "not set" in the float columns (arrays cannot carry NULL here).
    struct UpdateSchools: PostgresPreparedStatement {
        static let name = "kuzet_ingest_update_schools"
        static let sql = """
            UPDATE schools AS s SET last_contact_at = u.contact,
            \(PostgresIngestStatements.stateAssignments)
            FROM unnest($1::text[], $2::float8[], $3::bigint[], $4::bigint[], $5::text[], $6::bigint[], $7::bigint[], $8::float8[])
                AS u(id, contact, seq, iv, json, cam, rec, mrd)
            WHERE s.id = u.id
            """
        typealias Row = ()

        var ids: [String]
        var contacts: [Double]
        var sequences: [Int64]
        var intervals: [Int64]
        var jsons: [String]
        var cameras: [Int64]
        var recording: [Int64]
        var minimumRetention: [Double]

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 8)
            bindings.append(ids)
            appendColumns(to: &bindings)
            return bindings
        }

        /// Every column but the ids.
        func appendColumns(to bindings: inout PostgresBindings) {
            bindings.append(contacts)
            bindings.append(sequences)
            bindings.append(intervals)
            bindings.append(jsons)
            bindings.append(cameras)
            bindings.append(recording)
            bindings.append(minimumRetention)
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {}
    }

    /// Replaces the flag rows of the schools whose flags moved (`kuzet_write_flags`, `PostgresSchema`);
    /// run only when some did.
    struct WriteFlags: PostgresPreparedStatement {
        static let name = "kuzet_ingest_write_flags"
        static let sql = "SELECT kuzet_write_flags($1::text[], $2::text[], $3::text[], $4::float8[])"
        typealias Row = ()

        var rows: FlagRows

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 4)
            rows.append(to: &bindings)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {}
    }

    /// The flag rows of the schools whose flags moved, as `kuzet_write_flags` takes them.
    struct FlagRows {
        /// The schools whose flags moved (their rows are replaced).
        var reset: [String] = []
        /// Their rows now: one element per flag set.
        var schools: [String] = []
        var flags: [String] = []
        var since: [Double] = []

        func append(to bindings: inout PostgresBindings) {
            bindings.append(reset)
            bindings.append(schools)
            bindings.append(flags)
            bindings.append(since)
        }
    }

    /// A group whose schools' states this instance holds, in one statement (`kuzet_ingest_known`,
    /// `PostgresSchema`): lock, check the stored sequences, insert the heartbeats, write the states
    /// computed beforehand. Rows as `LockAndInsert`'s: the schools with their stored sequence (when one
    /// is not the expected one, nothing was written), then the heartbeats that were new.
    struct WriteKnown: PostgresPreparedStatement {
        static let name = "kuzet_ingest_known"
        static let sql = "SELECT * FROM kuzet_ingest_known(" + (1...21).map { "$\($0)" }.joined(separator: ", ") + ")"
        typealias Row = (Bool, String, Int64?)

        /// The group's schools (id order) and heartbeats.
        var group: IngestGroupRows
        /// Each school's stored sequence as this instance holds it, in `group.schools` order.
        var expected: [Int64]
        /// How many distinct heartbeats are newer than their school's expected sequence (all must be new).
        var fresh: Int64
        /// The schools' new rows, in `group.schools` order (as `UpdateSchools`).
        var update: UpdateSchools
        /// The flag rows of the schools whose flags moved (none: nothing is written to `school_flags`).
        var flags: FlagRows

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 21)
            group.appendSchoolColumns(to: &bindings)
            bindings.append(expected)
            group.appendHeartbeatColumns(to: &bindings)
            bindings.append(fresh)
            update.appendColumns(to: &bindings)
            flags.append(to: &bindings)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// How `UpdateSchools` and `kuzet_ingest_known` write a school's state columns from a row `u` of
    /// the update columns (`json` empty: the state did not move, only `last_contact_at` is written).
    static let stateAssignments = """
                last_sequence = CASE WHEN u.json <> '' THEN u.seq ELSE s.last_sequence END,
                interval_seconds = CASE WHEN u.json <> '' THEN u.iv ELSE s.interval_seconds END,
                state_json = CASE WHEN u.json <> '' THEN u.json ELSE s.state_json END,
                cameras = CASE WHEN u.json <> '' THEN u.cam ELSE s.cameras END,
                cameras_recording = CASE WHEN u.json <> '' THEN u.rec ELSE s.cameras_recording END,
                minimum_retention_days = CASE WHEN u.json <> '' THEN NULLIF(u.mrd, 'NaN') ELSE s.minimum_retention_days END
        """
}

extension IngestGroupRows {
    /// The schools' ids, names and regions.
    func appendSchoolColumns(to bindings: inout PostgresBindings) {
        bindings.append(schools)
        bindings.append(names)
        bindings.append(regions)
    }

    /// The heartbeats' school, sequence, sent and received times and payload.
    func appendHeartbeatColumns(to bindings: inout PostgresBindings) {
        bindings.append(heartbeatSchools)
        bindings.append(sequences)
        bindings.append(sentAt)
        bindings.append(receivedAt)
        bindings.append(payloads)
    }
}
