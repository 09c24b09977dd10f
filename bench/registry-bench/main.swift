import Foundation
import KuzetProtocol
import KuzetRegistry
import Logging
import NIOCore
import NIOPosix

// kuzet-registry-bench: ingest rate (through the real HTTP server, beside a floor measured in the
// same run by a minimal program writing the same rows straight into the database) and report
// latency with 10,000 schools × 30 cameras. Run through bench/registry-bench.sh.
//
//   kuzet-registry-bench [--postgres URL] [--heartbeats N] [--connections 16,64] [--batch 1,20] [--repeat N] [--stores sqlite,postgres]
//                        [--fleet 5000,… | --no-fleet] [--report-schools S] [--no-report] [--router-ingest]
//
// --router-ingest: heartbeats through the router, without `HeartbeatFastPath` (for comparison).
// KUZET_BENCH_TIMELINE=1: a fleet run also prints p99 and max latency per half second of the run.

// As `kuzet-registry` does (see its main): Swift concurrency runs on the server's event loops.
// KUZET_BENCH_DEFAULT_EXECUTOR=1 keeps Swift's own executor, for comparing the two.
if ProcessInfo.processInfo.environment["KUZET_BENCH_DEFAULT_EXECUTOR"] != "1" {
    _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
}
LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .error
    return handler
}

