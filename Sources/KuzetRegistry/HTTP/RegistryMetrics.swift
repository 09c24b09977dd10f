import Foundation
import Prometheus
import Synchronization

/// The registry's own figures for `GET /metrics` (Prometheus text): heartbeat requests by answer,
/// heartbeats stored and duplicate, ingest time, and the store's group commit. Police figures
/// (schools online, delivering, keeping 30 days) are the report's, not these.
final class RegistryMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let accepted: Counter
    private let duplicates: Counter
    private let ingestTime: DurationHistogram
    /// `kuzet_registry_heartbeat_requests_total{status="200"}`, looked up once (most requests are these).
    private let answeredOK: Counter
    private let answeredFast: Counter
    /// The store's cumulative figures as last exported, so counters move by the difference.
    private let exported = Mutex<[String: Int]>([:])
    private let exportedWritingSeconds = Mutex(0.0)
    /// The connection counts already exported (`exportCounter`).
    private let exportedConnections = Mutex<[String: Int]>([:])
    /// Schools by region and flag, as `SchoolCensusService` last counted them.
    let census = SchoolGauges()

    init() {
        accepted = registry.makeCounter(
            name: "kuzet_registry_heartbeats_stored_total", help: "Heartbeats stored (new ones).")
        duplicates = registry.makeCounter(
            name: "kuzet_registry_heartbeats_duplicate_total", help: "Heartbeats received again and not stored twice.")
        ingestTime = registry.makeDurationHistogram(
            name: "kuzet_registry_ingest_seconds",
            buckets: [
                .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                .milliseconds(50),
                .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
            ],
            help: "Time from a heartbeat request's arrival at the store to its commit.")
        answeredOK = registry.makeCounter(name: Self.requestsName, labels: [("status", "200")], help: Self.requestsHelp)
        answeredFast = registry.makeCounter(
            name: "kuzet_registry_heartbeat_requests_fast_total",
            help:
                "Heartbeat requests answered on the event loop, without the router (counted in kuzet_registry_heartbeat_requests_total too)."
        )
        registerDatabaseErrors()
    }

    private static let requestsName = "kuzet_registry_heartbeat_requests_total"
    private static let requestsHelp = "Heartbeat requests by HTTP status."

    /// One `POST /api/v1/heartbeats` answered with `status`; `fast`: by `HeartbeatFastPath`.
    func heartbeatRequest(status: Int, fast: Bool = false) {
        if status == 200 {
            answeredOK.increment()
        } else {
            registry.makeCounter(name: Self.requestsName, labels: [("status", String(status))], help: Self.requestsHelp)
                .increment()
        }
        if fast { answeredFast.increment() }
    }

    func stored(_ result: IngestResult, after duration: Duration) {
        accepted.increment(by: Int64(result.accepted))
        duplicates.increment(by: Int64(result.duplicates))
        ingestTime.record(duration)
    }

    /// The text for a scrape, with the store's group-commit figures brought up to date first.
    func exposition(store: any RegistryStore, connections: ConnectionCount) -> [UInt8] {
        registry.makeGauge(name: "kuzet_registry_connections_open", help: "Open HTTP connections.").record(
            Int64(connections.current))
        let refused = registry.makeCounter(
            name: "kuzet_registry_connections_refused_total",
            help: "Connections answered 503 for being over serve --max-connections.")
        let timedOut = registry.makeCounter(
            name: "kuzet_registry_requests_timed_out_total",
            help: "Requests answered 408 or closed: head or body not complete within its timeout.")
        exportCounter(refused, key: "connections_refused", total: connections.refused)
        exportCounter(timedOut, key: "requests_timed_out", total: connections.timeouts)
        let statistics = store.ingestStatistics
        registry.makeGauge(
            name: "kuzet_registry_ingest_waiting", help: "Heartbeat requests waiting for the next ingest transaction."
        )
        .set(Double(statistics.waiting))
        registry.makeGauge(
            name: "kuzet_registry_ingest_writing", help: "Heartbeat requests in ingest transactions being written."
        )
        .set(Double(statistics.writing))
        var totals = ["transactions": statistics.groups, "split": statistics.splitGroups]
        if let paths = (store as? PostgresRegistryStore)?.ingestPaths {
            totals["known"] = paths.known
            totals["stale"] = paths.stale
        }
        let moves = exported.withLock { exported in
            let moves = totals.map { key, value in (key, value - (exported[key] ?? 0)) }
            exported = totals
            return moves
        }
        for (key, delta) in moves where delta > 0 {
            counter(key).increment(by: Int64(delta))
        }
        let writing = exportedWritingSeconds.withLock { exported in
            defer { exported = statistics.writingSeconds }
            return statistics.writingSeconds - exported
        }
        // Its rate is the share of time the ingest writers were writing: near 1 (per writer), they
        // are what limits ingest.
        registry.makeCounter(
            name: "kuzet_registry_ingest_writing_seconds_total",
            help: "Time the ingest group writers spent writing groups."
        )
        .increment(by: max(writing, 0))
        return registry.emitToBuffer()
    }

    /// Moves `counter` on to `total`, a running count kept elsewhere.
    private func exportCounter(_ counter: Counter, key: String, total: Int) {
        let delta = exportedConnections.withLock { exported in
            defer { exported[key] = max(total, exported[key] ?? 0) }
            return total - (exported[key] ?? 0)
        }
        if delta > 0 { counter.increment(by: Int64(delta)) }
    }

    private func counter(_ key: String) -> Counter {
        switch key {
        case "transactions":
            return registry.makeCounter(
                name: "kuzet_registry_ingest_transactions_total", help: "Ingest transactions (group commits).")
        case "split":
            return registry.makeCounter(
                name: "kuzet_registry_ingest_split_groups_total",
                help: "Ingest groups that failed whole and were written again one request at a time.")
        default:
            return registry.makeCounter(
                name: "kuzet_registry_ingest_groups_total", labels: [("way", key)],
                help:
                    "PostgreSQL ingest groups: known = one statement from held states, stale = a held state was outdated."
            )
        }
    }
}
