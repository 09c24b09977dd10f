import Foundation
import KuzetTestKit
import Testing

@testable import KuzetRegistry

/// Session 16, task P: pruning at the scale of the country (7,000 schools × 32 cameras make
/// 224,000 day roots a day) on real SQLite and PostgreSQL — how many rows a batch deletes per
/// second, and a real `kuzet-registry serve` killed (SIGKILL) in the middle of a pruning leaves
/// whole batches done, the rest in place, the database sound, and the next start finishes it.
@Suite("Record pruning at national scale", .serialized, .timeLimit(.minutes(8)))
struct RecordPruningLoadTests {
    /// One day of day roots of the whole country.
    static let nationalDay = 7000 * 32
    static let today = UTCDay(Date())
    static let oldDay = today.number - 120

    /// Writes `schools` × 32 day roots of each day in `days` with the database's own client (a
    /// real bulk insert, rows interleaved by school and camera as the key orders them).
    static func fill(_ info: StoreLocationInfo, kind: StoreKind, schools: Int, days: [Int]) throws {
        let session = try DatabaseSession(info)
        defer { session.close() }
        let rows = schools * 32
        for day in days {
            switch kind {
            case .sqlite:
                try session.execute(
                    """
                    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < \(rows - 1))
                    INSERT INTO day_roots SELECT printf('KZ-NAT-%05d', i / 32), 'cam-' || (i % 32 + 1), \(day), 1440,
                        randomblob(32), randomblob(64) FROM n;
                    """)
            case .postgres:
                try session.execute(
                    """
                    INSERT INTO day_roots SELECT 'KZ-NAT-' || lpad((i / 32)::text, 5, '0'), 'cam-' || (i % 32 + 1), \(day),
                        1440, decode(md5(i::text) || md5((i + 1)::text), 'hex'),
                        decode(md5(i::text) || md5((i + 2)::text) || md5((i + 3)::text) || md5((i + 4)::text), 'hex')
                    FROM generate_series(0, \(rows - 1)) AS i;
                    """)
            }
        }
    }

    /// Day roots of `day` (or all with nil), counted by the database's own client.
    static func count(_ info: StoreLocationInfo, day: Int? = nil) throws -> Int {
        let sql = "SELECT count(*) FROM day_roots" + (day.map { " WHERE day = \($0)" } ?? "")
        let (status, output) =
            if let path = info.sqlitePath {
                try run("sqlite3", [path, sql], timeout: 30)
            } else {
                try run("psql", ["-X", "-A", "-t", "-c", sql, info.postgresURL ?? ""], timeout: 30)
            }
        guard status == 0, let count = Int(output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestKitError("count of day roots: exit \(status): \(output.prefix(300))")
        }
        return count
    }

    @Test(
        "a national day of day roots is pruned in batches of 5,000 beside two kept days: rows per second",
        arguments: StoreKind.allCases)
    func rowsDeletedPerSecond(kind: StoreKind) async throws {
        try await withStore(kind) { store, info in
            try Self.fill(
                info, kind: kind, schools: 7000, days: [Self.oldDay, Self.today.number - 2, Self.today.number - 1])
            #expect(try Self.count(info) == 3 * Self.nationalDay)
            var keeping = RecordKeeping()
            keeping.dayRootDays = 90
            let pruner = RecordPruner(store: store, keeping: keeping, batch: 5000)
            let started = ContinuousClock.now
            var batches: [Duration] = []
            var deleted = 0
            while true {
                let batchStart = ContinuousClock.now
                let count = try await store.prune(
                    .dayRoots, before: Date().addingTimeInterval(-90 * 86_400), limit: pruner.batch)
                batches.append(ContinuousClock.now - batchStart)
                deleted += count
                if count < pruner.batch { break }
            }
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let slowest = batches.max() ?? .zero
            print(
                "pruning, \(kind): \(deleted) day roots in \(batches.count) batches of ≤ 5,000 in \(String(format: "%.2f", seconds)) s = \(Int(Double(deleted) / seconds)) rows/s; slowest batch \(slowest)"
            )
            #expect(deleted == Self.nationalDay)
            #expect(try Self.count(info, day: Self.oldDay) == 0)
            #expect(try Self.count(info) == 2 * Self.nationalDay)
            // A national day must go well within the hour between two prunings.
            #expect(seconds < 600)
        }
    }

