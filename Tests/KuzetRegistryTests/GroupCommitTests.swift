import Foundation
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import Logging
import Testing

/// Grouped ingest: requests waiting at the same moment share one transaction. A second database
/// session holds the tables locked so that requests pile up and really are written as a group.
@Suite("Group commit", .timeLimit(.minutes(2)))
struct GroupCommitTests {
    @Test(
        "concurrent ingests of the same and different schools, written in groups, give exact counts and the newest state",
        arguments: StoreKind.allCases)
    func concurrentGroupsAreExact(kind: StoreKind) async throws {
        try await withStore(kind) { store, info in
            let schools = (1...4).map { String(format: "KZ-GRP-%04d", $0) }
            let start = Date(timeIntervalSince1970: 1_790_000_000)
            // Every sequence alone, and two schools replay their whole outbox as one batch besides.
            var requests: [(String, [Heartbeat])] = []
            for school in schools {
                for sequence in 1...12 { requests.append((school, [Self.heartbeat(school, sequence, start)])) }
            }
            for school in schools.prefix(2) {
                requests.append((school, (1...12).map { Self.heartbeat(school, $0, start) }))
            }
            requests.shuffle()

            let lock = try DatabaseSession(info)
            try lock.lockIngest(kind)
            let writers = ingestStatistics(store).writers
            let results = try await withThrowingTaskGroup(of: (String, [Heartbeat], IngestResult).self) { group in
                for (index, (school, heartbeats)) in requests.enumerated() {
                    group.addTask {
                        let result = try await store.ingest(
                            schoolID: school, heartbeats: heartbeats,
                            receivedAt: start.addingTimeInterval(Double(index)), policy: FlagPolicy())
                        return (school, heartbeats, result)
                    }
                    // The first requests one by one: each becomes a writer's group, stuck on the lock.
                    if index < writers {
                        let started = await waitUntil(timeout: 20) { ingestStatistics(store).writing == index + 1 }
                        #expect(started)
                    }
                }
                // The others wait together for the lock to go.
                let piled = await waitUntil(timeout: 20) { ingestStatistics(store).waiting == requests.count - writers }
                lock.close()
                #expect(piled, "waiting: \(ingestStatistics(store).waiting) of \(requests.count)")
                var results: [(String, [Heartbeat], IngestResult)] = []
                for try await result in group { results.append(result) }
                return results
            }

            let statistics = ingestStatistics(store)
            #expect(statistics.requests == requests.count)
            #expect(statistics.largestGroup == requests.count - writers)
            for school in schools {
                let mine = results.filter { $0.0 == school }
                let sent = mine.map(\.1.count).reduce(0, +)
                #expect(mine.map(\.2.accepted).reduce(0, +) == 12, "\(school): each sequence accepted exactly once")
                #expect(mine.map(\.2.duplicates).reduce(0, +) == sent - 12)
                for (_, heartbeats, result) in mine {
                    #expect(result.highestSequence >= heartbeats.map(\.sequence).max()!)
                }
                let record = try #require(try await store.school(id: school))
                #expect(record.state?.lastSequence == 12)
                #expect(record.state?.cameras.count == Self.cameras(for: 12))
                #expect(record.name == "Name of \(school)")
                let history = try await store.history(schoolID: school, limit: 100)
                #expect(history.map(\.sequence) == Array((1...12).reversed()))
            }
        }
    }