/// A fleet run kept up if it answered ≥ 99 % of the offered rate with this p99 (from when each was due).
let fleetLatencyLimit = 0.1
let options = BenchOptions(arguments: Array(CommandLine.arguments.dropFirst()))
let connectionList = options.connectionCounts.map(String.init).joined(separator: " and ")
say(
    "kuzet-registry-bench: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(options.heartbeats) heartbeats per run, \(connectionList) concurrent clients, 8 cameras per heartbeat, \(options.repeats) run(s) each (median shown)"
)
say(
    "client: a wrk-like load generator in this process (requests serialised beforehand; closed loop: one thread and keep-alive connection per client)"
)
say(
    "floor: the same rows written straight into the database, one transaction per request (SQLite: one after another; PostgreSQL: as many connections as clients)"
)
if !options.fleetRates.isEmpty {
    say(
        "fleet: \(IngestRun.fleetAgents) schools, each on its own keep-alive connection (all polled by one client thread), \(IngestRun.fleetWarmUpRounds) untimed heartbeats each, then together one heartbeat per request at a fixed rate for \(Int(IngestRun.fleetSeconds)) s (open loop, as wrk2: latency counts from when a heartbeat was due); kept up = ≥ 99 % of the rate answered with p99 < \(Int(fleetLatencyLimit * 1000)) ms"
    )
}
say(
    "grouped floor: the same, with as many requests per transaction as the server's group commit averaged (SQLite: one writer; PostgreSQL: \(PostgresRegistryStore.ingestWriters) writer\(PostgresRegistryStore.ingestWriters == 1 ? "" : "s"))"
)
say("")
let ingestTarget = 5_000.0
let reportTarget = 100.0
var ingestVerdicts: [(String, Double)] = []
var fleetVerdicts: [(String, LoadGenerator.Schedule)] = []
let kinds = options.stores.filter { $0 != .postgres || options.postgresURL != nil }
for kind in kinds {
    for batch in options.batches {
        for connections in options.connectionCounts {
            var options = options
            options.connections = connections
            var runs: [(floor: Double, server: Double, groups: (statistics: IngestGroupStatistics, seconds: Double)?)] =
                []
            for _ in 0..<options.repeats {
                let floor = try await Floor.run(kind: kind, options: options, batch: batch)
                let (server, groups) = try await IngestRun.run(kind: kind, options: options, batch: batch)
                runs.append((floor, server, groups))
            }
            // The run with the median server rate.
            let (floor, server, measured) = runs.sorted { $0.server < $1.server }[runs.count / 2]
            let groups = measured?.statistics
            let label = "\(kind.rawValue) batch=\(batch) clients=\(connections)".padding(
                toLength: 32, withPad: " ", startingAt: 0)
            ingestVerdicts.append((label.trimmingCharacters(in: .whitespaces), server))
            if runs.count > 1 {
                let rates = runs.map { String(format: "%.0f", $0.server) }.joined(separator: ", ")
                say("runs    \(label) server \(rates) hb/s — the median run follows")
            }
            let perCommit = groups.map { Double($0.requests) / Double(max($0.groups, 1)) }
            // How much of the run the group writers were writing: near 100 %, they are what limits.
            let busy =
                measured.map {
                    " writer busy \(String(format: "%.0f", $0.statistics.writingSeconds / ($0.seconds * Double(max($0.statistics.writers, 1))) * 100))%,"
                } ?? ""
            let grouping =
                groups.map {
                    " —\(busy) \($0.requests) requests in \($0.groups) transactions (\(String(format: "%.1f", perCommit ?? 1)) per commit)"
                } ?? ""
            say(
                "ingest  \(label) server \(format(server)) hb/s   floor \(format(floor)) hb/s   (\(String(format: "%.0f", server / floor * 100))% of floor)\(grouping)"
            )
            if let perCommit, perCommit >= 1.5 {
                // The server commits several requests at once: the fair floor does the same.
                let size = Int(perCommit.rounded())
                let grouped = try await Floor.run(kind: kind, options: options, batch: batch, group: size)
                say(
                    "        \(label) grouped floor \(format(grouped)) hb/s   (\(size) requests per transaction; server at \(String(format: "%.0f", server / grouped * 100))% of it)"
                )
            }
        }
    }
}
for kind in kinds {
    for rate in options.fleetRates {
        var runs: [LoadGenerator.Schedule] = []
        for _ in 0..<options.repeats {
            runs.append(try await IngestRun.fleet(kind: kind, options: options, rate: rate))
        }
        let label = "fleet \(kind.rawValue) \(IngestRun.fleetAgents) agents".padding(
            toLength: 32, withPad: " ", startingAt: 0)
        if runs.count > 1 {
            let p99s = runs.map { String(format: "%.1f", $0.latency(percentile: 99) * 1000) }.joined(separator: ", ")
            say("runs    \(label) p99 \(p99s) ms — the median run follows")
        }
        let run = runs.sorted { $0.latency(percentile: 99) < $1.latency(percentile: 99) }[runs.count / 2]
        fleetVerdicts.append((label.trimmingCharacters(in: .whitespaces), run))
        let latencies = [50.0, 99, 100].map { String(format: "%.1f", run.latency(percentile: $0) * 1000) }
        say(
            "ingest  \(label) offered \(format(run.offeredRate)) hb/s   answered \(format(run.achievedRate)) hb/s   latency p50 \(latencies[0]) ms, p99 \(latencies[1]) ms, max \(latencies[2]) ms"
        )
        if ProcessInfo.processInfo.environment["KUZET_BENCH_TIMELINE"] == "1" {
            say("        timeline (ms): \(run.timeline(bucket: 0.5))")
        }
    }
}
say("")
var reportP99: [(String, Double)] = []
for kind in kinds where !options.skipReport {
    reportP99 += try await ReportRun.run(kind: kind, options: options)
}
say("")
for (label, rate) in ingestVerdicts {
    say(
        "target ingest ≥ \(Int(ingestTarget)) hb/s   \(label.padding(toLength: 32, withPad: " ", startingAt: 0)) \(format(rate))   \(rate >= ingestTarget ? "MET" : "NOT MET")"
    )
}
// A fleet rate is kept up when ≥ 99 % of it is answered with p99 under the limit; the target is met
// when a rate at or above it was. Rates above the target show how far the store goes.
for (label, run) in fleetVerdicts {
    let p99 = String(format: "%.1f", run.latency(percentile: 99) * 1000)
    say(
        "rate    \(label.padding(toLength: 32, withPad: " ", startingAt: 0)) offered \(format(run.offeredRate))   answered \(format(run.achievedRate))   p99 \(p99) ms   \(keptUp(run) ? "kept up" : "did not keep up")"
    )
}
for kind in kinds where !options.fleetRates.isEmpty {
    let label = "fleet \(kind.rawValue) \(IngestRun.fleetAgents) agents"
    let highest = fleetVerdicts.filter { $0.0 == label && keptUp($0.1) }.map(\.1.offeredRate).max()
    let verdict = (highest ?? 0) >= ingestTarget ? "MET" : "NOT MET"
    say(
        "target ingest ≥ \(Int(ingestTarget)) hb/s   \(label.padding(toLength: 32, withPad: " ", startingAt: 0)) \(highest.map(format) ?? "    none")   \(verdict) (the highest rate kept up)"
    )
}
for (label, p99) in reportP99 {
    say(
        "target p99 < \(Int(reportTarget)) ms        \(label.padding(toLength: 32, withPad: " ", startingAt: 0)) \(String(format: "%8.1f", p99))   \(p99 < reportTarget ? "MET" : "NOT MET")"
    )
}

func format(_ rate: Double) -> String { String(format: "%8.0f", rate) }

/// Whether a fleet run kept up with its rate: ≥ 99 % answered, p99 under `fleetLatencyLimit`.
func keptUp(_ run: LoadGenerator.Schedule) -> Bool {
    run.achievedRate >= run.offeredRate * 0.99 && run.latency(percentile: 99) < fleetLatencyLimit
}

/// One line to stdout at once (stdout may be a pipe).
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