    @Test(
        "serve killed in the middle of a pruning leaves whole batches done and a sound database; the next start finishes it",
        arguments: StoreKind.allCases)
    func aKilledPruningLeavesAConsistentStore(kind: StoreKind) async throws {
        try await withStore(kind) { _, info in
            try Self.fill(info, kind: kind, schools: 7000, days: [Self.oldDay, Self.today.number - 1])
            let evidence = try TemporaryDirectory(prefix: "kuzet-prune-evidence")
            let database = info.sqlitePath.map { "sqlite:\($0)" } ?? info.postgresURL ?? ""
            let arguments = ["--database", database, "--prune-interval", "1", "--evidence-dir", evidence.path]

            let first = try RegistryProcess(arguments)
            var remaining = Self.nationalDay
            _ = eventually(timeout: 60) {
                remaining = (try? Self.count(info, day: Self.oldDay)) ?? remaining
                return remaining < Self.nationalDay
            }
            first.process.stop(signal: SIGKILL)
            let afterKill = try Self.count(info, day: Self.oldDay)
            print("pruning, \(kind): serve killed with \(afterKill) of \(Self.nationalDay) old day roots left")
            #expect(afterKill < Self.nationalDay, "the pruning had not started in 60 s")
            #expect((Self.nationalDay - afterKill) % 5000 == 0, "a batch was half done")
            #expect(try Self.count(info, day: Self.today.number - 1) == Self.nationalDay, "a kept day root went")
            if let path = info.sqlitePath {
                let (status, output) = try run("sqlite3", [path, "PRAGMA integrity_check;"], timeout: 120)
                #expect(status == 0 && output.trimmingCharacters(in: .whitespacesAndNewlines) == "ok", "\(output)")
            }

            let second = try RegistryProcess(arguments)
            let finished = eventually(timeout: 120) { (try? Self.count(info, day: Self.oldDay)) == 0 }
            second.process.stop()
            #expect(finished, "the next start did not finish the pruning")
            #expect(try Self.count(info) == Self.nationalDay)
        }
    }

    @Test(
        "two serve instances pruning the same database at once delete each old row once, without a failure",
        arguments: StoreKind.allCases)
    func twoInstancesPruneTogether(kind: StoreKind) async throws {
        try await withStore(kind) { _, info in
            try Self.fill(info, kind: kind, schools: 7000, days: [Self.oldDay, Self.today.number - 1])
            let evidence = try TemporaryDirectory(prefix: "kuzet-prune-evidence")
            let database = info.sqlitePath.map { "sqlite:\($0)" } ?? info.postgresURL ?? ""
            let arguments = ["--database", database, "--prune-interval", "1", "--evidence-dir", evidence.path]
            let instances = try [RegistryProcess(arguments), RegistryProcess(arguments)]
            let finished = eventually(timeout: 120) { (try? Self.count(info, day: Self.oldDay)) == 0 }
            for instance in instances { instance.process.stop() }
            #expect(finished)
            #expect(try Self.count(info) == Self.nationalDay, "a kept day root went")
            // Each instance logs how many day roots it deleted: together, each row once.
            var counts: [Int] = []
            for instance in instances {
                let output = instance.process.output
                #expect(!output.contains("pruning: failed"), "\(output.suffix(2000))")
                let deleted = output.split(separator: "\n").filter { $0.contains("registry.pruned.records=day_roots") }
                    .compactMap { line in
                        line.firstMatch(of: /registry\.pruned\.count=(\d+)/).flatMap { Int($0.1) }
                    }
                counts.append(deleted.reduce(0, +))
            }
            print("pruning, \(kind): two instances deleted \(counts) day roots")
            #expect(counts.reduce(0, +) == Self.nationalDay)
        }
    }

    @Test(
        "700,000 challenges of the whole country: the 21,000 past 90 days go in batches of 5,000: rows per second",
        arguments: StoreKind.allCases)
    func challengesDeletedPerSecond(kind: StoreKind) async throws {
        try await withStore(kind) { store, info in
            // 7,000 schools × 100 challenges, one every 22 h back from now: 1.8 … 92.6 days old, so
            // 3 per school are past 90 days; every 10th failed, and the 99th (an old failure that is
            // not the school's newest).
            let now = Date().timeIntervalSince1970
            let session = try DatabaseSession(info)
            let values =
                "'c' || i, 'KZ-NAT-' || \(kind == .sqlite ? "printf('%05d', i / 100)" : "lpad((i / 100)::text, 5, '0')"), "
                + "'cam-1', 20000, 3, 7, \(now) - (i % 100 + 2) * 79200.0, \(now) - (i % 100 + 2) * 79200.0 + 1800, "
                + "\(now) - (i % 100 + 2) * 79200.0 + 600, CASE WHEN i % 10 = 0 OR i % 100 = 98 THEN 'failed' ELSE 'proven' END, NULL"
            switch kind {
            case .sqlite:
                try session.execute(
                    """
                    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 699999)
                    INSERT INTO retention_challenges SELECT \(values) FROM n;
                    """)
            case .postgres:
                try session.execute(
                    "INSERT INTO retention_challenges SELECT \(values) FROM generate_series(0, 699999) AS i; ANALYZE retention_challenges;"
                )
            }
            session.close()
            let started = ContinuousClock.now
            var deleted = 0
            var batches = 0
            while true {
                let count = try await store.prune(
                    .challenges, before: Date(timeIntervalSince1970: now - 90 * 86_400), limit: 5000)
                deleted += count
                batches += 1
                if count < 5000 { break }
            }
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print(
                "pruning, \(kind): \(deleted) challenges of 700,000 in \(batches) batches in \(String(format: "%.2f", seconds)) s = \(Int(Double(deleted) / seconds)) rows/s"
            )
            // Older than 90 days: i % 100 = 97, 98, 99 (90.75, 91.7, 92.6 days).
            #expect(deleted == 7000 * 3)
            #expect(seconds < 600)
        }
    }
}