    @Test(
        "a request the database refuses fails alone; the others in its group are stored and answered",
        arguments: StoreKind.allCases)
    func failingRequestFailsAlone(kind: StoreKind) async throws {
        try await withStore(kind) { store, info in
            let bad = "KZ-BAD-0001"
            let good = (1...8).map { String(format: "KZ-OK-%04d", $0) }
            let start = Date(timeIntervalSince1970: 1_790_000_000)
            let setup = try DatabaseSession(info)
            try setup.refuseHeartbeats(of: bad, kind)
            setup.close()

            let lock = try DatabaseSession(info)
            try lock.lockIngest(kind)
            let writers = ingestStatistics(store).writers
            let outcomes = await withTaskGroup(of: (String, Result<IngestResult, any Error>).self) { group in
                func submit(_ school: String, sequence: Int) {
                    group.addTask {
                        do {
                            let result = try await store.ingest(
                                schoolID: school, heartbeats: [Self.heartbeat(school, sequence, start)],
                                receivedAt: start, policy: FlagPolicy())
                            return (school, .success(result))
                        } catch {
                            return (school, .failure(error))
                        }
                    }
                }
                for (index, school) in good.enumerated() {
                    submit(school, sequence: 1)
                    if index < writers {
                        let started = await waitUntil(timeout: 20) { ingestStatistics(store).writing == index + 1 }
                        #expect(started)
                    }
                }
                // The refused request joins the waiting group.
                submit(bad, sequence: 1)
                submit(good[0], sequence: 2)
                let piled = await waitUntil(timeout: 20) { ingestStatistics(store).waiting == good.count + 2 - writers }
                lock.close()
                #expect(piled)
                var outcomes: [(String, Result<IngestResult, any Error>)] = []
                for await outcome in group { outcomes.append(outcome) }
                return outcomes
            }

            #expect(outcomes.count == good.count + 2)
            for (school, outcome) in outcomes {
                switch outcome {
                case .success(let result):
                    #expect(school != bad, "the refused school's request must fail")
                    #expect(result.accepted == 1 && result.duplicates == 0)
                case .failure(let error):
                    #expect(school == bad, "\(school) failed: \(error)")
                    #expect(String(describing: error).contains("refused by the test trigger") || kind == .postgres)
                }
            }
            #expect(ingestStatistics(store).splitGroups >= 1)
            #expect(try await store.history(schoolID: bad, limit: 10).isEmpty)
            #expect(try await store.school(id: bad)?.state == nil)
            #expect(try await store.school(id: good[0])?.state?.lastSequence == 2)
            for school in good {
                #expect(try await store.school(id: school)?.state != nil, "\(school) stored")
            }
        }
    }

    @Test("two PostgreSQL store instances on one database ingesting the same schools at once stay exact")
    func twoInstancesShareOneDatabase() async throws {
        try await withStore(.postgres) { first, info in
            let url = try #require(info.postgresURL)
            guard case .postgres(let location) = try DatabaseLocation(parsing: url) else {
                throw TestKitError("not a postgres URL")
            }
            let second = try PostgresRegistryStore(location: location, logger: Logger(label: "kuzet.registry.test"))
            try await withThrowingTaskGroup(of: Void.self) { services in
                services.addTask { try await second.run() }
                defer { services.cancelAll() }
                try await second.migrate()
                let schools = (1...3).map { String(format: "KZ-TWO-%04d", $0) }
                let start = Date(timeIntervalSince1970: 1_790_000_000)
                // Every heartbeat goes to both instances (an agent retrying through another one),
                // in a different order on each, so their groups lock the same schools in any order.
                var work: [(Int, String, UInt64)] = []
                for school in schools {
                    for sequence in 1...30 { work += [(0, school, UInt64(sequence)), (1, school, UInt64(sequence))] }
                }
                work.shuffle()
                let stores: [any RegistryStore] = [first, second]
                let results = try await withThrowingTaskGroup(of: (String, IngestResult).self) { group in
                    for (index, (instance, school, sequence)) in work.enumerated() {
                        group.addTask {
                            let result = try await stores[instance].ingest(
                                schoolID: school, heartbeats: [Self.heartbeat(school, Int(sequence), start)],
                                receivedAt: start.addingTimeInterval(Double(index)), policy: FlagPolicy())
                            return (school, result)
                        }
                    }
                    var results: [(String, IngestResult)] = []
                    for try await result in group { results.append(result) }
                    return results
                }
                for school in schools {
                    let mine = results.filter { $0.0 == school }.map(\.1)
                    #expect(
                        mine.map(\.accepted).reduce(0, +) == 30,
                        "\(school): each sequence accepted once across both instances")
                    #expect(mine.map(\.duplicates).reduce(0, +) == 30)
                    for store in stores {
                        let record = try #require(try await store.school(id: school))
                        #expect(record.state?.lastSequence == 30)
                        #expect(record.state?.cameras.count == Self.cameras(for: 30))
                    }
                    #expect(
                        try await second.history(schoolID: school, limit: 100).map(\.sequence)
                            == Array((1...30).reversed()))
                }
                #expect(ingestStatistics(first).requests + second.ingestStatistics.requests == work.count)
            }
        }
    }

    @Test(
        "a state one instance remembers is not used once another instance has moved the school on",
        arguments: StoreKind.allCases)
    func rememberedStateIsCheckedAgainstTheDatabase(kind: StoreKind) async throws {
        try await withStore(kind) { first, info in
            try await withSecondStore(kind, info) { second in
                let school = "KZ-TWO-0100"
                let start = Date(timeIntervalSince1970: 1_790_000_000)
                var sample = Sample(schoolID: school)
                sample.push = .failing
                _ = try await first.ingest(
                    schoolID: school, heartbeats: [sample.heartbeat(1, at: start)], receivedAt: start,
                    policy: FlagPolicy())
                sample.push = .delivering
                _ = try await second.ingest(
                    schoolID: school, heartbeats: [sample.heartbeat(2, at: start.addingTimeInterval(30))],
                    receivedAt: start, policy: FlagPolicy())
                sample.push = .failing
                let third = start.addingTimeInterval(60)
                _ = try await first.ingest(
                    schoolID: school, heartbeats: [sample.heartbeat(3, at: third)], receivedAt: third,
                    policy: FlagPolicy())
                // Failing again since heartbeat 3: the first instance's memory (failing since 1) is stale.
                let record = try #require(try await second.school(id: school))
                #expect(record.state?.lastSequence == 3)
                #expect(record.state?.flags.since(.notDelivering) == third)
                if let first = first as? PostgresRegistryStore {
                    #expect(
                        first.ingestPaths == PostgresIngestPaths(known: 0, stale: 1),
                        "the held state was found stale and not written")
                }
            }
        }
    }

    /// A second store instance on the same database (another registry process).
    func withSecondStore(
        _ kind: StoreKind, _ info: StoreLocationInfo, _ body: @Sendable (any RegistryStore) async throws -> Void
    ) async throws {
        switch kind {
        case .sqlite:
            try await body(try SQLiteRegistryStore(path: try #require(info.sqlitePath)))
        case .postgres:
            guard case .postgres(let location) = try DatabaseLocation(parsing: try #require(info.postgresURL)) else {
                throw TestKitError("not a postgres URL")
            }
            let store = try PostgresRegistryStore(location: location, logger: Logger(label: "kuzet.registry.test"))
            try await withThrowingTaskGroup(of: Void.self) { services in
                services.addTask { try await store.run() }
                defer { services.cancelAll() }
                try await body(store)
            }
        }
    }

    /// The content depends on the sequence, so the state shows which heartbeat it came from.
    static func cameras(for sequence: Int) -> Int { sequence % 3 + 1 }

    static func heartbeat(_ school: String, _ sequence: Int, _ start: Date) -> Heartbeat {
        var sample = Sample(schoolID: school, name: "Name of \(school)", region: "Region")
        sample.cameras = cameras(for: sequence)
        return sample.heartbeat(UInt64(sequence), at: start.addingTimeInterval(Double(sequence) * 30))
    }
}

/// The group writer's figures of a store under test.
func ingestStatistics(_ store: any RegistryStore) -> IngestGroupStatistics {
    if let store = store as? SQLiteRegistryStore { return store.ingestStatistics }
    if let store = store as? PostgresRegistryStore { return store.ingestStatistics }
    Issue.record("no group writer in \(type(of: store))")
    return IngestGroupStatistics()
}
